"""Opening a SQLite store: an up-to-date one is read without the write lock, a new one is made in one script."""

import sqlite3
import threading
import uuid

from autolog.tracking.stores.schema import SCHEMA_VERSION
from autolog.tracking.stores.sql_engine import SqliteDatabase
from autolog.tracking.stores.sql_run_rows import random_id
from autolog.tracking.stores.sql_store import SqlStore, _creation_script, _first_rows_script, _schema_script


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


def test_a_new_store_appears_whole_and_leaves_no_partial_file(tmp_path):
    path = tmp_path / "tracking.db"
    database = SqliteDatabase(str(path))
    assert database.create_whole(_schema_script(), _first_rows_script())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tracking.db"]
    reader = sqlite3.connect(path)
    assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert reader.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    reader.close()
    store = SqlStore(database, str(tmp_path / "artifacts"))  # opens it as an up-to-date store
    assert store.get_experiment("0").name == "Default" and store.create_experiment("next") == "1"
    # never over an existing file
    assert not SqliteDatabase(str(path)).create_whole(_schema_script(), _first_rows_script())
    assert store.get_experiment_by_name("next").experiment_id == "1"


def test_processes_creating_one_store_at_once_all_open_it(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from autolog.tracking.stores.sql_engine import SqliteDatabase; "
            "from autolog.tracking.stores.sql_store import SqlStore; "
            "store = SqlStore(SqliteDatabase(sys.argv[1]), sys.argv[2]); "
            "print(store.create_experiment(sys.argv[3]))")
    path, artifacts = str(tmp_path / "tracking.db"), str(tmp_path / "artifacts")
    workers = [subprocess.Popen([sys.executable, "-c", code, path, artifacts, f"e{index}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for index in range(4)]
    results = [worker.communicate(timeout=60) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), results
    assert sorted(out.strip() for out, _err in results) == ["1", "2", "3", "4"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")) == []
    store = SqlStore(SqliteDatabase(path), artifacts)
    assert {store.get_experiment_by_name(f"e{index}").experiment_id for index in range(4)} == {"1", "2", "3", "4"}
    assert store.get_experiment("0").name == "Default"


def test_a_store_that_cannot_be_linked_into_place_is_created_in_a_transaction(tmp_path, monkeypatch):
    import os

    def refuse(*_args, **_kwargs):
        raise OSError("hard links are not supported here")

    monkeypatch.setattr(os, "link", refuse)
    path = tmp_path / "tracking.db"
    store = SqlStore(SqliteDatabase(str(path)), str(tmp_path / "artifacts"))
    assert store.get_experiment("0").name == "Default"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("tracking.db")) == []


def test_new_ids_keep_the_format_of_uuid4_hex():
    ids = {random_id() for _ in range(500)}
    assert len(ids) == 500
    for new_id in ids:
        parsed = uuid.UUID(hex=new_id)
        assert parsed.hex == new_id and parsed.version == 4 and parsed.variant == uuid.RFC_4122
