"""A full disk: every failure is a short StoreError naming the path, nothing is lost silently, the first error
is the one reported, and the run's state stays honest."""

import os
import subprocess
import sys
import textwrap

import pytest

from autolog.tracking import Client, StoreError

from .conftest import fill

pytestmark = pytest.mark.slow


def _child(tmp_path, disk, body):
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, autolog
        from autolog.tracking import Client
        sys.path.insert(0, {str(os.path.dirname(__file__))!r})
        from conftest import fill
        autolog.set_tracking_uri({str(disk / "store")!r})
    """) + textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_points_lost_at_exit_on_a_full_disk_are_reported(tmp_path, small_disk):
    done = _child(tmp_path, small_disk, """
        run = autolog.start_run()
        print(run.info.run_id, flush=True)
        fill(os.path.dirname(autolog.get_tracking_uri()))
        for step in range(5000):
            autolog.log_metric("loss", 1.0, step=step)
    """)
    run_id = done.stdout.strip()
    assert done.returncode == 0 and run_id, done.stderr
    assert f"run {run_id} could not be ended at exit and stays RUNNING" in done.stderr
    assert f"5000 pending of run {run_id}" in done.stderr and "disk is full" in done.stderr
    assert all(len(line) < 600 for line in done.stderr.splitlines())
    os.remove(small_disk / "filler.bin")
    assert Client(str(small_disk / "store")).get_run(run_id).info.status == "RUNNING"


def test_every_write_on_a_full_disk_is_a_short_store_error(tmp_path, small_disk):
    store = small_disk / "store"
    client = Client(str(store))
    run = client.create_run("0")
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  custom: {data: weights.bin}\n")
    (model / "weights.bin").write_bytes(os.urandom(1 << 20))
    client.create_registered_model("m")
    filler = fill(small_disk)
    run_id = run.info.run_id
    calls = {
        "log_param": lambda: client.log_param(run_id, "alpha", "x" * 3000),
        "log_batch": lambda: client.log_batch(run_id, metrics=[
            __import__("autolog").tracking.Metric("m", 1.0, 1, step) for step in range(20_000)]),
        "log_artifact": lambda: client.log_artifact(run_id, str(model / "weights.bin")),
        "log_text": lambda: client.log_text(run_id, "y" * 100_000, "notes.txt"),
        "create_model_version": lambda: client.create_model_version("m", str(model)),
    }
    for name, call in calls.items():
        with pytest.raises(StoreError, match="disk is full") as caught:
            call()
        assert len(str(caught.value)) < 400, name
    assert client.list_artifacts(run_id) == []  # no truncated file under a real name
    os.remove(filler)
    versions = client.search_model_versions("name = 'm'")
    assert versions == [], "the failed registration left a version behind"
    version = client.create_model_version("m", str(model))
    assert version.status == "READY" and os.path.getsize(os.path.join(version.storage_location, "weights.bin")) == 1 << 20
