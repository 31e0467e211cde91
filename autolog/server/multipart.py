"""Multipart upload of big artifacts through the proxy, in MLflow's protocol.

``POST .../mlflow-artifacts/mpu/create/<directory>`` {path, num_parts} opens an upload of the file
``<directory>/<basename of path>`` (``path`` is the client's local file) and answers
one URL per part; the client PUTs each part there (in parallel, without its token: the URL
carries the upload's own random key, like a presigned URL); ``.../mpu/complete/<path>``
{upload_id, parts} joins the parts into the artifact, ``.../mpu/abort/<path>`` drops them.
Parts stream to files in ``<destination>/.autolog-uploads/<upload id>/`` (never held in
memory), the joined file is written beside its target and renamed into place, and the upload
directory is removed. That directory is hidden from listings and refused by the proxy; an upload
left open for a week is deleted when the next one starts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import time
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..tracking.exceptions import InvalidInputError, NotFoundError
from ._api import _error_for, error_response, read_json, role_allows
from .body_stream import WRITE_BLOCK, write_body_to_file
from .permissions import require_proxy_path

__all__ = ["UPLOADS_DIR", "MAX_PARTS", "STALE_SECONDS", "PART_PATH", "multipart_routes"]

UPLOADS_DIR = ".autolog-uploads"
MAX_PARTS = 10_000
STALE_SECONDS = 7 * 24 * 3600
PART_PATH = "/api/2.0/mlflow-artifacts/mpu/part"
_PREFIXES = ("/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


def _upload_dir(context, upload_id) -> str:
    if not isinstance(upload_id, str) or not _UPLOAD_ID.match(upload_id):
        raise InvalidInputError(f"Invalid upload_id {upload_id!r}")
    return os.path.join(context.locations.root, UPLOADS_DIR, upload_id)


def _load(context, upload_id) -> tuple:
    directory = _upload_dir(context, upload_id)
    try:
        with open(os.path.join(directory, "upload.json")) as handle:
            return directory, json.load(handle)
    except FileNotFoundError:
        raise NotFoundError(f"No multipart upload {upload_id!r} (completed, aborted or never created)") from None


def _target(context, artifact_path: str, client_file) -> str:
    """The file the upload writes: MLflow's client names the directory in the URL and its local file in
    ``path``, so the target is ``<artifact_path>/<basename of path>``, contained in the destination."""
    if str(artifact_path).strip("/").split("/", 1)[0] == UPLOADS_DIR:
        raise InvalidInputError("Invalid artifact path: it names the server's upload area")
    name = re.split(r"[/\\]", str(client_file or ""))[-1]
    if name in ("", ".", ".."):
        raise InvalidInputError(f"Invalid value {client_file!r} for parameter 'path': expected a file name")
    target = context.locations.local(f"{artifact_path.rstrip('/')}/{name}")
    if os.path.isdir(target) or target == context.locations.root:
        raise InvalidInputError("The path is a directory; upload to a file path inside it")
    return target


def _drop_stale(context) -> None:
    """Delete uploads opened more than STALE_SECONDS ago and never completed nor aborted."""
    area = os.path.join(context.locations.root, UPLOADS_DIR)
    limit = time.time() - STALE_SECONDS
    for entry in os.scandir(area) if os.path.isdir(area) else ():
        try:
            with open(os.path.join(entry.path, "upload.json")) as handle:
                created = json.load(handle)["created"]
        except (OSError, ValueError, KeyError):
            continue
        if created < limit:
            shutil.rmtree(entry.path, ignore_errors=True)


def _start(context, target: str, num_parts: int) -> tuple:
    _drop_stale(context)
    upload_id, key = uuid.uuid4().hex, secrets.token_urlsafe(32)
    directory = _upload_dir(context, upload_id)
    os.makedirs(directory)
    with open(os.path.join(directory, "upload.json"), "w") as handle:
        json.dump({"target": target, "num_parts": num_parts, "key": key, "created": time.time()}, handle)
    return upload_id, key


async def _caller_may_write(request: Request, artifact_path: str):
    """An error response when the caller may not write ``artifact_path``, else None."""
    state = request.scope.get("state", {})
    role = state.get("role", "admin")
    if not role_allows(role, "write"):
        return error_response("PERMISSION_DENIED", f"This token's role ({role}) cannot write")
    await run_in_threadpool(require_proxy_path, request.app.state.context, state.get("user"), role,
                            artifact_path, "edit")
    return None


async def _writer_request(request: Request) -> tuple:
    """(refusal response or None, context, JSON body, target file) of a create, complete or abort."""
    context, artifact_path = request.app.state.context, request.path_params["artifact_path"]
    denied = await _caller_may_write(request, artifact_path)
    if denied is not None:
        return denied, context, None, None
    body = await read_json(request)
    return None, context, body, _target(context, artifact_path, body.get("path"))


async def create(request: Request):
    """POST mpu/create/<directory> {path: the client's file, num_parts}
    -> {upload_id, credentials: [{url, part_number, headers}]}."""
    denied, context, body, target = await _writer_request(request)
    if denied is not None:
        return denied
    num_parts = body.get("num_parts", 1)
    if not isinstance(num_parts, (int, str)) or not str(num_parts).isdigit() or not 0 < int(num_parts) <= MAX_PARTS:
        raise InvalidInputError(f"Invalid num_parts {num_parts!r}: expected 1 to {MAX_PARTS}")
    upload_id, key = await run_in_threadpool(_start, context, target, int(num_parts))
    base = str(request.base_url).rstrip("/") + PART_PATH
    credentials = [{"url": f"{base}?upload_id={upload_id}&part_number={number}&key={key}",
                    "part_number": number, "headers": {}} for number in range(1, int(num_parts) + 1)]
    return JSONResponse({"upload_id": upload_id, "credentials": credentials})


async def _stream_part(request: Request, path: str, limit: int) -> str:
    """Write the request body to ``path`` (via a temporary name); return its MD5 hex digest."""
    digest = hashlib.md5(usedforsecurity=False)
    await write_body_to_file(request, path, limit, "Part", digest)
    return digest.hexdigest()


async def upload_part(request: Request):
    """PUT mpu/part?upload_id=&part_number=&key=: one part's bytes; answers its ETag."""
    context, query = request.app.state.context, request.query_params
    directory, upload = await run_in_threadpool(_load, context, query.get("upload_id"))
    if not hmac.compare_digest(str(query.get("key", "")), upload["key"]):
        return error_response("PERMISSION_DENIED", "Invalid key for this upload")
    number = query.get("part_number", "")
    if not number.isdigit() or not 0 < int(number) <= upload["num_parts"]:
        raise InvalidInputError(f"Invalid part_number {number!r}: expected 1 to {upload['num_parts']}")
    etag = await _stream_part(request, os.path.join(directory, f"part-{int(number):05d}"),
                              request.app.state.max_upload_bytes)
    await run_in_threadpool(_write_text, os.path.join(directory, f"part-{int(number):05d}.etag"), etag)
    return Response(status_code=200, headers={"ETag": f'"{etag}"'})


def _write_text(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _checked_parts(directory: str, upload: dict, parts) -> list:
    """The part files in order; raises InvalidInputError unless ``parts`` names every uploaded part once."""
    if not isinstance(parts, list) or not parts:
        raise InvalidInputError("Missing value for required parameter 'parts'")
    numbers = sorted(int(part.get("part_number", 0)) for part in parts if isinstance(part, dict))
    if numbers != list(range(1, upload["num_parts"] + 1)):
        raise InvalidInputError(f"The parts must be numbered 1 to {upload['num_parts']}, each once")
    paths = []
    for part in sorted(parts, key=lambda item: int(item["part_number"])):
        path = os.path.join(directory, f"part-{int(part['part_number']):05d}")
        if not os.path.isfile(path):
            raise InvalidInputError(f"Part {part['part_number']} was never uploaded")
        with open(path + ".etag") as handle:
            stored = handle.read()
        if part.get("etag") and str(part["etag"]).strip('"') != stored:
            raise InvalidInputError(f"Part {part['part_number']}'s ETag does not match the uploaded part")
        paths.append(path)
    return paths


def _load_for(context, upload_id, target: str) -> tuple:
    """(directory, upload) of an open upload created for ``target``; raises InvalidInputError otherwise."""
    directory, upload = _load(context, upload_id)
    if upload["target"] != target:
        raise InvalidInputError(f"Upload {upload_id!r} was created for another artifact path")
    return directory, upload


def _assemble(context, upload_id: str, target: str, body: dict) -> None:
    directory, upload = _load_for(context, upload_id, target)
    paths = _checked_parts(directory, upload, body.get("parts"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = f"{target}.part-{uuid.uuid4().hex[:8]}"
    try:
        with open(partial, "wb") as output:
            for path in paths:
                with open(path, "rb") as part:
                    shutil.copyfileobj(part, output, WRITE_BLOCK)
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    shutil.rmtree(directory, ignore_errors=True)


async def _finish(request: Request, action):
    """Check the caller may write the path, read the body, and run ``action(context, upload_id, target,
    body)`` in a thread; answers {} (or the refusal)."""
    denied, context, body, target = await _writer_request(request)
    if denied is not None:
        return denied
    await run_in_threadpool(action, context, body.get("upload_id"), target, body)
    return JSONResponse({})


async def complete(request: Request):
    """POST mpu/complete/<path> {path, upload_id, parts: [{part_number, etag, url}]} -> {}."""
    return await _finish(request, _assemble)


def _drop(context, upload_id: str, target: str, body: dict) -> None:
    directory, _upload = _load_for(context, upload_id, target)
    shutil.rmtree(directory, ignore_errors=True)


async def abort(request: Request):
    """POST mpu/abort/<path> {path, upload_id} -> {}: the parts are deleted."""
    return await _finish(request, _drop)


def _answering_errors(handler):
    async def call(request: Request):
        try:
            return await handler(request)
        except Exception as exc:  # every failure becomes MLflow's error body
            return error_response(*_error_for(exc))
    return call


def multipart_routes() -> list:
    """The multipart upload's Starlette routes (create, part, complete, abort)."""
    routes = []
    for prefix in _PREFIXES:
        for action, handler in (("create", create), ("complete", complete), ("abort", abort)):
            routes.append(Route(f"{prefix}/mpu/{action}/{{artifact_path:path}}", _answering_errors(handler),
                                methods=["POST"]))
        routes.append(Route(f"{prefix}/mpu/part", _answering_errors(upload_part), methods=["PUT"]))
    return routes
