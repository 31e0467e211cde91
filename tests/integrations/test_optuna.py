"""autolog.optuna(): a parent run per optimize, a child run per trial with state and intermediate values."""

import numpy as np
import pytest

import autolog
from autolog.testing import IntegrationContract
from tests.integrations._searches import disabled_after_each_test, parent_and_children, training_autologged

optuna = pytest.importorskip("optuna")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def _study(**kwargs):
    return optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0), **kwargs)


def _objective(trial):
    return (trial.suggest_float("x", -2, 2) - 1) ** 2 + trial.suggest_int("n", 1, 3)


class TestOptunaContract(IntegrationContract):
    framework = "optuna"
    flavor = None
    logs_artifacts = False
    train_script = """
        import optuna
        optuna.create_study().optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=2)
    """

    def train(self):
        study = _study()
        study.optimize(_objective, n_trials=3)
        return study

    def predict(self, model):
        return np.array([trial.value for trial in model.trials])

    def train_raising(self, error):
        def objective(trial):
            raise error

        _study().optimize(objective, n_trials=2)


_disable = disabled_after_each_test("optuna")


def test_trials_pruned_and_complete_with_intermediate_values():
    autolog.optuna()

    def objective(trial):
        x = trial.suggest_float("x", -2, 2)
        for step in range(3):
            trial.report(x + step, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return x

    study = _study(pruner=optuna.pruners.ThresholdPruner(upper=2.5))
    study.optimize(objective, n_trials=6)
    (parent,), children = parent_and_children()
    assert len(children) == 6
    client = autolog.Client()
    for child, trial in zip(children, study.trials):
        state = trial.state.name
        assert child.data.tags["autolog.trial.state"] == state
        assert child.info.status == {"COMPLETE": "FINISHED", "PRUNED": "KILLED"}[state]
        assert float(child.data.params["x"]) == pytest.approx(trial.params["x"])
        history = client.get_metric_history(child.info.run_id, "intermediate_value")
        assert [(m.step, m.value) for m in history] == sorted(trial.intermediate_values.items())
        if state == "COMPLETE":
            assert child.data.metrics["value"] == pytest.approx(trial.value)
    assert {trial.state.name for trial in study.trials} == {"COMPLETE", "PRUNED"}
    best = study.best_trial
    assert parent.data.tags["autolog.best_trial_run_id"] == children[best.number].info.run_id
    assert parent.data.metrics["best_value"] == pytest.approx(best.value)
    assert parent.data.params["sampler"] == "RandomSampler" and parent.data.params["n_trials"] == "6"


def test_a_failed_trial_caught_by_optuna_is_failed():
    autolog.optuna()

    def objective(trial):
        x = trial.suggest_float("x", -2, 2)
        if trial.number == 1:
            raise ValueError("bad trial")
        return x

    _study().optimize(objective, n_trials=3, catch=(ValueError,))
    (parent,), children = parent_and_children()
    assert [child.info.status for child in children] == ["FINISHED", "FAILED", "FINISHED"]
    assert children[1].data.tags["autolog.trial.state"] == "FAIL"
    assert parent.info.status == "FINISHED"


def test_parallel_trials_each_get_their_run_and_nested_training_lands_there():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import Ridge

    autolog.optuna()
    study = _study(direction="maximize")
    with training_autologged("sklearn", rows=40) as data:
        def objective(trial):
            model = Ridge(alpha=trial.suggest_float("alpha", 0.1, 1.0)).fit(data, data[:, 0])
            return float(model.score(data, data[:, 0]))

        study.optimize(objective, n_trials=4, n_jobs=2)
    (parent,), children = parent_and_children()
    assert len(children) == 4
    for child, trial in zip(children, study.trials):
        assert float(child.data.params["alpha"]) == pytest.approx(trial.params["alpha"])
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.data.tags["mlflow.autologging"] == "sklearn"  # the training inside the trial set it
        assert any(key.startswith("training_") for key in child.data.metrics)
