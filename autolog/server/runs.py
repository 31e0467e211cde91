"""REST handlers for runs: create, get, update, delete, restore, search, log-*, tags, inputs and outputs."""

from __future__ import annotations

import time

from ..tracking.entities import LifecycleStage, Metric, Param, RunTag
from ..tracking.exceptions import InvalidInputError
from ..tracking.run_names import generate_run_name
from ..tracking.validation import (param_value_to_str, tag_value_to_str, validate_key,
                                   validate_metric_value)
from ._api import ApiError, Endpoint
from .experiments import view_type_from
from .permissions import experiment_guard, experiments_guard, run_guard
from .protocol import (float_from_json, metric_columns_from_json, metrics_from_json, params_from_json,
                       run_info_json, run_json, tags_from_json)

__all__ = ["ENDPOINTS", "MAX_BATCH_METRICS", "MAX_BATCH_PARAMS", "MAX_BATCH_TAGS", "MAX_BATCH_ENTITIES"]

MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_BATCH_TAGS = 100
MAX_BATCH_ENTITIES = 1000
_RUN_NAME = "mlflow.runName"


def _run_id(args) -> str:
    run_id = args.get("run_id") or args.get("run_uuid")
    if not run_id:
        raise InvalidInputError("Missing value for required parameter 'run_id'")
    return str(run_id)


def _checked_tags(tags) -> list:
    return [RunTag(validate_key(tag.key, "tag key"), tag_value_to_str(tag.key, tag.value)) for tag in tags]


def create(ctx, args) -> dict:
    """POST runs/create {experiment_id, user_id, start_time, tags, run_name} -> {run}."""
    tags = _checked_tags(tags_from_json(args.get("tags")))
    by_key = {tag.key: tag.value for tag in tags}
    run_name = args.text("run_name") or by_key.get(_RUN_NAME) or generate_run_name()
    by_key[_RUN_NAME] = run_name
    run = ctx.store.create_run(str(args.get("experiment_id", "0")), args.text("user_id") or "",
                               args.integer("start_time") or int(time.time() * 1000),
                               [RunTag(key, value) for key, value in by_key.items()], run_name)
    return {"run": run_json(run, ctx.locations)}


def get(ctx, args) -> dict:
    """GET runs/get?run_id= -> {run}."""
    return {"run": run_json(ctx.store.get_run(_run_id(args)), ctx.locations)}


def update(ctx, args) -> dict:
    """POST runs/update {run_id, status, end_time, run_name} -> {run_info}."""
    run_id = _run_id(args)
    ctx.store.update_run_info(run_id, status=args.text("status") or None, end_time=args.integer("end_time"),
                              run_name=args.text("run_name") or None)
    return {"run_info": run_info_json(ctx.store.get_run(run_id).info, ctx.locations)}


def delete(ctx, args) -> dict:
    """POST runs/delete {run_id}."""
    ctx.store.set_run_lifecycle(_run_id(args), LifecycleStage.DELETED)
    return {}


def restore(ctx, args) -> dict:
    """POST runs/restore {run_id}."""
    ctx.store.set_run_lifecycle(_run_id(args), LifecycleStage.ACTIVE)
    return {}


def search(ctx, args) -> dict:
    """POST runs/search {experiment_ids, filter, run_view_type, max_results, order_by, page_token}."""
    page = ctx.store.search_runs([str(e) for e in args.items("experiment_ids")], args.text("filter") or "",
                                 view_type_from(args.get("run_view_type")), args.integer("max_results", 1000),
                                 args.items("order_by"), args.text("page_token") or None)
    body = {"runs": [run_json(run, ctx.locations) for run in page]}
    if page.token:
        body["next_page_token"] = page.token
    return body


def _write_batch(ctx, run_id: str, metrics=(), params=(), tags=()) -> None:
    for metric in metrics:
        validate_key(metric.key, "metric key")
    params = [Param(validate_key(p.key, "param key"), param_value_to_str(p.key, p.value)) for p in params]
    columns = ([m.key for m in metrics], [m.value for m in metrics], [m.timestamp for m in metrics],
               [m.step for m in metrics]) if metrics else None
    ctx.store.log_batch(run_id, columns, params, _checked_tags(tags))
    linked = [metric for metric in metrics if metric.model_id]
    if linked:
        ctx.store.log_model_metrics(run_id, linked)


def log_metric(ctx, args) -> dict:
    """POST runs/log-metric {run_id, key, value, timestamp, step}."""
    key = validate_key(args.require("key"), "metric key")
    value = validate_metric_value(key, float_from_json(args.raw.get("value"), f"value of metric {key!r}"))
    metric = Metric(key, value, args.integer("timestamp") or int(time.time() * 1000), args.integer("step", 0),
                    args.text("model_id") or None, args.text("dataset_name") or None,
                    args.text("dataset_digest") or None)
    _write_batch(ctx, _run_id(args), metrics=[metric])
    return {}


