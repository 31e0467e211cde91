"""The scoring server on loopback: MLflow's request formats, its error bodies and codes, many clients at once."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from .conftest import COLUMNS, expected, make_frame

pd = pytest.importorskip("pandas")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

LIMIT = 64 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    """A real uvicorn server on 127.0.0.1 in a background thread."""

    def __init__(self, app):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the scoring server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def request(url: str, body=None, content_type="application/json", method=None):
    """(status, parsed JSON or text) of one HTTP request."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"))
    if content_type and data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.fixture(scope="module")
def server(models):
    from autolog.serving import create_app

    with _Server(create_app(model_uri=models["xgboost"], max_request_bytes=LIMIT)) as running:
        yield running


@pytest.fixture(scope="module")
def custom_server(models):
    from autolog.serving import create_app

    with _Server(create_app(model_uri=models["custom"])) as running:
        yield running


FRAME = make_frame(5)[COLUMNS]
RECORDS = FRAME.to_dict(orient="records")
BODIES = {
    "dataframe_split": ({"dataframe_split": json.loads(FRAME.to_json(orient="split", index=False))},
                        "application/json"),
    "dataframe_records": ({"dataframe_records": RECORDS}, "application/json"),
    "instances": ({"instances": RECORDS}, "application/json"),
    "inputs": ({"inputs": FRAME.to_dict(orient="list")}, "application/json; charset=utf-8"),
    "csv": (FRAME.to_csv(index=False).encode(), "text/csv"),
}


@pytest.mark.parametrize("kind", list(BODIES))
def test_each_format_scores_like_in_process_predict(server, models, kind):
    body, content_type = BODIES[kind]
    status, answer = request(server.url + "/invocations", body, content_type)
    assert status == 200, answer
    np.testing.assert_allclose(answer["predictions"], expected(models["xgboost"], FRAME), rtol=1e-6)


def test_health_and_version(server):
    assert request(server.url + "/ping")[0] == 200
    assert request(server.url + "/health")[0] == 200
    status, version = request(server.url + "/version")
    assert status == 200 and str(version).startswith("0.")


def test_params_reach_the_model_and_outputs_keep_their_names(custom_server):
    body = {"dataframe_records": RECORDS[:2], "params": {"scale": 10.0}}
    status, answer = request(custom_server.url + "/invocations", body)
    assert status == 200
    totals = FRAME[COLUMNS].sum(axis=1).head(2) * 10
    assert [row["low"] for row in answer["predictions"]] == pytest.approx((totals - 1).tolist())


def test_params_a_framework_model_does_not_declare_are_ignored(server, models):
    status, answer = request(server.url + "/invocations", {"dataframe_records": RECORDS, "params": {"scale": 3}})
    assert status == 200
    np.testing.assert_allclose(answer["predictions"], expected(models["xgboost"], FRAME), rtol=1e-6)


@pytest.mark.parametrize("body, status, code, words", [
    ({"dataframe_records": [{"a": 1.0, "c": 2.0}]}, 400, "INVALID_PARAMETER_VALUE", "['b']"),
    ({"inputs": {"a": ["x"], "b": [1.0], "c": [2.0]}}, 400, "INVALID_PARAMETER_VALUE", "column 'a'"),
    ({"dataframe_records": RECORDS, "inputs": RECORDS}, 400, "BAD_REQUEST", "exactly one of"),
    ({"records": RECORDS}, 400, "BAD_REQUEST", "exactly one of"),
    ({"dataframe_split": [1, 2]}, 400, "BAD_REQUEST", "split format"),
    (b"{not json", 400, "BAD_REQUEST", "valid JSON"),
])
def test_bad_requests_get_mlflow_error_bodies(server, body, status, code, words):
    got, answer = request(server.url + "/invocations", body)
    assert got == status
    assert answer["error_code"] == code and words in answer["message"]


def _split(frame, **extra):
    return {"dataframe_split": dict(json.loads(frame.to_json(orient="split", index=False)), **extra)}


@pytest.mark.parametrize("body", [
    _split(FRAME[["c", "a", "b"]]),                         # columns in another order: named, not positional
    _split(FRAME.round(0).astype("int64")),                 # integers for double columns: upcast
    {"dataframe_split": dict(_split(FRAME)["dataframe_split"], index=list(range(10, 15)))},
], ids=["reordered", "integers", "index"])
def test_dataframe_split_variants_score_like_in_process_predict(server, models, body):
    status, answer = request(server.url + "/invocations", body)
    assert status == 200, answer
    frame = pd.DataFrame(body["dataframe_split"]["data"], columns=body["dataframe_split"]["columns"])
    np.testing.assert_allclose(answer["predictions"], expected(models["xgboost"], frame.astype("float64")),
                               rtol=1e-6)


def test_dataframe_split_with_a_string_names_the_column(server):
    body = _split(FRAME)
    body["dataframe_split"]["data"][2][1] = "high"
    status, answer = request(server.url + "/invocations", body)
    assert status == 400 and answer["error_code"] == "INVALID_PARAMETER_VALUE" and "column 'b'" in answer["message"]


