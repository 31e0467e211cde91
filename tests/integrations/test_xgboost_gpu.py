"""autolog.xgboost() on a CUDA device: the same record as on the CPU. Skipped where no GPU trains."""

import json

import numpy as np
import pytest
import xgboost as xgb

import autolog
import flavors

RNG = np.random.default_rng(3)
X = RNG.random((2_000, 6)).astype(np.float32)
Y = X @ np.arange(1, 7, dtype=np.float32) + RNG.normal(0, 0.1, 2_000).astype(np.float32)


def _device_of(booster) -> str:
    return json.loads(booster.save_config())["learner"]["generic_param"]["device"]


def _cuda_trains() -> bool:
    try:
        booster = xgb.train({"device": "cuda", "verbosity": 0}, xgb.DMatrix(X[:50], label=Y[:50]), 1)
    except xgb.core.XGBoostError:
        return False
    return _device_of(booster).startswith("cuda")


pytestmark = pytest.mark.skipif(not _cuda_trains(), reason="no CUDA device that xgboost can train on")


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.xgboost(disable=True)


def _train(**params):
    dtrain = xgb.DMatrix(X[:1_500], label=Y[:1_500], feature_names=[f"f{i}" for i in range(6)])
    dvalid = xgb.DMatrix(X[1_500:], label=Y[1_500:], feature_names=[f"f{i}" for i in range(6)])
    return xgb.train({"device": "cuda", "tree_method": "hist", "max_depth": 4, "seed": 0, **params}, dtrain, 60,
                     evals=[(dvalid, "validation")], early_stopping_rounds=5, verbose_eval=False)


def test_gpu_training_is_autologged_like_cpu_training():
    baseline = _train()
    autolog.xgboost()
    booster = _train()
    assert _device_of(booster).startswith("cuda")
    dvalid = xgb.DMatrix(X[1_500:], feature_names=[f"f{i}" for i in range(6)])
    np.testing.assert_array_equal(booster.predict(dvalid), baseline.predict(dvalid))

    run = autolog.last_active_run()
    assert run.info.status == "FINISHED"
    assert run.data.params["device"] == "cuda"
    assert run.data.params["tree_method"] == "hist"
    client = autolog.Client()
    history = client.get_metric_history(run.info.run_id, "validation-rmse")
    assert len(history) >= booster.best_iteration + 1
    assert run.data.metrics["best_iteration"] == booster.best_iteration
    artifacts = {info.path for info in client.list_artifacts(run.info.run_id)}
    assert "model" in artifacts

    model_uri = f"runs:/{run.info.run_id}/model"
    native = flavors.xgboost.load_model(model_uri)
    np.testing.assert_allclose(native.predict(dvalid), booster.predict(dvalid), rtol=1e-6)
    scored = flavors.pyfunc.load_model(model_uri).predict(X[1_500:])
    np.testing.assert_allclose(np.asarray(scored), booster.predict(dvalid), rtol=1e-5)


def test_gpu_sklearn_api_is_autologged():
    autolog.xgboost()
    model = xgb.XGBRegressor(n_estimators=20, device="cuda", max_depth=3)
    model.fit(X[:1_500], Y[:1_500], eval_set=[(X[1_500:], Y[1_500:])], verbose=False)
    run = autolog.last_active_run()
    assert run.data.params["device"] == "cuda"
    assert len(autolog.Client().get_metric_history(run.info.run_id, "validation_0-rmse")) == 20
    loaded = flavors.xgboost.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(X[1_500:]), model.predict(X[1_500:]), rtol=1e-6)
