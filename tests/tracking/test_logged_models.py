"""MLflow 3's logged models and run inputs/outputs on the SQL store, through Client."""

import math
import sqlite3
import time

import pytest

import autolog
from autolog.tracking import stores
from autolog.tracking.entities import (Dataset, DatasetInput, InputTag, LoggedModelInput, LoggedModelOutput,
                                       LoggedModelStatus, LoggedModelTag, Metric)


@pytest.fixture
def client():
    return autolog.Client()


def test_create_logged_model_is_pending_with_mlflow_shape(client):
    run = client.create_run("0")
    model = client.create_logged_model("0", name="model", source_run_id=run.info.run_id,
                                       tags={"team": "fraud"}, params={"alpha": 0.5}, model_type="sklearn")
    assert model.model_id.startswith("m-") and len(model.model_id) == 34
    assert int(model.model_id[2:], 16) >= 0
    assert (model.experiment_id, model.name, model.source_run_id, model.model_type) == \
        ("0", "model", run.info.run_id, "sklearn")
    assert model.status == LoggedModelStatus.PENDING and model.status == "PENDING"
    assert model.tags == {"team": "fraud"} and model.params == {"alpha": "0.5"} and model.metrics == []
    assert model.artifact_location.endswith(f"/0/models/{model.model_id}/artifacts")
    assert model.creation_timestamp == model.last_updated_timestamp > 0
    assert model.model_uri == f"models:/{model.model_id}"
    assert client.get_logged_model(model.model_id) == model


def test_finalize_tags_params_and_delete(client):
    model = client.create_logged_model("0")
    assert model.name  # a generated name when none is given
    assert client.finalize_logged_model(model.model_id, LoggedModelStatus.READY).status == LoggedModelStatus.READY
    assert client.finalize_logged_model(model.model_id, "FAILED").status == LoggedModelStatus.FAILED
    with pytest.raises(autolog.InvalidInputError, match="status"):
        client.finalize_logged_model(model.model_id, "DONE")
    client.set_logged_model_tags(model.model_id, {"a": 1, "b": "x"})
    client._store.set_logged_model_tags(model.model_id, [LoggedModelTag("a", "2")])
    client.delete_logged_model_tag(model.model_id, "b")
    with pytest.raises(autolog.NotFoundError, match="no tag 'b'"):
        client.delete_logged_model_tag(model.model_id, "b")
    client.log_model_params(model.model_id, {"depth": 3})
    with pytest.raises(autolog.InvalidInputError, match="depth"):
        client.log_model_params(model.model_id, {"depth": 4})
    assert client.get_logged_model(model.model_id).tags == {"a": "2"}
    assert client.get_logged_model(model.model_id).params == {"depth": "3"}
    client.delete_logged_model(model.model_id)
    with pytest.raises(autolog.NotFoundError) as error:
        client.get_logged_model(model.model_id)
    assert error.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.search_logged_models(["0"]) == []


@pytest.mark.parametrize("name", ["a/b", "m:1", "x.y", ""])
def test_bad_logged_model_names_are_refused(client, name):
    with pytest.raises(autolog.InvalidInputError, match="name"):
        client.create_logged_model("0", name=name)


def test_unknown_experiment_or_source_run_is_not_found(client):
    with pytest.raises(autolog.NotFoundError):
        client.create_logged_model("42")
    with pytest.raises(autolog.NotFoundError, match="source run"):
        client.create_logged_model("0", source_run_id="0123abcd")


def test_metrics_with_a_model_id_are_the_models_metrics(client):
    run = client.create_run("0")
    model = client.create_logged_model("0", source_run_id=run.info.run_id)
    client.log_batch(run.info.run_id, metrics=[
        Metric("rmse", 0.5, 1000, 0, model_id=model.model_id, dataset_name="valid", dataset_digest="abc123"),
        Metric("rmse", float("nan"), 1001, 1, model_id=model.model_id),
        Metric("plain", 1.0, 1000, 0)])
    metrics = client.get_logged_model(model.model_id).metrics
    assert [(m.key, m.step, m.dataset_name, m.run_id) for m in metrics] == \
        [("rmse", 0, "valid", run.info.run_id), ("rmse", 1, None, run.info.run_id)]
    assert metrics[0].value == 0.5 and math.isnan(metrics[1].value) and metrics[0].model_id == model.model_id
    assert set(client.get_run(run.info.run_id).data.metrics) == {"rmse", "plain"}  # still run metrics


def _models_named(client, **search) -> list:
    return [model.name for model in client.search_logged_models(["0"], **search)]


