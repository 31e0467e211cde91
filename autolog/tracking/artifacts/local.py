"""Artifacts in a local directory.

Every file appears whole: it is written under a hidden partial name and renamed (see
``autolog._containment``); listings skip partial names. Symbolic links in a copied
directory are followed only while their target stays inside it. File-system failures
leave as StoreError naming the path.
"""

from __future__ import annotations

import os
import shutil

from ..._containment import copy_file_atomic, copy_tree_contained, is_partial
from ..entities import FileInfo
from ..exceptions import InvalidInputError, NotFoundError
from ..stores.storage_errors import storage_errors
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
        with storage_errors(target_dir, "the artifact directory"):
            os.makedirs(target_dir, exist_ok=True)
            copy_file_atomic(local_file, os.path.join(target_dir, os.path.basename(local_file)))

    def log_artifacts(self, local_dir: str, artifact_path=None) -> None:
        if not os.path.isdir(local_dir):
            raise InvalidInputError(f"Cannot log artifacts from {local_dir!r}: it is not a directory")
        target = self._resolve(artifact_path)
        with storage_errors(target, "the artifact directory"):
            _copy_tree(local_dir, target)

    def list_artifacts(self, path=None) -> list:
        relative = safe_artifact_path(path)
        directory = self._resolve(relative)
        if not os.path.isdir(directory):
            return []
        infos = []
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            if is_partial(entry.name):
                continue
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
            with storage_errors(target, "the download directory"):
                _copy_tree(source, target)
        elif os.path.isfile(source) and not is_partial(os.path.basename(source)):
            with storage_errors(target, "the download directory"):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                copy_file_atomic(source, target)
        else:
            raise NotFoundError(f"No artifact {artifact_path!r} under {self.root_uri}")
        return target


def _copy_tree(source: str, target: str) -> None:
    try:
        copy_tree_contained(source, target)
    except shutil.Error as error:  # one entry per file that failed: report the first, briefly
        first = error.args[0][0] if error.args and error.args[0] else None
        detail = first[2] if isinstance(first, tuple) and len(first) == 3 else str(error)[:300]
        raise OSError(f"{len(error.args[0])} file(s) could not be copied, first: {detail}") from None
