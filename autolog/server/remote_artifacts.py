"""The artifact proxy over a remote destination (``s3://bucket/prefix``): clients talk HTTP to the
server, the server talks to the bucket with its own credentials, so clients need none.

Downloads are streamed from the bucket as they are sent; an upload is spooled to a temporary
file in blocks and then sent on (in parts when large): nothing is held whole in memory.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse

from ..tracking.artifacts import get_artifact_repository
from ..tracking.exceptions import InvalidInputError, NotFoundError

__all__ = ["list_remote", "send_remote", "receive_remote", "delete_remote", "split_uri"]


def split_uri(uri: str) -> tuple:
    """(parent URI, last path component) of a remote artifact URI."""
    parent, _, name = uri.rstrip("/").rpartition("/")
    return parent, name


def list_remote(root_uri: str, relative: str = "") -> list:
    """The proxy's listing entries ({path, is_dir, file_size}) directly under ``relative`` of ``root_uri``."""
    entries = []
    for info in get_artifact_repository(root_uri).list_artifacts(relative or None):
        name = posixpath.basename(info.path)
        entries.append({"path": name, "is_dir": info.is_dir,
                        **({} if info.is_dir else {"file_size": info.file_size})})
    return entries


def send_remote(root_uri: str, relative: str) -> StreamingResponse:
    """A response streaming one file of ``root_uri`` to the client; raises NotFoundError, or
    InvalidInputError for a directory."""
    repository = get_artifact_repository(root_uri)
    if not hasattr(repository, "iter_file"):
        raise InvalidInputError(f"The artifact root {root_uri} cannot be streamed through this server")
    try:
        chunks = repository.iter_file(relative)
    except NotFoundError:
        if relative and repository.list_artifacts(relative):
            raise InvalidInputError("The path is a directory; list it, or download its files one by one") from None
        raise NotFoundError("No artifact at this path") from None
    return StreamingResponse(chunks, media_type="application/octet-stream")


async def receive_remote(request: Request, uri: str, limit: int) -> None:
    """Spool the request body to a temporary file, then store it at ``uri``; raises on a body over ``limit``."""
    from .body_stream import write_body

    parent, name = split_uri(uri)
    if not name:
        raise InvalidInputError("Upload to a file path, not to the artifact root")
    workdir = await run_in_threadpool(tempfile.mkdtemp, prefix="autolog-upload-")
    try:
        path = os.path.join(workdir, name)
        with open(path, "wb") as handle:
            await write_body(request, handle, limit)
        await run_in_threadpool(get_artifact_repository(parent).log_artifact, path)
    finally:
        await run_in_threadpool(shutil.rmtree, workdir, True)


def delete_remote(root: str, uri: str) -> None:
    """Delete the file or directory at ``uri`` (never the whole ``root``)."""
    if uri.rstrip("/") == root.rstrip("/"):
        raise InvalidInputError("Refusing to delete the whole artifact root")
    repository = get_artifact_repository(root)
    relative = uri[len(root.rstrip("/")) + 1:]
    if not repository.list_artifacts(posixpath.dirname(relative) or None):
        raise NotFoundError("No artifact at this path")
    repository.delete_artifacts(relative)
