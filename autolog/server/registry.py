"""REST handlers for the model registry: registered models, versions, stages, aliases, tags, download URIs.

A new version's files are copied into the registry here, on the server, next to the
artifacts; the client sends only the source URI.
"""

from __future__ import annotations

from urllib.parse import urlparse

from ..tracking import registration, uris
from ..tracking.exceptions import InvalidInputError
from ..tracking.validation import safe_artifact_path, tag_value_to_str, validate_key
from ._api import Endpoint
from .locations import PROXY_SCHEME
from .permissions import registry_source_guard
from .protocol import model_version_json, registered_model_json

__all__ = ["ENDPOINTS", "server_side_source"]

_PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts/"


def _tags(args) -> dict:
    return {validate_key(item["key"], "tag key"): tag_value_to_str(item["key"], item.get("value", ""))
            for item in args.items("tags")}


def _paged(page, field: str, to_json) -> dict:
    body = {field: [to_json(item) for item in page]}
    if page.token:
        body["next_page_token"] = page.token
    return body


def create_model(ctx, args) -> dict:
    """POST registered-models/create {name, tags, description} -> {registered_model}."""
    model = ctx.client.create_registered_model(args.require("name"), _tags(args), args.text("description"))
    return {"registered_model": registered_model_json(model)}


def get_model(ctx, args) -> dict:
    """GET registered-models/get?name= -> {registered_model}."""
    return {"registered_model": registered_model_json(ctx.store.get_registered_model(args.require("name")))}


def rename_model(ctx, args) -> dict:
    """POST registered-models/rename {name, new_name} -> {registered_model}."""
    model = ctx.client.rename_registered_model(args.require("name"), args.require("new_name"))
    return {"registered_model": registered_model_json(model)}


def update_model(ctx, args) -> dict:
    """PATCH registered-models/update {name, description} -> {registered_model}."""
    model = ctx.store.update_registered_model(args.require("name"), args.text("description"))
    return {"registered_model": registered_model_json(model)}


def delete_model(ctx, args) -> dict:
    """DELETE registered-models/delete {name}: the model, its versions and their registry copies."""
    ctx.client.delete_registered_model(args.require("name"))
    return {}


def search_models(ctx, args) -> dict:
    """GET registered-models/search?filter=&max_results=&order_by=&page_token=."""
    page = ctx.store.search_registered_models(args.text("filter") or None, args.integer("max_results", 100),
                                              args.items("order_by") or None, args.text("page_token") or None)
    return _paged(page, "registered_models", registered_model_json)


def latest_versions(ctx, args) -> dict:
    """POST registered-models/get-latest-versions {name, stages} -> {model_versions}."""
    versions = ctx.store.get_latest_versions(args.require("name"), args.items("stages") or None)
    return {"model_versions": [model_version_json(version) for version in versions]}


def set_model_tag(ctx, args) -> dict:
    """POST registered-models/set-tag {name, key, value}."""
    ctx.client.set_registered_model_tag(args.require("name"), args.require("key"), args.text("value", ""))
    return {}


def delete_model_tag(ctx, args) -> dict:
    """DELETE registered-models/delete-tag {name, key}."""
    ctx.store.delete_registered_model_tag(args.require("name"), args.require("key"))
    return {}


def server_side_source(ctx, source: str) -> str:
    """The URI or path the server reads a new version's files from; raises InvalidInputError for a source
    on the server's disk outside the artifact destination (a client may not register arbitrary files)."""
    scheme = urlparse(source).scheme.lower()
    if scheme == "runs":
        safe_artifact_path(uris.parse_runs_uri(source)[1])
        return source
    if scheme == "models":
        parsed = uris.parse_logged_model_uri(source)
        safe_artifact_path(parsed[1] if parsed else uris.parse_models_uri(source)["path"])
        return source
    if source.startswith(PROXY_SCHEME):
        return ctx.locations.from_client(source)
    if scheme in ("http", "https"):
        path = urlparse(source).path
        if _PROXY_PATH not in path:
            raise InvalidInputError(f"Invalid model source {source!r}: not an artifact of this server")
        return ctx.locations.local(path.split(_PROXY_PATH, 1)[1])
    if scheme in ("", "file") or len(scheme) == 1:
        return ctx.locations.from_client(source if "://" in source else "file://" + source)
    return source


def create_version(ctx, args) -> dict:
    """POST model-versions/create {name, source, run_id, tags, description} -> {model_version} (READY)."""
    name, source = args.require("name"), str(args.require("source"))
    source_location = uris.resolve_artifact_location(server_side_source(ctx, source), tracking_uri=ctx.store_uri)
    local = ctx.client._registry_source_copy(name, source_location)
    if local is not None:
        registration.require_model_directory(local, source)
    run_id = args.text("run_id") or (ctx.client._source_run_id(source) if source.startswith("runs:") else None)
    version = ctx.store.create_model_version(name, source, run_id, _tags(args), args.text("description"))
    try:
        location = ctx.client._registry_target(name, version.version)
        ctx.store.set_model_version_tag(name, version.version, registration.REGISTRATION_TAG,
                                        registration.owner_tag_value(location))
        ctx.client._copy_into_registry(local, location, source_location)
    except BaseException as error:
        ctx.client._abandon_registration(name, version.version, error)
        raise
    version = ctx.store.finish_model_version(name, version.version, location)
    return {"model_version": model_version_json(version)}