def test_nan_in_a_request_is_accepted_as_mlflow_accepts_it(server, models):
    data = _split(FRAME)
    data["dataframe_split"]["data"][0][0] = float("nan")
    status, answer = request(server.url + "/invocations", json.dumps(data).encode())  # writes NaN: not strict JSON
    assert status == 200, answer
    frame = FRAME.copy()
    frame.iloc[0, 0] = np.nan
    np.testing.assert_allclose(answer["predictions"], expected(models["xgboost"], frame), rtol=1e-6)


def test_unsupported_media_oversized_body_and_wrong_method(server):
    assert request(server.url + "/invocations", b"a,b", "text/plain")[0] == 415
    assert request(server.url + "/invocations", b"a,b,c\n1,2,3\n", "text/csv; charset=latin-1")[0] == 415
    just_over = json.dumps({"dataframe_records": RECORDS, "pad": "x" * LIMIT}).encode()  # fits socket buffers
    status, answer = request(server.url + "/invocations", just_over)
    assert status == 413 and "limit" in answer["message"]
    assert request(server.url + "/invocations", method="GET")[0] == 405


def test_concurrent_clients_each_get_their_own_answer(server, models):
    frames = [make_frame(rows, seed)[COLUMNS] for seed, rows in enumerate([1, 7, 50, 200] * 4)]

    def score(frame):
        body = {"dataframe_split": json.loads(frame.to_json(orient="split", index=False))}
        return [request(server.url + "/invocations", body)[1]["predictions"] for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(score, frames))
    for frame, repeated in zip(frames, answers):
        for predictions in repeated:
            np.testing.assert_allclose(predictions, expected(models["xgboost"], frame), rtol=1e-6)


MLFLOW_PYTHON = os.environ.get("AUTOLOG_MLFLOW_PYTHON")


@pytest.mark.mlflow
@pytest.mark.skipif(not MLFLOW_PYTHON, reason="AUTOLOG_MLFLOW_PYTHON names no interpreter with MLflow")
def test_mlflow_scoring_client_against_our_server(server, models, tmp_path):
    FRAME.to_csv(tmp_path / "data.csv", index=False)
    script = textwrap.dedent(f"""
        import json, pandas as pd
        from mlflow.pyfunc.scoring_server.client import ScoringServerClient
        client = ScoringServerClient("127.0.0.1", {server.port})
        client.wait_server_ready(timeout=10)
        response = client.invoke(pd.read_csv("data.csv"))
        print(json.dumps({{"predictions": list(map(float, response.get_predictions().iloc[:, 0]))}}))
    """)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run([MLFLOW_PYTHON, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    predictions = json.loads(done.stdout.strip().splitlines()[-1])["predictions"]
    np.testing.assert_allclose(predictions, expected(models["xgboost"], FRAME), rtol=1e-6)


@pytest.mark.slow
def test_cli_serves_with_worker_processes(models, tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "autolog.cli", "models", "serve", "-m", models["lightgbm"], "--port", str(port),
               "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 90
        while True:
            try:
                if request(url + "/ping")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        status, answer = request(url + "/invocations", {"dataframe_records": RECORDS})
        assert status == 200
        np.testing.assert_allclose(answer["predictions"], expected(models["lightgbm"], FRAME), rtol=1e-6)
    finally:
        process.terminate()
        process.wait(30)


def test_arrays_skip_the_frame_only_where_the_flavor_scores_them_alike(models):
    import flavors

    frame = make_frame(20)[COLUMNS]
    booster = flavors.pyfunc.load_model(models["xgboost"])
    assert booster.array_dtype == "float64"
    np.testing.assert_allclose(booster.predict(frame.to_numpy()), booster.predict(frame), rtol=1e-7)
    for name in ("sklearn", "custom"):
        assert flavors.pyfunc.load_model(models[name]).array_dtype is None


def test_predictions_body_writes_what_mlflow_writes():
    from autolog.serving._protocol import predictions_json

    values = np.array([0.1, 2.5, -3.0], dtype="float32")
    assert json.loads(predictions_json(values)) == {"predictions": values.tolist()}
    assert json.loads(predictions_json(np.array([[1, 2], [3, 4]]))) == {"predictions": [[1, 2], [3, 4]]}
    assert b"NaN" in predictions_json(np.array([1.0, np.nan]))  # as json.dumps writes it (orjson would write null)


def test_benchmark_load_generator_keeps_connections_and_counts_answers(server):
    from benchmarks._loadgen import run_load

    body = json.dumps(_split(FRAME)).encode()
    load = run_load(server.port, body, 0.5, processes=1, connections=2)
    assert load["requests"] >= 2 and 0 < load["p99"] < load["wall"] and load["generator_cpu"] > 0
    with pytest.raises(RuntimeError, match="HTTP 400"):
        run_load(server.port, b"{not json", 0.2, processes=1, connections=1)
