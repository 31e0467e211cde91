"""Real tracking servers on 127.0.0.1: uvicorn in a child process, started and stopped by the tests."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args, env=None) -> str:
    """Run the autolog command in a child process; return its stdout (fails the test on error)."""
    result = subprocess.run([sys.executable, "-c", "import sys; from autolog.cli import main; sys.exit(main())",
                             *args], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


class Server:
    """A running ``autolog server``: its URL, store directory and log."""

    def __init__(self, store_dir, *options):
        self.store_dir = str(store_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.store_dir + "-server.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOLOG_TRACKING", "MLFLOW_TRACKING"))}
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from autolog.cli import main; sys.exit(main())", "server",
             "--backend-store-uri", self.store_dir, "--port", str(self.port), *options],
            stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the server did not start:\n" + self.log())
                time.sleep(0.1)

    def log(self) -> str:
        self._log.flush()
        with open(self.log_path) as handle:
            return handle.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """One server without auth shared by a test module."""
    server = Server(tmp_path_factory.mktemp("shared") / "store")
    yield server
    server.stop()


@pytest.fixture
def start_server(tmp_path):
    """A factory: ``start_server(*cli_options, store_dir=...)`` -> a running Server, stopped after the test."""
    servers = []

    def start(*options, store_dir=None):
        server = Server(store_dir or tmp_path / "server-store", *options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server):
    """One server without auth on a fresh store."""
    return start_server()
