"""Nothing logged is lost silently: bad points are refused at the call, a bad batch costs only itself, runs end
with their points, the database file alone holds the store after a clean exit, and a moved store stays whole."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest

import autolog
from autolog.tracking import Client, InvalidInputError, Metric, StoreError, ViewType, uris
from autolog.tracking import fluent


def _script(tmp_path, body, store):
    script = tmp_path / "script.py"
    script.write_text("import os, sys, autolog\nautolog.set_tracking_uri(sys.argv[1])\n" + textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script), str(store)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)


@pytest.mark.parametrize("kwargs, shown", [({"step": 2 ** 63}, "9223372036854775808"), ({"step": 1e19}, "1e+19"),
                                           ({"step": 1.5}, "1.5"), ({"timestamp": 2 ** 63}, "9223372036854775808"),
                                           ({"step": "x"}, "'x'")])
def test_bad_steps_and_timestamps_are_refused_at_the_call(kwargs, shown):
    with autolog.start_run() as run:
        for step in range(200):
            autolog.log_metric("loss", 1.0 / (step + 1), step=step)
        with pytest.raises(InvalidInputError, match=f"{re.escape(shown)}.*'loss'"):
            autolog.log_metric("loss", 0.5, **kwargs)
        with pytest.raises(InvalidInputError, match="loss"):
            autolog.log_metrics({"loss": 0.5}, **kwargs)
        with pytest.raises(InvalidInputError, match="loss"):
            Client().log_batch(run.info.run_id, metrics=[Metric("loss", 0.5, kwargs.get("timestamp", 1),
                                                                kwargs.get("step", 0))])
        autolog.log_metric("loss", 0.25, step=3.0)  # a whole float is a step
    history = Client().get_metric_history(run.info.run_id, "loss")
    assert len(history) == 201 and Client().get_run(run.info.run_id).info.status == "FINISHED"


def test_the_writer_isolates_a_bad_point_and_keeps_the_good_ones():
    with autolog.start_run() as run:
        buffer = fluent._buffer()
        for step in range(100):
            autolog.log_metric("loss", float(step), step=step)
        buffer.add(run.info.run_id, "loss", 1.0, 1, 2 ** 64)  # past the call's checks, as a bug could
        for step in range(100, 200):
            autolog.log_metric("loss", float(step), step=step)
        with pytest.raises(InvalidInputError, match="1 metric point.* dropped.*200 other"):
            autolog.flush()
        autolog.flush()  # the bad point is gone: nothing left to fail
    assert len(Client().get_metric_history(run.info.run_id, "loss")) == 200
    assert Client().get_run(run.info.run_id).info.status == "FINISHED"


def test_end_run_writes_the_buffered_points_before_the_process_dies(tmp_path):
    result = _script(tmp_path, """
        run = autolog.start_run()
        for step in range(100):
            autolog.log_metric("loss", step * 0.5, step=step)
        autolog.end_run()
        print(run.info.run_id, flush=True)
        os._exit(0)  # no atexit flush: end_run alone must have written the points
    """, tmp_path / "store")
    run_id = result.stdout.strip()
    client = Client(str(tmp_path / "store"))
    assert client.get_run(run_id).info.status == "FINISHED"
    assert len(client.get_metric_history(run_id, "loss")) == 100


def test_reads_see_points_still_in_the_buffer():
    with autolog.start_run() as run:
        for step in range(50):
            autolog.log_metric("loss", float(step), step=step)
        assert fluent._buffer().pending() > 0
        assert len(Client().get_metric_history(run.info.run_id, "loss")) == 50
        autolog.log_metric("acc", 0.9)
        assert Client().get_run(run.info.run_id).data.metrics["acc"] == 0.9


def test_the_latest_value_is_the_highest_step_even_within_one_batch():
    with autolog.start_run() as run:
        autolog.log_metric("rmse", 5.0, step=10)
        autolog.log_metric("rmse", 1.0, step=2)
        autolog.log_metric("rmse", 7.0, step=10, timestamp=1)  # same step, older: not the latest
    assert Client().get_run(run.info.run_id).data.metrics["rmse"] == 5.0


def test_a_run_starts_whole_or_not_at_all(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["config", "user.email", "t@e.com"], ["config", "user.name", "t"]):
        subprocess.run(["git", *args], cwd=repo, check=True)
    (repo / "train.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "train.py"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "c"], cwd=repo, check=True)
    (repo / "train.py").write_text("x = 2\n")  # dirty: the run writes a diff
    (tmp_path / "blocker").write_text("a file where the artifacts should go")
    script = repo / "train.py"
    script.write_text(textwrap.dedent(f"""
        import sys, autolog
        from autolog.tracking.run_context import git_state
        autolog.set_tracking_uri(sys.argv[1])
        autolog.Client().create_experiment("blocked", artifact_location={str(tmp_path / "blocker" / "art")!r})
        autolog.set_experiment("blocked")
        git_state().result(timeout=30)
        try:
            autolog.start_run()
        except autolog.StoreError as error:
            print("StoreError:", error)
        print("active:", autolog.active_run())
    """))
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "store")], capture_output=True,
                            text=True, cwd=repo, timeout=120)
    assert "StoreError: Could not start a run: writing its git diff" in result.stdout, result.stderr
    assert "active: None" in result.stdout
    client = Client(str(tmp_path / "store"))
    experiment = client.get_experiment_by_name("blocked")
    runs = client.search_runs([experiment.experiment_id], run_view_type=ViewType.ALL)
    assert [run.info.status for run in runs] == ["FAILED"] and runs[0].info.lifecycle_stage == "deleted"


def test_failures_at_exit_are_loud_and_the_run_stays_honest(tmp_path):
    result = _script(tmp_path, """
        run = autolog.start_run()
        print(run.info.run_id, flush=True)
        for step in range(5):
            autolog.log_metric("loss", 1.0, step=step)
        autolog.Client().delete_run(run.info.run_id)  # the store now refuses the run's last write
    """, tmp_path / "store")
    assert result.returncode == 0
    run_id = result.stdout.strip()
    assert f"run {run_id} could not be ended at exit and stays RUNNING" in result.stderr
    assert "5 pending metric point(s) were not written" in result.stderr
    assert Client(str(tmp_path / "store")).get_run(run_id).info.status == "RUNNING"


def test_after_a_clean_exit_the_database_file_alone_holds_the_store(tmp_path):
    result = _script(tmp_path, """
        with autolog.start_run(run_name="kept") as run:
            autolog.log_param("alpha", 0.1)
            autolog.log_metric("rmse", 0.5)
    """, tmp_path / "store")
    assert result.returncode == 0, result.stderr
    wal = tmp_path / "store" / "tracking.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "store" / "tracking.db", tmp_path / "copy" / "tracking.db")
    runs = Client(str(tmp_path / "copy")).search_runs(["0"])
    assert [run.info.run_name for run in runs] == ["kept"] and runs[0].data.metrics == {"rmse": 0.5}


def _register_one(store):
    client = Client(str(store))
    run = client.create_run("0")
    client.log_text(run.info.run_id, "flavors:\n  custom: {data: model.bin}\n", "model/MLmodel")
    client.log_text(run.info.run_id, "weights", "model/model.bin")
    client.create_registered_model("m")
    return client.create_model_version("m", f"runs:/{run.info.run_id}/model")


def test_a_moved_store_keeps_its_registered_models(tmp_path):
    _register_one(tmp_path / "old")
    os.rename(tmp_path / "old", tmp_path / "new")
    local = uris.download_artifacts("models:/m/1", tracking_uri=str(tmp_path / "new"))
    assert local.startswith(str(tmp_path / "new"))
    assert open(os.path.join(local, "model.bin")).read() == "weights"


def test_older_stores_are_migrated_to_relative_locations(tmp_path):
    version = _register_one(tmp_path / "store")
    database = sqlite3.connect(tmp_path / "store" / "tracking.db")
    with database:  # what a store of schema 1 holds: absolute locations
        database.execute("UPDATE model_versions SET storage_location = ?", (version.storage_location,))
        database.execute("UPDATE schema_version SET version = 1")
    reopened = Client(f"file://{tmp_path / 'store'}")  # another cache key: opened (and migrated) afresh
    assert reopened.get_model_version("m", 1).storage_location == version.storage_location
    stored = database.execute("SELECT storage_location FROM model_versions").fetchone()[0]
    assert stored == "models/m/1"
    assert database.execute("SELECT version FROM schema_version").fetchone()[0] >= 2


def test_an_empty_database_beside_artifacts_is_a_damaged_store(tmp_path):
    store = tmp_path / "store"
    (store / "artifacts" / "0" / "abc").mkdir(parents=True)
    (store / "artifacts" / "0" / "abc" / "weights.bin").write_text("w")
    (store / "tracking.db").write_bytes(b"")
    with pytest.raises(StoreError, match=f"damaged.*{store / 'tracking.db'}.*backup"):
        Client(str(store))
    assert (store / "tracking.db").stat().st_size == 0


def test_a_store_newer_than_this_autolog_names_its_path(tmp_path):
    Client(str(tmp_path / "store"))
    database = sqlite3.connect(tmp_path / "store" / "tracking.db")
    with database:
        database.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match=f"{tmp_path / 'store' / 'tracking.db'}.*999.*upgrade"):
        Client(f"file://{tmp_path / 'store'}")


def test_database_failures_are_store_errors(tmp_path):
    client = Client(str(tmp_path / "store"))
    run = client.create_run("0")
    database = sqlite3.connect(tmp_path / "store" / "tracking.db")
    with database:
        database.execute("DROP TABLE params")
    with pytest.raises(StoreError, match="tracking.db.*no such table: params") as caught:
        client.log_param(run.info.run_id, "alpha", 1)
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_sqlite_uri_with_one_slash_is_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="sqlite:///mlflow.db"):
        autolog.set_tracking_uri("sqlite:/mlflow.db")
    with pytest.raises(InvalidInputError, match="need '//'"):
        Client("sqlite:/mlflow.db")
    assert not (tmp_path / "sqlite:").exists()
