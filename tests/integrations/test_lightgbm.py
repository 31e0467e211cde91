"""autolog.lightgbm(): what lgb.train, lgb.cv and the sklearn API record, and the shared contract."""

import json

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

import autolog
import flavors
from autolog.testing import IntegrationContract

RNG = np.random.default_rng(0)
X = RNG.random((300, 4))
Y = X[:, 0] * 2 + X[:, 1] + RNG.normal(0, 0.05, 300)
FRAME = pd.DataFrame(X, columns=["age", "income", "rooms", "distance"])
PARAMS = {"num_leaves": 7, "verbose": -1, "seed": 1, "deterministic": True, "num_threads": 1}


def _train(**kwargs):
    dtrain = lgb.Dataset(X[:200], label=Y[:200])
    dvalid = lgb.Dataset(X[200:], label=Y[200:], reference=dtrain)
    return lgb.train(PARAMS, dtrain, 8, valid_sets=[dvalid], valid_names=["validation"], **kwargs)


class TestLightGBMContract(IntegrationContract):
    framework = "lightgbm"
    train_script = """
        import numpy as np, lightgbm as lgb
        X = np.random.default_rng(0).random((100, 3))
        lgb.train({"verbose": -1, "num_threads": 1}, lgb.Dataset(X, label=X[:, 0]), 3)
    """

    def enable(self, **options):
        autolog.lightgbm(**options)

    def train(self):
        return _train()

    def predict(self, model):
        return model.predict(X)

    def train_raising(self, error):
        def raise_it(env):
            raise error

        return _train(callbacks=[raise_it])


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.lightgbm(disable=True)


def _only_run():
    (run,) = autolog.search_runs(output_format="list")
    return run


def _artifact_json(run, path):
    with open(autolog.Client().download_artifacts(run.info.run_id, path)) as handle:
        return json.load(handle)


def test_train_logs_params_metrics_of_every_valid_set_and_early_stopping():
    autolog.lightgbm(log_models=False)
    dtrain = lgb.Dataset(X[:200], label=Y[:200])
    booster = lgb.train({**PARAMS, "metric": ["l2", "l1"]}, dtrain, 200,
                        valid_sets=[dtrain, lgb.Dataset(X[200:], label=Y[200:], reference=dtrain)],
                        valid_names=["train", "valid"], callbacks=[lgb.early_stopping(5, verbose=False)])
    run = _only_run()
    params = run.data.params
    assert params["num_leaves"] == "7" and params["num_boost_round"] == "200" and params["metric"] == "['l2', 'l1']"
    metrics = run.data.metrics
    assert metrics["best_iteration"] == booster.best_iteration > 0
    stopped = int(metrics["stopped_iteration"])
    assert stopped == booster.best_iteration + 5 < 200
    history = autolog.Client().get_metric_history(run.info.run_id, "valid-l2")
    assert [m.step for m in history] == list(range(stopped)) + [stopped]
    assert metrics["valid-l2"] == pytest.approx(booster.best_score["valid"]["l2"])
    assert metrics["valid-l2"] == pytest.approx(history[booster.best_iteration - 1].value)
    assert {"train-l1", "train-l2", "valid-l1"} <= set(metrics)


def test_model_signature_importance_and_dataset_from_a_frame():
    autolog.lightgbm(log_input_examples=True)
    booster = lgb.train(PARAMS, lgb.Dataset(FRAME, label=Y), 5)
    run = _only_run()
    loaded = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(FRAME[:5]), booster.predict(FRAME[:5]))
    assert loaded.metadata.get_input_schema().input_names() == list(FRAME.columns)
    assert isinstance(flavors.lightgbm.load_model(f"runs:/{run.info.run_id}/model"), lgb.Booster)
    names = {info.path for info in autolog.Client().list_artifacts(run.info.run_id)}
    for kind in ("split", "gain"):
        assert {f"feature_importance_{kind}.json", f"feature_importance_{kind}.svg"} <= names
    gain = _artifact_json(run, "feature_importance_gain.json")
    assert gain == pytest.approx(dict(zip(FRAME.columns, booster.feature_importance("gain"))))
    dataset = _artifact_json(run, "datasets/train.json")
    assert dataset["shape"] == [300, 4] and [f["name"] for f in dataset["features"]] == list(FRAME.columns)
    assert run.data.tags["autolog.dataset.digest"] == dataset["digest"]
    assert "model/input_example.json" in {i.path for i in autolog.Client().list_artifacts(run.info.run_id, "model")}


