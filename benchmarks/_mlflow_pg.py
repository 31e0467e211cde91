"""MLflow 3.17 beside autolog on the same PostgreSQL server, for the ``stores`` group.

MLflow creates its own schema (its SQLAlchemy store runs its migrations; the PostgreSQL driver it
needs is psycopg2, in the ``[bench]`` extra). Filling 100,000 runs through MLflow's API would take
hours, so the runs are copied into MLflow's tables with ``COPY``, in the shape its store writes them:
the same runs, params, tags and latest metrics as autolog's store holds (``search_bench._rows``),
plus one metric-history row per latest metric. Writes and searches are then timed through MLflow's
own client.
"""

from __future__ import annotations

import random

__all__ = ["fill_mlflow_database", "mlflow_figures", "mlflow_uri"]


def mlflow_uri(cluster, database: str) -> str:
    """The SQLAlchemy URI MLflow opens ``database`` of ``cluster`` with (psycopg2 driver)."""
    return cluster.uri(database, scheme="postgresql+psycopg2")


def fill_mlflow_database(cluster, database: str, runs: int, artifact_root: str) -> None:
    """Create MLflow's schema in ``database`` and copy ``runs`` runs into its experiment "bench"."""
    import psycopg
    from mlflow.tracking import MlflowClient

    from benchmarks.search_bench import _rows

    client = MlflowClient(mlflow_uri(cluster, database))
    experiment_id = int(client.create_experiment("bench", artifact_location=f"{artifact_root}/bench"))
    rng = random.Random(0)
    with psycopg.connect(cluster.uri(database), autocommit=False) as conn:
        for first in range(0, runs, 10_000):
            run_rows, params, tags, metrics = _rows(first, min(first + 10_000, runs), rng)
            _copy(conn, "runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,"
                  " start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)",
                  [(run_id, name, "LOCAL", "", "", "bench", "FINISHED", start, end, "", "active",
                    f"{artifact_root}/bench/{run_id}/artifacts", experiment_id)
                   for run_id, name, start, end in run_rows])
            _copy(conn, "params (run_uuid, key, value)", [row[:3] for row in params])  # less our start_time
            _copy(conn, "tags (run_uuid, key, value)", [row[:3] for row in tags])
            latest = [(run_id, key, value, bool(is_nan), timestamp, step)
                      for run_id, key, value, is_nan, timestamp, step, _start_time in metrics]
            _copy(conn, "latest_metrics (run_uuid, key, value, is_nan, timestamp, step)", latest)
            _copy(conn, "metrics (run_uuid, key, value, is_nan, timestamp, step)", latest)
            conn.commit()
    with psycopg.connect(cluster.uri(database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as autolog's database (see stores_bench)


def _copy(conn, target: str, rows) -> None:
    with conn.cursor().copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def mlflow_figures(cluster, database: str, params: dict, searches) -> dict:
    """MLflow's log_batch points/s, runs/s and search times (``pg-`` keys, as autolog's) on ``database``."""
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    from benchmarks.search_bench import time_searches
    from benchmarks.stores_bench import measure_writes

    client = MlflowClient(mlflow_uri(cluster, database))
    experiment_id = client.get_experiment_by_name("bench").experiment_id
    result = time_searches(client, experiment_id, searches, params["repeat"], "pg-")
    result.update({f"pg-{key}": value for key, value in measure_writes(client, Metric, Param, params).items()})
    return result
