"""``autolog sync --pending``: push the runs spooled offline to the server they were meant for.

A spooled run is pushed once it has ended (a run still RUNNING is left for later), in
one write on the server, and only then tagged as synced in the spool; an interruption
in between is repaired by the next push, which finds the run on the server and tags it.
"""

from __future__ import annotations

import os
import time

from ..tracking.entities import RunStatus, RunTag
from ..tracking.offline import SYNCED_TAG, TARGET_TAG, spool_dir

__all__ = ["push_pending"]


def _same_store(first: str, second: str) -> bool:
    def norm(uri: str) -> str:
        return uri.rstrip("/") if "://" in uri else os.path.abspath(uri)

    return norm(first) == norm(second)


def push_pending(destination: str, spool=None, progress=None) -> list:
    """Copy every ended, unsynced spooled run meant for ``destination`` there; return report lines."""
    from ..tracking.client import Client
    from .copier import copy_store
    from .store_source import StoreSource

    spool = spool or spool_dir()
    if not os.path.isfile(os.path.join(spool, "tracking.db")):
        return [f"Nothing spooled (no spool store at {spool})"]
    spool_client = Client(spool)
    running = []

    def pending(run) -> bool:
        tags = run.data.tags
        if SYNCED_TAG in tags or not _same_store(tags.get(TARGET_TAG, destination), destination):
            return False
        if run.info.status == RunStatus.RUNNING:
            running.append(run.info.run_id)
            return False
        return True

    source = StoreSource(spool_client, run_filter=pending)
    run_ids = [run_id for run_id, _ in source.run_ids()]
    destination_client = Client(destination)
    summary = copy_store(source, destination_client, registry=False, progress=progress, run_ids=set(run_ids))
    arrived = destination_client._store.existing_run_ids(run_ids)
    stamp = str(int(time.time() * 1000))
    for run_id in arrived:
        spool_client._store.log_batch(run_id, tags=[RunTag(SYNCED_TAG, stamp)])
    lines = [f"Pushed the offline spool {spool} to {destination}: {len(arrived)} run(s) now there"]
    lines.extend(summary.lines())
    if running:
        lines.append(f"Left in the spool while still RUNNING: {', '.join(sorted(running))}")
    return lines
