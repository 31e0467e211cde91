"""Moving runs through a real tracking server on 127.0.0.1: local -> server -> local, and offline spooling."""

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import autolog  # noqa: E402
import flavors  # noqa: E402
from autolog.tracking.offline import SYNCED_TAG  # noqa: E402
from tests.moving.test_sync import snapshot, source_store  # noqa: E402,F401 (a fixture)
from tests.server import conftest as server_fixtures  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def start_server(tmp_path):
    """``start_server(port=None)`` -> a running autolog server on a fresh store, stopped after the test."""
    servers = []

    def start(port=None, store_dir=None):
        if port is not None:
            original, server_fixtures.free_port = server_fixtures.free_port, lambda: port
        try:
            server = server_fixtures.Server(store_dir or tmp_path / "server-store")
        finally:
            if port is not None:
                server_fixtures.free_port = original
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_local_to_server_to_local_is_identical(source_store, start_server, tmp_path, run_cli):
    source, run_ids, frame, model, _ = source_store
    server = start_server()
    status, out, _ = run_cli("sync", source, server.url, "--registry")
    assert status == 0 and "3 runs" in out and "2 model versions" in out, out
    back = str(tmp_path / "back")
    status, out, _ = run_cli("sync", server.url, back, "--registry")
    assert status == 0, out
    original = snapshot(source)
    copied = snapshot(back)
    for run_id, run in original["runs"].items():
        for key, value in run.items():
            assert copied["runs"][run_id][key] == value, (run_id, key)
    assert copied["runs"] == original["runs"]
    assert snapshot(back)["versions"] == original["versions"]
    autolog.set_tracking_uri(server.url)
    for uri in (f"runs:/{run_ids[0]}/model", "models:/taxi-model/Production", "models:/taxi-model@champion"):
        assert flavors.pyfunc.load_model(uri).predict(frame) == pytest.approx(model.predict(frame))
    status, out, _ = run_cli("sync", source, server.url, "--registry")
    assert "Copied: nothing" in out, out


def test_runs_spooled_while_the_server_is_down_reach_it_with_sync_pending(tmp_path, monkeypatch, run_cli,
                                                                         start_server):
    port = server_fixtures.free_port()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AUTOLOG_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("AUTOLOG_OFFLINE_FALLBACK", "1")
    autolog.set_tracking_uri(url)
    autolog.set_experiment("field")
    with autolog.start_run(run_name="offline") as run:
        autolog.log_param("alpha", 1)
        for step in range(20):
            autolog.log_metric("loss", 1.0 / (step + 1), step=step)
    autolog.set_tracking_uri(str(tmp_path / "elsewhere"))

    server = start_server(port=port)
    status, out, _ = run_cli("--tracking-uri", url, "sync", "--pending")
    assert status == 0 and "1 run(s) now there" in out, out
    on_server = autolog.Client(url)
    assert on_server.get_run(run.info.run_id).data.params == {"alpha": "1"}
    assert len(on_server.get_metric_history(run.info.run_id, "loss")) == 20
    assert on_server.get_experiment_by_name("field") is not None
    assert SYNCED_TAG in autolog.Client(str(tmp_path / "spool")).get_run(run.info.run_id).data.tags
    status, out, _ = run_cli("--tracking-uri", server.url, "sync", "--pending")
    assert "0 run(s) now there" in out and "Copied: nothing" in out
