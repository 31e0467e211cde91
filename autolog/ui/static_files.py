"""The UI's own static files (CSS, JS, vendored libraries), served from the package with long caching.

Files are read once and kept in memory with their gzip form; the vendored libraries
are large and compress about four to one.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import os

from starlette.responses import Response

__all__ = ["static_file", "STATIC_DIR"]

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".svg": "image/svg+xml", ".png": "image/png", ".md": "text/plain; charset=utf-8"}


@functools.lru_cache(maxsize=64)
def _load(relative: str):
    path = os.path.realpath(os.path.join(STATIC_DIR, relative))
    if not path.startswith(os.path.realpath(STATIC_DIR) + os.sep) or not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        body = handle.read()
    media_type = _TYPES.get(os.path.splitext(path)[1]) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return body, gzip.compress(body, 6), media_type, hashlib.sha256(body).hexdigest()[:16]


def static_file(request) -> Response:
    """GET /static/{path}: one file under ``autolog/ui/static`` (gzip when the browser takes it); 404 else."""
    loaded = _load(request.path_params["path"])
    if loaded is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    body, zipped, media_type, etag = loaded
    headers = {"Cache-Control": "public, max-age=3600", "ETag": f'"{etag}"', "Vary": "Accept-Encoding",
               "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and len(zipped) < len(body):
        headers["Content-Encoding"] = "gzip"
        body = zipped
    return Response(body, media_type=media_type, headers=headers)
