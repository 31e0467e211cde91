"""The REST client's transport: retries with back-off on 429/5xx and connection errors, errors mapped,
and nothing buffered lost when a process exits without ending its run."""

import json
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import autolog
from autolog.tracking import http_client
from tests.server.conftest import free_port


class Flaky(BaseHTTPRequestHandler):
    """Answers the first ``failures`` requests with ``status``, then 200 with the request count."""

    failures, status, seen = 2, 503, []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Flaky.seen.append(self.headers.get("Authorization"))
        if len(Flaky.seen) <= Flaky.failures:
            body = json.dumps({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}).encode()
            self.send_response(Flaky.status)
        else:
            body = json.dumps({"count": len(Flaky.seen)}).encode()
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(http_client, "_BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(http_client, "_RETRIES", 3)


def _serve(port):
    server = ThreadingHTTPServer(("127.0.0.1", port), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_busy_answers_then_succeeds(fast_retries, monkeypatch, status):
    Flaky.failures, Flaky.status, Flaky.seen = 2, status, []
    monkeypatch.setenv("AUTOLOG_TRACKING_TOKEN", "alt_secret")
    server = _serve(free_port())
    try:
        session = http_client.HttpSession(f"http://127.0.0.1:{server.server_port}")
        assert session.call("POST", "/x", {}) == {"count": 3}
        assert Flaky.seen == ["Bearer alt_secret"] * 3
    finally:
        server.shutdown()


def test_gives_up_with_a_clear_error(fast_retries):
    Flaky.failures, Flaky.status, Flaky.seen = 100, 503, []
    server = _serve(free_port())
    try:
        with pytest.raises(autolog.StoreError, match="busy"):
            http_client.HttpSession(f"http://127.0.0.1:{server.server_port}").call("POST", "/x", {})
        assert len(Flaky.seen) == 4
    finally:
        server.shutdown()


def test_retries_connection_errors_until_the_server_is_up(fast_retries, monkeypatch):
    monkeypatch.setattr(http_client, "_BACKOFF_SECONDS", 0.2)
    Flaky.failures, Flaky.seen = 0, []
    port = free_port()
    late = threading.Timer(0.3, lambda: servers.append(_serve(port)))
    servers = []
    late.start()
    try:
        assert http_client.HttpSession(f"http://127.0.0.1:{port}").call("POST", "/x", {}) == {"count": 1}
    finally:
        late.join()
        for server in servers:
            server.shutdown()
    with pytest.raises(autolog.StoreError, match="cannot reach"):
        http_client.HttpSession(f"http://127.0.0.1:{free_port()}").call("POST", "/x", {})


EXITS_EARLY = textwrap.dedent("""
    import sys
    import autolog
    autolog.set_tracking_uri(sys.argv[1])
    run = autolog.start_run(run_name="no-end")
    for step in range(5000):
        autolog.log_metric("loss", step, step=step)
    print(run.info.run_id)
""")


def test_buffered_points_survive_exit_without_end_run(server):
    done = subprocess.run([sys.executable, "-c", EXITS_EARLY, server.url], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip()
    client = autolog.Client(server.url)
    assert [m.step for m in client.get_metric_history(run_id, "loss")] == list(range(5000))
    assert client.get_run(run_id).info.status == "FINISHED"


def test_import_autolog_stays_free_of_http_and_server_libraries():
    code = ("import sys, autolog; autolog.Client; "
            "print(sorted(m for m in ('http.client', 'starlette', 'uvicorn', 'autolog.server') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
