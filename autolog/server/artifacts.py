"""The artifact proxy (``/api/2.0/mlflow-artifacts/artifacts/<path>``: PUT, GET, DELETE, list) and
the run-based listing (``/api/2.0/mlflow/artifacts/list``).

Bodies stream both ways in chunks: an upload goes to a ``.part`` file beside its target and is
renamed into place when complete, a download is read from disk as it is sent. Every path is
contained in the artifact destination (see locations.contained_path).
"""

from __future__ import annotations

import os
import shutil

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Route

from ..tracking.artifacts import get_artifact_repository
from ..tracking.exceptions import InvalidInputError, NotFoundError
from ..tracking.validation import safe_artifact_path
from ._api import ApiError, Endpoint, _error_for, error_response, role_allows
from .body_stream import write_body_to_file
from .locations import contained_path
from .permissions import require_proxy_path, run_guard

__all__ = ["ENDPOINTS", "proxy_routes", "DEFAULT_MAX_UPLOAD_BYTES"]

DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 ** 3
_PROXY_PREFIXES = ("/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts")


def _send_file(path: str):
    if os.path.isdir(path):
        raise InvalidInputError("The path is a directory; list it, or download its files one by one")
    if not os.path.isfile(path):
        raise NotFoundError("No artifact at this path")
    return FileResponse(path, media_type="application/octet-stream")


async def _receive_file(request: Request, target: str, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError("BAD_REQUEST", f"Upload larger than the server's limit of {limit} bytes")
    if os.path.isdir(target):
        raise InvalidInputError("The path is a directory; upload to a file path inside it")
    await run_in_threadpool(os.makedirs, os.path.dirname(target), exist_ok=True)
    contained_path(request.app.state.context.locations.root,
                   os.path.relpath(os.path.dirname(target), request.app.state.context.locations.root))
    await write_body_to_file(request, target, limit)


def _delete(path: str, root: str) -> None:
    if path == os.path.realpath(root):
        raise InvalidInputError("Refusing to delete the whole artifact root")
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
    else:
        raise NotFoundError("No artifact at this path")


def _list_directory(directory: str) -> list:
    if not os.path.isdir(directory):
        return []
    infos = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if ".part-" in entry.name or entry.name == ".autolog-uploads":
            continue
        is_dir = entry.is_dir()
        infos.append({"path": entry.name, "is_dir": is_dir, **({} if is_dir else {"file_size": entry.stat().st_size})})
    return infos


async def _proxy(request: Request):
    context = request.app.state.context
    role = request.scope.get("state", {}).get("role", "admin")
    needs = "read" if request.method == "GET" else "write"
    if not role_allows(role, needs):
        return error_response("PERMISSION_DENIED", f"This token's role ({role}) cannot {needs}")
    try:
        raw_path = request.path_params.get("artifact_path")
        relative = raw_path if raw_path is not None else request.query_params.get("path") or ""
        if relative.strip("/").split("/", 1)[0] == ".autolog-uploads":
            raise NotFoundError("No artifact at this path")
        await run_in_threadpool(require_proxy_path, context, request.scope.get("state", {}).get("user"), role,
                                relative, "read" if needs == "read" else "edit")
        if context.locations.remote:
            return await _proxy_remote(request, context.locations, raw_path)
        if raw_path is None:  # the listing: GET .../artifacts?path=
            directory = context.locations.local(request.query_params.get("path") or "")
            return JSONResponse({"files": await run_in_threadpool(_list_directory, directory)})
        path = context.locations.local(raw_path)
        if request.method == "GET":
            return _send_file(path)
        if request.method == "PUT":
            await _receive_file(request, path, request.app.state.max_upload_bytes)
        else:
            await run_in_threadpool(_delete, path, context.locations.root)
        return JSONResponse({})
    except Exception as exc:
        return error_response(*_error_for(exc))


async def _proxy_remote(request: Request, locations, raw_path):
    from . import remote_artifacts as remote

    if raw_path is None:
        relative = locations.local(request.query_params.get("path") or "")[len(locations.root) + 1:]
        return JSONResponse({"files": await run_in_threadpool(remote.list_remote, locations.root, relative)})
    uri = locations.local(raw_path)
    if request.method == "GET":
        return await run_in_threadpool(remote.send_remote, locations.root, uri[len(locations.root) + 1:])
    if request.method == "PUT":
        await remote.receive_remote(request, uri, request.app.state.max_upload_bytes)
    else:
        await run_in_threadpool(remote.delete_remote, locations.root, uri)
    return JSONResponse({})


def proxy_routes() -> list:
    """The artifact proxy's Starlette routes."""
    routes = []
    for prefix in _PROXY_PREFIXES:
        routes.append(Route(prefix + "/artifacts", _proxy, methods=["GET"]))
        routes.append(Route(prefix + "/artifacts/{artifact_path:path}", _proxy, methods=["GET", "PUT", "DELETE"]))
    return routes


def _run_repository_path(ctx, run_id: str, path) -> tuple:
    """(root URI, local directory) of a run's artifacts at ``path``; the directory is contained in the root."""
    root_uri = ctx.store.get_run(run_id).info.artifact_uri
    local_root = get_artifact_repository(root_uri).local_path("")
    if local_root is None:  # a bucket: the repository checks the path
        return root_uri, None, safe_artifact_path(path or "")
    return root_uri, local_root, contained_path(local_root, path or "")


def list_run_artifacts(ctx, args) -> dict:
    """GET artifacts/list?run_id=&path= -> {root_uri, files} with paths relative to the run's root."""
    run_id = str(args.get("run_id") or args.require("run_uuid"))
    relative = args.text("path") or ""
    root_uri, local_root, directory = _run_repository_path(ctx, run_id, relative)
    prefix = relative.strip("/")
    if local_root is None:
        from .remote_artifacts import list_remote

        entries = list_remote(root_uri, directory)
    else:
        entries = _list_directory(directory)
    files = [dict(entry, path=f"{prefix}/{entry['path']}" if prefix else entry["path"]) for entry in entries]
    return {"root_uri": ctx.locations.to_client(root_uri), "files": files}


def get_artifact(ctx, args):
    """GET /get-artifact?run_id=&path=: one file of a run's artifacts (the older download route)."""
    run_id = str(args.get("run_id") or args.require("run_uuid"))
    root, local_root, path = _run_repository_path(ctx, run_id, args.require("path"))
    if local_root is None:
        from .remote_artifacts import send_remote

        return send_remote(root, path)
    return _send_file(path)


ENDPOINTS = [
    Endpoint("/artifacts/list", ["GET"], "read", list_run_artifacts, guard=run_guard("read")),
    Endpoint("/get-artifact", ["GET"], "read", get_artifact, prefixes=("", "/ajax-api/2.0/mlflow"),
             guard=run_guard("read")),
]
