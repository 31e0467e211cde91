"""CatBoost and statsmodels models cross both ways with a real MLflow ($AUTOLOG_MLFLOW_PYTHON), when that
interpreter has catboost and statsmodels too (CI installs them beside MLflow)."""

import json
import os
import subprocess
import textwrap

import numpy as np
import pytest

import flavors

MLFLOW_PYTHON = os.environ.get("AUTOLOG_MLFLOW_PYTHON")
pytestmark = [pytest.mark.mlflow,
              pytest.mark.skipif(not MLFLOW_PYTHON, reason="AUTOLOG_MLFLOW_PYTHON names no interpreter with MLflow")]

catboost = pytest.importorskip("catboost")
sm = pytest.importorskip("statsmodels.api")


def _run_mlflow(script: str, cwd) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(MLFLOW_TRACKING_URI=f"sqlite:///{cwd}/mlflow.db", MLFLOW_ALLOW_PICKLE_DESERIALIZATION="true")
    result = subprocess.run([MLFLOW_PYTHON, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                            cwd=cwd, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", autouse=True)
def _mlflow_has_the_frameworks():
    if not MLFLOW_PYTHON:
        return
    probe = subprocess.run([MLFLOW_PYTHON, "-c", "import catboost, statsmodels.api, mlflow.catboost"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        pytest.skip("the MLflow interpreter lacks catboost or statsmodels")


def _models(frame):
    data, label = frame
    classifier = catboost.CatBoostClassifier(iterations=5, depth=2, verbose=False, thread_count=1,
                                             allow_writing_files=False).fit(data, label)
    ols = sm.OLS(label.astype(float), sm.add_constant(data)).fit()
    return classifier, ols


@pytest.mark.slow
def test_catboost_and_statsmodels_models_cross_both_ways(tmp_path, frame):
    """One MLflow process loads our models and saves its own, which then load here."""
    data, label = frame
    sm.add_constant(data).to_csv(tmp_path / "exog.csv", index=False)
    data.assign(label=label).to_csv(tmp_path / "data.csv", index=False)
    classifier, ols = _models(frame)
    flavors.catboost.save_model(classifier, tmp_path / "ours-catboost", input_example=data.head(2))
    flavors.statsmodels.save_model(ols, tmp_path / "ours-statsmodels")
    out = _run_mlflow("""
        import json, sys, mlflow, pandas as pd, catboost, statsmodels.api as sm
        assert "flavors" not in sys.modules
        frame, exog = pd.read_csv("data.csv"), pd.read_csv("exog.csv")
        data, label = frame[["a", "b", "c"]], frame["label"]
        results = mlflow.statsmodels.load_model("ours-statsmodels")
        out = {"type": type(mlflow.catboost.load_model("ours-catboost")).__name__,
               "ours-catboost": list(map(float, mlflow.pyfunc.load_model("ours-catboost").predict(data))),
               "ours-statsmodels": list(map(float, mlflow.pyfunc.load_model("ours-statsmodels").predict(exog))),
               "params": list(map(float, results.params))}
        regressor = catboost.CatBoostRegressor(iterations=5, depth=2, verbose=False, allow_writing_files=False)
        regressor.fit(data, label)
        mlflow.catboost.save_model(regressor, "theirs-catboost")
        arrays = sm.add_constant(data.to_numpy())  # arrays: a pickled frame needs the same pandas backend
        theirs = sm.OLS(label.to_numpy(dtype=float), arrays).fit()
        mlflow.statsmodels.save_model(theirs, "theirs-statsmodels")
        out["theirs-catboost"] = list(map(float, regressor.predict(data)))
        out["theirs-statsmodels"] = list(map(float, theirs.predict(arrays)))
        print(json.dumps(out))
    """, tmp_path)
    assert out["type"] == "CatBoostClassifier"
    np.testing.assert_allclose(out["ours-catboost"], classifier.predict(data))
    np.testing.assert_allclose(out["ours-statsmodels"], ols.predict(sm.add_constant(data)), rtol=1e-9)
    np.testing.assert_allclose(out["params"], ols.params, rtol=1e-12)

    native = flavors.catboost.load_model(tmp_path / "theirs-catboost")
    assert type(native).__name__ == "CatBoostRegressor"
    loaded = flavors.pyfunc.load_model(tmp_path / "theirs-catboost", suppress_warnings=True)
    np.testing.assert_allclose(loaded.predict(data), out["theirs-catboost"])
    arrays = sm.add_constant(data.to_numpy())
    results = flavors.statsmodels.load_model(tmp_path / "theirs-statsmodels")
    np.testing.assert_allclose(results.predict(arrays), out["theirs-statsmodels"], rtol=1e-9)
    pyfunc = flavors.pyfunc.load_model(tmp_path / "theirs-statsmodels", suppress_warnings=True)
    np.testing.assert_allclose(pyfunc.predict(arrays), out["theirs-statsmodels"], rtol=1e-9)
