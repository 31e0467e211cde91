"""REST handlers for experiments: create, get, get-by-name, search, update, delete, restore, tags."""

from __future__ import annotations

from ..tracking.entities import LifecycleStage, ViewType
from ..tracking.exceptions import NotFoundError
from ..tracking.validation import tag_value_to_str, validate_key
from ._api import Endpoint
from .permissions import experiment_by_name_guard, experiment_guard, readable_ids, record_creator
from .protocol import experiment_json

__all__ = ["ENDPOINTS", "view_type_from"]

_VIEW_TYPES = {"ACTIVE_ONLY": ViewType.ACTIVE_ONLY, "DELETED_ONLY": ViewType.DELETED_ONLY, "ALL": ViewType.ALL,
               "1": ViewType.ACTIVE_ONLY, "2": ViewType.DELETED_ONLY, "3": ViewType.ALL}


def view_type_from(value) -> ViewType:
    """A ViewType from MLflow's enum name or number (ACTIVE_ONLY when absent)."""
    if value is None or value == "":
        return ViewType.ACTIVE_ONLY
    found = _VIEW_TYPES.get(str(value).upper())
    if found is None:
        raise ValueError(f"Invalid view type {value!r}: expected ACTIVE_ONLY, DELETED_ONLY or ALL")
    return found


def create(ctx, args) -> dict:
    """POST experiments/create {name, artifact_location, tags} -> {experiment_id}."""
    tags = {validate_key(item["key"], "tag key"): tag_value_to_str(item["key"], item.get("value", ""))
            for item in args.items("tags")}
    location = ctx.locations.from_client(args.get("artifact_location"))
    experiment_id = ctx.store.create_experiment(args.require("name"), location, tags or None)
    record_creator(ctx, args, experiment_id)
    return {"experiment_id": experiment_id}


def get(ctx, args) -> dict:
    """GET experiments/get?experiment_id= -> {experiment}."""
    return {"experiment": experiment_json(ctx.store.get_experiment(str(args.require("experiment_id"))),
                                          ctx.locations)}


def get_by_name(ctx, args) -> dict:
    """GET experiments/get-by-name?experiment_name= -> {experiment}; 404 when none has that name."""
    name = args.require("experiment_name")
    experiment = ctx.store.get_experiment_by_name(name)
    if experiment is None:
        raise NotFoundError(f"Could not find experiment with name '{name}'")
    return {"experiment": experiment_json(experiment, ctx.locations)}


def search(ctx, args) -> dict:
    """POST/GET experiments/search {max_results, page_token, filter, order_by, view_type}."""
    page = ctx.store.search_experiments(view_type_from(args.get("view_type")), args.integer("max_results", 1000),
                                        args.text("filter") or None, args.items("order_by"),
                                        args.text("page_token") or None)
    readable = readable_ids(ctx, args, [experiment.experiment_id for experiment in page])
    body = {"experiments": [experiment_json(experiment, ctx.locations) for experiment in page
                            if str(experiment.experiment_id) in readable]}
    if page.token:
        body["next_page_token"] = page.token
    return body


def update(ctx, args) -> dict:
    """POST experiments/update {experiment_id, new_name}."""
    new_name = args.get("new_name")
    if new_name:
        ctx.store.rename_experiment(str(args.require("experiment_id")), new_name)
    return {}


def delete(ctx, args) -> dict:
    """POST experiments/delete {experiment_id}."""
    ctx.store.set_experiment_lifecycle(str(args.require("experiment_id")), LifecycleStage.DELETED)
    return {}


def restore(ctx, args) -> dict:
    """POST experiments/restore {experiment_id}."""
    ctx.store.set_experiment_lifecycle(str(args.require("experiment_id")), LifecycleStage.ACTIVE)
    return {}


def set_tag(ctx, args) -> dict:
    """POST experiments/set-experiment-tag {experiment_id, key, value}."""
    key = validate_key(args.require("key"), "tag key")
    ctx.store.set_experiment_tag(str(args.require("experiment_id")), key, tag_value_to_str(key, args.get("value", "")))
    return {}


def delete_tag(ctx, args) -> dict:
    """POST experiments/delete-experiment-tag {experiment_id, key}."""
    ctx.store.delete_experiment_tag(str(args.require("experiment_id")), args.require("key"))
    return {}


ENDPOINTS = [
    Endpoint("/experiments/create", ["POST"], "write", create),
    Endpoint("/experiments/get", ["GET"], "read", get, guard=experiment_guard("read")),
    Endpoint("/experiments/get-by-name", ["GET"], "read", get_by_name, guard=experiment_by_name_guard),
    Endpoint("/experiments/search", ["POST", "GET"], "read", search),
    Endpoint("/experiments/update", ["POST"], "write", update, guard=experiment_guard("edit")),
    Endpoint("/experiments/delete", ["POST"], "write", delete, guard=experiment_guard("edit")),
    Endpoint("/experiments/restore", ["POST"], "write", restore, guard=experiment_guard("edit")),
    Endpoint("/experiments/set-experiment-tag", ["POST"], "write", set_tag, guard=experiment_guard("edit")),
    Endpoint("/experiments/delete-experiment-tag", ["POST"], "write", delete_tag, guard=experiment_guard("edit")),
]
