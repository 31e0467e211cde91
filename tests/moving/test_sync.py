"""``autolog sync``: store to store through the store interface, ids kept, resumable and idempotent."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import autolog
import autolog.data
import flavors
from autolog.tracking.entities import Metric, Param, Run, RunData, RunInfo, RunTag, ViewType
from autolog.transfer import sync


def snapshot(uri: str) -> dict:
    """Everything a store holds about its runs and registry, keyed by run id and version."""
    client = autolog.Client(uri)
    experiments = {e.experiment_id: e.name for e in client.search_experiments(ViewType.ALL)}
    runs = {}
    for run in client.search_runs(list(experiments), run_view_type=ViewType.ALL, max_results=5000):
        info = run.info
        runs[info.run_id] = {
            "info": (experiments[info.experiment_id], info.run_name, info.user_id, info.status, info.start_time,
                     info.end_time, info.lifecycle_stage),
            "params": run.data.params, "tags": run.data.tags,
            "history": {key: [(m.step, m.timestamp, repr(m.value)) for m in client.get_metric_history(info.run_id, key)]
                        for key in run.data.metrics},
            "files": sorted(f.path for f in client.list_artifacts(info.run_id)),
            "inputs": [(d.dataset.name, d.dataset.digest, [(t.key, t.value) for t in d.tags])
                       for d in run.inputs.dataset_inputs],
            "outputs": sorted(o.model_id for o in run.outputs.model_outputs)}
    logged = {model.model_id: (model.name, model.source_run_id, model.status, model.params, model.tags)
              for model in client.search_logged_models(list(experiments))}
    versions = {}
    for model in client.search_registered_models():
        for version in client.search_model_versions(f"name = '{model.name}'"):
            versions[(model.name, version.version)] = (version.current_stage, sorted(version.aliases), version.tags,
                                                       version.source, version.run_id, version.description)
    return {"runs": runs, "versions": versions, "logged_models": logged}


@pytest.fixture
def source_store(tmp_path):
    """A store with autologged-like runs, a deleted run, files and a registered model with a stage and alias."""
    import numpy as np
    from sklearn.linear_model import LinearRegression

    uri = str(tmp_path / "source")
    autolog.set_tracking_uri(uri)
    autolog.set_experiment("taxi")
    frame = np.random.default_rng(0).random((40, 3))
    model = LinearRegression().fit(frame, frame[:, 0] * 2)
    run_ids = []
    for alpha in (0.1, 0.5, 1.0):
        with autolog.start_run() as run:
            autolog.log_param("alpha", alpha)
            autolog.set_tag("team", "ops")
            for step in range(30):
                autolog.log_metric("rmse", alpha * 10 - step * 0.1, step=step)
            autolog.log_metric("odd", float("nan"))
            autolog.log_text(f"alpha {alpha}", "notes/readme.txt")
            autolog.log_input(autolog.data.from_numpy(frame, name="train"), context="training")
            info = flavors.sklearn.log_model(model, artifact_path="model")
        run_ids.append(run.info.run_id)
    client = autolog.Client(uri)
    client.delete_run(run_ids[2])
    autolog.register_model(f"runs:/{run_ids[0]}/model", "taxi-model")
    autolog.register_model(f"runs:/{run_ids[1]}/model", "taxi-model")
    client.transition_model_version_stage("taxi-model", 1, "Production")
    client.set_registered_model_alias("taxi-model", "champion", 2)
    client.set_model_version_tag("taxi-model", 1, "validated", "yes")
    autolog.set_tracking_uri(str(tmp_path / "mlruns"))
    return uri, run_ids, frame, model, info


def test_round_trip_keeps_runs_ids_and_registry(source_store, tmp_path, run_cli):
    source, run_ids, frame, model, _ = source_store
    middle, back = str(tmp_path / "middle"), str(tmp_path / "back")
    status, out, _ = run_cli("sync", source, middle, "--registry")
    assert status == 0 and "3 runs" in out and "2 model versions" in out, out
    status, out, _ = run_cli("sync", middle, back, "--registry")
    assert status == 0, out
    original = snapshot(source)
    assert snapshot(middle) == original
    assert snapshot(back) == original
    assert len(original["runs"][run_ids[0]]["history"]["rmse"]) == 30
    assert original["runs"][run_ids[0]]["inputs"][0][0] == "train"
    assert len(original["logged_models"]) == 3 and original["runs"][run_ids[0]]["outputs"]
    autolog.set_tracking_uri(back)
    for uri in (f"runs:/{run_ids[0]}/model", "models:/taxi-model/Production", "models:/taxi-model@champion"):
        assert flavors.pyfunc.load_model(uri).predict(frame) == pytest.approx(model.predict(frame))
    status, out, _ = run_cli("sync", source, middle, "--registry")
    assert "Copied: nothing" in out and "3 runs" in out.split("Already")[1]
    assert snapshot(middle) == original


def test_sync_filters_by_experiment_and_dsl(source_store, tmp_path):
    source, run_ids, *_ = source_store
    client = autolog.Client(source)
    other = client.create_experiment("other")
    stray = client.create_run(other).info.run_id
    destination = str(tmp_path / "filtered")
    summary = sync(source, destination, experiments=["taxi"], filter_string="params.alpha = '0.5'")
    assert summary.copied["runs"] == 1
    copied = snapshot(destination)["runs"]
    assert list(copied) == [run_ids[1]]
    assert autolog.Client(destination).get_experiment_by_name("other") is None
    only_filtered = str(tmp_path / "only-filtered")
    assert sync(source, only_filtered, filter_string="params.alpha = '1.0'").copied["runs"] == 1
    assert autolog.Client(only_filtered).get_experiment_by_name("other") is None  # no empty shells
    summary = sync(source, destination)
    assert summary.copied["runs"] == 3 and stray in snapshot(destination)["runs"]


def _bulk_source(uri: str, runs: int, points: int) -> list:
    """A store of ``runs`` finished runs, written through the store's import (fast) rather than the API."""
    store = autolog.Client(uri)._store
    experiment_id = autolog.Client(uri).create_experiment("bulk")
    ids = []
    for index in range(runs):
        run_id = f"{index:032x}"
        ids.append(run_id)
        run = Run(RunInfo(run_id, experiment_id, f"run-{index}", "ana", "FINISHED", 1000 + index, 2000 + index,
                          None), RunData(params={"i": str(index)}, tags={"mlflow.runName": f"run-{index}"}))
        store.import_run(run, experiment_id, (["loss"] * points, [float(s) for s in range(points)],
                                              list(range(points)), list(range(points))))
    return ids


