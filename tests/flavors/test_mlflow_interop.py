"""Models cross both ways with a real MLflow, run in a separate interpreter ($AUTOLOG_MLFLOW_PYTHON)."""

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

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")


def _run_mlflow(script: str, tmp_path) -> dict:
    """Run ``script`` under MLflow's interpreter, without this project on its path; return its JSON output."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{tmp_path}/mlflow.db"
    result = subprocess.run([MLFLOW_PYTHON, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _models(frame):
    from sklearn.ensemble import RandomForestClassifier

    data, label = frame
    return {
        "xgboost": xgb.train({"max_depth": 2}, xgb.DMatrix(data, label), 4),
        "lightgbm": lgb.LGBMRegressor(n_estimators=4, num_leaves=4, verbose=-1).fit(data, label),
        "sklearn": RandomForestClassifier(n_estimators=3, random_state=0).fit(data, label),
    }


def test_our_models_load_in_mlflow(tmp_path, frame):
    data, _ = frame
    data.to_csv(tmp_path / "data.csv", index=False)
    expected = {}
    for name, model in _models(frame).items():
        getattr(flavors, name).save_model(model, tmp_path / name, signature=flavors.infer_signature(data),
                                          input_example=data.head(2))
        expected[name] = flavors.pyfunc.load_model(tmp_path / name).predict(data).tolist()
    out = _run_mlflow("""
        import json, sys, mlflow, pandas as pd
        assert "flavors" not in sys.modules
        data = pd.read_csv("data.csv")
        out = {}
        for name in ("xgboost", "lightgbm", "sklearn"):
            pyfunc = mlflow.pyfunc.load_model(name).predict(data)
            native = getattr(mlflow, name).load_model(name)
            out[name] = {"pyfunc": list(map(float, pyfunc)), "native": type(native).__name__}
        print(json.dumps(out))
    """, tmp_path)
    for name, values in expected.items():
        np.testing.assert_allclose(out[name]["pyfunc"], values, rtol=1e-6)
    assert out["xgboost"]["native"] == "Booster"
    assert out["lightgbm"]["native"] == "LGBMRegressor"
    assert out["sklearn"]["native"] == "RandomForestClassifier"


def test_mlflow_models_load_here(tmp_path, frame):
    data, _ = frame
    data.to_csv(tmp_path / "data.csv", index=False)
    out = _run_mlflow("""
        import json, mlflow, pandas as pd, xgboost as xgb, lightgbm as lgb
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.linear_model import LogisticRegression
        data = pd.read_csv("data.csv"); label = (data["a"] > 0.5).astype(int)
        sig = mlflow.models.infer_signature(data)
        out = {}
        b = xgb.train({}, xgb.DMatrix(data, label), 3)
        mlflow.xgboost.save_model(b, "m_xgb", signature=sig); out["m_xgb"] = b.predict(xgb.DMatrix(data)).tolist()
        r = xgb.XGBRegressor(n_estimators=3).fit(data, label)
        mlflow.xgboost.save_model(r, "m_xgbr"); out["m_xgbr"] = r.predict(data).tolist()
        lb = lgb.train({"verbose": -1}, lgb.Dataset(data, label), 3)
        mlflow.lightgbm.save_model(lb, "m_lgb"); out["m_lgb"] = lb.predict(data).tolist()
        lc = lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(data, label)
        mlflow.lightgbm.save_model(lc, "m_lgbc", signature=sig); out["m_lgbc"] = lc.predict(data).tolist()
        rf = RandomForestClassifier(3, random_state=0).fit(data, label)
        mlflow.sklearn.save_model(rf, "m_rf", skops_trusted_types=["sklearn.tree._tree.Tree"])
        out["m_rf"] = rf.predict(data).tolist()
        p = make_pipeline(StandardScaler(), LogisticRegression()).fit(data, label)
        mlflow.sklearn.save_model(p, "m_pipe", input_example=data.head(3)); out["m_pipe"] = p.predict(data).tolist()
        print(json.dumps(out))
    """, tmp_path)
    native_loaders = {"m_xgb": flavors.xgboost, "m_xgbr": flavors.xgboost, "m_lgb": flavors.lightgbm,
                      "m_lgbc": flavors.lightgbm, "m_rf": flavors.sklearn, "m_pipe": flavors.sklearn}
    for name, expected in out.items():
        path = tmp_path / name
        native = native_loaders[name].load_model(path)
        predict = native.predict(xgb.DMatrix(data)) if name == "m_xgb" else native.predict(data)
        np.testing.assert_allclose(predict, expected, rtol=1e-6)
        np.testing.assert_allclose(flavors.pyfunc.load_model(path, suppress_warnings=True).predict(data), expected,
                                   rtol=1e-6)
    pipeline = flavors.pyfunc.load_model(tmp_path / "m_pipe", suppress_warnings=True)
    assert pipeline.input_example.shape == (3, 3)
    assert type(flavors.sklearn.load_model(tmp_path / "m_rf")).__name__ == "RandomForestClassifier"


def test_an_autologged_forest_pickled_during_its_fit_loads_in_mlflow(tmp_path, frame):
    import autolog
    from sklearn.ensemble import RandomForestRegressor

    data, label = frame
    data.to_csv(tmp_path / "data.csv", index=False)
    autolog.sklearn()
    try:
        forest = RandomForestRegressor(n_estimators=4, random_state=0).fit(data, label)
    finally:
        autolog.sklearn(disable=True)
    run = autolog.last_active_run()
    model_dir = autolog.Client()._repository(run.info.run_id).local_path("model")
    out = _run_mlflow(f"""
        import json, mlflow, pandas as pd
        data = pd.read_csv("data.csv")
        native = mlflow.sklearn.load_model({model_dir!r})
        pyfunc = mlflow.pyfunc.load_model({model_dir!r})
        print(json.dumps({{"native": native.predict(data).tolist(), "pyfunc": list(map(float, pyfunc.predict(data))),
                          "trees": len(native.estimators_)}}))
    """, tmp_path)
    assert out["trees"] == 4
    np.testing.assert_allclose(out["native"], forest.predict(data), rtol=1e-12)
    np.testing.assert_allclose(out["pyfunc"], forest.predict(data), rtol=1e-12)
