"""The model registry on the SQL stores."""

from __future__ import annotations

__all__ = ["SqlRegistryMixin", "REGISTRY_TABLES"]

REGISTRY_TABLES: list = []


class SqlRegistryMixin:
    """Registered models, versions, stages, aliases and tags."""
