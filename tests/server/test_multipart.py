"""Multipart upload through the artifact proxy, in MLflow's protocol: the stock client and the raw routes."""

import hashlib
import http.client
import json
import os
import subprocess
import textwrap

import pytest

from tests.server.conftest import Server, run_cli
from tests.server.test_artifact_security import TRAVERSALS
from tests.server.test_auth import request

MLFLOW_PYTHON = os.environ.get("AUTOLOG_MLFLOW_PYTHON")
MPU = "/api/2.0/mlflow-artifacts/mpu"


@pytest.fixture(scope="module")
def mpu_server(tmp_path_factory):
    store = tmp_path_factory.mktemp("mpu") / "store"
    tokens = {role: run_cli("server", "tokens", "create", "--name", role, "--role", role,
                            "--backend-store-uri", str(store)).strip().splitlines()[-1] for role in ("write", "read")}
    server = Server(store, "--auth")
    yield server, tokens
    server.stop()


def _post(server, token, path, body):
    status, payload, _ = request(server.url + path, "POST", token, headers={"Content-Type": "application/json"},
                                 body=json.dumps(body).encode())
    return status, json.loads(payload) if payload else {}


def _uploads_left(server) -> list:
    area = os.path.join(server.store_dir, "artifacts", ".autolog-uploads")
    return os.listdir(area) if os.path.isdir(area) else []


def test_parts_in_any_order_are_joined_into_the_contained_target(mpu_server):
    server, tokens = mpu_server
    status, created = _post(server, tokens["write"], f"{MPU}/create/0/mpu-run/artifacts",
                            {"path": "/client/big.bin", "num_parts": 3})
    assert status == 200, created
    credentials = created["credentials"]
    assert [c["part_number"] for c in credentials] == [1, 2, 3] and "key=" in credentials[0]["url"]
    chunks = [os.urandom(70_000), os.urandom(70_000), b"tail"]
    parts = []
    for credential in reversed(credentials):  # no token: the URL's key is the credential
        status, _, headers = request(credential["url"], "PUT", body=chunks[credential["part_number"] - 1])
        assert status == 200
        parts.append({"part_number": credential["part_number"], "etag": headers["ETag"], "url": credential["url"]})
    forged = credentials[0]["url"].replace("key=", "key=x")
    assert request(forged, "PUT", body=b"evil")[0] == 403
    out_of_range = credentials[0]["url"].replace("part_number=1", "part_number=4")
    assert request(out_of_range, "PUT", body=b"evil")[0] == 400
    status, body = _post(server, tokens["write"], f"{MPU}/complete/0/mpu-run/artifacts",
                         {"path": "/client/big.bin", "upload_id": created["upload_id"], "parts": parts[:2]})
    assert status == 400 and "numbered 1 to 3" in body["message"]
    status, body = _post(server, tokens["write"], f"{MPU}/complete/0/mpu-run/artifacts",
                         {"path": "/client/big.bin", "upload_id": created["upload_id"], "parts": parts})
    assert status == 200, body
    status, data, _ = request(server.url + "/api/2.0/mlflow-artifacts/artifacts/0/mpu-run/artifacts/big.bin",
                              token=tokens["read"])
    assert status == 200 and data == b"".join(chunks)
    assert _uploads_left(server) == []
    assert request(credentials[0]["url"], "PUT", body=b"late")[0] == 404  # the upload is gone


def test_abort_read_tokens_traversal_and_the_hidden_upload_area(mpu_server):
    server, tokens = mpu_server
    target = f"{MPU}/create/0"
    assert _post(server, tokens["read"], target, {"path": "aborted.bin", "num_parts": 1})[0] == 403
    for bad in TRAVERSALS + [".autolog-uploads/x", "0/x#y"]:
        for action in ("create", "complete", "abort"):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.request("POST", f"{MPU}/{action}/{bad}", body=b'{"path": "a.bin", "num_parts": 1, "upload_id": "0"}',
                         headers={"Authorization": f"Bearer {tokens['write']}"})
            status = conn.getresponse().status
            conn.close()
            assert status in (400, 404), (action, bad, status)
    assert _uploads_left(server) == []
    assert _post(server, tokens["write"], target, {"path": "aborted.bin", "num_parts": 0})[0] == 400
    assert _post(server, tokens["write"], target, {"path": "..", "num_parts": 1})[0] == 400
    status, created = _post(server, tokens["write"], target, {"path": "C:\\data\\aborted.bin", "num_parts": 2})
    assert request(created["credentials"][0]["url"], "PUT", body=b"part one")[0] == 200
    assert _uploads_left(server) == [created["upload_id"]]
    stale = _post(server, tokens["write"], target, {"path": "stale.bin", "num_parts": 1})[1]["upload_id"]
    record = os.path.join(server.store_dir, "artifacts", ".autolog-uploads", stale, "upload.json")
    with open(record) as handle:
        opened = json.load(handle)
    with open(record, "w") as handle:
        json.dump(dict(opened, created=opened["created"] - 8 * 24 * 3600), handle)
    fresh = _post(server, tokens["write"], target, {"path": "fresh.bin", "num_parts": 1})[1]["upload_id"]
    assert sorted(_uploads_left(server)) == sorted([created["upload_id"], fresh])  # the week-old one is gone
    assert _post(server, tokens["write"], f"{MPU}/abort/0", {"path": "fresh.bin", "upload_id": fresh})[0] == 200
    listing = request(server.url + "/api/2.0/mlflow-artifacts/artifacts", token=tokens["read"])[1]
    assert b".autolog-uploads" not in listing
    upload_file = f"/api/2.0/mlflow-artifacts/artifacts/.autolog-uploads/{created['upload_id']}/upload.json"
    assert request(server.url + upload_file, token=tokens["write"])[0] == 404
    other = {"path": "elsewhere.bin", "upload_id": created["upload_id"]}
    assert _post(server, tokens["write"], f"{MPU}/abort/0", other)[0] == 400
    mine = {"path": "aborted.bin", "upload_id": created["upload_id"]}
    assert _post(server, tokens["write"], f"{MPU}/abort/0", mine)[0] == 200
    assert _uploads_left(server) == []
    status, info, _ = request(server.url + "/api/3.0/mlflow/server-info")
    assert status == 200 and json.loads(info)["multipart_uploads_enabled"] is True