def log_param(ctx, args) -> dict:
    """POST runs/log-parameter {run_id, key, value}."""
    _write_batch(ctx, _run_id(args), params=[Param(args.require("key"), args.text("value", ""))])
    return {}


def set_tag(ctx, args) -> dict:
    """POST runs/set-tag {run_id, key, value}."""
    _write_batch(ctx, _run_id(args), tags=[RunTag(args.require("key"), args.text("value", ""))])
    return {}


def delete_tag(ctx, args) -> dict:
    """POST runs/delete-tag {run_id, key}."""
    ctx.store.delete_tag(_run_id(args), args.require("key"))
    return {}


def _check_batch_sizes(metrics: int, params: int, tags: int) -> None:
    for count, limit, what in ((metrics, MAX_BATCH_METRICS, "metrics"), (params, MAX_BATCH_PARAMS, "params"),
                               (tags, MAX_BATCH_TAGS, "tags")):
        if count > limit:
            raise InvalidInputError(f"A batch logging request can contain at most {limit} {what}. Got {count} {what}")
    if metrics + params + tags > MAX_BATCH_ENTITIES:
        raise InvalidInputError(f"A batch logging request can contain at most {MAX_BATCH_ENTITIES} metrics, "
                                f"params and tags in total. Got {metrics + params + tags}")


def log_batch(ctx, args) -> dict:
    """POST runs/log-batch {run_id, metrics, params, tags} within MLflow's limits, written atomically."""
    raw_metrics = args.get("metrics") or []
    params = params_from_json(args.get("params"))
    tags = tags_from_json(args.get("tags"))
    _check_batch_sizes(len(raw_metrics) if isinstance(raw_metrics, list) else 0, len(params), len(tags))
    if isinstance(raw_metrics, list) and any(isinstance(m, dict) and m.get("model_id") for m in raw_metrics):
        _write_batch(ctx, _run_id(args), metrics_from_json(raw_metrics), params, tags)
        return {}
    columns = metric_columns_from_json(raw_metrics)
    for key in set(columns[0]):
        validate_key(key, "metric key")
    params = [Param(validate_key(p.key, "param key"), param_value_to_str(p.key, p.value)) for p in params]
    ctx.store.log_batch(_run_id(args), columns if columns[0] else None, params, _checked_tags(tags))
    return {}


def _store_method(ctx, name: str):
    method = getattr(ctx.store, name, None)
    if method is None:
        raise ApiError("NOT_IMPLEMENTED", f"This server's store does not support {name}")
    return method


def log_inputs(ctx, args) -> dict:
    """POST runs/log-inputs {run_id, datasets, models}."""
    from .protocol import dataset_inputs_from_json, model_inputs_from_json

    _store_method(ctx, "log_inputs")(_run_id(args), dataset_inputs_from_json(args.get("datasets")),
                                     model_inputs_from_json(args.get("models")))
    return {}


def log_outputs(ctx, args) -> dict:
    """POST runs/outputs {run_id, models: [{model_id, step}]}."""
    from .protocol import model_outputs_from_json

    _store_method(ctx, "log_outputs")(_run_id(args), model_outputs_from_json(args.get("models")))
    return {}


ENDPOINTS = [
    Endpoint("/runs/create", ["POST"], "write", create, guard=experiment_guard("edit", default="0")),
    Endpoint("/runs/get", ["GET"], "read", get, guard=run_guard("read")),
    Endpoint("/runs/update", ["POST"], "write", update, guard=run_guard("edit")),
    Endpoint("/runs/delete", ["POST"], "write", delete, guard=run_guard("edit")),
    Endpoint("/runs/restore", ["POST"], "write", restore, guard=run_guard("edit")),
    Endpoint("/runs/search", ["POST", "GET"], "read", search, guard=experiments_guard("read")),
    Endpoint("/runs/log-metric", ["POST"], "write", log_metric, guard=run_guard("edit")),
    Endpoint("/runs/log-parameter", ["POST"], "write", log_param, guard=run_guard("edit")),
    Endpoint("/runs/set-tag", ["POST"], "write", set_tag, guard=run_guard("edit")),
    Endpoint("/runs/delete-tag", ["POST"], "write", delete_tag, guard=run_guard("edit")),
    Endpoint("/runs/log-batch", ["POST"], "write", log_batch, guard=run_guard("edit")),
    Endpoint("/runs/log-inputs", ["POST"], "write", log_inputs, guard=run_guard("edit")),
    Endpoint("/runs/outputs", ["POST"], "write", log_outputs, guard=run_guard("edit")),
]
