"""Registry locations kept relative to the store's artifact root, so a moved or copied store stays whole.

A version's files live under ``<artifact root>/models/...``; the database keeps
``models/...`` and the store joins it to wherever its artifact root is today. A location
outside the root (an older absolute path, an ``s3://`` URI) is kept as it is.
"""

from __future__ import annotations

import os

__all__ = ["to_stored", "from_stored"]


def to_stored(location, artifact_root: str):
    """The text to store for ``location``: relative to ``artifact_root`` when it lies below it."""
    if not location:
        return location
    prefix = artifact_root.rstrip("/") + "/"
    if location.startswith(prefix):
        return location[len(prefix):]
    return location


def from_stored(stored, artifact_root: str):
    """The location a stored text names: a relative one is joined to ``artifact_root``."""
    if not stored or "://" in stored or os.path.isabs(stored) or stored.startswith("/"):
        return stored
    return f"{artifact_root.rstrip('/')}/{stored}"
