"""The model-registry half of ``Client``."""

from __future__ import annotations

__all__ = ["RegistryClientMixin"]


class RegistryClientMixin:
    """Registered models, versions, stages, aliases and tags; mixed into Client."""
