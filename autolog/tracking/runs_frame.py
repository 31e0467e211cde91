"""Runs as a pandas DataFrame, the shape ``search_runs`` returns."""

from __future__ import annotations

__all__ = ["runs_to_frame"]


def runs_to_frame(runs):
    """One row per run: run_id, experiment_id, status, artifact_uri, start/end time, then
    ``metrics.*``, ``params.*`` and ``tags.*`` columns. Raises ImportError without pandas."""
    import pandas as pd

    rows = []
    for run in runs:
        info = run.info
        row = {
            "run_id": info.run_id, "experiment_id": info.experiment_id, "run_name": info.run_name,
            "status": info.status, "artifact_uri": info.artifact_uri,
            "start_time": pd.to_datetime(info.start_time, unit="ms", utc=True) if info.start_time else pd.NaT,
            "end_time": pd.to_datetime(info.end_time, unit="ms", utc=True) if info.end_time else pd.NaT,
        }
        row.update({f"metrics.{k}": v for k, v in run.data.metrics.items()})
        row.update({f"params.{k}": v for k, v in run.data.params.items()})
        row.update({f"tags.{k}": v for k, v in run.data.tags.items()})
        rows.append(row)
    columns = ["run_id", "experiment_id", "run_name", "status", "artifact_uri", "start_time", "end_time"]
    frame = pd.DataFrame(rows, columns=None if rows else columns)
    return frame
