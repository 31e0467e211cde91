"""Artifact repositories, chosen by the scheme of an artifact URI."""

from __future__ import annotations

from urllib.parse import urlparse

from ..exceptions import InvalidInputError
from .base import ArtifactRepository

__all__ = ["ArtifactRepository", "get_artifact_repository"]


def get_artifact_repository(root_uri: str) -> ArtifactRepository:
    """Return the repository for artifacts under ``root_uri`` (a local path, file:// or s3://bucket/prefix).

    Raises InvalidInputError for a scheme no repository handles.
    """
    scheme = urlparse(root_uri).scheme.lower()
    if scheme in ("", "file") or len(scheme) == 1:
        from .local import LocalArtifactRepository

        return LocalArtifactRepository(root_uri)
    if scheme == "s3":
        from .s3 import S3ArtifactRepository

        return S3ArtifactRepository(root_uri)
    if scheme in ("http", "https"):
        from .http import HttpArtifactRepository

        return HttpArtifactRepository(root_uri)
    raise InvalidInputError(f"No artifact repository for {root_uri!r}: supported are local paths, file://, s3:// "
                            "and http(s):// (a tracking server's artifact proxy)")
