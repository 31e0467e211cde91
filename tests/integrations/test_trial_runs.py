"""The trial runs of hyperopt and Optuna searches: the runs of trials that log nothing themselves written
together (one store write for a quick search), and a run in the store, active, as soon as something inside
the objective uses it."""

import time

import numpy as np
import pytest

import autolog
from tests._store_writes import count_write_transactions
from tests.integrations._searches import parent_and_children

hyperopt = pytest.importorskip("hyperopt")
optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def _hyperopt_search(objective, trials: int):
    from hyperopt import fmin, hp, tpe

    fmin(lambda point: objective(point["x"]), {"x": hp.uniform("x", -2, 2)}, algo=tpe.suggest,
         max_evals=trials, rstate=np.random.default_rng(0), show_progressbar=False)


def _optuna_search(objective, trials: int):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: objective(trial.suggest_float("x", -2, 2)), n_trials=trials)


SEARCHES = {"hyperopt": _hyperopt_search, "optuna": _optuna_search}


@pytest.fixture(params=sorted(SEARCHES))
def search(request):
    """(run a search of ``objective(x)`` with ``trials`` trials, under this integration)."""
    integration = autolog.integration(request.param)
    integration.enable()
    yield SEARCHES[request.param]
    integration.enable(disable=True)


@pytest.fixture
def transactions(monkeypatch):
    """One entry per write transaction of the tracking database from now on."""
    return count_write_transactions(monkeypatch)


def test_quick_trials_that_log_nothing_themselves_share_one_store_write(search, transactions):
    search(lambda x: (x - 1) ** 2, trials=3)
    three = len(transactions)
    transactions.clear()
    search(lambda x: (x - 1) ** 2, trials=7)
    assert len(transactions) == three  # four more trials, no more writes
    parents, children = parent_and_children()
    assert len(parents) == 2 and len(children) == 10
    for child in children:
        assert child.info.status == "FINISHED" and child.info.end_time >= child.info.start_time
        assert child.data.tags["autolog.trial.state"] in ("ok", "COMPLETE")
        assert child.data.tags["mlflow.parentRunId"] in {parent.info.run_id for parent in parents}
        assert child.info.run_name == f"trial-{child.data.tags['autolog.trial.number']}"
        objective = child.data.metrics.get("loss", child.data.metrics.get("value"))
        assert objective == pytest.approx((float(child.data.params["x"]) - 1) ** 2)


def test_the_trial_run_exists_and_is_active_once_the_objective_uses_it(search):
    seen = []

    def objective(x):
        run = autolog.active_run()
        stored = autolog.Client().get_run(run.info.run_id)
        seen.append((run.info.run_id, stored.info.status, stored.data.tags["mlflow.parentRunId"]))
        autolog.log_metric("inside", x)
        return x ** 2

    search(objective, trials=2)
    (parent,), children = parent_and_children()
    assert [run_id for run_id, _, _ in seen] == [child.info.run_id for child in children]
    assert {(status, parent_id) for _, status, parent_id in seen} == {("RUNNING", parent.info.run_id)}
    for child in children:
        assert child.info.status == "FINISHED" and "inside" in child.data.metrics
        assert "x" in child.data.params and child.data.tags["autolog.trial.number"] in ("0", "1")


def test_a_failed_trial_is_written_whole_as_failed(search):
    def objective(x):
        raise ValueError("the objective failed")

    with pytest.raises(ValueError, match="the objective failed"):
        search(objective, trials=2)
    (parent,), (child,) = parent_and_children()
    assert parent.info.status == "FAILED" and child.info.status == "FAILED"
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert autolog.active_run() is None


def _trial_names() -> set:
    return {run.info.run_name for run in autolog.search_runs(output_format="list")}


def test_a_trial_run_is_in_the_store_a_second_after_the_trial_ended_while_the_search_goes_on(search):
    seen = []

    def objective(x):
        if not seen:
            seen.append(_trial_names())  # the first trial: nothing written yet
        else:
            time.sleep(1.4)  # the second trial runs on; the first one's run is written meanwhile
            seen.append(_trial_names())
        return x ** 2

    search(objective, trials=2)
    assert "trial-0" not in seen[0] and "trial-0" in seen[1] and "trial-1" not in seen[1]
    assert {"trial-0", "trial-1"} <= _trial_names()


def test_a_trial_that_uses_its_run_sees_the_runs_of_the_earlier_trials(search):
    seen = []

    def objective(x):
        if len(seen) == 2:  # the third trial: the first two logged nothing themselves
            autolog.log_param("used", True)  # creates this trial's run, writing the earlier ones first
            seen.append(_trial_names())
        else:
            seen.append(None)
        return x ** 2

    search(objective, trials=3)
    assert {"trial-0", "trial-1", "trial-2"} <= seen[2]
    (_parent,), children = parent_and_children()
    assert [child.info.run_name for child in children] == ["trial-0", "trial-1", "trial-2"]
    assert children[2].data.params["used"] == "True" and "used" not in children[0].data.params
