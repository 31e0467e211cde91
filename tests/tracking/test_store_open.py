"""Opening a SQLite store: an up-to-date one is read without the write lock, a new one is made in one script."""

import sqlite3
import threading

from autolog.tracking.stores.schema import SCHEMA_VERSION
from autolog.tracking.stores.sql_engine import SqliteDatabase
from autolog.tracking.stores.sql_store import SqlStore, _creation_script


def test_an_up_to_date_store_opens_while_another_process_holds_the_write_lock(tmp_path):
    path = str(tmp_path / "tracking.db")
    SqlStore(SqliteDatabase(path), str(tmp_path / "artifacts")).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long write elsewhere, e.g. a big log_batch
    opened = []
    try:
        thread = threading.Thread(target=lambda: opened.append(SqlStore(SqliteDatabase(path), str(tmp_path))),
                                  daemon=True)
        thread.start()
        thread.join(10)
        assert opened, "opening waited for the other writer"
        assert opened[0].get_experiment("0").name == "Default"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_the_creation_script_is_safe_to_run_twice(tmp_path):
    database = SqliteDatabase(str(tmp_path / "tracking.db"))
    database.run_script(_creation_script())
    database.run_script(_creation_script())  # another process creating the same store at the same moment
    assert database.query("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    assert database.query("SELECT experiment_id, name FROM experiments") == [(0, "Default")]
    store = SqlStore(database, str(tmp_path / "artifacts"))
    assert store.create_experiment("next") == "1"


def test_a_failing_script_leaves_nothing_behind(tmp_path):
    database = SqliteDatabase(str(tmp_path / "tracking.db"))
    try:
        database.run_script("CREATE TABLE first (x INTEGER);\nCREATE TABLE first (x INTEGER)")
    except Exception as exc:  # noqa: BLE001 - the type is checked below
        assert type(exc).__name__ == "StoreError" and "first" in str(exc)
    else:
        raise AssertionError("a duplicate table was accepted")
    assert database.query("SELECT name FROM sqlite_master WHERE name = 'first'") == []
    database.run_script("CREATE TABLE second (x INTEGER)")  # the connection is usable again
