"""The store writes that hold what several calls would: a run created with its params and dataset inputs,
a logged model written whole once its files are saved. On every SQL store, and the default (separate calls)
that other stores inherit."""

import pytest

import autolog
from autolog.tracking.entities import Dataset, DatasetInput, InputTag, LoggedModelStatus, Param, RunTag
from autolog.tracking.exceptions import InvalidInputError, NotFoundError
from autolog.tracking.stores.base import TrackingStore
from tests._store_writes import count_write_transactions


def _dataset(name="train", digest="d1"):
    return DatasetInput(Dataset(name, digest, "code", "{}", "{}", "{}"), [InputTag("mlflow.data.context", "train")])


@pytest.mark.parametrize("default", [False, True])
def test_create_run_with_data_writes_tags_params_and_datasets(monkeypatch, default):
    client = autolog.Client()
    store = client._store
    create = (lambda *args: TrackingStore.create_run_with_data(store, *args)) if default \
        else store.create_run_with_data
    client.create_run("0")  # the store is open
    writes = count_write_transactions(monkeypatch)
    run = create("0", "ann", 1000, [RunTag("mlflow.runName", "r"), RunTag("team", "a")], "r",
                 [Param("alpha", "0.5"), Param("alpha", "0.5")], [_dataset(), _dataset("valid", "d2")])
    assert len(writes) == (3 if default else 1)
    assert run.data.params == {"alpha": "0.5"} and len(run.inputs.dataset_inputs) == 2
    stored = client.get_run(run.info.run_id)
    assert stored.info.status == "RUNNING" and stored.info.start_time == 1000 and stored.info.user_id == "ann"
    assert stored.data.params == {"alpha": "0.5"} and stored.data.tags["team"] == "a"
    assert sorted(i.dataset.name for i in stored.inputs.dataset_inputs) == ["train", "valid"]


def test_create_run_with_data_refuses_bad_input_and_deleted_experiments_writing_nothing():
    client = autolog.Client()
    store = client._store
    with pytest.raises(InvalidInputError, match="twice"):
        store.create_run_with_data("0", "ann", 1, [], "r", [Param("a", "1"), Param("a", "2")])
    with pytest.raises(InvalidInputError, match="expected a DatasetInput"):
        store.create_run_with_data("0", "ann", 1, [], "r", [], ["not a dataset"])
    experiment_id = client.create_experiment("gone")
    client.delete_experiment(experiment_id)
    with pytest.raises(InvalidInputError, match="restore"):
        store.create_run_with_data(experiment_id, "ann", 1, [], "r", [Param("a", "1")], [_dataset()])
    client.restore_experiment(experiment_id)
    assert client.search_runs(["0", experiment_id]) == []


def test_a_prepared_logged_model_is_written_whole_in_one_write(monkeypatch):
    client = autolog.Client()
    run_id = client.create_run("0").info.run_id
    prepared = client._prepare_logged_model("0", "model", run_id, {"t": "v"}, {"p": 1})
    assert prepared.status == LoggedModelStatus.PENDING and prepared.model_id in prepared.artifact_location
    with pytest.raises(NotFoundError):
        client.get_logged_model(prepared.model_id)  # nothing written yet
    writes = count_write_transactions(monkeypatch)
    client._complete_logged_model(prepared.model_id, "READY", run_id, 2, {"model_uuid": "a"}, prepared=prepared)
    assert len(writes) == 1
    stored = client.get_logged_model(prepared.model_id)
    assert stored.status == LoggedModelStatus.READY and stored.source_run_id == run_id
    assert stored.tags == {"t": "v"} and stored.params == {"p": "1"}
    assert stored.artifact_location == prepared.artifact_location
    run = client.get_run(run_id)
    assert [(o.model_id, o.step) for o in run.outputs.model_outputs] == [(prepared.model_id, 2)]
    assert "model_uuid" in run.data.tags["mlflow.log-model.history"]
    failed = client._prepare_logged_model("0", "broken", run_id)
    client._complete_logged_model(failed.model_id, LoggedModelStatus.FAILED, None, prepared=failed)
    assert client.get_logged_model(failed.model_id).status == LoggedModelStatus.FAILED
    assert len(client.get_run(run_id).outputs.model_outputs) == 1


def test_a_prepared_logged_model_refuses_a_deleted_experiment():
    client = autolog.Client()
    experiment_id = client.create_experiment("gone")
    client.delete_experiment(experiment_id)
    with pytest.raises(InvalidInputError, match="restore"):
        client._prepare_logged_model(experiment_id, "model")
