"""The trial runs of hyperopt and Optuna searches: one store write per trial that logs nothing itself, and a
run in the store, active, as soon as something inside the objective uses it."""

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


def test_a_trial_that_logs_nothing_itself_is_one_store_write(search, transactions):
    search(lambda x: (x - 1) ** 2, trials=3)
    three = len(transactions)
    transactions.clear()
    search(lambda x: (x - 1) ** 2, trials=7)
    assert len(transactions) - three == 4  # four more trials, four more writes
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