def get_version(ctx, args) -> dict:
    """GET model-versions/get?name=&version= -> {model_version}."""
    return {"model_version": model_version_json(ctx.store.get_model_version(args.require("name"),
                                                                             args.require("version")))}


def update_version(ctx, args) -> dict:
    """PATCH model-versions/update {name, version, description} -> {model_version}."""
    version = ctx.store.update_model_version(args.require("name"), args.require("version"), args.text("description"))
    return {"model_version": model_version_json(version)}


def transition_stage(ctx, args) -> dict:
    """POST model-versions/transition-stage {name, version, stage, archive_existing_versions}."""
    version = ctx.store.transition_model_version_stage(args.require("name"), args.require("version"),
                                                       args.require("stage"),
                                                       args.boolean("archive_existing_versions"))
    return {"model_version": model_version_json(version)}


def delete_version(ctx, args) -> dict:
    """DELETE model-versions/delete {name, version}: the version and its registry copy."""
    ctx.client.delete_model_version(args.require("name"), args.require("version"))
    return {}


def search_versions(ctx, args) -> dict:
    """GET model-versions/search?filter=&max_results=&order_by=&page_token=."""
    page = ctx.store.search_model_versions(args.text("filter") or None, args.integer("max_results", 1000),
                                           args.items("order_by") or None, args.text("page_token") or None)
    return _paged(page, "model_versions", model_version_json)


def download_uri(ctx, args) -> dict:
    """GET model-versions/get-download-uri?name=&version= -> {artifact_uri} (a proxy location)."""
    location = ctx.client.get_model_version_download_uri(args.require("name"), args.require("version"))
    return {"artifact_uri": ctx.locations.to_client(location)}


def set_version_tag(ctx, args) -> dict:
    """POST model-versions/set-tag {name, version, key, value}."""
    ctx.client.set_model_version_tag(args.require("name"), args.require("version"), args.require("key"),
                                     args.text("value", ""))
    return {}


def delete_version_tag(ctx, args) -> dict:
    """DELETE model-versions/delete-tag {name, version, key}."""
    ctx.store.delete_model_version_tag(args.require("name"), args.require("version"), args.require("key"))
    return {}


def set_alias(ctx, args) -> dict:
    """POST registered-models/alias {name, alias, version}."""
    ctx.store.set_registered_model_alias(args.require("name"), args.require("alias"), args.require("version"))
    return {}


def delete_alias(ctx, args) -> dict:
    """DELETE registered-models/alias {name, alias}."""
    ctx.store.delete_registered_model_alias(args.require("name"), args.require("alias"))
    return {}


def get_by_alias(ctx, args) -> dict:
    """GET registered-models/alias?name=&alias= -> {model_version}."""
    version = ctx.store.get_model_version_by_alias(args.require("name"), args.require("alias"))
    return {"model_version": model_version_json(version)}


ENDPOINTS = [
    Endpoint("/registered-models/create", ["POST"], "write", create_model),
    Endpoint("/registered-models/get", ["GET"], "read", get_model),
    Endpoint("/registered-models/rename", ["POST"], "write", rename_model),
    Endpoint("/registered-models/update", ["PATCH"], "write", update_model),
    Endpoint("/registered-models/delete", ["DELETE"], "write", delete_model),
    Endpoint("/registered-models/search", ["GET", "POST"], "read", search_models),
    Endpoint("/registered-models/get-latest-versions", ["POST", "GET"], "read", latest_versions),
    Endpoint("/registered-models/set-tag", ["POST"], "write", set_model_tag),
    Endpoint("/registered-models/delete-tag", ["DELETE"], "write", delete_model_tag),
    Endpoint("/registered-models/alias", ["POST"], "write", set_alias),
    Endpoint("/registered-models/alias", ["DELETE"], "write", delete_alias),
    Endpoint("/registered-models/alias", ["GET"], "read", get_by_alias),
    Endpoint("/model-versions/create", ["POST"], "write", create_version, guard=registry_source_guard),
    Endpoint("/model-versions/get", ["GET"], "read", get_version),
    Endpoint("/model-versions/update", ["PATCH"], "write", update_version),
    Endpoint("/model-versions/transition-stage", ["POST"], "write", transition_stage),
    Endpoint("/model-versions/delete", ["DELETE"], "write", delete_version),
    Endpoint("/model-versions/search", ["GET", "POST"], "read", search_versions),
    Endpoint("/model-versions/get-download-uri", ["GET"], "read", download_uri),
    Endpoint("/model-versions/set-tag", ["POST"], "write", set_version_tag),
    Endpoint("/model-versions/delete-tag", ["DELETE"], "write", delete_version_tag),
]
