"""The seed notes' journey through a real server: with our client, and with the stock MLflow client."""

import json
import os
import subprocess
import textwrap

import numpy as np
import pytest

import autolog
import flavors
from tests.server.conftest import run_cli

MLFLOW_PYTHON = os.environ.get("AUTOLOG_MLFLOW_PYTHON")


def _journey(tracking_uri, tmp_path) -> dict:
    xgb = pytest.importorskip("xgboost")
    autolog.set_tracking_uri(tracking_uri)
    autolog.set_experiment("nyc-taxi")
    with autolog.start_run(run_name="manual") as manual:
        autolog.log_param("alpha", 0.1)
        for step in range(30):
            autolog.log_metric("rmse", 10 - step * 0.2, step=step)
        autolog.set_tag("model", "linear")
        autolog.log_text("dv", "preprocessor/dv.txt")
    autolog.xgboost()
    try:
        rng = np.random.default_rng(0)
        features = rng.random((150, 4))
        target = features @ np.array([1.0, 2.0, 3.0, 4.0])
        data = xgb.DMatrix(features, target)
        xgb.train({"max_depth": 2, "seed": 0}, data, 15, evals=[(data, "validation")], verbose_eval=False)
    finally:
        autolog.xgboost(disable=True)
    xgb_run = autolog.last_active_run()
    client = autolog.Client()
    found = autolog.search_runs(filter_string="metrics.rmse < 6.8 and params.alpha = '0.1'", output_format="list")
    version = autolog.register_model(f"runs:/{xgb_run.info.run_id}/model", "nyc-taxi-regressor")
    client.transition_model_version_stage("nyc-taxi-regressor", version.version, "Production")
    client.set_registered_model_alias("nyc-taxi-regressor", "champion", version.version)
    model = flavors.pyfunc.load_model("models:/nyc-taxi-regressor@champion")
    staged = flavors.pyfunc.load_model("models:/nyc-taxi-regressor/Production")
    downloaded = client.download_artifacts(manual.info.run_id, "preprocessor", str(tmp_path / tracking_uri[-5:]))
    return {
        "history": [(m.step, m.value) for m in client.get_metric_history(manual.info.run_id, "rmse")],
        "found": [run.info.run_name for run in found],
        "xgb_params": xgb_run.data.params, "xgb_metrics": sorted(xgb_run.data.metrics),
        "xgb_history": len(client.get_metric_history(xgb_run.info.run_id, "validation-rmse")),
        "artifacts": sorted(f.path for f in client.list_artifacts(xgb_run.info.run_id, "model")),
        "version": (version.version, version.status),
        "latest": [v.version for v in client.get_latest_versions("nyc-taxi-regressor", ["Production"])],
        "predictions": model.predict(features[:5]).tolist(), "staged": staged.predict(features[:5]).tolist(),
        "downloaded": sorted(os.listdir(downloaded)),
    }


@pytest.mark.slow
def test_our_client_journey_matches_the_local_store(server, tmp_path):
    remote = _journey(server.url, tmp_path)
    local = _journey(str(tmp_path / "local-store"), tmp_path)
    assert remote == local
    assert remote["found"] == ["manual"] and remote["xgb_history"] == 15 and remote["latest"] == ["1"]
    assert "server.log" not in "".join(os.listdir(server.store_dir)) and "not served" not in server.log()


