"""Where the server keeps artifacts, and how their locations look to clients.

Artifacts under the destination directory are shown to clients as
``mlflow-artifacts:/<relative path>`` and served by the artifact proxy; every path a
client sends is checked to stay inside the destination (no ``..``, no absolute path,
no ``#``, ``?`` or control character, no symlink leading out).
"""

from __future__ import annotations

import os
import re

from ..tracking.exceptions import InvalidInputError
from ..tracking.validation import safe_artifact_path

__all__ = ["ArtifactLocations", "contained_path", "PROXY_SCHEME"]

PROXY_SCHEME = "mlflow-artifacts:"
_FORBIDDEN = re.compile(r"[#?\x00-\x1f\x7f]")


def contained_path(root: str, relative) -> str:
    """The absolute path of ``relative`` inside ``root``; raises InvalidInputError if it could leave it.

    Checks the text (``..``, absolute, drive letters, ``#``, ``?``, control characters) and then the
    real path on disk, so a symlink inside the root cannot lead outside either.
    """
    text = "" if relative is None else str(relative)
    if _FORBIDDEN.search(text) or "%" in text and re.search(r"%(2e|2f|5c|00)", text, re.IGNORECASE):
        raise InvalidInputError(f"Invalid artifact path {relative!r}: it contains a forbidden character")
    clean = safe_artifact_path(text)
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, clean)) if clean else base
    if target != base and not target.startswith(base + os.sep):
        raise InvalidInputError(f"Invalid artifact path {relative!r}: it leads outside the artifact root")
    return target


class ArtifactLocations:
    """The server's artifact destination (a local directory, or a remote root such as
    ``s3://bucket/prefix``: ``remote``) and its client-facing names."""

    def __init__(self, destination: str):
        self.remote = "://" in destination and not destination.startswith("file://")
        self.root = destination.rstrip("/") if self.remote else os.path.abspath(destination)

    def to_client(self, location):
        """``mlflow-artifacts:/rel`` for a location under the destination; other locations unchanged."""
        if not location:
            return location
        path = location[len("file://"):] if location.startswith("file://") else location
        if path == self.root:
            return PROXY_SCHEME + "/"
        if path.startswith(self.root + "/"):
            return PROXY_SCHEME + "/" + path[len(self.root) + 1:]
        return location

    def from_client(self, location):
        """The server-side location of a client's artifact location; raises InvalidInputError for a
        location on the server's disk outside the destination."""
        if not location:
            return None
        if location.startswith(PROXY_SCHEME):
            rest = location[len(PROXY_SCHEME):]
            if rest.startswith("//"):  # mlflow-artifacts://host:port/path
                rest = rest[2:].split("/", 1)[1] if "/" in rest[2:] else ""
            return self.local(rest.lstrip("/"))
        if "://" in location and not location.startswith("file://"):
            return location
        if self.remote:
            raise InvalidInputError(f"Invalid artifact location {location!r}: this server keeps artifacts in "
                                    f"{self.root}, not on its disk")
        path = location[len("file://"):] if location.startswith("file://") else location
        if not os.path.isabs(path):
            raise InvalidInputError(f"Invalid artifact location {location!r}: expected an absolute URI")
        contained_path(self.root, os.path.relpath(os.path.abspath(path), self.root))
        return os.path.abspath(path)

    def local(self, relative) -> str:
        """The absolute path (or, for a remote root, the URI) of a proxy path; raises InvalidInputError
        when it escapes."""
        if self.remote:
            text = "" if relative is None else str(relative)
            if _FORBIDDEN.search(text):
                raise InvalidInputError(f"Invalid artifact path {relative!r}: it contains a forbidden character")
            clean = safe_artifact_path(text)
            return f"{self.root}/{clean}" if clean else self.root
        return contained_path(self.root, relative)