@pytest.mark.slow
def test_killed_sync_resumes_without_duplicates(tmp_path):
    source, destination = str(tmp_path / "source"), str(tmp_path / "destination")
    ids = _bulk_source(source, runs=400, points=300)
    command = [sys.executable, "-m", "autolog.cli", "sync", source, destination]
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                               cwd=os.path.dirname(os.path.dirname(autolog.__file__)))
    database = os.path.join(destination, "tracking.db")
    copied = 0
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if os.path.exists(database):
            try:
                with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
                    copied = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            except sqlite3.Error:
                copied = 0
            if copied >= 20:
                process.send_signal(signal.SIGKILL)
                break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the sync ended before it could be interrupted"
    assert 20 <= copied < len(ids)
    summary = sync(source, destination)
    assert summary.copied["runs"] + summary.already["runs"] == len(ids)
    client = autolog.Client(destination)
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT run_uuid) FROM runs").fetchone() == (len(ids), len(ids))
    for run_id in (ids[0], ids[len(ids) // 2], ids[-1]):
        assert [m.step for m in client.get_metric_history(run_id, "loss")] == list(range(300))


def test_sync_into_an_empty_destination_with_deleted_experiment(tmp_path):
    source = str(tmp_path / "source")
    client = autolog.Client(source)
    experiment_id = client.create_experiment("old")
    run_id = client.create_run(experiment_id).info.run_id
    client.log_batch(run_id, params=[Param("p", "1")], tags=[RunTag("t", "x")],
                     metrics=[Metric("m", 1.0, 5, 0)])
    client.delete_experiment(experiment_id)
    summary = sync(source, str(tmp_path / "dest"))
    assert summary.copied["runs"] == 1
    copied = autolog.Client(str(tmp_path / "dest"))
    experiment = copied.get_experiment_by_name("old")
    assert experiment.lifecycle_stage == "deleted"
    assert copied.get_run(run_id).data.params == {"p": "1"}
