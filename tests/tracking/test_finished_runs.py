"""Runs written whole (``log_finished_run``) and deferred active runs, on every SQL store."""

import math
import time

import pytest

import autolog
from autolog.tracking import Param, RunTag, fluent
from autolog.tracking.deferred_runs import start_deferred_run
from tests._store_writes import count_write_transactions


def _store():
    return autolog.Client()._store


def test_a_finished_run_is_written_whole_in_one_transaction(monkeypatch):
    writes = count_write_transactions(monkeypatch)
    columns = (["loss", "loss", "acc"], [0.5, 0.25, 0.9], [1000, 2000, 2000], [0, 1, 1])
    run = _store().log_finished_run("0", "ann", "trial-0", 1000, 2500, "KILLED",
                                    [RunTag("mlflow.runName", "trial-0"), RunTag("state", "PRUNED")],
                                    [Param("x", "0.5"), Param("x", "0.5")], columns)
    assert len(writes) == 1
    stored = autolog.Client().get_run(run.info.run_id)
    assert (stored.info.status, stored.info.start_time, stored.info.end_time) == ("KILLED", 1000, 2500)
    assert stored.info.run_name == "trial-0" and stored.info.user_id == "ann"
    assert stored.info.artifact_uri == run.info.artifact_uri
    assert stored.data.params == {"x": "0.5"} and stored.data.tags["state"] == "PRUNED"
    assert stored.data.metrics == {"loss": 0.25, "acc": 0.9}
    history = autolog.Client().get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 0.5), (1, 0.25)]


def test_a_finished_run_in_a_missing_or_deleted_experiment_is_refused_and_nothing_is_written():
    client = autolog.Client()
    with pytest.raises(autolog.NotFoundError, match="'42'"):
        _store().log_finished_run("42", "ann", "r", 1, 2, "FINISHED")
    experiment_id = client.create_experiment("gone")
    client.delete_experiment(experiment_id)
    with pytest.raises(autolog.InvalidInputError, match="'gone' is deleted"):
        _store().log_finished_run(experiment_id, "ann", "r", 1, 2, "FINISHED", params=[Param("p", "1")])
    with pytest.raises(autolog.InvalidInputError, match="'p' appears twice"):
        _store().log_finished_run("0", "ann", "r", 1, 2, "FINISHED", params=[Param("p", "1"), Param("p", "2")])
    assert client.search_runs(["0", experiment_id], run_view_type=autolog.ViewType.ALL) == []


def test_a_deferred_run_untouched_is_one_write_with_the_stack_restored(monkeypatch):
    with autolog.start_run() as parent:
        writes = count_write_transactions(monkeypatch)
        deferred = start_deferred_run("0", "child", parent.info.run_id, {"kind": "trial"})
        assert autolog.active_run() is deferred and not deferred.started and writes == []
        run_id = deferred.finish("FINISHED", {"alpha": 0.1}, [("loss", 1.5, 0)], {"state": "ok"})
        assert len(writes) == 1 and autolog.active_run() is parent
    child = autolog.Client().get_run(run_id)
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id and child.data.tags["kind"] == "trial"
    assert child.data.tags["mlflow.user"] and child.data.tags["mlflow.source.name"]
    assert child.data.params == {"alpha": "0.1"} and child.data.metrics == {"loss": 1.5}
    assert child.info.status == "FINISHED" and child.info.run_name == "child"


def test_reading_a_deferred_run_creates_it_running_as_the_active_run():
    with autolog.start_run() as parent:
        deferred = start_deferred_run("0", "child", parent.info.run_id, {})
        time.sleep(0.05)
        first_use = int(time.time() * 1000)
        autolog.log_param("lr", 0.1)  # the first use creates the run
        assert deferred.started
        stored = autolog.Client().get_run(deferred.info.run_id)
        assert stored.info.status == "RUNNING" and stored.data.params == {"lr": "0.1"}
        assert stored.info.start_time <= first_use - 40  # started when it was opened, not when first used
        with autolog.start_run(nested=True) as grandchild:
            assert grandchild.data.tags["mlflow.parentRunId"] == deferred.info.run_id
        fluent._end_runs_down_to(deferred.info.run_id, "FINISHED")
        assert autolog.active_run() is parent
    assert autolog.Client().get_run(deferred.info.run_id).info.status == "FINISHED"


def test_several_finished_runs_are_written_in_one_transaction_or_not_at_all(monkeypatch):
    store, client = _store(), autolog.Client()
    prepared = [store.prepare_finished_run("0", "ann", f"trial-{n}", 1000 + n, 2000 + n, "FINISHED",
                                           [RunTag("n", str(n))], [Param("x", str(n))],
                                           (["loss", "gap"], [float(n), float("nan")], [2000, 2000], [0, 0]))
                for n in range(3)]
    assert len({finished.run.info.run_id for finished in prepared}) == 3
    writes = count_write_transactions(monkeypatch)
    store.log_finished_runs("0", prepared)
    assert len(writes) == 1
    for n, finished in enumerate(prepared):
        stored = client.get_run(finished.run.info.run_id)
        info = stored.info
        assert (info.run_name, info.start_time, info.status) == (f"trial-{n}", 1000 + n, "FINISHED")
        assert stored.data.params == {"x": str(n)} and stored.data.metrics["loss"] == float(n)
        assert math.isnan(stored.data.metrics["gap"])  # a NaN point: its latest value is NaN too
    experiment_id = client.create_experiment("gone")
    late = store.prepare_finished_run(experiment_id, "ann", "late", 1, 2, "FINISHED")
    client.delete_experiment(experiment_id)
    with pytest.raises(autolog.InvalidInputError, match="'gone' is deleted"):
        store.log_finished_runs(experiment_id, [late, late])
    assert client.search_runs([experiment_id], run_view_type=autolog.ViewType.ALL) == []
