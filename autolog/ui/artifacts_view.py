"""A run's artifacts: the tree (one directory at a time), previews and downloads.

Everything is read through the run's artifact repository, so local, S3 and proxied
artifacts look the same; a file on this machine is read in place, any other is
copied into a temporary directory first.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile

from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from autolog.tracking.artifacts import get_artifact_repository
from autolog.tracking.exceptions import InvalidInputError, NotFoundError

from ._render import render, store_of
from .previews import IMAGE_TYPES, PREVIEW_BYTES, preview

__all__ = ["artifacts_page", "artifact_file", "list_directory", "read_artifact_head"]


def list_directory(repository, path: str) -> list:
    """The FileInfos directly under ``path`` (the root for ''), directories first."""
    entries = repository.list_artifacts(path or None)
    return sorted(entries, key=lambda info: (not info.is_dir, info.path))


def _find(repository, path: str):
    """The FileInfo of ``path`` (a FileInfo for the root when path is ''); NotFoundError when absent."""
    if not path:
        return None
    parent = posixpath.dirname(path)
    for info in repository.list_artifacts(parent or None):
        if info.path == path:
            return info
    raise NotFoundError(f"No artifact {path!r} in this run")


def _with_local_file(repository, path: str, use):
    """Call ``use(local_path)`` on the artifact file, copying it into a temporary directory if it is remote."""
    local = repository.local_path(path)
    if local is not None and os.path.isfile(local):
        return use(local)
    with tempfile.TemporaryDirectory(prefix="autolog-ui-") as scratch:
        return use(repository.download_artifacts(path, scratch))


def read_artifact_head(repository, path: str, limit: int = PREVIEW_BYTES) -> tuple:
    """(first ``limit`` bytes, size in bytes) of an artifact file."""
    def head(local: str) -> tuple:
        with open(local, "rb") as handle:
            return handle.read(limit), os.path.getsize(local)

    return _with_local_file(repository, path, head)


def _sibling_reader(repository, path: str):
    def sibling(name: str):
        try:
            data, _ = read_artifact_head(repository, posixpath.join(posixpath.dirname(path), name), 64 * 1024)
        except (NotFoundError, InvalidInputError, OSError):
            return None
        return data
    return sibling


def _crumbs(path: str) -> list:
    parts = [part for part in path.split("/") if part]
    return [(part, "/".join(parts[:index + 1])) for index, part in enumerate(parts)]


def artifacts_page(request):
    """GET /runs/{run_id}/artifacts?path=...: the directory's listing and, for a file, its preview."""
    store = store_of(request)
    run = store.get_run(request.path_params["run_id"])
    repository = get_artifact_repository(run.info.artifact_uri)
    path = request.query_params.get("path", "").strip("/")
    info = _find(repository, path)
    directory = path if info is None or info.is_dir else posixpath.dirname(path)
    shown = None
    if info is not None and not info.is_dir:
        data, size = read_artifact_head(repository, path)
        shown = {"path": path, "size": size, "name": posixpath.basename(path),
                 **preview(path, data, size, _sibling_reader(repository, path))}
    return render(request, "artifacts.html", {
        "run": run, "directory": directory, "entries": list_directory(repository, directory),
        "crumbs": _crumbs(directory), "file": shown, "parent": posixpath.dirname(directory),
    })


def artifact_file(request):
    """GET /runs/{run_id}/artifact?path=...: the file itself (``inline=1`` to show an image in place).

    Served with a sandboxing Content-Security-Policy, so an HTML or SVG artifact runs no script.
    """
    store = store_of(request)
    run = store.get_run(request.path_params["run_id"])
    repository = get_artifact_repository(run.info.artifact_uri)
    path = request.query_params.get("path", "").strip("/")
    info = _find(repository, path)
    if info is None or info.is_dir:
        raise InvalidInputError(f"{path or 'The root'!r} is a directory; download its files one by one")
    extension = os.path.splitext(path)[1].lower()
    inline = request.query_params.get("inline") == "1" and extension in IMAGE_TYPES
    headers = {"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
               "X-Content-Type-Options": "nosniff"}
    media_type = IMAGE_TYPES[extension] if inline else "application/octet-stream"
    disposition = "inline" if inline else "attachment"
    local = repository.local_path(path)
    if local is not None and os.path.isfile(local):
        return FileResponse(local, media_type=media_type, filename=posixpath.basename(path),
                            content_disposition_type=disposition, headers=headers)
    scratch = tempfile.mkdtemp(prefix="autolog-ui-")
    copied = repository.download_artifacts(path, scratch)
    return FileResponse(copied, media_type=media_type, filename=posixpath.basename(path), headers=headers,
                        content_disposition_type=disposition,
                        background=BackgroundTask(shutil.rmtree, scratch, ignore_errors=True))

