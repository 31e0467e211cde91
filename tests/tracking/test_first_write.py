"""A connection's first write into an empty write-ahead log skips the header sync, and only that write."""

import sqlite3

import pytest

from autolog.tracking.stores.sql_engine import SqliteDatabase
from autolog.tracking.stores.sql_store import SqlStore

pytestmark = pytest.mark.single_store  # SQLite's own files


def _syncs(cur) -> tuple:
    """(synchronous, wal_autocheckpoint) of the connection behind ``cur``: 0 is OFF, 1 NORMAL."""
    return cur.execute("PRAGMA synchronous").fetchone()[0], cur.execute("PRAGMA wal_autocheckpoint").fetchone()[0]


def _new_store(tmp_path) -> SqlStore:
    return SqlStore(SqliteDatabase(str(tmp_path / "tracking.db")), str(tmp_path / "artifacts"))


def test_the_first_write_into_an_empty_log_runs_without_syncs_then_they_come_back(tmp_path):
    store = _new_store(tmp_path)
    with store.db.write() as cur:
        assert _syncs(cur) == (0, 0)
        cur.execute("INSERT INTO experiments (name, lifecycle_stage, creation_time, last_update_time)"
                    " VALUES ('first', 'active', 1, 1)")
    assert _syncs(store.db.connection) == (1, 10_000)
    with store.db.write() as cur:  # later writes keep the usual syncs
        assert _syncs(cur) == (1, 10_000)
    reader = sqlite3.connect(tmp_path / "tracking.db")
    assert reader.execute("SELECT name FROM experiments WHERE name = 'first'").fetchall() == [("first",)]
    reader.close()


def test_a_failed_first_write_brings_the_syncs_back_too(tmp_path):
    store = _new_store(tmp_path)
    with pytest.raises(ZeroDivisionError):
        with store.db.write() as cur:
            cur.execute("INSERT INTO experiments (name, lifecycle_stage, creation_time, last_update_time)"
                        " VALUES ('lost', 'active', 1, 1)")
            1 / 0
    assert _syncs(store.db.connection) == (1, 10_000)
    assert store.get_experiment_by_name("lost") is None


def test_a_log_that_holds_frames_keeps_every_sync(tmp_path):
    writer = _new_store(tmp_path)
    writer.create_experiment("written first")  # the log now holds this commit's frames
    other = SqlStore(SqliteDatabase(str(tmp_path / "tracking.db")), str(tmp_path / "artifacts"))
    with other.db.write() as cur:
        assert _syncs(cur) == (1, 10_000)
    assert other.create_experiment("second") == "2"
    writer.close()
    other.close()


def test_a_store_a_clean_close_checkpointed_starts_its_log_again_without_syncs(tmp_path):
    store = _new_store(tmp_path)
    store.create_experiment("before")
    store.checkpoint()  # what a clean exit does: the log is emptied into the database
    store.close()
    reopened = _new_store(tmp_path)
    with reopened.db.write() as cur:
        assert _syncs(cur) == (0, 0)
    assert reopened.create_experiment("after") == "2"
    assert reopened.get_experiment_by_name("before").experiment_id == "1"
