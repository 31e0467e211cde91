"""The tracking server through REST: ``autolog server`` beside ``mlflow server``, driven by the same client.

The driver is the same raw HTTP client (stdlib, keep-alive) for both servers, so the
numbers are the servers' own: runs created per second and ``log-batch`` points per
second with 1 and 8 client processes, ``runs/search`` latency over many runs, the
server's memory idle, while streaming a long metric history, and while receiving a
large artifact upload. MLflow's server is run from this interpreter when it has MLflow
(the ``[bench]`` extra) or from ``$AUTOLOG_MLFLOW_PYTHON``.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.request

from benchmarks._spec import Measure, Scenario, Target

API = "/api/2.0/mlflow"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(mode: str, workdir: str):
    port = _free_port()
    if mode == "mlflow":
        python = os.environ.get("AUTOLOG_MLFLOW_PYTHON") or sys.executable
        command = [python, "-m", "mlflow", "server", "--backend-store-uri",
                   f"sqlite:///{workdir}/mlflow.db", "--artifacts-destination", f"{workdir}/mlflow-artifacts",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    else:
        command = [sys.executable, "-c", "import sys; from autolog.cli import main; sys.exit(main())", "server",
                   "--backend-store-uri", f"{workdir}/autolog-store", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" or mode != "mlflow"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{mode} server did not start")


def _stop(process) -> None:
    os.killpg(process.pid, 15)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(30)


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Memory of a server and its children (uvicorn/gunicorn workers), in MB."""
    pids = [pid] + [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    total = 0
    for each in pids:
        for line in open(f"/proc/{each}/status"):
            if line.startswith(field + ":"):
                total += int(line.split()[1])
    return total / 1024


class Driver:
    """JSON calls over one keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, method: str, path: str, body=None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        try:
            self.conn.request(method, API + path, body=data, headers={"Content-Type": "application/json"})
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):  # the server closed an idle keep-alive connection
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.conn.request(method, API + path, body=data, headers={"Content-Type": "application/json"})
            response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} {payload[:200]!r}")
        return json.loads(payload or b"{}")

    def create_run(self, experiment_id: str) -> str:
        return self.call("POST", "/runs/create", {"experiment_id": experiment_id,
                                                  "start_time": int(time.time() * 1000)})["run"]["info"]["run_id"]

    def log_points(self, run_id: str, count: int, key: str = "loss") -> None:
        for first in range(0, count, 1000):
            metrics = [{"key": key, "value": step * 0.5, "timestamp": 1_700_000_000_000 + step, "step": step}
                       for step in range(first, min(first + 1000, count))]
            self.call("POST", "/runs/log-batch", {"run_id": run_id, "metrics": metrics})


def _runs_worker(args) -> int:
    port, experiment_id, count = args
    driver = Driver(port)
    for index in range(count):
        run_id = driver.create_run(experiment_id)
        driver.call("POST", "/runs/log-batch", {"run_id": run_id, "params": [{"key": "i", "value": str(index)}]})
        driver.call("POST", "/runs/update", {"run_id": run_id, "status": "FINISHED", "end_time": 1})
    return count


def _points_worker(args) -> int:
    port, experiment_id, count = args
    driver = Driver(port)
    driver.log_points(driver.create_run(experiment_id), count)
    return count


def _rate(pool_size: int, worker, port: int, experiment_id: str, per_process: int) -> float:
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(pool_size) as pool:
        done = sum(pool.map(worker, [(port, experiment_id, per_process)] * pool_size))
    return done / (time.perf_counter() - start)


def _upload(port: int, size_mb: int, path: str) -> float:
    chunk = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size_mb):
            handle.write(chunk)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    with open(path, "rb") as handle:
        conn.request("PUT", "/api/2.0/mlflow-artifacts/artifacts/bench/big.bin", body=handle,
                     headers={"Content-Length": str(size_mb * 1024 * 1024)})
        response = conn.getresponse()
        response.read()
    os.unlink(path)
    if response.status != 200:
        raise RuntimeError(f"upload: HTTP {response.status}")
    return time.perf_counter() - start


def _progress(result: dict) -> None:
    print("measured so far:", json.dumps(result), file=sys.stderr, flush=True)


def run(mode: str, params: dict, workdir: str) -> dict:
    """Start the server of ``mode``, drive it, stop it; every number is one fresh server's."""
    process, port = _start(mode, workdir)
    try:
        driver = Driver(port)
        driver.call("GET", "/experiments/get?experiment_id=0")
        result = {"idle_mb": _rss_mb(process.pid)}
        _progress(result)
        experiment_id = driver.call("POST", "/experiments/create", {"name": "bench"})["experiment_id"]
        result["runs_1"] = _rate(1, _runs_worker, port, experiment_id, params["runs"])
        result["runs_8"] = _rate(8, _runs_worker, port, experiment_id, max(params["runs"] // 8, 1))
        result["points_1"] = _rate(1, _points_worker, port, experiment_id, params["points"])
        result["points_8"] = _rate(8, _points_worker, port, experiment_id, max(params["points"] // 8, 1000))
        while len(driver.call("POST", "/runs/search", {"experiment_ids": [experiment_id], "max_results": 50000})
                  .get("runs", [])) < params["search_runs"]:
            _runs_worker((port, experiment_id, 500))
        start = time.perf_counter()
        for _ in range(3):
            driver.call("POST", "/runs/search", {"experiment_ids": [experiment_id], "max_results": 100,
                                                 "filter": "params.i = '7'", "order_by": ["attributes.start_time DESC"]})
        result["search"] = (time.perf_counter() - start) / 3
        _progress(result)
        long_run = driver.create_run(experiment_id)
        driver.log_points(long_run, params["history"])
        fetched = driver.call("GET", f"/metrics/get-history?run_id={long_run}&metric_key=loss")
        assert len(fetched["metrics"]) == params["history"], len(fetched["metrics"])
        result["history_mb"] = _rss_mb(process.pid, "VmHWM")
        result["upload"] = _upload(port, params["upload_mb"], os.path.join(workdir, "big.bin"))
        result["upload_mb"] = _rss_mb(process.pid, "VmHWM")
    finally:
        _stop(process)
    return result


SCENARIOS = [
    Scenario(
        name="server", group="server", title="tracking server through REST (same HTTP client for both servers)",
        run=run,
        measures=(
            Measure("runs_1", "runs created (create + param + finish), 1 client process", "rate"),
            Measure("runs_8", "runs created, 8 client processes", "rate"),
            Measure("points_1", "log-batch metric points, 1 client process", "rate"),
            Measure("points_8", "log-batch metric points, 8 client processes", "rate"),
            Measure("search", "runs/search over {search_runs:,} runs (param filter, 100 a page)"),
            Measure("idle_mb", "server memory, idle", "mb", Target("max_mb", 100)),
            Measure("history_mb", "server peak memory after serving a {history:,}-point history", "mb",
                    Target("max_mb", 200)),
            Measure("upload", "upload of a {upload_mb:,} MB artifact through the proxy"),
            Measure("upload_mb", "server peak memory after the {upload_mb:,} MB upload", "mb", Target("max_mb", 200)),
        ),
        params={"full": {"runs": 400, "points": 200_000, "search_runs": 10_000, "history": 1_000_000,
                         "upload_mb": 1024},
                "quick": {"runs": 100, "points": 40_000, "search_runs": 1_000, "history": 100_000, "upload_mb": 100},
                "smoke": {"runs": 8, "points": 2_000, "search_runs": 20, "history": 2_000, "upload_mb": 2}},
        repeats={"full": (1, 1), "quick": (1, 1)}, modes=("autolog", "mlflow"),
        notes={"quick": "smaller sizes: 1,000 runs searched, a 100,000-point history, a 100 MB upload"}),
]
