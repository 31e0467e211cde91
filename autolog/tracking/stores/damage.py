"""Recognise a store whose database was lost or emptied while its artifacts remain.

A 0-byte ``tracking.db`` (or one copied without its ``-wal`` file) beside a filled
``artifacts/`` tree must not open as a brand-new empty store: every run would seem gone
and new runs would write beside the old files. It is refused, naming what to do.
"""

from __future__ import annotations

import os

from ..exceptions import StoreError

__all__ = ["refuse_damaged_store"]


def refuse_damaged_store(database_path: str, artifact_root: str) -> None:
    """Raise StoreError when an existing database without tables sits beside artifacts already written."""
    if "://" in artifact_root or not os.path.isdir(artifact_root):
        return
    with os.scandir(artifact_root) as entries:
        if not any(True for _ in entries):
            return
    where = database_path or "the database"
    raise StoreError(
        f"The tracking store looks damaged: {where} holds no tables, but {artifact_root} holds artifacts of "
        "runs it should know. Restore the database from a backup (with its -wal file if it had one), or move "
        "the artifacts folder away to start an empty store")
