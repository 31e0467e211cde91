"""Artifacts in a local directory."""

from __future__ import annotations

import os
import shutil

from ..entities import FileInfo
from ..exceptions import InvalidInputError, NotFoundError
from ..validation import safe_artifact_path
from .base import ArtifactRepository

__all__ = ["LocalArtifactRepository"]


class LocalArtifactRepository(ArtifactRepository):
    """Artifacts stored as plain files under a root directory."""

    def __init__(self, root_uri: str):
        super().__init__(root_uri)
        self.root = root_uri[len("file://"):] if root_uri.startswith("file://") else root_uri

    def _resolve(self, artifact_path) -> str:
        relative = safe_artifact_path(artifact_path)
        return os.path.join(self.root, relative) if relative else self.root

    def local_path(self, artifact_path=""):
        return self._resolve(artifact_path)

    def log_artifact(self, local_file: str, artifact_path=None) -> None:
        if not os.path.isfile(local_file):
            raise InvalidInputError(f"Cannot log artifact {local_file!r}: it is not a file")
        target_dir = self._resolve(artifact_path)
        os.makedirs(target_dir, exist_ok=True)
        shutil.copyfile(local_file, os.path.join(target_dir, os.path.basename(local_file)))

    def log_artifacts(self, local_dir: str, artifact_path=None) -> None:
        if not os.path.isdir(local_dir):
            raise InvalidInputError(f"Cannot log artifacts from {local_dir!r}: it is not a directory")
        shutil.copytree(local_dir, self._resolve(artifact_path), dirs_exist_ok=True,
                        copy_function=shutil.copyfile)

    def list_artifacts(self, path=None) -> list:
        relative = safe_artifact_path(path)
        directory = self._resolve(relative)
        if not os.path.isdir(directory):
            return []
        infos = []
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            entry_path = f"{relative}/{entry.name}" if relative else entry.name
            if entry.is_dir():
                infos.append(FileInfo(entry_path, True, None))
            else:
                infos.append(FileInfo(entry_path, False, entry.stat().st_size))
        return infos

    def download_artifacts(self, artifact_path: str, dst_path: str) -> str:
        source = self._resolve(artifact_path)
        relative = safe_artifact_path(artifact_path)
        target = os.path.join(os.path.abspath(dst_path), relative) if relative else os.path.abspath(dst_path)
        if os.path.isdir(source):
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif os.path.isfile(source):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        else:
            raise NotFoundError(f"No artifact {artifact_path!r} under {self.root_uri}")
        return target
