"""The fluent run API against a real SQLite store."""

import math

import pytest

import autolog
from autolog.tracking import RunStatus


def test_run_records_params_metrics_tags_and_ends_finished():
    autolog.set_experiment("nyc-taxi")
    with autolog.start_run(run_name="lasso") as run:
        autolog.set_tag("developer", "J")
        autolog.log_param("train-data-path", "./data/green_tripdata_2021-01.parquet")
        autolog.log_params({"alpha": 0.1, "seed": 42})
        autolog.log_metric("rmse", 7.5)
        autolog.log_metrics({"mae": 5.0, "r2": 0.5}, step=3)
    stored = autolog.Client().get_run(run.info.run_id)
    assert stored.info.status == RunStatus.FINISHED
    assert stored.info.run_name == "lasso"
    assert stored.info.end_time >= stored.info.start_time
    assert stored.info.experiment_id == autolog.Client().get_experiment_by_name("nyc-taxi").experiment_id
    assert stored.data.params == {"train-data-path": "./data/green_tripdata_2021-01.parquet", "alpha": "0.1",
                                  "seed": "42"}
    assert stored.data.metrics == {"rmse": 7.5, "mae": 5.0, "r2": 0.5}
    assert stored.data.tags["developer"] == "J"
    assert stored.data.tags["mlflow.runName"] == "lasso"


def test_run_that_raises_ends_failed_and_keeps_what_was_logged():
    with pytest.raises(RuntimeError, match="boom"):
        with autolog.start_run() as run:
            autolog.log_metric("loss", 1.0)
            raise RuntimeError("boom")
    stored = autolog.Client().get_run(run.info.run_id)
    assert stored.info.status == RunStatus.FAILED
    assert stored.data.metrics == {"loss": 1.0}
    assert autolog.active_run() is None


def test_end_run_with_status_and_last_active_run():
    run = autolog.start_run()
    assert autolog.active_run().info.run_id == run.info.run_id
    autolog.end_run(status=RunStatus.KILLED)
    assert autolog.active_run() is None
    last = autolog.last_active_run()
    assert last.info.run_id == run.info.run_id and last.info.status == RunStatus.KILLED


def test_generated_run_name_when_none_given():
    with autolog.start_run() as run:
        pass
    name = autolog.Client().get_run(run.info.run_id).info.run_name
    assert name and name.count("-") == 2


def test_nested_runs_record_their_parent():
    with autolog.start_run() as parent:
        with pytest.raises(autolog.InvalidInputError, match="already active"):
            autolog.start_run()
        with autolog.start_run(nested=True) as child:
            autolog.log_param("depth", 1)
        assert autolog.active_run().info.run_id == parent.info.run_id
    child_run = autolog.Client().get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert child_run.info.status == RunStatus.FINISHED


def test_resuming_a_run_by_id():
    with autolog.start_run() as run:
        autolog.log_param("a", 1)
    with autolog.start_run(run_id=run.info.run_id):
        autolog.log_param("b", 2)
    assert autolog.Client().get_run(run.info.run_id).data.params == {"a": "1", "b": "2"}


def test_logging_without_a_run_starts_one():
    autolog.log_metric("x", 1.0)
    run = autolog.active_run()
    assert run is not None
    autolog.end_run()
    assert autolog.Client().get_run(run.info.run_id).data.metrics == {"x": 1.0}


def test_param_cannot_change_and_nothing_is_lost():
    with autolog.start_run() as run:
        autolog.log_param("alpha", 0.1)
        autolog.log_param("alpha", 0.1)
        with pytest.raises(autolog.InvalidInputError, match="'alpha'.*'0.1'"):
            autolog.log_param("alpha", 0.2)
        with pytest.raises(autolog.InvalidInputError, match="alpha"):
            autolog.log_params({"beta": 1, "alpha": 0.3})
    assert autolog.Client().get_run(run.info.run_id).data.params == {"alpha": "0.1"}


@pytest.mark.parametrize("key", ["", "a" * 300, "bad*key", "../escape", "/abs", 3])
def test_invalid_keys_are_rejected_by_name(key):
    with autolog.start_run():
        with pytest.raises(autolog.InvalidInputError, match="Invalid metric key"):
            autolog.log_metric(key, 1.0)
        with pytest.raises(autolog.InvalidInputError, match="Invalid param key"):
            autolog.log_param(key, 1)


@pytest.mark.parametrize("value", ["1.0", None, [1.0], True])
def test_metric_values_must_be_numbers(value):
    with autolog.start_run():
        with pytest.raises(autolog.InvalidInputError, match="'m'"):
            autolog.log_metric("m", value)


def test_nan_and_inf_are_stored_faithfully():
    import numpy as np

    with autolog.start_run() as run:
        autolog.log_metric("nan", float("nan"))
        autolog.log_metric("inf", float("inf"), step=0)
        autolog.log_metric("ninf", -math.inf)
        autolog.log_metric("np", np.float32(0.5))
    client = autolog.Client()
    metrics = client.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"]) and metrics["inf"] == math.inf and metrics["ninf"] == -math.inf
    assert metrics["np"] == 0.5
    assert math.isnan(client.get_metric_history(run.info.run_id, "nan")[0].value)


def test_metric_history_keeps_every_point_with_step_and_timestamp():
    with autolog.start_run() as run:
        for step in range(1000):
            autolog.log_metric("loss", 1.0 / (step + 1), step=step, timestamp=1_000 + step)
    history = autolog.Client().get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == list(range(1000))
    assert history[10].value == 1.0 / 11 and history[10].timestamp == 1010
    assert autolog.Client().get_run(run.info.run_id).data.metrics["loss"] == 1.0 / 1000


def test_latest_metric_is_the_highest_step_not_the_last_logged():
    with autolog.start_run() as run:
        autolog.log_metric("acc", 0.9, step=5)
        autolog.flush()
        autolog.log_metric("acc", 0.1, step=2)
    assert autolog.Client().get_run(run.info.run_id).data.metrics["acc"] == 0.9


def test_set_experiment_by_id_and_deleted_experiment():
    client = autolog.Client()
    experiment_id = client.create_experiment("to-delete")
    assert autolog.set_experiment(experiment_id=experiment_id).name == "to-delete"
    client.delete_experiment(experiment_id)
    with pytest.raises(autolog.InvalidInputError, match="deleted"):
        autolog.set_experiment("to-delete")
    client.restore_experiment(experiment_id)
    assert autolog.set_experiment("to-delete").experiment_id == experiment_id


def test_changing_tracking_uri_forgets_the_active_experiment(tmp_path):
    autolog.set_experiment("first")
    autolog.set_tracking_uri(str(tmp_path / "other"))
    with autolog.start_run() as run:
        pass
    assert run.info.experiment_id == "0"
    assert (tmp_path / "other" / "tracking.db").exists()


def test_experiment_name_from_environment(monkeypatch):
    monkeypatch.setenv("AUTOLOG_EXPERIMENT_NAME", "from-env")
    with autolog.start_run() as run:
        pass
    assert autolog.Client().get_experiment(run.info.experiment_id).name == "from-env"


def test_description_and_tags_at_start():
    with autolog.start_run(tags={"team": "fraud"}, description="first try") as run:
        pass
    tags = autolog.Client().get_run(run.info.run_id).data.tags
    assert tags["team"] == "fraud" and tags["mlflow.note.content"] == "first try"
