"""REST handlers for MLflow 3's logged models: create, get, finalize, tags, params, search, delete, artifacts."""

from __future__ import annotations

from ..tracking.entities import LoggedModelStatus
from ..tracking.exceptions import InvalidInputError
from ._api import Endpoint
from .artifacts import _list_directory
from .locations import contained_path
from .permissions import experiment_guard, experiments_guard, model_guard
from .protocol import logged_model_json, params_from_json, tags_from_json

__all__ = ["ENDPOINTS"]


def _model(ctx, model_id: str) -> dict:
    return {"model": logged_model_json(ctx.store.get_logged_model(model_id), ctx.locations)}


def create(ctx, args) -> dict:
    """POST logged-models {experiment_id, name, model_type, source_run_id, params, tags} -> {model}."""
    tags = {tag.key: tag.value for tag in tags_from_json(args.get("tags"))}
    params = {param.key: param.value for param in params_from_json(args.get("params"))}
    model = ctx.store.create_logged_model(str(args.require("experiment_id")), args.text("name") or None,
                                          args.text("source_run_id") or None, tags, params,
                                          args.text("model_type") or None)
    return {"model": logged_model_json(model, ctx.locations)}


def get(ctx, args) -> dict:
    """GET logged-models/{model_id} -> {model}."""
    return _model(ctx, args.require("model_id"))


def finalize(ctx, args) -> dict:
    """PATCH logged-models/{model_id} {status} -> {model}."""
    try:
        status = LoggedModelStatus.from_value(args.require("status"))
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    model = ctx.store.finalize_logged_model(args.require("model_id"), status)
    return {"model": logged_model_json(model, ctx.locations)}


def delete(ctx, args) -> dict:
    """DELETE logged-models/{model_id}."""
    ctx.store.delete_logged_model(args.require("model_id"))
    return {}


def set_tags(ctx, args) -> dict:
    """PATCH logged-models/{model_id}/tags {tags}."""
    ctx.store.set_logged_model_tags(args.require("model_id"),
                                    {tag.key: tag.value for tag in tags_from_json(args.get("tags"))})
    return {}


def delete_tag(ctx, args) -> dict:
    """DELETE logged-models/{model_id}/tags/{tag_key}."""
    ctx.store.delete_logged_model_tag(args.require("model_id"), args.require("tag_key"))
    return {}


def log_params(ctx, args) -> dict:
    """POST logged-models/{model_id}/params {params}."""
    ctx.store.log_logged_model_params(args.require("model_id"),
                                      {p.key: p.value for p in params_from_json(args.get("params"))})
    return {}


def search(ctx, args) -> dict:
    """POST logged-models/search {experiment_ids, filter, datasets, max_results, order_by, page_token}."""
    page = ctx.store.search_logged_models([str(e) for e in args.items("experiment_ids")], args.text("filter") or None,
                                          args.get("datasets") or None, args.integer("max_results"),
                                          args.items("order_by") or None, args.text("page_token") or None)
    body = {"models": [logged_model_json(model, ctx.locations) for model in page]}
    if page.token:
        body["next_page_token"] = page.token
    return body


def list_artifacts(ctx, args) -> dict:
    """GET logged-models/{model_id}/artifacts/directories?artifact_directory_path= -> {root_uri, files}."""
    model = ctx.store.get_logged_model(args.require("model_id"))
    local_root = ctx.locations.from_client(ctx.locations.to_client(model.artifact_location))
    if "://" in str(local_root):
        raise InvalidInputError("This logged model's artifacts are not on the server's disk")
    relative = (args.text("artifact_directory_path") or "").strip("/")
    directory = contained_path(local_root, relative)
    files = [dict(entry, path=f"{relative}/{entry['path']}" if relative else entry["path"])
             for entry in _list_directory(directory)]
    return {"root_uri": ctx.locations.to_client(model.artifact_location), "files": files}


ENDPOINTS = [
    Endpoint("/logged-models", ["POST"], "write", create, guard=experiment_guard("edit")),
    Endpoint("/logged-models/search", ["POST"], "read", search, guard=experiments_guard("read")),
    Endpoint("/logged-models/{model_id}", ["GET"], "read", get, guard=model_guard("read")),
    Endpoint("/logged-models/{model_id}", ["PATCH"], "write", finalize, guard=model_guard("edit")),
    Endpoint("/logged-models/{model_id}", ["DELETE"], "write", delete, guard=model_guard("edit")),
    Endpoint("/logged-models/{model_id}/tags", ["PATCH"], "write", set_tags, guard=model_guard("edit")),
    Endpoint("/logged-models/{model_id}/tags/{tag_key:path}", ["DELETE"], "write", delete_tag,
             guard=model_guard("edit")),
    Endpoint("/logged-models/{model_id}/params", ["POST"], "write", log_params, guard=model_guard("edit")),
    Endpoint("/logged-models/{model_id}/artifacts/directories", ["GET"], "read", list_artifacts,
             guard=model_guard("read")),
]