def test_search_logged_models_filters_orders_and_pages(client):
    run = client.create_run("0")
    for index, name in enumerate(["a", "b", "c"]):
        time.sleep(0.002)  # distinct creation times: the default order is newest first
        model = client.create_logged_model("0", name=name, source_run_id=run.info.run_id,
                                           params={"depth": index}, tags={"kind": "tree" if index else "linear"})
        client.log_batch(run.info.run_id, metrics=[
            Metric("acc", 0.1 * index, 1, 0, model_id=model.model_id, dataset_name="eval" if index else "train"),
            Metric("acc", 0.9 - 0.1 * index, 2, 1, model_id=model.model_id)])
        if name != "b":
            client.finalize_logged_model(model.model_id, "READY")
    assert _models_named(client) == ["c", "b", "a"]  # newest first
    assert sorted(_models_named(client, filter_string="metrics.acc > 0.75")) == ["a", "b"]
    assert _models_named(client, filter_string="params.depth = '2' and tags.kind = 'tree'") == ["c"]
    assert _models_named(client, filter_string="status = 'READY'", order_by=["name ASC"]) == ["a", "c"]
    assert _models_named(client, order_by=[{"field_name": "metrics.acc", "ascending": True}]) == ["c", "b", "a"]
    assert _models_named(client, filter_string=f"source_run_id = '{run.info.run_id}'", order_by=["name"]) == \
        ["a", "b", "c"]
    assert sorted(_models_named(client, datasets=[{"dataset_name": "eval"}])) == ["b", "c"]
    first = client.search_logged_models(["0"], max_results=2, order_by=["name"])
    second = client.search_logged_models(["0"], max_results=2, order_by=["name"], page_token=first.token)
    assert [m.name for m in first] + [m.name for m in second] == ["a", "b", "c"] and second.token is None
    with pytest.raises(autolog.InvalidInputError, match="unknown attribute"):
        client.search_logged_models(["0"], filter_string="colour = 'red'")


def _dataset(name="train", digest="d1a2"):
    return Dataset(name, digest, "local", '{"path": "train.csv"}', '{"mlflow_colspec": []}', '{"num_rows": 3}')


@pytest.mark.single_store  # reads the SQLite file or derives a second directory store
def test_log_inputs_records_datasets_once_with_their_context(client):
    run = client.create_run("0")
    model = client.create_logged_model("0")
    training = DatasetInput(_dataset(), [InputTag("mlflow.data.context", "training")])
    client.log_inputs(run.info.run_id, [training, DatasetInput(_dataset("valid", "e5f6"))],
                      models=[LoggedModelInput(model.model_id)])
    client.log_inputs(run.info.run_id, [DatasetInput(_dataset(), [InputTag("mlflow.data.context", "eval")])])
    client.log_outputs(run.info.run_id, [LoggedModelOutput(model.model_id, 3)])
    fetched = client.get_run(run.info.run_id)
    inputs = fetched.inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("train", "d1a2"), ("valid", "e5f6")]
    assert inputs[0] == training and inputs[0].dataset.profile == '{"num_rows": 3}'
    assert fetched.inputs.model_inputs == [LoggedModelInput(model.model_id)]
    assert fetched.outputs.model_outputs == [LoggedModelOutput(model.model_id, 3)]
    other = client.create_run("0")
    client.log_inputs(other.info.run_id, [DatasetInput(_dataset())])
    connection = sqlite3.connect(stores.store_location(client.tracking_uri)[1])
    assert connection.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 2  # shared by both runs
    found = client.search_runs(["0"], "")
    assert {len(r.inputs.dataset_inputs) for r in found} == {1, 2}


def test_log_inputs_refuses_bad_datasets_and_unknown_runs(client):
    run = client.create_run("0")
    with pytest.raises(autolog.InvalidInputError, match="digest"):
        client.log_inputs(run.info.run_id, [DatasetInput(Dataset("x", "", "local", "s"))])
    with pytest.raises(autolog.NotFoundError):
        client.log_inputs("ffff0000", [DatasetInput(_dataset())])
    with pytest.raises(autolog.NotFoundError):
        client.log_outputs(run.info.run_id, [LoggedModelOutput("m-0000")])
    assert client.get_run(run.info.run_id).inputs.dataset_inputs == []


def test_a_version_1_store_is_migrated(tmp_path):
    uri = str(tmp_path / "old")
    autolog.Client(uri)
    connection = sqlite3.connect(tmp_path / "old" / "tracking.db")
    for table in ("logged_model_metrics", "logged_model_params", "logged_model_tags", "logged_models",
                  "run_dataset_input_tags", "run_dataset_inputs", "datasets", "run_model_inputs",
                  "run_model_outputs"):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("UPDATE schema_version SET version = 1")
    connection.commit()
    stores._stores.clear()
    model = autolog.Client(uri).create_logged_model("0", name="after")
    assert autolog.Client(uri).get_logged_model(model.model_id).name == "after"


def test_exceptions_carry_mlflow_error_codes():
    assert autolog.InvalidInputError("x").error_code == "INVALID_PARAMETER_VALUE"
    assert autolog.AlreadyExistsError("x").error_code == "RESOURCE_ALREADY_EXISTS"
    assert autolog.StoreError("x").error_code == "INTERNAL_ERROR"
    assert LoggedModelStatus.READY.to_proto() == "LOGGED_MODEL_READY"
    assert LoggedModelStatus.from_value("LOGGED_MODEL_UPLOAD_FAILED") is LoggedModelStatus.FAILED