STOCK_UPLOAD = textwrap.dedent("""
    import hashlib, json, os, sys
    import mlflow
    from mlflow.store.artifact import http_artifact_repo

    calls = []
    original = http_artifact_repo.HttpArtifactRepository._try_multipart_upload
    def counted(self, local_file, artifact_path=None):
        calls.append(os.path.basename(local_file))
        return original(self, local_file, artifact_path)
    http_artifact_repo.HttpArtifactRepository._try_multipart_upload = counted

    mlflow.set_tracking_uri(sys.argv[1])
    with open("big.bin", "wb") as handle:
        handle.write(os.urandom(3 * 1024 * 1024 + 12345))
    with open("small.txt", "w") as handle:
        handle.write("small")
    with mlflow.start_run() as run:
        mlflow.log_artifact("big.bin", "data")
        mlflow.log_artifact("small.txt")
    back = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="data/big.bin", dst_path="back")
    digest = lambda path: hashlib.sha256(open(path, "rb").read()).hexdigest()
    print(json.dumps({"calls": calls, "same": digest(back) == digest("big.bin"), "run": run.info.run_id,
                      "experiment": run.info.experiment_id, "sha": digest("big.bin")}))
""")


@pytest.mark.mlflow
@pytest.mark.skipif(not MLFLOW_PYTHON, reason="AUTOLOG_MLFLOW_PYTHON names no interpreter with MLflow")
def test_stock_mlflow_client_uploads_a_big_file_in_parts(mpu_server, tmp_path):
    server, tokens = mpu_server
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith(("AUTOLOG_", "MLFLOW_"))}
    env.update(MLFLOW_TRACKING_TOKEN=tokens["write"], MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE=str(1024 * 1024),
               MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE=str(1024 * 1024))
    result = subprocess.run([MLFLOW_PYTHON, "-c", STOCK_UPLOAD, server.url], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:] + server.log()[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["calls"] == ["big.bin"] and out["same"], out
    stored = os.path.join(server.store_dir, "artifacts", out["experiment"], out["run"], "data", "big.bin")
    assert hashlib.sha256(open(stored, "rb").read()).hexdigest() == out["sha"]
    assert _uploads_left(server) == [] and "internal error" not in server.log()


def test_our_client_uploads_a_big_file_in_parts(mpu_server, tmp_path, monkeypatch):
    import autolog

    server, tokens = mpu_server
    monkeypatch.setenv("AUTOLOG_TRACKING_TOKEN", tokens["write"])
    monkeypatch.setenv("AUTOLOG_MULTIPART_UPLOAD_MIN_BYTES", str(256 * 1024))
    monkeypatch.setenv("AUTOLOG_MULTIPART_UPLOAD_CHUNK_BYTES", str(100 * 1024))
    big = tmp_path / "weights.bin"
    big.write_bytes(os.urandom(1024 * 1024 + 7))
    (tmp_path / "small.txt").write_text("small")
    from autolog.tracking.artifacts import http_multipart

    uploads, real_upload = [], http_multipart.upload_in_parts

    def spied(session, local_file, remote_dir, chunk):
        uploads.append((os.path.basename(local_file), real_upload(session, local_file, remote_dir, chunk)))
        return uploads[-1][1]

    monkeypatch.setattr(http_multipart, "upload_in_parts", spied)
    client = autolog.Client(server.url)
    run_id = client.create_run("0").info.run_id
    client.log_artifact(run_id, str(big), "model")
    client.log_artifact(run_id, str(tmp_path / "small.txt"))
    back = client.download_artifacts(run_id, "model/weights.bin", str(tmp_path / "back"))
    assert open(back, "rb").read() == big.read_bytes()
    assert sorted(f.path for f in client.list_artifacts(run_id)) == ["model", "small.txt"]
    assert _uploads_left(server) == []
    assert uploads == [("weights.bin", True)]  # the big file went up in parts, the small one in one PUT
