"""Write an MLflow tracking database directly with sqlite3, in the schema MLflow 3.17 creates.

MLflow's own API takes minutes for thousands of runs; the import benchmark and the
tests of older schemas need such databases in seconds. ``old=True`` writes the shape
of an MLflow 1.x database instead: no run-name column values (the name only in the
``mlflow.runName`` tag), no deletion times, experiment times, storage locations,
aliases, dataset inputs or logged models.
"""

from __future__ import annotations

import random
import sqlite3
import uuid

__all__ = ["write_mlflow_database", "CURRENT_REVISION", "OLD_REVISION"]

CURRENT_REVISION = "dc11669786a5"  # what MLflow 3.17.2 writes
OLD_REVISION = "cc1f77228345"  # an MLflow 1.x migration

_TABLES = [
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
    """CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL,
        artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), {experiment_times}
        UNIQUE (name))""",
    """CREATE TABLE experiment_tags ("key" VARCHAR(250) NOT NULL, value TEXT, experiment_id INTEGER NOT NULL,
        PRIMARY KEY ("key", experiment_id))""",
    """CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), source_type VARCHAR(20),
        source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9),
        start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20),
        artifact_uri VARCHAR(200), experiment_id INTEGER {deleted_time})""",
    """CREATE TABLE params ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
        PRIMARY KEY ("key", run_uuid))""",
    """CREATE TABLE tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
        PRIMARY KEY ("key", run_uuid))""",
    """CREATE TABLE metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
        run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
        PRIMARY KEY ("key", timestamp, step, run_uuid, value, is_nan))""",
    """CREATE TABLE latest_metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT,
        step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY ("key", run_uuid))""",
    "CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)",
    "CREATE INDEX index_metrics_run_uuid_key_step ON metrics (run_uuid, key, step)",
    "CREATE INDEX index_params_run_uuid ON params (run_uuid)",
    "CREATE INDEX index_tags_run_uuid ON tags (run_uuid)",
    """CREATE TABLE registered_models (name VARCHAR(256) NOT NULL PRIMARY KEY, creation_time BIGINT,
        last_updated_time BIGINT, description VARCHAR(5000))""",
    """CREATE TABLE registered_model_tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL,
        PRIMARY KEY ("key", name))""",
    """CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT,
        last_updated_time BIGINT, description VARCHAR(5000), user_id VARCHAR(256), current_stage VARCHAR(20),
        source VARCHAR(500), run_id VARCHAR(32), status VARCHAR(20), status_message VARCHAR(500),
        run_link VARCHAR(500) {storage_location}, PRIMARY KEY (name, version))""",
    """CREATE TABLE model_version_tags ("key" VARCHAR(250) NOT NULL, value TEXT, name VARCHAR(256) NOT NULL,
        version INTEGER NOT NULL, PRIMARY KEY ("key", name, version))""",
]
_NEW_TABLES = [
    """CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
        name VARCHAR(256) NOT NULL, PRIMARY KEY (name, alias))""",
    """CREATE TABLE datasets (dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL,
        name VARCHAR(500) NOT NULL, digest VARCHAR(36) NOT NULL, dataset_source_type VARCHAR(36) NOT NULL,
        dataset_source TEXT NOT NULL, dataset_schema TEXT, dataset_profile TEXT,
        PRIMARY KEY (experiment_id, name, digest))""",
    """CREATE TABLE inputs (input_uuid VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL,
        source_id VARCHAR(36) NOT NULL, destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL,
        step BIGINT DEFAULT '0' NOT NULL, PRIMARY KEY (source_type, source_id, destination_type, destination_id))""",
    """CREATE TABLE input_tags (input_uuid VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL,
        value VARCHAR(500) NOT NULL, PRIMARY KEY (input_uuid, name))""",
]


def _create_tables(conn, old: bool) -> None:
    fill = {"experiment_times": "" if old else "creation_time BIGINT, last_update_time BIGINT,",
            "deleted_time": "" if old else ", deleted_time BIGINT",
            "storage_location": "" if old else ", storage_location VARCHAR(500)"}
    for statement in _TABLES + ([] if old else _NEW_TABLES):
        conn.execute(statement.format(**fill))
    conn.execute("INSERT INTO alembic_version VALUES (?)", (OLD_REVISION if old else CURRENT_REVISION,))


def write_mlflow_database(path: str, runs: int, points: int, artifact_root: str, old: bool = False,
                          seed: int = 0) -> dict:
    """Write ``runs`` finished runs (3 params, 2 tags, one metric of ``points`` steps each) into a new
    MLflow database at ``path``, in experiments "Default" (id 0) and "bulk" (id 1); return what was written:
    {"run_ids": [...], "points": total metric points}."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    _create_tables(conn, old)
    now = 1_700_000_000_000
    experiment_columns = "experiment_id, name, artifact_location, lifecycle_stage"
    experiment_columns += "" if old else ", creation_time, last_update_time"
    for experiment_id, name in ((0, "Default"), (1, "bulk")):
        values = [experiment_id, name, f"{artifact_root}/{experiment_id}", "active"] + ([] if old else [now, now])
        conn.execute(f"INSERT INTO experiments ({experiment_columns}) VALUES ({', '.join('?' * len(values))})",
                     values)
    run_ids = []
    for index in range(runs):
        run_id = uuid.UUID(int=rng.getrandbits(128)).hex
        run_ids.append(run_id)
        start = now + index * 1000
        name = f"run-{index}"
        conn.execute("INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,"
                     " start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)"
                     " VALUES (?, ?, 'LOCAL', 'train.py', '', 'ana', 'FINISHED', ?, ?, '', 'active', ?, 1)",
                     (run_id, None if old else name, start, start + 900, f"{artifact_root}/1/{run_id}/artifacts"))
        conn.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
                         [("alpha", str(rng.random()), run_id), ("depth", str(index % 7), run_id),
                          ("optimizer", "adam", run_id)])
        conn.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
                         [("mlflow.runName", name, run_id), ("mlflow.user", "ana", run_id)])
        conn.executemany("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)"
                         " VALUES ('loss', ?, ?, ?, ?, 0)",
                         [(1.0 / (step + 1) + rng.random() * 1e-3, start + step, run_id, step)
                          for step in range(points)])
        if points:
            conn.execute("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)"
                         " VALUES ('loss', 0.0, ?, ?, 0, ?)", (start + points - 1, points - 1, run_id))
    conn.commit()
    conn.close()
    return {"run_ids": run_ids, "points": runs * points}
