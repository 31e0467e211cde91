"""autolog.hyperopt(): a parent run per fmin, a child run per trial, trainings inside trials land there."""

import numpy as np
import pytest

import autolog
from autolog.testing import IntegrationContract
from tests.integrations._searches import disabled_after_each_test, parent_and_children, training_autologged

hyperopt = pytest.importorskip("hyperopt")
from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, hp, tpe  # noqa: E402

SPACE = {"x": hp.uniform("x", -2, 2), "depth": hp.choice("depth", [2, 3])}


def _search(objective=None, evals=4, **kwargs):
    objective = objective or (lambda point: (point["x"] - 1) ** 2)
    return fmin(objective, SPACE, algo=tpe.suggest, max_evals=evals, rstate=np.random.default_rng(0),
                show_progressbar=False, **kwargs)


class TestHyperoptContract(IntegrationContract):
    framework = "hyperopt"
    flavor = None
    logs_artifacts = False
    train_script = """
        import numpy as np
        from hyperopt import fmin, hp, tpe
        fmin(lambda x: x ** 2, hp.uniform("x", -1, 1), algo=tpe.suggest, max_evals=2,
             rstate=np.random.default_rng(0), show_progressbar=False)
    """

    def train(self):
        return _search()

    def predict(self, model):
        return np.array([model["x"], model["depth"]])

    def train_raising(self, error):
        def objective(point):
            raise error

        return _search(objective)


_disable = disabled_after_each_test("hyperopt")


def test_a_parent_run_per_search_and_a_child_run_per_trial():
    autolog.hyperopt()
    trials = Trials()
    best = _search(trials=trials)
    (parent,), children = parent_and_children()
    assert [child.info.run_name for child in children] == ["trial-0", "trial-1", "trial-2", "trial-3"]
    assert all(child.data.tags["mlflow.parentRunId"] == parent.info.run_id for child in children)
    losses = [trial["result"]["loss"] for trial in trials.trials]
    assert [child.data.metrics["loss"] for child in children] == pytest.approx(losses)
    for child, trial in zip(children, trials.trials):
        assert float(child.data.params["x"]) == pytest.approx(trial["misc"]["vals"]["x"][0])
        assert child.data.params["depth"] in ("2", "3")
        assert child.data.tags["autolog.trial.state"] == "ok" and child.info.status == "FINISHED"
    best_index = int(np.argmin(losses))
    assert parent.data.tags["autolog.best_trial_run_id"] == children[best_index].info.run_id
    assert parent.data.metrics["best_loss"] == pytest.approx(min(losses))
    assert float(parent.data.params["best_x"]) == pytest.approx(best["x"])
    assert parent.data.params["max_evals"] == "4" and parent.data.params["algo"] == "hyperopt.tpe"


def test_failed_trials_keep_their_status_and_never_win():
    autolog.hyperopt()

    def objective(point):
        if point["x"] > 0:
            return {"status": STATUS_FAIL}
        return {"loss": -point["x"], "status": STATUS_OK, "accuracy": 0.5}

    _search(objective, evals=6)
    (parent,), children = parent_and_children()
    states = {child.data.tags["autolog.trial.state"] for child in children}
    assert states == {"ok", "fail"}
    ok = [child for child in children if child.data.tags["autolog.trial.state"] == "ok"]
    assert all(child.data.metrics["accuracy"] == 0.5 for child in ok)
    best = min(ok, key=lambda child: child.data.metrics["loss"])
    assert parent.data.tags["autolog.best_trial_run_id"] == best.info.run_id


def test_training_inside_the_objective_lands_in_the_trial_run():
    xgb = pytest.importorskip("xgboost")
    autolog.hyperopt()
    with training_autologged("xgboost", rows=60) as data:
        dtrain = xgb.DMatrix(data, label=data[:, 0])

        def objective(point):
            booster = xgb.train({"max_depth": point["depth"]}, dtrain, 3, evals=[(dtrain, "train")],
                                verbose_eval=False)
            return float(booster.eval(dtrain).split(":")[1])

        _search(objective, evals=2)
    (parent,), children = parent_and_children()
    assert len(children) == 2
    for child in children:
        assert child.data.params["max_depth"] == child.data.params["depth"]
        assert "train-rmse" in child.data.metrics and "loss" in child.data.metrics
    assert "max_depth" not in parent.data.params


def test_inside_a_user_run_the_trials_are_its_children():
    autolog.hyperopt()
    with autolog.start_run() as run:
        _search(evals=2)
    (parent,), children = parent_and_children()
    assert parent.info.run_id == run.info.run_id
    assert {child.data.tags["mlflow.parentRunId"] for child in children} == {run.info.run_id}


def test_a_param_the_training_logged_differently_keeps_the_training_value():
    autolog.hyperopt()

    def objective(point):
        autolog.log_param("x", "set by the objective")
        return point["x"] ** 2

    _search(objective, evals=2)
    (parent,), children = parent_and_children()
    assert all(child.data.params["x"] == "set by the objective" and "depth" in child.data.params
               for child in children)
    assert all(child.data.tags["autolog.trial.state"] == "ok" for child in children)
