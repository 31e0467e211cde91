"""Runs written whole: a run that is already over when it is first stored (a search's trial that logged
nothing while it ran) costs one transaction instead of three (create, log, finish)."""

from __future__ import annotations

import uuid

from ..entities import Run, RunData, RunInfo
from .sql_checks import require_active_experiment

__all__ = ["SqlFinishedRunsMixin"]


class SqlFinishedRunsMixin:
    """``log_finished_run`` in one transaction (mixed into SqlStore, shared by SQLite and PostgreSQL)."""

    def log_finished_run(self, experiment_id: str, user_id: str, run_name: str, start_time: int, end_time: int,
                         status: str, tags=(), params=(), metrics=None) -> Run:
        """Create a finished run with its tags, params and metric columns (keys, values, timestamps, steps) in
        one transaction; return it (its data holds the tags and params).

        Raises NotFoundError for an unknown experiment, InvalidInputError for a deleted one or the same param
        twice with different values.
        """
        from .sql_store import _experiment_id_int, _unique_params

        run_id = uuid.uuid4().hex
        experiment_int = _experiment_id_int(experiment_id)
        unique_params = _unique_params(params)
        tag_values = {tag.key: tag.value for tag in tags}
        with self.db.write() as cur:
            require_active_experiment(cur, experiment_int, experiment_id, "to add runs")
            cur.execute("INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time, end_time,"
                        " lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, ?, 'active')",
                        (run_id, experiment_int, run_name, user_id, status, start_time, end_time))
            cur.executemany("INSERT INTO tags (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)",
                            [(run_id, key, value, start_time) for key, value in tag_values.items()])
            cur.executemany("INSERT INTO params (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)",
                            [(run_id, key, value, start_time) for key, value in unique_params.items()])
            if metrics and metrics[0]:
                self._insert_metrics(cur, run_id, metrics)
        info = RunInfo(run_id, str(experiment_int), run_name, user_id, status, start_time, end_time,
                       self._run_artifact_uri(experiment_int, run_id, None))
        return Run(info, RunData(params=unique_params, tags=tag_values))
