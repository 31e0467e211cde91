"""Token auth against a real server: every route without a token, with a read token, with a revoked token."""

import base64
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

import autolog
from tests.server.conftest import Server, run_cli


def _endpoints():
    from autolog.server.app import _all_endpoints

    for endpoint in _all_endpoints():
        path = endpoint.prefixes[0] + endpoint.path.replace("{model_id}", "m-0").replace("{tag_key:path}", "k")
        for method in endpoint.methods:
            yield method, path, endpoint.needs
    for method, needs in (("GET", "read"), ("PUT", "write"), ("DELETE", "write")):
        yield method, "/api/2.0/mlflow-artifacts/artifacts/0/file.txt", needs
    yield "GET", "/api/2.0/mlflow-artifacts/artifacts?path=0", "read"


def request(url, method="GET", token=None, headers=None, body=b"{}"):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if method in ("POST", "PUT", "PATCH", "DELETE") else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    store = tmp_path_factory.mktemp("auth") / "store"
    tokens = {}
    for name, role in (("admin", "admin"), ("writer", "write"), ("reader", "read"), ("gone", "write")):
        tokens[name] = run_cli("server", "tokens", "create", "--name", name, "--role", role,
                               "--backend-store-uri", str(store)).strip().splitlines()[-1]
    run_cli("server", "tokens", "revoke", "gone", "--backend-store-uri", str(store))
    server = Server(store, "--auth")
    yield server, tokens
    server.stop()


def test_tokens_are_stored_hashed_and_listed_without_secrets(auth_server, tmp_path):
    server, tokens = auth_server
    listing = run_cli("server", "tokens", "list", "--all", "--backend-store-uri", server.store_dir)
    assert "reader" in listing and "gone" in listing and tokens["reader"] not in listing
    database = open(f"{server.store_dir}/tracking.db", "rb").read()
    assert all(secret.encode() not in database for secret in tokens.values())


def test_every_route_needs_a_valid_token(auth_server):
    server, tokens = auth_server
    for method, path, _needs in _endpoints():
        for token in (None, tokens["gone"], "alt_forged"):
            status, body, headers = request(server.url + path, method, token)
            assert status == 401, (method, path, token, body)
            assert json.loads(body)["error_code"] == "UNAUTHENTICATED"


def test_read_token_cannot_write_and_write_token_passes(auth_server):
    server, tokens = auth_server
    for method, path, needs in _endpoints():
        status, body, _ = request(server.url + path, method, tokens["reader"])
        if needs == "write":
            assert status == 403 and json.loads(body)["error_code"] == "PERMISSION_DENIED", (method, path)
        else:
            assert status not in (401, 403), (method, path, body)
        status, body, _ = request(server.url + path, method, tokens["writer"])
        assert status not in (401, 403), (method, path, body)


def test_open_paths_basic_auth_cookie_and_browser_redirect(auth_server):
    server, tokens = auth_server
    for path in ("/health", "/version", "/api/3.0/mlflow/server-info"):
        assert request(server.url + path)[0] == 200
    basic = base64.b64encode(f"anyone:{tokens['reader']}".encode()).decode()
    assert request(server.url + "/api/2.0/mlflow/experiments/get?experiment_id=0",
                   headers={"Authorization": f"Basic {basic}"})[0] == 200
    assert request(server.url + "/api/2.0/mlflow/experiments/get?experiment_id=0",
                   headers={"Cookie": f"autolog_token={tokens['reader']}"})[0] == 200

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as error:
        opener.open(urllib.request.Request(server.url + "/experiments?x=1", headers={"Accept": "text/html"}))
    assert error.value.code == 303 and error.value.headers["Location"] == "/login?next=%2Fexperiments%3Fx%3D1"


def test_our_client_with_tokens_and_revocation(auth_server, monkeypatch):
    server, tokens = auth_server
    monkeypatch.setenv("AUTOLOG_TRACKING_TOKEN", tokens["writer"])
    client = autolog.Client(server.url)
    run = client.create_run("0")
    client.log_param(run.info.run_id, "a", 1)
    monkeypatch.setenv("AUTOLOG_TRACKING_TOKEN", tokens["reader"])
    assert client.get_run(run.info.run_id).data.params == {"a": "1"}
    with pytest.raises(autolog.StoreError, match="HTTP 403"):
        client.log_param(run.info.run_id, "b", 2)
    run_cli("server", "tokens", "create", "--name", "temp", "--role", "read", "--backend-store-uri", server.store_dir)
    monkeypatch.setenv("AUTOLOG_TRACKING_TOKEN", "alt_not-a-token")
    with pytest.raises(autolog.StoreError, match="HTTP 401"):
        client.get_run(run.info.run_id)


def test_revoked_token_stops_working(auth_server):
    server, _ = auth_server
    secret = run_cli("server", "tokens", "create", "--name", "short", "--role", "read",
                     "--backend-store-uri", server.store_dir).strip().splitlines()[-1]
    url = server.url + "/api/2.0/mlflow/experiments/get?experiment_id=0"
    assert request(url, token=secret)[0] == 200
    run_cli("server", "tokens", "revoke", "short", "--backend-store-uri", server.store_dir)
    time.sleep(1.2)  # the server caches a token check for a second
    assert request(url, token=secret)[0] == 401


def test_refuses_non_loopback_without_auth(tmp_path):
    result = subprocess.run([sys.executable, "-c", "import sys; from autolog.cli import main; sys.exit(main())",
                             "server", "--host", "0.0.0.0", "--no-auth", "--backend-store-uri", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "--insecure" in result.stderr
    result = subprocess.run([sys.executable, "-c", "import sys; from autolog.cli import main; sys.exit(main())",
                             "server", "--host", "0.0.0.0", "--backend-store-uri", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "no token" in result.stderr
