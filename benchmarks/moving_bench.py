"""Moving runs: ``import-mlflow`` of an MLflow database and ``sync`` between two local stores.

The MLflow database (one metric of 100 steps per run, 3 params, 2 tags) is written
directly with sqlite3 in the schema MLflow 3.17 creates (``benchmarks._mlflow_db``):
MLflow's API would take far longer to fill it than the import takes to read it.
Each repetition imports into a fresh store, syncs that store into another, then into a
fresh tracking server on 127.0.0.1 (``autolog server`` in a child process, when the
``[server]`` extra is installed). MLflow is not compared: it has no import from
another tracking store.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchmarks._spec import Measure, Scenario, Target


def prepare(params: dict, workdir: str, with_mlflow: bool = False) -> None:
    """Write the MLflow database once for every repetition."""
    from benchmarks._mlflow_db import write_mlflow_database

    write_mlflow_database(os.path.join(workdir, "mlflow.db"), params["runs"], params["points"],
                          os.path.join(workdir, "mlartifacts"))


def _start_server(store_dir: str):
    """An ``autolog server`` on a free port of 127.0.0.1 serving ``store_dir``; (process, URL) once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "autolog.cli", "server", "--backend-store-uri", store_dir,
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the tracking server did not start")


def _sync_to_server(source: str, scratch: str) -> float:
    """Seconds to sync ``source`` into a fresh tracking server (None without the [server] extra)."""
    from autolog.transfer import sync
    from autolog.transfer.report import Progress

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return None
    process, url = _start_server(os.path.join(scratch, "server-store"))
    try:
        start = time.perf_counter()
        sync(source, url, progress=Progress(enabled=False))
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(10)


def run(mode: str, params: dict, workdir: str) -> dict:
    """Import the database into a fresh store, then sync that store into another; return the rates."""
    from autolog.transfer import import_mlflow, sync
    from autolog.transfer.report import Progress

    scratch = tempfile.mkdtemp(dir=workdir)
    try:
        start = time.perf_counter()
        imported = import_mlflow(os.path.join(workdir, "mlflow.db"), os.path.join(scratch, "imported"),
                                 progress=Progress(enabled=False))
        import_seconds = time.perf_counter() - start
        start = time.perf_counter()
        synced = sync(os.path.join(scratch, "imported"), os.path.join(scratch, "synced"),
                      progress=Progress(enabled=False))
        sync_seconds = time.perf_counter() - start
        server_seconds = _sync_to_server(os.path.join(scratch, "imported"), scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    runs, points = imported.copied["runs"], imported.copied["metric points"]
    assert runs == params["runs"] and synced.copied["runs"] == runs, (imported.lines(), synced.lines())
    result = {"import_runs": runs / import_seconds, "import_points": points / import_seconds,
              "sync_runs": runs / sync_seconds, "sync_points": points / sync_seconds}
    if server_seconds:
        result.update(server_runs=runs / server_seconds, server_points=points / server_seconds)
    return result


SCENARIOS = [
    Scenario(
        name="moving", group="moving", title="import-mlflow and sync, local stores", run=run, prepare=prepare,
        measures=(
            Measure("import_runs", "import-mlflow: runs/s ({runs:,} runs × {points} points)", kind="rate",
                    target=Target("min_rate", 500)),
            Measure("import_points", "import-mlflow: metric points/s", kind="rate"),
            Measure("sync_runs", "sync local → local: runs/s", kind="rate"),
            Measure("sync_points", "sync local → local: metric points/s", kind="rate"),
            Measure("server_runs", "sync local → server (127.0.0.1): runs/s", kind="rate"),
            Measure("server_points", "sync local → server (127.0.0.1): metric points/s", kind="rate"),
        ),
        params={"full": {"runs": 10_000, "points": 100}, "quick": {"runs": 2_000, "points": 100},
                "smoke": {"runs": 20, "points": 10}},
        repeats={"full": (3, 0), "quick": (1, 0)}, modes=("autolog",),
        notes={"quick": "2,000 runs instead of 10,000",
               "mlflow": "MLflow not compared: it has no import from another tracking store."}),
]
