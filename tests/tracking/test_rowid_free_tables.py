"""On SQLite the run tables are WITHOUT ROWID tables (a row's write touches one tree fewer), metric
segments (large rows) aside; a store written before is rebuilt when it opens, row for row, and ends with
a new store's schema."""

import re
import sqlite3

import pytest

import autolog
from autolog.tracking import Metric, Param, RunTag
from autolog.tracking.stores import schema

RUN_TABLES = ("runs", "params", "tags", "latest_metrics", "metric_segments")
_STEP = next(version for version, step in schema.MIGRATIONS.items() if step is schema.run_tables_without_rowid)


def _forget_open_stores() -> None:
    from autolog.tracking import stores

    for key in list(stores._stores):
        stores._stores.pop(key).close()


def _rows(path) -> dict:
    with sqlite3.connect(path) as conn:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall()) for table in RUN_TABLES}


def _schema(path) -> list:
    """Every table, index and trigger of the store as (type, name, SQL), a renamed table's quotes aside."""
    with sqlite3.connect(path) as conn:
        return sorted((kind, name, sql.replace(f'"{name}"', name)) for kind, name, sql in
                      conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())


def _rowid_tables(path) -> list:
    with sqlite3.connect(path) as conn:
        return [table for table in RUN_TABLES if _has_rowid(conn, table)]


def _has_rowid(conn, table: str) -> bool:
    try:
        conn.execute(f"SELECT rowid FROM {table} LIMIT 1")
    except sqlite3.OperationalError:  # no such column: a WITHOUT ROWID table
        return False
    return True


def _back_to_rowid_tables(path) -> None:
    """What the previous release wrote: the same tables with a rowid (and their primary key as an index)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    dependents = conn.execute("SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
                              " AND sql IS NOT NULL").fetchall()
    for table in RUN_TABLES:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        conn.execute(re.sub(r'^CREATE TABLE\s+"?\w+"?', f"CREATE TABLE old_{table}", sql).replace(schema.WITHOUT_ROWID, ""))
        conn.execute(f"INSERT INTO old_{table} SELECT * FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE old_{table} RENAME TO {table}")
    for (sql,) in dependents:
        conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ")
                     .replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS "))
    conn.execute("UPDATE schema_version SET version = ?", (_STEP,))
    conn.execute("COMMIT")
    conn.close()


@pytest.mark.single_store
def test_a_store_with_rowid_tables_is_rebuilt_row_for_row_and_ends_like_a_new_one(tmp_path):
    client = autolog.Client(str(tmp_path / "old"))
    experiment_id = client.create_experiment("e")
    for index in range(5):
        run = client.create_run(experiment_id, tags={"family": "ab"[index % 2]})
        client.log_batch(run.info.run_id, metrics=[Metric("loss", 1.0 / (step + 1), 0, step) for step in range(3)],
                         params=[Param("depth", str(index))], tags=[RunTag("note", "x")])
        client.log_metric(run.info.run_id, "loss", 0.1, step=9)  # a second segment
        client.set_terminated(run.info.run_id)
    client.delete_run(run.info.run_id)
    path = client._store.db.path
    _forget_open_stores()
    written = _rows(path)
    _back_to_rowid_tables(path)
    assert _rowid_tables(path) == list(RUN_TABLES) and _rows(path) == written

    migrated = autolog.Client(str(tmp_path / "old"))  # opening it migrates it
    found = migrated.search_runs([experiment_id], "params.depth = '3'", order_by=["metrics.loss DESC"])
    assert [run.data.metrics["loss"] for run in found] == [0.1]
    _forget_open_stores()
    autolog.Client(str(tmp_path / "new")).search_runs(["0"])
    _forget_open_stores()
    assert _rowid_tables(path) == ["metric_segments"] and _rows(path) == written
    assert _schema(path) == _schema(autolog.Client(str(tmp_path / "new"))._store.db.path)
