"""Artifacts behind a tracking server's proxy (``http(s)://host/api/2.0/mlflow-artifacts/artifacts/<root>``).

Uploads stream each file from disk (PUT; a big file in parts, see ``http_multipart``), downloads
stream to disk (GET); nothing is held in memory whole. Credentials and retries are the tracking client's (see ``http_client``).
"""

from __future__ import annotations

import os
import posixpath
from urllib.parse import quote, urlencode

from ..entities import FileInfo
from ..exceptions import InvalidInputError, NotFoundError
from ..validation import safe_artifact_path
from .base import ArtifactRepository

__all__ = ["HttpArtifactRepository"]

_PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts"
_sessions: dict = {}


def _session(base_url: str):
    from ..http_client import HttpSession

    session = _sessions.get(base_url)
    if session is None:
        session = _sessions[base_url] = HttpSession(base_url)
    return session


class HttpArtifactRepository(ArtifactRepository):
    """The artifacts under one proxy root URL."""

    def __init__(self, root_uri: str):
        super().__init__(root_uri.rstrip("/"))
        if _PROXY_PATH not in root_uri:
            raise InvalidInputError(f"Invalid artifact URL {root_uri!r}: expected .../api/2.0/mlflow-artifacts/...")
        base, _, relative = self.root_uri.partition(_PROXY_PATH)
        self._session = _session(base)
        self._root = relative.strip("/")

    def _remote(self, artifact_path) -> str:
        relative = safe_artifact_path(artifact_path)
        return posixpath.join(self._root, relative) if relative else self._root

    def _upload(self, local_file: str, remote: str) -> None:
        from .http_multipart import multipart_threshold, upload_in_parts

        size = os.path.getsize(local_file)
        minimum, chunk = multipart_threshold()
        if size >= minimum and posixpath.basename(remote) == os.path.basename(local_file):
            if upload_in_parts(self._session, local_file, posixpath.dirname(remote), chunk):
                return
        with open(local_file, "rb") as handle:
            self._session.request("PUT", f"{_PROXY_PATH}/{quote(remote)}", handle,
                                  {"Content-Length": str(size), "Content-Type": "application/octet-stream"})

    def log_artifact(self, local_file: str, artifact_path=None) -> None:
        if not os.path.isfile(local_file):
            raise InvalidInputError(f"Cannot log artifact {local_file!r}: it is not a file")
        self._upload(local_file, posixpath.join(self._remote(artifact_path), os.path.basename(local_file)))

    def log_artifacts(self, local_dir: str, artifact_path=None) -> None:
        if not os.path.isdir(local_dir):
            raise InvalidInputError(f"Cannot log artifacts from {local_dir!r}: it is not a directory")
        target = self._remote(artifact_path)
        for directory, _dirs, files in os.walk(local_dir):
            relative = os.path.relpath(directory, local_dir).replace(os.sep, "/")
            for name in sorted(files):
                remote = posixpath.normpath(posixpath.join(target, relative, name))
                self._upload(os.path.join(directory, name), remote)

    def list_artifacts(self, path=None) -> list:
        relative = safe_artifact_path(path)
        remote = self._remote(relative)
        body = self._session.call("GET", f"{_PROXY_PATH}?{urlencode({'path': remote})}")
        return [FileInfo(posixpath.join(relative, item["path"]) if relative else item["path"],
                         bool(item.get("is_dir")), None if item.get("is_dir") else item.get("file_size"))
                for item in body.get("files", [])]

    def _download_file(self, artifact_path: str, target: str) -> None:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        partial = target + ".part"
        try:
            with open(partial, "wb") as sink:
                self._session.request("GET", f"{_PROXY_PATH}/{quote(self._remote(artifact_path))}", sink=sink)
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def download_artifacts(self, artifact_path: str, dst_path: str) -> str:
        relative = safe_artifact_path(artifact_path)
        target = os.path.join(os.path.abspath(dst_path), relative) if relative else os.path.abspath(dst_path)
        entries = self.list_artifacts(relative)
        if entries:
            os.makedirs(target, exist_ok=True)
            for entry in entries:
                self.download_artifacts(entry.path, dst_path)
            return target
        if not relative:
            os.makedirs(target, exist_ok=True)
            return target
        try:
            self._download_file(relative, target)
        except NotFoundError:
            raise NotFoundError(f"No artifact {artifact_path!r} under {self.root_uri}") from None
        return target