MLFLOW_JOURNEY = textwrap.dedent("""
    import json, os, sys, tempfile
    import numpy as np
    import mlflow, mlflow.pyfunc, mlflow.sklearn, mlflow.xgboost
    import xgboost as xgb
    from sklearn.linear_model import Ridge
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(sys.argv[1])
    mlflow.set_experiment("seed-journey")
    out = {}
    with mlflow.start_run(run_name="manual") as run:
        mlflow.log_param("alpha", 0.1)
        mlflow.log_metrics({"rmse": 6.5, "mae": 3.0})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.set_tag("model", "ridge")
        mlflow.log_text("hello", "notes/hello.txt")
        out["manual"] = run.info.run_id
    rng = np.random.default_rng(0)
    X = rng.random((120, 4)); y = X @ np.array([1.0, 2.0, 3.0, 4.0])
    mlflow.xgboost.autolog()
    with mlflow.start_run() as run:
        d = xgb.DMatrix(X, y)
        xgb.train({"max_depth": 2}, d, 10, evals=[(d, "validation")], verbose_eval=False)
        out["xgb"] = run.info.run_id
    mlflow.xgboost.autolog(disable=True)
    mlflow.sklearn.autolog(log_models=False)
    with mlflow.start_run() as run:
        Ridge(alpha=0.5).fit(X, y)
        out["sk"] = run.info.run_id
    mlflow.sklearn.autolog(disable=True)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(Ridge().fit(X, y), name="model", pip_requirements=["scikit-learn"])
    client = MlflowClient()
    out["search"] = [r.info.run_id for r in mlflow.search_runs(filter_string="metrics.rmse < 6.8",
                                                               output_format="list")]
    out["history"] = [m.value for m in client.get_metric_history(out["manual"], "loss")]
    out["sk_params"] = client.get_run(out["sk"]).data.params.get("alpha")
    out["sk_inputs"] = len(client.get_run(out["sk"]).inputs.dataset_inputs)
    mv = mlflow.register_model(info.model_uri, "seed-model")
    client.transition_model_version_stage("seed-model", mv.version, "Production", archive_existing_versions=True)
    client.set_registered_model_alias("seed-model", "champion", mv.version)
    out["pred"] = [float(v) for v in mlflow.pyfunc.load_model("models:/seed-model@champion").predict(X[:3])]
    out["expected"] = [float(v) for v in Ridge().fit(X, y).predict(X[:3])]
    out["latest"] = [v.version for v in client.get_latest_versions("seed-model", stages=["Production"])]
    mv2 = mlflow.register_model(f"runs:/{out['xgb']}/model", "seed-xgb")
    out["xgb_pred"] = len(mlflow.pyfunc.load_model(f"models:/seed-xgb/{mv2.version}").predict(X[:2]))
    path = mlflow.artifacts.download_artifacts(run_id=out["manual"], artifact_path="notes",
                                               dst_path=tempfile.mkdtemp())
    out["download"] = sorted(os.listdir(path))
    print(json.dumps(out))
""")


@pytest.mark.slow
@pytest.mark.mlflow
@pytest.mark.skipif(not MLFLOW_PYTHON, reason="AUTOLOG_MLFLOW_PYTHON names no interpreter with MLflow")
def test_stock_mlflow_client_journey_with_tokens(start_server, tmp_path):
    store = tmp_path / "team-store"
    token = run_cli("server", "tokens", "create", "--name", "ci", "--role", "write",
                    "--backend-store-uri", str(store)).strip().splitlines()[-1]
    server = start_server("--auth", store_dir=store)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("AUTOLOG_")}
    env["MLFLOW_TRACKING_TOKEN"] = token
    result = subprocess.run([MLFLOW_PYTHON, "-c", MLFLOW_JOURNEY, server.url], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=400)
    assert result.returncode == 0, result.stderr[-4000:] + server.log()[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert "not served" not in server.log() and "internal error" not in server.log(), server.log()[-3000:]
    assert out["search"] == [out["manual"]] and out["history"] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert out["sk_params"] == "0.5" and out["sk_inputs"] >= 1
    assert out["pred"] == pytest.approx(out["expected"]) and out["latest"] == ["1"] and out["xgb_pred"] == 2
    assert out["download"] == ["hello.txt"]
    ours = autolog.Client(f"{server.url}")
    os.environ["AUTOLOG_TRACKING_TOKEN"] = token
    try:
        assert ours.get_model_version_by_alias("seed-model", "champion").current_stage == "Production"
    finally:
        del os.environ["AUTOLOG_TRACKING_TOKEN"]
