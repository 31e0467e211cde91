"""Offline mode: runs go to a local spool with a warning, and ``sync --pending`` pushes them later."""

import logging
import socket

import pytest

import autolog
from autolog.tracking.entities import ViewType
from autolog.tracking.offline import SYNCED_TAG, TARGET_TAG


@pytest.fixture
def spool(tmp_path, monkeypatch):
    directory = tmp_path / "spool"
    monkeypatch.setenv("AUTOLOG_SPOOL_DIR", str(directory))
    return directory


def _runs(uri) -> dict:
    client = autolog.Client(str(uri))
    ids = [e.experiment_id for e in client.search_experiments(ViewType.ALL)]
    return {run.info.run_id: run for run in client.search_runs(ids, run_view_type=ViewType.ALL)}


def _train(name: str) -> str:
    with autolog.start_run(run_name=name) as run:
        autolog.log_param("alpha", 0.5)
        for step in range(10):
            autolog.log_metric("loss", 1.0 / (step + 1), step=step)
        autolog.log_text("notes", "notes.txt")
    return run.info.run_id


def test_offline_mode_spools_then_sync_pending_pushes_once(tmp_path, spool, monkeypatch, caplog, run_cli):
    server = tmp_path / "server"
    autolog.set_tracking_uri(str(server))
    monkeypatch.setenv("AUTOLOG_MODE", "offline")
    with caplog.at_level(logging.WARNING, logger="autolog"):
        autolog.set_experiment("field")
        first, second = _train("first"), _train("second")
    assert f"spool store {spool}" in caplog.text and "autolog sync --pending" in caplog.text
    unfinished = autolog.start_run(run_name="still-running").info.run_id
    spooled = _runs(spool)
    assert set(spooled) == {first, second, unfinished}
    assert spooled[first].data.tags[TARGET_TAG] == str(server)
    assert _runs(server) == {}

    monkeypatch.delenv("AUTOLOG_MODE")
    status, out, _ = run_cli("--tracking-uri", server, "sync", "--pending")
    assert status == 0 and "2 run(s) now there" in out and f"still RUNNING: {unfinished}" in out, out
    pushed = _runs(server)
    assert set(pushed) == {first, second}
    assert len(autolog.Client(str(server)).get_metric_history(first, "loss")) == 10
    assert "notes.txt" in [f.path for f in autolog.Client(str(server)).list_artifacts(first)]
    assert SYNCED_TAG in _runs(spool)[first].data.tags and SYNCED_TAG not in pushed[first].data.tags

    autolog.end_run()
    status, out, _ = run_cli("--tracking-uri", server, "sync", "--pending")
    assert "1 run(s) now there" in out and "Copied: 1 runs" in out, out
    status, out, _ = run_cli("--tracking-uri", server, "sync", "--pending")
    assert "0 run(s) now there" in out and "Copied: nothing" in out


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_server_falls_back_to_the_spool(spool, monkeypatch, caplog):
    server = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("AUTOLOG_OFFLINE_FALLBACK", "1")
    autolog.set_tracking_uri(server)
    with caplog.at_level(logging.WARNING, logger="autolog"):
        run_id = _train("on-the-plane")
    assert f"the tracking server {server} cannot be reached" in caplog.text
    assert _runs(spool)[run_id].data.tags[TARGET_TAG] == server


def test_sync_pending_with_an_empty_spool(tmp_path, spool, run_cli):
    status, out, _ = run_cli("--tracking-uri", tmp_path / "server", "sync", "--pending")
    assert status == 0 and "Nothing spooled" in out
    status, _, err = run_cli("sync", "--pending", "--filter", "x")
    assert status == 1 and "takes no SOURCE" in err
