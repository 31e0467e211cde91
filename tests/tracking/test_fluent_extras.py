"""MLflow's fluent calls that ported code makes, beyond runs, params and metrics."""

import io
import json
import zlib

import numpy as np
import pandas as pd
import pytest

import autolog
from autolog import RunStatus

pytestmark = pytest.mark.single_store  # API behaviour above the store: SQLite is enough


def test_experiment_functions():
    experiment_id = autolog.create_experiment("exp", tags={"team": "a"})
    assert autolog.get_experiment(experiment_id).name == "exp"
    assert autolog.get_experiment_by_name("exp").experiment_id == experiment_id
    assert [e.name for e in autolog.search_experiments(filter_string="name = 'exp'")] == ["exp"]
    autolog.set_experiment("exp")
    autolog.set_experiment_tag("stage", "dev")
    autolog.set_experiment_tags({"owner": "me", "x": 1})
    autolog.delete_experiment_tag("x")
    assert autolog.get_experiment(experiment_id).tags == {"team": "a", "stage": "dev", "owner": "me"}
    with pytest.raises(autolog.NotFoundError, match="'x'"):
        autolog.delete_experiment_tag("x")
    autolog.delete_experiment(experiment_id)
    assert autolog.get_experiment(experiment_id).lifecycle_stage == "deleted"


def test_get_run_and_get_parent_run():
    with autolog.start_run() as parent:
        with autolog.start_run(nested=True) as child:
            pass
    assert autolog.get_run(child.info.run_id).info.run_id == child.info.run_id
    assert autolog.get_parent_run(child.info.run_id).info.run_id == parent.info.run_id
    assert autolog.get_parent_run(parent.info.run_id) is None


def test_registry_searches_and_registry_uri(tmp_path):
    import flavors

    class Echo(flavors.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input

    info = flavors.pyfunc.log_model(name="echo", python_model=Echo())
    autolog.register_model(info.model_uri, "echo")
    assert [m.name for m in autolog.search_registered_models(filter_string="name = 'echo'")] == ["echo"]
    assert [v.version for v in autolog.search_model_versions(filter_string="name = 'echo'")] == ["1"]
    assert autolog.get_registry_uri() == autolog.get_tracking_uri()
    autolog.set_registry_uri(f"sqlite:///{tmp_path}/r.db")
    assert autolog.get_registry_uri() == f"sqlite:///{tmp_path}/r.db"
    autolog.set_registry_uri(None)


def test_async_flags_are_accepted_and_reads_see_the_values():
    with autolog.start_run() as run:
        autolog.log_metric("m", 1.0, synchronous=False)
        autolog.log_metrics({"n": 2.0}, synchronous=False)
        autolog.log_param("p", 1, synchronous=False)
        autolog.log_params({"q": 2}, synchronous=False)
        autolog.set_tag("t", "x", synchronous=False)
        autolog.set_tags({"u": "y"}, synchronous=False)
        autolog.flush_async_logging()
        stored = autolog.get_run(run.info.run_id)
    assert stored.data.metrics == {"m": 1.0, "n": 2.0} and stored.data.params == {"p": "1", "q": "2"}
    assert stored.data.tags["t"] == "x" and stored.data.tags["u"] == "y"


def test_log_metric_linked_to_a_model_and_a_dataset():
    dataset = autolog.data.from_pandas(pd.DataFrame({"a": [1.0]}), name="eval")
    with autolog.start_run():
        model = autolog.initialize_logged_model(name="m")
        autolog.log_metric("acc", 0.9, model_id=model.model_id, dataset=dataset)
    (metric,) = autolog.get_logged_model(model.model_id).metrics
    assert (metric.key, metric.value, metric.dataset_name, metric.dataset_digest) == \
        ("acc", 0.9, "eval", dataset.digest)


def test_log_table_and_load_table_across_runs():
    for value in (1, 2):
        with autolog.start_run():
            autolog.log_table({"x": [value, value * 10], "y": ["a", "b"]}, "table.json")
    with autolog.start_run() as run:
        autolog.log_table(pd.DataFrame({"x": [7], "y": ["c"]}), "table.json")
    stored = autolog.get_run(run.info.run_id)
    assert json.loads(stored.data.tags["mlflow.loggedArtifacts"]) == [{"path": "table.json", "type": "table"}]
    table = autolog.load_table("table.json", extra_columns=["run_id"])
    assert sorted(table["x"]) == [1, 2, 7, 10, 20] and run.info.run_id in set(table["run_id"])
    assert list(autolog.load_table("table.json", run_ids=[run.info.run_id])["y"]) == ["c"]
    with pytest.raises(autolog.InvalidInputError, match=".json"):
        autolog.log_table({"x": [1]}, "table.csv")


def _png_pixels(data: bytes):
    """Decode our own 8-bit PNG (one IDAT, filter 0) back to (width, height, colour type, raw rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8:start - 4], "big")
    return width, height, data[25], zlib.decompress(data[start:start + length])


def test_log_image_writes_a_png_of_the_array():
    image = np.zeros((2, 3, 3), dtype=np.uint8)
    image[0, 0] = [255, 0, 0]
    with autolog.start_run() as run:
        autolog.log_image(image, "plots/red.png")
        autolog.log_image(np.full((2, 2), 0.5), key="grey", step=3)
    client = autolog.Client()
    with open(client.download_artifacts(run.info.run_id, "plots/red.png"), "rb") as handle:
        width, height, colour, rows = _png_pixels(handle.read())
    assert (width, height, colour) == (3, 2, 2) and rows[:4] == b"\x00\xff\x00\x00"
    assert [f.path for f in client.list_artifacts(run.info.run_id, "images/grey")] == ["images/grey/step_3.png"]
    with pytest.raises(autolog.InvalidInputError, match="shape"):
        autolog.log_image(np.zeros((2, 2, 2)), "bad.png")


def test_log_stream():
    with autolog.start_run() as run:
        autolog.log_stream(io.BytesIO(b"binary\x00"), "s/b.bin")
        autolog.log_stream(io.StringIO("text"), "s/t.txt")
    client = autolog.Client()
    with open(client.download_artifacts(run.info.run_id, "s/b.bin"), "rb") as handle:
        assert handle.read() == b"binary\x00"


def test_mlflow_client_alias_and_run_status_helpers():
    assert autolog.MlflowClient is autolog.Client
    assert RunStatus.to_string(3) == "FINISHED" and RunStatus.to_string("KILLED") == "KILLED"
    assert RunStatus.from_string("FAILED") == RunStatus.FAILED and RunStatus.is_terminated("FAILED")
    assert not RunStatus.is_terminated(RunStatus.RUNNING) and len(RunStatus.all_status()) == 5
    with pytest.raises(ValueError):
        RunStatus.from_string("DONE")


def test_autolog_autolog_enables_every_installed_integration():
    from autolog.integrations import get_integration

    try:
        autolog.autolog(log_models=False)
        assert all(get_integration(name).enabled for name in ("sklearn", "xgboost", "lightgbm"))
    finally:
        autolog.autolog(disable=True)
    assert not get_integration("sklearn").enabled
