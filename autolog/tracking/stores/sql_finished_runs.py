"""Runs written whole: a run that is already over when it is first stored (a search's trial that logged
nothing while it ran) costs one transaction instead of three (create, log, finish), and the runs of many
such trials can share one transaction (``prepare_finished_run`` then ``log_finished_runs``)."""

from __future__ import annotations

from typing import NamedTuple

from ..entities import Run, RunData, RunInfo
from .sql_checks import require_active_experiment
from .sql_run_rows import metric_rows, random_id

__all__ = ["SqlFinishedRunsMixin", "FinishedRun"]


class FinishedRun(NamedTuple):
    """A finished run ready to be written: the Run (its id, info, tags and params) and its metric columns
    ((keys, values, timestamps, steps), or None)."""

    run: Run
    metrics: tuple | None


class SqlFinishedRunsMixin:
    """``log_finished_run`` and ``log_finished_runs``, each one transaction (mixed into SqlStore, shared by
    SQLite and PostgreSQL)."""

    def prepare_finished_run(self, experiment_id: str, user_id: str, run_name: str, start_time: int,
                             end_time: int, status: str, tags=(), params=(), metrics=None) -> FinishedRun:
        """A finished run with a new id, its tags, params and metric columns, checked but not written (see
        ``log_finished_runs``).

        Raises InvalidInputError for an experiment id that is not a number or the same param twice with
        different values.
        """
        from .sql_store import _experiment_id_int, _unique_params

        run_id = random_id()
        experiment_int = _experiment_id_int(experiment_id)
        info = RunInfo(run_id, str(experiment_int), run_name, user_id, status, start_time, end_time,
                       self._run_artifact_uri(experiment_int, run_id, None))
        data = RunData(params=_unique_params(params), tags={tag.key: tag.value for tag in tags})
        return FinishedRun(Run(info, data), metrics if metrics and metrics[0] else None)

    def log_finished_runs(self, experiment_id: str, runs) -> None:
        """Write ``runs`` (FinishedRuns of experiment ``experiment_id`` from ``prepare_finished_run``) in one
        transaction: all of them or none.

        Raises NotFoundError for an unknown experiment, InvalidInputError for a deleted one.
        """
        from .sql_store import _experiment_id_int

        runs = list(runs)
        if not runs:
            return
        experiment_int = _experiment_id_int(experiment_id)
        run_rows, tag_rows, param_rows = [], [], []
        for run, _metrics in runs:
            info, run_id = run.info, run.info.run_id
            run_rows.append((run_id, experiment_int, info.run_name, info.user_id, info.status, info.start_time,
                             info.end_time))
            tag_rows.extend((run_id, key, value, info.start_time) for key, value in run.data.tags.items())
            param_rows.extend((run_id, key, value, info.start_time) for key, value in run.data.params.items())
        with self.db.write() as cur:
            require_active_experiment(cur, experiment_int, experiment_id, "to add runs")
            cur.executemany("INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time,"
                            " end_time, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, ?, 'active')", run_rows)
            cur.executemany("INSERT INTO tags (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)", tag_rows)
            cur.executemany("INSERT INTO params (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)", param_rows)
            segments, latest = _metric_rows(runs)
            if segments:
                cur.executemany("INSERT INTO metric_segments (run_uuid, key, seq, count, steps, timestamps, vals)"
                                " VALUES (?, ?, 0, ?, ?, ?, ?)", segments)
                cur.executemany("INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step,"
                                " start_time) VALUES (?, ?, ?, ?, ?, ?, ?)", latest)

    def log_finished_run(self, experiment_id: str, user_id: str, run_name: str, start_time: int, end_time: int,
                         status: str, tags=(), params=(), metrics=None) -> Run:
        """Create a finished run with its tags, params and metric columns (keys, values, timestamps, steps) in
        one transaction; return it (its data holds the tags and params).

        Raises NotFoundError for an unknown experiment, InvalidInputError for a deleted one or the same param
        twice with different values.
        """
        finished = self.prepare_finished_run(experiment_id, user_id, run_name, start_time, end_time, status, tags,
                                             params, metrics)
        self.log_finished_runs(experiment_id, [finished])
        return finished.run


def _metric_rows(runs) -> tuple:
    """(metric_segments rows, latest_metrics rows) of new runs: one segment per run and key (the first, seq 0)
    and each key's latest point."""
    segments, latest = [], []
    for run, metrics in runs:
        if metrics is None:
            continue
        run_id, start_time = run.info.run_id, run.info.start_time
        keyed_segments, keyed_latest = metric_rows(metrics)
        segments.extend((run_id, *row) for row in keyed_segments)
        latest.extend((run_id, *row, start_time) for row in keyed_latest)
    return segments, latest
