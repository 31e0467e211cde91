"""Path traversal on every artifact route: encoded dots and slashes, '#', absolute paths, symlinks."""

import http.client
import json
import os

import pytest

import autolog

TRAVERSALS = ["%2e%2e/%2e%2e/secret.txt", "..%2f..%2fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt",
              "0/%2e%2e/%2e%2e/secret.txt", "0/..%5c..%5csecret.txt", "%2fetc%2fpasswd", "/etc/passwd",
              "0/x%23/../../../secret.txt", "0/a%00b", "%252e%252e/%252e%252e/secret.txt"]


def raw(server, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, body=body, headers={"Content-Length": str(len(body or b""))})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


@pytest.fixture
def secret(module_server):
    path = os.path.join(os.path.dirname(module_server.store_dir), "secret.txt")
    with open(path, "w") as handle:
        handle.write("TOP-SECRET")
    return path


def _assert_refused(status, data):
    assert status in (400, 404), (status, data)
    assert b"TOP-SECRET" not in data and b"root:" not in data


def test_proxy_routes_refuse_traversal(module_server, secret):
    for attempt in TRAVERSALS:
        for method, body in (("GET", None), ("PUT", b"owned"), ("DELETE", None)):
            for prefix in ("/api/2.0/mlflow-artifacts/artifacts/", "/ajax-api/2.0/mlflow-artifacts/artifacts/"):
                status, data = raw(module_server, method, prefix + attempt, body)
                _assert_refused(status, data)
        status, data = raw(module_server, "GET", "/api/2.0/mlflow-artifacts/artifacts?path=" + attempt)
        assert status == 400 or json.loads(data) == {"files": []}, (attempt, data)
    assert open(secret).read() == "TOP-SECRET"
    outside = os.listdir(os.path.dirname(module_server.store_dir))
    assert not [name for name in outside if "owned" in name or name.startswith("secret.txt.")]


def test_run_and_model_routes_refuse_traversal(module_server, secret):
    client = autolog.Client(module_server.url)
    run_id = client.create_run("0").info.run_id
    client.log_text(run_id, "fine", "ok.txt")
    for attempt in ("../../../secret.txt", "%2e%2e/%2e%2e/%2e%2e/secret.txt", "/etc/passwd", "..%2f..%2f..%2fsecret.txt"):
        _assert_refused(*raw(module_server, "GET", f"/api/2.0/mlflow/artifacts/list?run_id={run_id}&path={attempt}"))
        _assert_refused(*raw(module_server, "GET", f"/get-artifact?run_id={run_id}&path={attempt}"))
    status, data = raw(module_server, "GET", f"/get-artifact?run_id={run_id}&path=ok.txt")
    assert (status, data) == (200, b"fine")
    for source in ("/etc", "file:///etc", f"file://{os.path.dirname(secret)}", "mlflow-artifacts:/../../..",
                   f"{module_server.url}/api/2.0/mlflow-artifacts/artifacts/../../..", f"runs:/{run_id}/../../.."):
        body = json.dumps({"name": "evil", "source": source}).encode()
        status, data = raw(module_server, "POST", "/api/2.0/mlflow/model-versions/create", body)
        assert status == 400 and b"TOP-SECRET" not in data, (source, data)


def test_symlinks_cannot_lead_out(module_server, secret):
    client = autolog.Client(module_server.url)
    run_id = client.create_run("0").info.run_id
    client.log_text(run_id, "x", "inside.txt")
    run_dir = os.path.join(module_server.store_dir, "artifacts", "0", run_id)
    os.symlink(secret, os.path.join(run_dir, "link.txt"))
    os.symlink(os.path.dirname(secret), os.path.join(run_dir, "linkdir"))
    for path in (f"0/{run_id}/link.txt", f"0/{run_id}/linkdir/secret.txt"):
        _assert_refused(*raw(module_server, "GET", "/api/2.0/mlflow-artifacts/artifacts/" + path))
    _assert_refused(*raw(module_server, "PUT", f"/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/linkdir/new.txt",
                         b"owned"))
    _assert_refused(*raw(module_server, "GET", f"/get-artifact?run_id={run_id}&path=link.txt"))
    assert not os.path.exists(os.path.join(os.path.dirname(secret), "new.txt"))


def test_streamed_upload_and_download_round_trip(module_server, tmp_path):
    client = autolog.Client(module_server.url)
    run_id = client.create_run("0").info.run_id
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    client.log_artifact(run_id, str(big), "data")
    assert client.list_artifacts(run_id, "data")[0].file_size == big.stat().st_size
    out = client.download_artifacts(run_id, "data/big.bin", str(tmp_path / "out"))
    assert open(out, "rb").read() == big.read_bytes()
    status, _ = raw(module_server, "DELETE", f"/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/data/big.bin")
    assert status == 200 and client.list_artifacts(run_id, "data") == []
