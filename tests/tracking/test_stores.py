"""Tracking URIs, the store layout and schema versions."""

import os
import sqlite3

import pytest

import autolog
from autolog.tracking import stores
from autolog.tracking.stores.schema import SCHEMA_VERSION

pytestmark = pytest.mark.single_store  # the SQLite store's URIs, files and schema


@pytest.mark.parametrize("form", ["dir", "file", "sqlite"])
def test_tracking_uri_forms(tmp_path, form):
    uri = {"dir": str(tmp_path / "runs"), "file": f"file://{tmp_path}/runs",
           "sqlite": f"sqlite:///{tmp_path}/runs/mlflow.db"}[form]
    autolog.set_tracking_uri(uri)
    assert autolog.get_tracking_uri() == uri
    with autolog.start_run() as run:
        autolog.log_text("x", "a.txt")
    database = "mlflow.db" if form == "sqlite" else "tracking.db"
    assert (tmp_path / "runs" / database).exists()
    assert (tmp_path / "runs" / "artifacts" / "0" / run.info.run_id / "a.txt").exists()


def test_default_store_is_mlruns_in_the_working_directory(tmp_path, monkeypatch):
    autolog.set_tracking_uri(None)
    assert autolog.get_tracking_uri() == str(tmp_path / "mlruns")
    monkeypatch.setenv("AUTOLOG_TRACKING_URI", str(tmp_path / "elsewhere"))
    assert autolog.get_tracking_uri() == str(tmp_path / "elsewhere")


def test_database_is_in_wal_mode_with_a_schema_version(tracking_dir):
    with autolog.start_run():
        pass
    connection = sqlite3.connect(tracking_dir / "tracking.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"latest_metrics_in_order", "params_in_order", "tags_in_reverse_order", "runs_by_experiment"} <= indexes


def test_the_write_ahead_log_is_checkpointed_in_large_steps_and_emptied_on_close(tmp_path):
    client = autolog.Client(str(tmp_path / "store"))
    assert client._store.db.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 10_000
    experiment_id = client.create_experiment("e")
    for _ in range(50):
        client.create_run(experiment_id)
    assert os.path.getsize(tmp_path / "store" / "tracking.db-wal") > 0
    for key in list(stores._stores):
        stores._stores.pop(key).close()
    client._store.close()
    wal = tmp_path / "store" / "tracking.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_store_from_a_newer_release_is_refused(tmp_path):
    uri = str(tmp_path / "future")
    autolog.Client(uri)
    connection = sqlite3.connect(tmp_path / "future" / "tracking.db")
    connection.execute("UPDATE schema_version SET version = 999")
    connection.commit()
    stores._stores.clear()
    with pytest.raises(autolog.StoreError, match="999"):
        autolog.Client(uri)


@pytest.mark.parametrize("uri", ["ftp://x/y", "sqlite://"])
def test_unknown_or_unavailable_uris_are_clear_errors(uri):
    with pytest.raises(autolog.InvalidInputError, match="URI"):
        autolog.Client(uri)


def test_a_corrupt_database_is_a_store_error(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "tracking.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(autolog.StoreError, match="broken"):
        autolog.Client(str(tmp_path / "broken"))
