"""Build real MLflow stores for the import tests; run by MLflow's interpreter, never imported by pytest.

    python mlflow_stores.py DIRECTORY

writes DIRECTORY/mlflow.db (with its ./mlruns artifacts), DIRECTORY/fstore (a file store)
and DIRECTORY/data.csv, and prints one JSON line: everything MLflow reports about them
(every run with its full metric histories, every model version, and predictions).
"""

import json
import os
import sys
import warnings

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # MLflow 3 keeps its file store behind this switch

import mlflow  # noqa: E402
import numpy as np
import pandas as pd
import xgboost as xgb
from mlflow import MlflowClient
from sklearn.linear_model import LinearRegression

warnings.filterwarnings("ignore")
ROOT = os.path.abspath(sys.argv[1])
os.chdir(ROOT)
rng = np.random.default_rng(0)
DATA = pd.DataFrame(rng.random((80, 3)), columns=["a", "b", "c"])
LABEL = (DATA.a + 0.3 * DATA.b > 0.6).astype(int)
DATA.to_csv("data.csv", index=False)
MODEL = "nyc-taxi-regressor"


def describe(client: MlflowClient) -> dict:
    """Every run (with metric histories) and model version, as MLflow reports them."""
    runs = {}
    for experiment in client.search_experiments(view_type=3):
        for run in client.search_runs([experiment.experiment_id], run_view_type=3, max_results=1000):
            history = {key: [[m.step, m.timestamp, m.value] for m in client.get_metric_history(run.info.run_id, key)]
                       for key in run.data.metrics}
            runs[run.info.run_id] = {
                "experiment": experiment.name, "name": run.info.run_name, "status": run.info.status,
                "start_time": run.info.start_time, "end_time": run.info.end_time,
                "lifecycle_stage": run.info.lifecycle_stage, "params": run.data.params, "tags": run.data.tags,
                "metrics": history, "inputs": [d.dataset.name for d in run.inputs.dataset_inputs]}
    versions = {}
    for model in client.search_registered_models():
        for found in client.search_model_versions(f"name = '{model.name}'"):
            version = client.get_model_version(model.name, found.version)
            versions[f"{model.name}/{version.version}"] = {
                "stage": version.current_stage, "aliases": sorted(version.aliases), "tags": version.tags,
                "description": version.description, "run_id": version.run_id, "source": version.source}
    return {"runs": runs, "versions": versions}


def build_database() -> dict:
    mlflow.set_tracking_uri(f"sqlite:///{ROOT}/mlflow.db")
    mlflow.set_experiment("nyc-taxi")
    mlflow.xgboost.autolog()
    matrix = xgb.DMatrix(DATA, LABEL)
    with mlflow.start_run(run_name="xgb") as xgb_run:
        xgb.train({"max_depth": 2, "objective": "binary:logistic"}, matrix, 8, evals=[(matrix, "validation")])
    mlflow.xgboost.autolog(disable=True)
    mlflow.sklearn.autolog()
    with mlflow.start_run(run_name="linreg") as sk_run:
        LinearRegression().fit(DATA, LABEL)
    mlflow.sklearn.autolog(disable=True)
    mlflow.set_experiment("manual")
    with mlflow.start_run(run_name="manual"):
        mlflow.log_params({"alpha": 0.1})
        mlflow.set_tag("developer", "J")
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metric("odd", float("nan"))
        mlflow.log_text("hello", "notes/hello.txt")
        mlflow.log_input(mlflow.data.from_pandas(DATA, name="train"), context="training")
    with mlflow.start_run(run_name="trash") as trash:
        mlflow.log_metric("x", 1.0)
    client = MlflowClient()
    client.delete_run(trash.info.run_id)
    first = mlflow.register_model(f"runs:/{xgb_run.info.run_id}/model", MODEL)
    second = mlflow.register_model(f"runs:/{sk_run.info.run_id}/model", MODEL)
    client.transition_model_version_stage(MODEL, first.version, "Production")
    client.transition_model_version_stage(MODEL, second.version, "Staging")
    client.set_registered_model_alias(MODEL, "champion", second.version)
    client.set_model_version_tag(MODEL, first.version, "validated", "yes")
    client.set_registered_model_tag(MODEL, "team", "forecast")
    client.update_model_version(MODEL, first.version, description="first booster")
    out = describe(client)
    out["predictions"] = {
        "Production": [float(v) for v in mlflow.pyfunc.load_model(f"models:/{MODEL}/Production").predict(DATA)],
        "champion": [float(v) for v in mlflow.pyfunc.load_model(f"models:/{MODEL}@champion").predict(DATA)],
    }
    return out


def build_file_store() -> dict:
    mlflow.set_tracking_uri(f"file:{ROOT}/fstore")
    mlflow.set_experiment("files")
    with mlflow.start_run(run_name="by-hand") as run:
        mlflow.log_param("depth", 3)
        mlflow.set_tag("stage", "dev")
        for step in range(4):
            mlflow.log_metric("rmse", 5.0 - step, step=step)
            mlflow.log_metric("nested/loss", 0.5 * step, step=step)
        mlflow.log_text("text", "a/b.txt")
    with mlflow.start_run(run_name="sk") as sk_run:
        model = LinearRegression().fit(DATA, LABEL)
        mlflow.sklearn.log_model(model, name="model")
    client = MlflowClient()
    version = mlflow.register_model(f"runs:/{sk_run.info.run_id}/model", "files-model")
    client.transition_model_version_stage("files-model", version.version, "Production")
    out = describe(client)
    out["predictions"] = {"Production": [float(v) for v in mlflow.pyfunc.load_model(
        "models:/files-model/Production").predict(DATA)]}
    out["by_hand"] = run.info.run_id
    return out


if __name__ == "__main__":
    result = {"database": build_database()}
    try:
        result["files"] = build_file_store()
    except Exception as exc:  # a future MLflow without the file store
        result["files_error"] = repr(exc)
    print(json.dumps(result))
