"""Build a tracking database with MLflow 2.x (an older schema); run by that MLflow's interpreter, never by pytest.

    python mlflow2_store.py DIRECTORY

writes DIRECTORY/mlflow.db with its ./mlruns artifacts and prints one JSON line describing it.
"""

import json
import os
import sys

import mlflow
from mlflow import MlflowClient

root = os.path.abspath(sys.argv[1])
os.chdir(root)
mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
mlflow.set_experiment("legacy")
with mlflow.start_run(run_name="old-run") as run:
    mlflow.log_param("alpha", "0.3")
    for step in range(6):
        mlflow.log_metric("rmse", 6.0 - step, step=step)
    os.makedirs("model", exist_ok=True)
    with open("model/weights.txt", "w") as handle:
        handle.write("w")
    mlflow.log_artifacts("model", "model")
client = MlflowClient()
version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "legacy-model")
client.transition_model_version_stage("legacy-model", version.version, "Production")
client.set_registered_model_alias("legacy-model", "champion", version.version)
history = [[m.step, m.timestamp, m.value] for m in client.get_metric_history(run.info.run_id, "rmse")]
print(json.dumps({"run_id": run.info.run_id, "mlflow": mlflow.__version__, "history": history,
                  "start_time": run.info.start_time}))
