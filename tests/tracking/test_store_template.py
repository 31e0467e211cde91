"""A new SQLite store starts from a saved copy of its schema's empty tables; a bad copy only costs a rebuild."""

import os
import sqlite3

import pytest

from autolog.tracking.stores.sql_engine import SqliteDatabase
from autolog.tracking.stores.sql_store import SqlStore, _creation_script, _schema_script
from autolog.tracking.stores.sql_template import CACHE_DIR_ENV, template_path

pytestmark = pytest.mark.single_store  # SQLite's own files


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(directory))
    return directory


def _new_store(directory) -> SqlStore:
    os.makedirs(directory, exist_ok=True)
    return SqlStore(SqliteDatabase(str(directory / "tracking.db")), str(directory / "artifacts"))


def _schema(path) -> list:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_the_first_new_store_saves_the_empty_tables_and_the_next_starts_from_them(tmp_path, cache_dir):
    first = _new_store(tmp_path / "first")
    template = template_path(_schema_script())
    assert os.path.dirname(template) == str(cache_dir)
    with sqlite3.connect(template) as conn:  # the tables only: no experiment, the schema version
        assert conn.execute("SELECT count(*) FROM experiments").fetchone() == (0,)
        conn.execute("CREATE TABLE marker (x INTEGER)")  # shows below that the next store is a copy
    second = _new_store(tmp_path / "second")
    names = [row[1] for row in _schema(tmp_path / "second" / "tracking.db")]
    assert "marker" in names
    assert second.get_experiment("0").name == "Default"
    assert second.create_experiment("next") == "1" and first.create_experiment("other") == "1"
    with sqlite3.connect(tmp_path / "second" / "tracking.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_store_made_from_the_copy_is_the_store_the_statements_make(tmp_path, cache_dir):
    _new_store(tmp_path / "built")
    copied = _new_store(tmp_path / "copied")  # from the template the first one saved
    reference = SqliteDatabase(str(tmp_path / "reference.db"))
    reference.run_script(_creation_script())  # the statements run in a transaction, no template involved
    assert _schema(tmp_path / "copied" / "tracking.db") == _schema(tmp_path / "reference.db")
    assert copied.get_experiment("0").creation_time > 0


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 4000])
def test_a_damaged_copy_is_rebuilt_and_replaced(tmp_path, cache_dir, content):
    os.makedirs(cache_dir)
    template = template_path(_schema_script())
    with open(template, "wb") as damaged:
        damaged.write(content)
    store = _new_store(tmp_path / "store")
    assert store.get_experiment("0").name == "Default" and store.create_experiment("e") == "1"
    assert _new_store(tmp_path / "next").create_experiment("f") == "1"  # and the next store too
    with open(template, "rb") as saved:
        assert saved.read(16) == b"SQLite format 3\x00"
    assert _schema(template) == _schema(tmp_path / "next" / "tracking.db")


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))
    for name in ("one", "two"):
        store = _new_store(tmp_path / name)
        assert store.get_experiment("0").name == "Default" and store.create_experiment("e") == "1"
    assert blocker.read_text() == "not a folder"
