"""``autolog ui --backend-store-uri sqlite:///mlflow.db`` serves the pages, as the users' notes start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("autolog.server", reason="the tracking server is not in this build")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_autolog_ui_shows_a_sqlite_store(tmp_path):
    import autolog

    autolog.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    autolog.set_experiment("nyc-taxi")
    with autolog.start_run(run_name="first-run"):
        autolog.log_param("alpha", 0.1)
        autolog.log_metric("rmse", 6.3)
    port = _free_port()
    command = [sys.executable, "-m", "autolog.cli", "ui", "--backend-store-uri", "sqlite:///mlflow.db",
               "--port", str(port)]
    server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        home = _get(f"http://127.0.0.1:{port}/", deadline)
        assert "nyc-taxi</a>" in home
        experiment_id = autolog.Client().get_experiment_by_name("nyc-taxi").experiment_id
        table = _get(f"http://127.0.0.1:{port}/experiments/{experiment_id}", deadline)
        assert "first-run" in table and "rmse" in table
    finally:
        server.terminate()
        server.wait(timeout=20)
