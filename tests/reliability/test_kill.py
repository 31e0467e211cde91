"""kill -9 at the worst moments: while metrics, artifacts and a registration are being written."""

import os
import random
import shutil
import sqlite3
import time

import pytest

from autolog.cli import main
from autolog.tracking import Client

from .conftest import kill, read_until, spawn

pytestmark = pytest.mark.slow


def _integrity(store) -> str:
    return sqlite3.connect(os.path.join(store, "tracking.db")).execute("PRAGMA integrity_check").fetchone()[0]


def test_kill_while_logging_metrics_loses_no_flushed_point(tmp_path):
    store = tmp_path / "store"
    child = spawn(tmp_path, """
        run = autolog.start_run()
        print("run", run.info.run_id, flush=True)
        step = 0
        while True:
            for _ in range(500):
                autolog.log_metric("loss", step * 0.5, step=step)
                step += 1
            autolog.flush()
            print("flushed", step, flush=True)
    """, store)
    run_id = read_until(child, "run").split()[1]
    flushed = int(read_until(child, "flushed").split()[1])
    for _ in range(random.randint(1, 4)):
        flushed = int(read_until(child, "flushed").split()[1])
    kill(child)
    history = Client(str(store)).get_metric_history(run_id, "loss")
    steps = [point.step for point in history]
    assert len(steps) >= flushed and steps == list(range(len(steps)))  # a prefix: nothing lost, nothing twice
    assert all(point.value == point.step * 0.5 for point in history)
    assert _integrity(store) == "ok"


def test_kill_while_logging_artifacts_leaves_no_truncated_file(tmp_path):
    store = tmp_path / "store"
    payload = tmp_path / "payload.bin"
    payload.write_bytes(os.urandom(16 << 20))
    client = Client(str(store))
    for attempt in range(4):
        child = spawn(tmp_path, f"""
            run = autolog.start_run()
            print("run", run.info.run_id, flush=True)
            index = 0
            while True:
                autolog.log_artifact({str(payload)!r}, f"batch-{{index}}")
                print("logged", index, flush=True)
                index += 1
        """, store)
        run_id = read_until(child, "run").split()[1]
        read_until(child, "logged")
        time.sleep(random.uniform(0.0, 0.05))
        kill(child)
        listed = [info for folder in client.list_artifacts(run_id)
                  for info in client.list_artifacts(run_id, folder.path)]
        assert listed and all(info.file_size == 16 << 20 for info in listed), f"attempt {attempt}"
        assert all(not info.path.split("/")[-1].startswith(".") for info in listed)
        shutil.rmtree(os.path.join(str(store), "artifacts", "0", run_id))  # keep the disk use small


def test_kill_during_registration_is_cleaned_up_by_the_next_one(tmp_path, capsys):
    store = tmp_path / "store"
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  custom: {data: parts}\n")
    (model / "parts").mkdir()
    for index in range(1500):
        (model / "parts" / f"{index}.bin").write_bytes(os.urandom(2048))
    child = spawn(tmp_path, f"""
        print("start", flush=True)
        autolog.register_model({str(model)!r}, "big")
        print("done", flush=True)
    """, store)
    read_until(child, "start")
    database = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for the copy to be under way, then kill the child
        if database is None and os.path.exists(store / "tracking.db"):
            database = sqlite3.connect(store / "tracking.db", timeout=30)
        try:
            pending = database and database.execute(
                "SELECT count(*) FROM model_versions WHERE status = 'PENDING_REGISTRATION'").fetchone()[0]
        except sqlite3.OperationalError:  # the tables are not there yet
            pending = 0
        if pending and os.path.isdir(store / "artifacts" / "models" / "big" / "1" / "parts"):
            break
        time.sleep(0.005)
    else:
        pytest.fail("the registration never reached its copy")
    kill(child)
    client = Client(str(store))
    assert client.search_model_versions("name = 'big'")[0].status == "PENDING_REGISTRATION"
    assert main(["--tracking-uri", str(store), "models", "cleanup"]) == 0
    assert "removed big version 1" in capsys.readouterr().out
    assert not os.path.exists(store / "artifacts" / "models" / "big" / "1")
    version = client.create_model_version("big", str(model))
    assert version.version == "2" and version.status == "READY"
    assert len(os.listdir(os.path.join(version.storage_location, "parts"))) == 1500


def test_the_next_registration_removes_a_stale_pending_version(tmp_path, monkeypatch):
    store = tmp_path / "store"
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  custom: {data: w}\n")
    (model / "w").write_text("w")
    child = spawn(tmp_path, f"""
        from autolog.tracking import Client
        client = Client()
        client.create_registered_model("m")
        version = client._store.create_model_version("m", {str(model)!r})  # as a registration does first
        print("pending", version.version, flush=True)
        import time; time.sleep(600)
    """, store)
    read_until(child, "pending")
    time.sleep(0.2)
    kill(child)
    client = Client(str(store))
    # the killed process never tagged its version: stale once its grace period is over (0 s here)
    monkeypatch.setattr("autolog.tracking.registration._UNTAGGED_GRACE_SECONDS", 0)
    version = client.create_model_version("m", str(model))
    assert version.version == "2"
    assert [v.version for v in client.search_model_versions("name = 'm'")] == ["2"]