def _history(client, run_id) -> list:
    import json

    return json.loads(client.get_run(run_id).data.tags["mlflow.log-model.history"])


@pytest.mark.parametrize("default", [False, True], ids=["one-transaction", "base-store-default"])
def test_complete_logged_model_finalizes_records_output_and_appends_history(client, monkeypatch, default):
    from autolog.tracking.stores.base import TrackingStore
    from tests._store_writes import count_write_transactions

    store = client._store
    complete = (lambda *args: TrackingStore.complete_logged_model(store, *args)) if default \
        else store.complete_logged_model
    run_id = client.create_run("0").info.run_id
    first, second = client.create_logged_model("0", source_run_id=run_id), client.create_logged_model("0")
    client.set_tag(run_id, "mlflow.log-model.history", "not json")  # unreadable history starts anew
    writes = count_write_transactions(monkeypatch)
    complete(first.model_id, "READY", run_id, 3, {"model_uuid": "a"})
    assert len(writes) == (3 if default else 1)
    complete(second.model_id, LoggedModelStatus.READY, run_id, 0, {"model_uuid": "b"})
    assert [client.get_logged_model(m.model_id).status for m in (first, second)] == [LoggedModelStatus.READY] * 2
    assert _history(client, run_id) == [{"model_uuid": "a"}, {"model_uuid": "b"}]
    outputs = {(output.model_id, output.step) for output in client.get_run(run_id).outputs.model_outputs}
    assert outputs == {(first.model_id, 3), (second.model_id, 0)}


def test_complete_logged_model_keeps_the_history_within_a_tag_value_and_refuses_bad_input(client):
    run_id = client.create_run("0").info.run_id
    model = client.create_logged_model("0")
    big = {"blob": "x" * 3000}
    for _ in range(3):
        client._store.complete_logged_model(model.model_id, "READY", run_id, 0, big)
    assert len(_history(client, run_id)) == 2  # the oldest entry dropped so the tag fits 8000 characters
    with pytest.raises(autolog.InvalidInputError, match="status"):
        client._store.complete_logged_model(model.model_id, "DONE", run_id)
    with pytest.raises(autolog.NotFoundError):
        client._store.complete_logged_model("m-" + "0" * 32, "READY", run_id)
    client.delete_run(run_id)
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        client._store.complete_logged_model(model.model_id, "READY", run_id)
    assert len(_history(client, run_id)) == 2  # nothing of a refused call was written


def test_finish_run_writes_prepared_models_in_the_run_end_transaction(client, monkeypatch):
    from tests._store_writes import count_write_transactions

    run_id = client.create_run("0").info.run_id
    models = [client._prepare_logged_model("0", "model", run_id) for _ in range(2)]
    writes = count_write_transactions(monkeypatch)
    client._finish_run(run_id, "FINISHED", [("rmse", 0.5, 1, 0)], {},
                       [(model, LoggedModelStatus.READY, step, {"model_uuid": str(step)})
                        for step, model in enumerate(models)])
    assert len(writes) == 1
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.metrics == {"rmse": 0.5}
    assert {(output.model_id, output.step) for output in run.outputs.model_outputs} == \
        {(models[0].model_id, 0), (models[1].model_id, 1)}
    assert [client.get_logged_model(m.model_id).status for m in models] == [LoggedModelStatus.READY] * 2
    assert [m.status for m in models] == [LoggedModelStatus.READY] * 2
    assert _history(client, run_id) == [{"model_uuid": "0"}, {"model_uuid": "1"}]


def test_a_refused_run_end_writes_none_of_its_models(client):
    run_id = client.create_run("0").info.run_id
    model = client._prepare_logged_model("0", "model", run_id)
    client.delete_run(run_id)
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        client._finish_run(run_id, "FINISHED", (), {}, [(model, LoggedModelStatus.READY, 0, {"model_uuid": "a"})])
    with pytest.raises(autolog.NotFoundError):
        client.get_logged_model(model.model_id)


def test_a_run_end_the_store_fails_still_keeps_its_models(tmp_path):
    client = autolog.Client(f"sqlite:///{tmp_path / 'mlruns.db'}")
    run_id = client.create_run("0").info.run_id
    model = client._prepare_logged_model("0", "model", run_id)
    with sqlite3.connect(tmp_path / "mlruns.db") as db:
        db.execute("CREATE TRIGGER refuse_end BEFORE UPDATE OF status ON runs WHEN NEW.status = 'FINISHED' "
                   "BEGIN SELECT RAISE(ABORT, 'the disk failed'); END")
    with pytest.raises(autolog.StoreError, match="the disk failed"):
        client._finish_run(run_id, "FINISHED", (), {}, [(model, LoggedModelStatus.READY, 0, {"model_uuid": "a"})])
    assert client.get_logged_model(model.model_id).status == LoggedModelStatus.READY
    assert [output.model_id for output in client.get_run(run_id).outputs.model_outputs] == [model.model_id]
    assert client.get_run(run_id).info.status == "RUNNING"
