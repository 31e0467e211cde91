"""A new store is made from the final schema in one script; an old store reaches the same schema step by step."""

import re
import sqlite3

import pytest

from autolog.tracking.stores.registry_schema import REGISTRY_TABLES
from autolog.tracking.stores.schema import SCHEMA_VERSION
from autolog.tracking.stores.sql_engine import SqliteDatabase
from autolog.tracking.stores.sql_store import SqlStore

pytestmark = pytest.mark.single_store  # SQLite files, read with SQLite's own catalogue

# The tracking tables of schema version 1, as the first release created them (frozen: never edit).
_VERSION_1_TRACKING = [
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        artifact_location TEXT, lifecycle_stage TEXT NOT NULL DEFAULT 'active', creation_time BIGINT,
        last_update_time BIGINT)""",
    """CREATE TABLE experiment_tags (experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
        key TEXT NOT NULL, value TEXT, PRIMARY KEY (experiment_id, key))""",
    """CREATE TABLE runs (run_uuid TEXT PRIMARY KEY, experiment_id INTEGER NOT NULL
        REFERENCES experiments(experiment_id), run_name TEXT, user_id TEXT, status TEXT NOT NULL,
        start_time BIGINT, end_time BIGINT, lifecycle_stage TEXT NOT NULL DEFAULT 'active', artifact_uri TEXT,
        deleted_time BIGINT)""",
    "CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time)",
    "CREATE INDEX runs_by_name ON runs (run_name)",
    "CREATE TABLE params (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_uuid, key))",
    "CREATE INDEX params_by_key ON params (key, value)",
    "CREATE TABLE tags (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value TEXT, PRIMARY KEY (run_uuid, key))",
    "CREATE INDEX tags_by_key ON tags (key, value)",
    """CREATE TABLE latest_metrics (run_uuid TEXT NOT NULL, key TEXT NOT NULL, value DOUBLE PRECISION,
        is_nan INTEGER NOT NULL DEFAULT 0, timestamp BIGINT NOT NULL, step BIGINT NOT NULL,
        PRIMARY KEY (run_uuid, key))""",
    "CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value)",
    """CREATE TABLE metric_segments (run_uuid TEXT NOT NULL, key TEXT NOT NULL, seq BIGINT NOT NULL,
        count INTEGER NOT NULL, steps BLOB NOT NULL, timestamps BLOB NOT NULL, vals BLOB NOT NULL,
        PRIMARY KEY (run_uuid, key, seq))""",
    "INSERT INTO schema_version (version) VALUES (1)",
    "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')",
]


def _normalised(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql.replace("IF NOT EXISTS ", "")).strip()
    return re.sub(r"\s*([(),])\s*", r"\1", sql)


def _schema(path) -> dict:
    """Every table's columns and every index's and trigger's definition, as SQLite reports them."""
    connection = sqlite3.connect(path)
    try:
        objects = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                                     " WHERE name NOT LIKE 'sqlite_%'").fetchall()
        schema = {}
        for kind, name, table, sql in objects:
            if kind == "table":
                schema[(kind, name)] = (connection.execute(f"PRAGMA table_xinfo({name})").fetchall(),
                                        connection.execute(f"PRAGMA foreign_key_list({name})").fetchall())
            else:
                schema[(kind, name)] = (table, _normalised(sql))
        schema["automatic indexes"] = sorted(
            (table, connection.execute(f"PRAGMA index_info({name})").fetchall())
            for name, table in connection.execute("SELECT name, tbl_name FROM sqlite_master"
                                                  " WHERE name LIKE 'sqlite_autoindex%'"))
        return schema
    finally:
        connection.close()


def test_a_new_store_and_a_migrated_first_release_store_have_the_same_schema(tmp_path):
    fresh = tmp_path / "fresh.db"
    SqlStore(SqliteDatabase(str(fresh)), str(tmp_path / "a")).close()
    old = tmp_path / "old.db"
    connection = sqlite3.connect(old)
    for statement in _VERSION_1_TRACKING + REGISTRY_TABLES:
        connection.execute(statement)
    connection.commit()
    connection.close()
    migrated = SqlStore(SqliteDatabase(str(old)), str(tmp_path / "b"))  # opening migrates it
    assert migrated.db.query("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    migrated.close()
    fresh_schema, migrated_schema = _schema(fresh), _schema(old)
    assert sorted(fresh_schema, key=str) == sorted(migrated_schema, key=str)
    for key, definition in fresh_schema.items():
        assert migrated_schema[key] == definition, key
