"""The artifact repository interface: put files and directories, list, get."""

from __future__ import annotations

import abc

__all__ = ["ArtifactRepository"]


class ArtifactRepository(abc.ABC):
    """The artifacts under one root URI (a run's, or a model version's).

    Paths are relative to the root; every method raises InvalidInputError for a path
    that is absolute or escapes the root, and NotFoundError for a missing artifact.
    """

    def __init__(self, root_uri: str):
        self.root_uri = root_uri

    @abc.abstractmethod
    def log_artifact(self, local_file: str, artifact_path=None) -> None:
        """Copy one local file into the directory ``artifact_path``."""

    @abc.abstractmethod
    def log_artifacts(self, local_dir: str, artifact_path=None) -> None:
        """Copy the contents of a local directory into the directory ``artifact_path``."""

    @abc.abstractmethod
    def list_artifacts(self, path=None) -> list:
        """Return the FileInfos directly under ``path``, sorted by path."""

    @abc.abstractmethod
    def download_artifacts(self, artifact_path: str, dst_path: str) -> str:
        """Copy a file or directory into ``dst_path`` and return the local path written."""

    def local_path(self, artifact_path=""):
        """The artifact's path on this machine when it can be read in place, else None."""
        return None
