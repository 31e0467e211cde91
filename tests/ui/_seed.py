"""A small, real tracking store for the UI tests: an experiment of runs with history, nested runs,
artifacts of every previewed kind and a registered sklearn model with two versions."""

from __future__ import annotations

import os
import struct
import zlib

import autolog
from autolog.tracking.entities import Param, RunTag

EXPERIMENT = "nyc-taxi"
MODEL = "nyc-taxi-regressor"


def tiny_png(width: int = 24, height: int = 16) -> bytes:
    """A real PNG image (a colour gradient) without an imaging library."""
    rows = b"".join(b"\x00" + bytes(sum(([x * 10 % 256, y * 15 % 256, 160] for x in range(width)), []))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _history(client, run_id: str, alpha: float, depth: int, steps: int) -> None:
    keys, values, stamps, step_list = [], [], [], []
    for step in range(steps):
        for key, value in (("rmse", 9.0 / (1 + step * alpha) + depth * 0.05),
                           ("mae", 6.0 / (1 + step * alpha * 0.8) + 0.1)):
            keys.append(key)
            values.append(value)
            stamps.append(1_700_000_000_000 + step * 1000)
            step_list.append(step)
    client._store.log_batch(run_id, [keys, values, stamps, step_list])


def _artifacts(client, run_id: str, workdir: str) -> None:
    client.log_text(run_id, "first line\nsecond line\n", "notes/readme.txt")
    client.log_dict(run_id, {"alpha": 0.5, "features": ["trip_distance", "PULocationID"]}, "config.json")
    client.log_text(run_id, "model: linear\nalpha: 0.5\n", "config.yaml")
    client.log_text(run_id, "trip_distance,duration\n1.2,7.5\n3.4,14.0\n0.8,5.1\n", "data/sample.csv")
    client.log_text(run_id, '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30">'
                            '<rect width="60" height="30" fill="#2456c8"/></svg>', "plots/box.svg")
    png = os.path.join(workdir, "residuals.png")
    with open(png, "wb") as handle:
        handle.write(tiny_png())
    client.log_artifact(run_id, png, "plots")
    client.log_text(run_id, "--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-alpha = 0.1\n+alpha = 0.5\n",
                    "code/uncommitted.diff")


def _dataset_input(client, run_id: str) -> None:
    from autolog.tracking.entities import Dataset, DatasetInput, InputTag

    if not hasattr(client._store, "log_inputs"):
        return
    dataset = Dataset("green_tripdata_2021-01", "3f2a9c1e", "local", "data/green_tripdata_2021-01.parquet",
                      '{"mlflow_colspec": [{"name": "trip_distance", "type": "double"}]}', '{"num_rows": 76518}')
    client._store.log_inputs(run_id, [DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])])


def _model(tracking_uri: str, run_id: str) -> None:
    import numpy as np
    from sklearn.linear_model import LinearRegression

    import flavors

    features = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0]])
    target = features @ np.array([1.5, -0.5]) + 2.0
    model = LinearRegression().fit(features, target)
    previous = autolog.get_tracking_uri()
    autolog.set_tracking_uri(tracking_uri)
    try:
        _log_models(run_id, model, features, target)
    finally:
        autolog.set_tracking_uri(previous)


def _log_models(run_id: str, model, features, target) -> None:
    import flavors

    with autolog.start_run(run_id=run_id):
        flavors.sklearn.log_model(model, "model", signature=flavors.infer_signature(features, target),
                                  registered_model_name=MODEL)
        flavors.sklearn.log_model(model, "model2", registered_model_name=MODEL)


def seed(tracking_uri: str, workdir: str, runs: int = 8, steps: int = 300) -> dict:
    """Fill the store at ``tracking_uri``; return the ids the tests look for."""
    client = autolog.Client(tracking_uri)
    experiment_id = client.create_experiment(EXPERIMENT)
    run_ids = []
    for index in range(runs):
        alpha, depth = [0.1, 0.05, 0.3, 0.2][index % 4], 3 + index % 5
        run = client.create_run(experiment_id, run_name=f"run-{index}", tags={
            "mlflow.source.name": "train.py", "mlflow.source.git.commit": f"{index:02d}ab3f9e0c1d2e3f4a5b6c7d8e9f0a1b2c3d4",
            "model": "linear" if index % 2 else "forest", "autolog.git.dirty": "true" if index == 0 else "false"})
        run_id = run.info.run_id
        client.log_batch(run_id, params=[Param("alpha", str(alpha)), Param("max_depth", str(depth)),
                                         Param("solver", ["lbfgs", "saga"][index % 2])])
        _history(client, run_id, alpha, depth, steps)
        client.set_terminated(run_id, "FAILED" if index == runs - 1 else "FINISHED")
        run_ids.append(run_id)
    parent = run_ids[1]
    children = []
    for index in range(2):
        child = client.create_run(experiment_id, run_name=f"fold-{index}", tags={"mlflow.parentRunId": parent})
        client.log_batch(child.info.run_id, params=[Param("fold", str(index))],
                         tags=[RunTag("model", "linear")])
        client._store.log_metric_points(child.info.run_id, [("rmse", 5.0 + index, 1_700_000_000_000, 0)])
        client.set_terminated(child.info.run_id)
        children.append(child.info.run_id)
    _artifacts(client, run_ids[0], workdir)
    _dataset_input(client, run_ids[0])
    _model(tracking_uri, run_ids[0])
    return {"experiment_id": experiment_id, "run_ids": run_ids, "parent": parent, "children": children}


def long_metric_run(tracking_uri: str, experiment_id: str, points: int) -> str:
    """A run whose ``loss`` has ``points`` points, written as packed columns; returns its id."""
    client = autolog.Client(tracking_uri)
    run = client.create_run(experiment_id, run_name="long-history")
    steps = list(range(points))
    values = [1.0 / (1 + step * 0.001) + (0.5 if step % 100_000 == 50_000 else 0.0) for step in steps]
    client._store.log_batch(run.info.run_id, [["loss"] * points, values, [1_700_000_000_000 + s for s in steps],
                                              steps])
    client.set_terminated(run.info.run_id)
    return run.info.run_id


__all__ = ["seed", "long_metric_run", "tiny_png", "EXPERIMENT", "MODEL"]
