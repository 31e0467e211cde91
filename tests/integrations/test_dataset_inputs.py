"""The autologgers record the training set and every evaluation set as the run's dataset inputs."""

import json

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.linear_model import LinearRegression

import autolog

RNG = np.random.default_rng(3)
X = RNG.random((120, 3))
Y = X[:, 0] * 2 + RNG.normal(0, 0.05, 120)
FRAME = pd.DataFrame(X, columns=["a", "b", "c"])


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.disable()


def _inputs() -> dict:
    (run,) = autolog.search_runs(output_format="list")
    return {i.dataset.name: {t.key: t.value for t in i.tags}["mlflow.data.context"]
            for i in run.inputs.dataset_inputs}, run


def test_sklearn_records_the_training_set():
    autolog.sklearn(log_models=False)
    LinearRegression().fit(FRAME, Y)
    contexts, run = _inputs()
    assert contexts == {"train": "train"}
    dataset = run.inputs.dataset_inputs[0].dataset
    assert dataset.digest == run.data.tags["autolog.dataset.digest"][:36]
    assert json.loads(dataset.schema)["mlflow_colspec"][0] == {"type": "double", "name": "a", "required": True}
    assert json.loads(dataset.profile) == {"num_rows": 120, "num_elements": 360}
    assert autolog.search_runs(filter_string="datasets.context = 'train'", output_format="list") == [run]


def test_xgboost_train_records_every_evaluation_set():
    autolog.xgboost(log_models=False)
    dtrain, dvalid = xgb.DMatrix(X[:80], label=Y[:80]), xgb.DMatrix(X[80:], label=Y[80:])
    xgb.train({"nthread": 1}, dtrain, 3, evals=[(dtrain, "train"), (dvalid, "validation")])
    contexts, _ = _inputs()
    assert contexts == {"train": "train", "validation": "eval"}


def test_xgboost_sklearn_eval_set_is_recorded():
    autolog.xgboost(log_models=False)
    xgb.XGBRegressor(n_estimators=3, nthread=1).fit(X[:80], Y[:80], eval_set=[(X[80:], Y[80:])], verbose=False)
    contexts, _ = _inputs()
    assert contexts == {"train": "train", "validation_0": "eval"}


def test_lightgbm_records_validation_sets():
    autolog.lightgbm(log_models=False)
    dtrain = lgb.Dataset(X[:80], label=Y[:80])
    dvalid = lgb.Dataset(X[80:], label=Y[80:], reference=dtrain)
    lgb.train({"verbose": -1, "num_threads": 1}, dtrain, 3, valid_sets=[dtrain, dvalid],
              valid_names=["training", "holdout"])
    contexts, _ = _inputs()
    assert contexts == {"train": "train", "holdout": "eval"}


class _ArgsRegressor(lgb.LGBMRegressor):
    """A subclass whose fit takes *args and **kwargs, as wrappers often do."""

    def fit(self, *args, **kwargs):
        return super().fit(*args, **kwargs)


def test_lightgbm_fit_wrapper_with_star_args_is_logged_without_a_fingerprint():
    autolog.lightgbm(log_models=False)
    _ArgsRegressor(n_estimators=3, verbose=-1).fit(X, Y)
    (run,) = autolog.search_runs(output_format="list")
    assert run.data.params["n_estimators"] == "3" and run.info.status == "FINISHED"


def test_xgboost_subclass_defined_before_enabling_is_autologged():
    class Wrapped(xgb.XGBRegressor):
        def fit(self, X, y, **kwargs):
            return super().fit(X, y, **kwargs)

    autolog.xgboost(log_models=False)
    Wrapped(n_estimators=2, nthread=1).fit(X, Y)
    (run,) = autolog.search_runs(output_format="list")
    assert run.data.tags["mlflow.autologging"] == "xgboost" and run.data.params["n_estimators"] == "2"