def test_dataset_digest_follows_the_data_even_when_already_constructed():
    autolog.lightgbm(log_models=False)
    lgb.train(PARAMS, lgb.Dataset(X, label=Y), 2)
    lgb.train(PARAMS, lgb.Dataset(X, label=Y).construct(), 2)
    changed = X.copy()
    changed[150, 2] += 1
    lgb.train(PARAMS, lgb.Dataset(changed, label=Y), 2)
    runs = autolog.search_runs(output_format="list", order_by=["attributes.start_time ASC"])
    digests = [r.data.tags["autolog.dataset.digest"] for r in runs]
    assert len(digests) == 3 and digests[0] != digests[2]
    assert runs[1].data.tags["autolog.dataset.shape"] == "300x4"


@pytest.mark.parametrize("estimator, labels", [
    (lgb.LGBMRegressor, Y), (lgb.LGBMClassifier, (Y > 1.5).astype(int)),
])
def test_sklearn_api_logs_one_run_once_with_the_estimator_as_model(estimator, labels):
    autolog.lightgbm()
    model = estimator(n_estimators=30, num_leaves=7, verbose=-1, n_jobs=1)
    model.fit(FRAME[:200], labels[:200], eval_X=(FRAME[200:],), eval_y=(labels[200:],),
              callbacks=[lgb.early_stopping(3, verbose=False)])
    run = _only_run()
    assert run.data.params["num_leaves"] == "7" and run.data.params["n_estimators"] == "30"
    assert any(key.startswith("valid_0-") for key in run.data.metrics)
    assert run.data.metrics["best_iteration"] == model.best_iteration_
    loaded = flavors.lightgbm.load_model(f"runs:/{run.info.run_id}/model")
    assert type(loaded) is estimator
    np.testing.assert_allclose(loaded.predict(FRAME[:5]), model.predict(FRAME[:5]))
    assert run.data.tags["autolog.dataset.source"] == "pandas"


def test_ranker_fit():
    autolog.lightgbm(log_models=False)
    ranker = lgb.LGBMRanker(n_estimators=3, verbose=-1, min_child_samples=2, n_jobs=1)
    ranker.fit(X[:200], (Y[:200] > 1.5).astype(int), group=[10] * 20)
    assert _only_run().data.params["n_estimators"] == "3"


def test_cv_logs_mean_and_std_per_iteration():
    autolog.lightgbm()
    results = lgb.cv(PARAMS, lgb.Dataset(X, label=Y), 4, nfold=3, stratified=False)
    run = _only_run()
    assert run.data.params["nfold"] == "3"
    assert run.data.metrics["valid-l2-mean"] == pytest.approx(results["valid l2-mean"][-1])
    assert len(autolog.Client().get_metric_history(run.info.run_id, "valid-l2-std")) == 4
    assert "model" not in {i.path for i in autolog.Client().list_artifacts(run.info.run_id)}


def test_user_callbacks_are_kept_and_not_mutated():
    autolog.lightgbm(log_models=False)
    seen = []
    callbacks = [lambda env: seen.append(env.iteration)]
    _train(callbacks=callbacks)
    assert seen == list(range(8)) and len(callbacks) == 1


def test_registered_model_name_extra_tags_and_switches():
    autolog.lightgbm(registered_model_name="house-prices", extra_tags={"team": "pricing"})
    _train()
    run = _only_run()
    assert run.data.tags["team"] == "pricing"
    assert autolog.Client().get_model_version("house-prices", "1").run_id == run.info.run_id
    autolog.lightgbm(log_models=False, log_datasets=False)
    _train()
    latest = autolog.last_active_run()
    names = {info.path for info in autolog.Client().list_artifacts(latest.info.run_id)}
    assert "model" not in names and "datasets" not in names
    assert not any(key.startswith("autolog.dataset") for key in latest.data.tags)


def test_custom_metric_is_named_and_logged():
    autolog.lightgbm(log_models=False)

    def max_error(preds, data):
        return "max_error", float(np.max(np.abs(preds - data.get_label()))), False

    _train(feval=max_error)
    run = _only_run()
    assert run.data.params["feval"] == "max_error"
    assert "validation-max_error" in run.data.metrics


def test_a_training_that_raises_keeps_the_metrics_of_the_iterations_before():
    autolog.lightgbm(log_models=False)
    seen = {}

    def raise_at_four(env):  # after ours (order 5): iteration 4's results are noted before it raises
        seen[env.iteration] = env.evaluation_result_list[0][2]
        if env.iteration == 4:
            raise RuntimeError("stop at four")

    raise_at_four.order = 20
    with pytest.raises(RuntimeError, match="stop at four"):
        _train(callbacks=[raise_at_four])
    run = _only_run()
    assert run.info.status == "FAILED"
    history = autolog.Client().get_metric_history(run.info.run_id, "validation-l2")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    assert [m.value for m in history] == pytest.approx([seen[step] for step in range(5)], rel=1e-12)
    assert [m.timestamp for m in history] == sorted(m.timestamp for m in history)
