"""``autolog gc``: remove deleted runs and experiments, with their files, for good.

Files go first, then the records: a gc interrupted in between leaves deleted runs
without files, which the next gc removes. A run's files are removed only when they sit
in a directory named after the run (the layout every store here writes), so a run
pointing at files it does not own never takes them along.
"""

from __future__ import annotations

import os
import shutil
import time

from ..tracking.artifacts import get_artifact_repository
from ..tracking.exceptions import AutologError

__all__ = ["GcReport", "collect"]


class GcReport:
    """What gc removed (or, on a dry run, would remove) and how much space that returned."""

    def __init__(self, dry_run: bool):
        self.dry_run = dry_run
        self.runs: list = []
        self.experiments: list = []
        self.artifact_bytes = 0
        self.database_bytes = 0
        self.kept: list = []

    def lines(self) -> list:
        """The report as lines of text."""
        verb = "Would remove" if self.dry_run else "Removed"
        lines = [f"{verb} {len(self.runs)} deleted run(s) and {len(self.experiments)} deleted experiment(s); "
                 f"{_size(self.artifact_bytes)} of artifacts"
                 + ("" if self.dry_run else f", {_size(self.database_bytes)} of database")]
        lines.extend(f"  kept {what}: {why}" for what, why in self.kept)
        return lines


def _size(number: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(number) < 1024 or unit == "GiB":
            return f"{number:,.0f} {unit}" if unit == "B" else f"{number:,.1f} {unit}"
        number /= 1024
    return str(number)


def _tree_size(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def _local_dir(uri):
    try:
        return get_artifact_repository(uri).local_path("") if uri else None
    except AutologError:
        return None


def _run_files(info):
    """The local directory holding only this run's files, or None."""
    local = _local_dir(info.artifact_uri)
    if not local or not os.path.isdir(local):
        return None
    local = os.path.normpath(local)
    if os.path.basename(local) == info.run_id:
        return local
    if os.path.basename(local) == "artifacts" and os.path.basename(os.path.dirname(local)) == info.run_id:
        return os.path.dirname(local)
    return None


def collect(tracking_uri: str, older_than_ms=None, dry_run: bool = False) -> GcReport:
    """Remove deleted runs (deleted at least ``older_than_ms`` ago when given) and deleted experiments
    without remaining runs, with their files; return the report. ``dry_run`` only reports."""
    from ..tracking.client import Client

    store = Client(tracking_uri)._store
    cutoff = int(time.time() * 1000) - int(older_than_ms) if older_than_ms else None
    report = GcReport(dry_run)
    database = getattr(getattr(store, "db", None), "path", None)
    size_before = _database_size(database)
    for info in store.deleted_runs(cutoff):
        files = _run_files(info)
        if files:
            report.artifact_bytes += _tree_size(files)
            if not dry_run:
                shutil.rmtree(files, ignore_errors=True)
        if not dry_run:
            store.purge_run(info.run_id)
        report.runs.append(info.run_id)
    for experiment in store.deleted_experiments(cutoff):
        _collect_experiment(store, experiment, report, dry_run)
    if not dry_run and (report.runs or report.experiments):
        store.compact()
        report.database_bytes = max(0, size_before - _database_size(database))
    return report


def _collect_experiment(store, experiment, report: GcReport, dry_run: bool) -> None:
    remaining = [run.run_id for run in store.deleted_runs(None) if run.experiment_id == experiment.experiment_id
                 and run.run_id not in report.runs]
    if remaining:
        report.kept.append((f"experiment {experiment.name!r}", f"{len(remaining)} run(s) deleted too recently"))
        return
    location = _local_dir(experiment.artifact_location)
    root = _local_dir(store.artifact_root)
    owned = location and root and os.path.normpath(os.path.dirname(location)) == os.path.normpath(root)
    if owned and os.path.isdir(location):
        report.artifact_bytes += _tree_size(location)
        if not dry_run:
            shutil.rmtree(location, ignore_errors=True)
    if not dry_run:
        store.purge_experiment(experiment.experiment_id)
    report.experiments.append(experiment.experiment_id)


def _database_size(path) -> int:
    if not path:
        return 0
    return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))
