"""Behaviours where code written for MLflow must run unchanged: start_run, environment, isolation."""

import os
import subprocess
import sys
import threading

import pytest

import autolog

pytestmark = pytest.mark.single_store  # API behaviour above the store: SQLite is enough


def test_start_run_positional_run_id_resumes_the_run():
    with autolog.start_run() as run:
        autolog.log_param("a", 1)
    with autolog.start_run(run.info.run_id) as resumed:
        autolog.log_param("b", 2)
    assert resumed.info.run_id == run.info.run_id
    assert autolog.Client().get_run(run.info.run_id).data.params == {"a": "1", "b": "2"}
    assert len(autolog.Client().search_runs(["0"])) == 1


def test_start_run_keyword_order_is_mlflows():
    import inspect

    assert list(inspect.signature(autolog.start_run).parameters) == [
        "run_id", "experiment_id", "run_name", "nested", "parent_run_id", "tags", "description",
        "log_system_metrics"]


def test_resuming_a_deleted_run_is_refused():
    with autolog.start_run() as run:
        pass
    autolog.Client().delete_run(run.info.run_id)
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        autolog.start_run(run.info.run_id)
    assert autolog.active_run() is None


@pytest.mark.parametrize("experiment_id", [[], (), {}])
def test_empty_experiment_id_containers_are_refused(experiment_id):
    with pytest.raises(autolog.InvalidInputError, match="experiment_id"):
        autolog.start_run(experiment_id=experiment_id)


def test_description_and_note_tag_together_are_refused():
    with pytest.raises(autolog.InvalidInputError, match="description"):
        autolog.start_run(description="a", tags={"mlflow.note.content": "b"})


def test_mlflow_run_id_in_the_environment_resumes_once(monkeypatch):
    with autolog.start_run() as run:
        pass
    monkeypatch.setenv("MLFLOW_RUN_ID", run.info.run_id)
    with autolog.start_run() as resumed:
        pass
    assert resumed.info.run_id == run.info.run_id and "MLFLOW_RUN_ID" not in os.environ
    with autolog.start_run() as fresh:
        pass
    assert fresh.info.run_id != run.info.run_id


def test_mlflow_experiment_variables_are_fallbacks(monkeypatch):
    experiment_id = autolog.Client().create_experiment("from-env-id")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", experiment_id)
    with autolog.start_run() as run:
        pass
    assert run.info.experiment_id == experiment_id
    autolog.set_tracking_uri(autolog.get_tracking_uri() + "-2")  # forgets the active experiment
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "from-env-name")
    with autolog.start_run() as run:
        pass
    assert autolog.Client().get_experiment(run.info.experiment_id).name == "from-env-name"


def test_mlflow_tracking_uri_is_a_fallback(monkeypatch, tmp_path):
    autolog.set_tracking_uri(None)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", str(tmp_path / "mlflow-store"))
    assert autolog.get_tracking_uri() == str(tmp_path / "mlflow-store")
    monkeypatch.setenv("AUTOLOG_TRACKING_URI", str(tmp_path / "ours"))
    assert autolog.get_tracking_uri() == str(tmp_path / "ours")


def test_set_tracking_uri_reaches_child_processes(tmp_path):
    autolog.set_tracking_uri(str(tmp_path / "shared"))
    code = "import autolog\nwith autolog.start_run(run_name='child'):\n    autolog.log_metric('m', 1.0)\n"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path / "..")
    (run,) = autolog.Client().search_runs(["0"])
    assert run.info.run_name == "child"
    autolog.set_tracking_uri(None)
    assert "AUTOLOG_TRACKING_URI" not in os.environ


def test_a_new_thread_has_no_active_or_last_run():
    seen = {}
    with autolog.start_run():
        pass

    def look():
        seen["active"], seen["last"] = autolog.active_run(), autolog.last_active_run()

    with autolog.start_run():
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
    assert seen == {"active": None, "last": None}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_has_no_active_run():
    with autolog.start_run():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report what it sees, leave without running the parent's exit handlers
            os.write(write, b"%d%d" % (autolog.active_run() is None, autolog.last_active_run() is None))
            os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 2) == b"11"


def test_search_runs_with_an_unknown_experiment_name_finds_nothing():
    with autolog.start_run():
        pass
    assert autolog.search_runs(experiment_names=["no-such-experiment"], output_format="list") == []


def test_registered_model_description_defaults_to_empty_string():
    assert autolog.Client().create_registered_model("described").description == ""
    assert autolog.Client().get_registered_model("described").description == ""


def test_flavors_model_load_accepts_model_uris():
    import flavors

    class Echo(flavors.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input

    with autolog.start_run() as run:
        info = flavors.pyfunc.log_model(name="echo", python_model=Echo())
    autolog.register_model(info.model_uri, "echo-model")
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/echo", "models:/echo-model/1"):
        assert flavors.Model.load(uri).model_uuid == info.model_uuid


@pytest.mark.parametrize("ours,theirs", [("AUTOLOG_TRACKING_TOKEN", "MLFLOW_TRACKING_TOKEN"),
                                         ("AUTOLOG_TRACKING_USERNAME", "MLFLOW_TRACKING_USERNAME"),
                                         ("AUTOLOG_TRACKING_PASSWORD", "MLFLOW_TRACKING_PASSWORD"),
                                         ("AUTOLOG_S3_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL")])
def test_credentials_and_endpoints_fall_back_to_mlflow_names(monkeypatch, ours, theirs):
    from autolog.tracking.env import env_value

    monkeypatch.delenv(ours, raising=False)
    monkeypatch.setenv(theirs, "from-mlflow")
    assert env_value(ours) == "from-mlflow"
    monkeypatch.setenv(ours, "ours")
    assert env_value(ours) == "ours"


def test_metrics_linked_to_a_model_survive_pickling():
    import pickle

    from autolog.entities import Metric

    linked = Metric("acc", 0.5, 1, 2, model_id="m-1", dataset_name="eval", dataset_digest="abc")
    assert pickle.loads(pickle.dumps(linked)) == linked and pickle.loads(pickle.dumps(linked)).model_id == "m-1"
    plain = pickle.loads(pickle.dumps(Metric("a", 1.0, 1, 0)))
    assert plain.model_id is None and plain == Metric("a", 1.0, 1, 0)
