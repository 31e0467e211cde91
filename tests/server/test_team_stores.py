"""The team set-up: ``autolog server`` processes on one PostgreSQL database and one S3 bucket.

The servers hold the credentials (database password, bucket keys); the clients hold none and
reach artifacts through the server's proxy.
"""

import os
import subprocess
import sys
import textwrap
import time
import urllib.request

import boto3
import numpy as np
import pytest

import autolog
import flavors
from tests.fixtures_postgres import PASSWORD
from tests.fixtures_s3 import S3_ENV

from .conftest import free_port

pytestmark = pytest.mark.slow

_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AUTOLOG_S3_ENDPOINT_URL",
                         "MLFLOW_S3_ENDPOINT_URL", "AUTOLOG_TRACKING_URI", "AUTOLOG_ARTIFACT_ROOT")


class TeamServer:
    """``autolog server --backend-store-uri postgresql://... --artifacts-destination s3://...`` in a child."""

    def __init__(self, store_uri: str, destination: str, endpoint: str, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = str(log_path)
        env = {**os.environ, **S3_ENV, "AUTOLOG_S3_ENDPOINT_URL": endpoint}
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "autolog.cli", "server", "--backend-store-uri", store_uri,
                 "--artifacts-destination", destination, "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the server did not start:\n" + self.log())
                time.sleep(0.2)

    def log(self) -> str:
        with open(self.log_path) as handle:
            return handle.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def team(postgres_server, s3_bucket, s3_server, tmp_path, monkeypatch):
    """A function starting servers on one fresh PostgreSQL schema and ``s3://<bucket>/team``; the test
    process keeps no S3 credentials. Yields (start, bucket objects reader)."""
    store_uri = postgres_server.new_uri()
    servers = []

    def start():
        server = TeamServer(store_uri, f"s3://{s3_bucket}/team", s3_server, tmp_path / f"server{len(servers)}.log")
        servers.append(server)
        return server

    def objects(prefix=""):
        client = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket, Prefix=prefix)
        return {item["Key"] for page in pages for item in page.get("Contents", ())}

    for name in _CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield start, objects
    for server in servers:
        server.stop()
        assert PASSWORD not in server.log() and S3_ENV["AWS_SECRET_ACCESS_KEY"] not in server.log()


def _journey(server, objects, tmp_path):
    """Our client's journey through ``server``: runs, artifacts, models, the registry."""
    from sklearn.linear_model import Ridge

    assert "***@" in server.log()  # the database URI is shown with its password masked
    autolog.set_tracking_uri(server.url)
    experiment = autolog.set_experiment("team-journey")
    assert experiment.artifact_location.startswith(server.url + "/api/2.0/mlflow-artifacts/")  # the proxy
    features, target = np.arange(30.0).reshape(15, 2), np.arange(15.0)
    model = Ridge().fit(features, target)
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    with autolog.start_run() as run:
        autolog.log_params({"alpha": 1.0})
        for step in range(5):
            autolog.log_metric("rmse", 1.0 / (step + 1), step=step)
        autolog.log_artifact(str(tmp_path / "data.csv"), "inputs")
        flavors.sklearn.log_model(model, "model", registered_model_name="team-ridge")
    run_key = f"team/{experiment.experiment_id}/{run.info.run_id}"
    assert {f"{run_key}/inputs/data.csv", f"{run_key}/model/MLmodel"} <= objects(run_key)
    assert "MLmodel" in {key.rsplit("/", 1)[1] for key in objects("team/models/team-ridge/1/")}
    client = autolog.Client()
    assert [f.path for f in client.list_artifacts(run.info.run_id, "inputs")] == ["inputs/data.csv"]
    assert open(client.download_artifacts(run.info.run_id, "inputs/data.csv", str(tmp_path / "dl"))).read() \
        == "a,b\n1,2\n"
    assert [m.value for m in client.get_metric_history(run.info.run_id, "rmse")] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    client.transition_model_version_stage("team-ridge", 1, "Production")
    for uri in ("models:/team-ridge/1", "models:/team-ridge/Production", f"runs:/{run.info.run_id}/model"):
        np.testing.assert_allclose(flavors.pyfunc.load_model(uri).predict(features), model.predict(features))
    np.testing.assert_allclose(flavors.sklearn.load_model("models:/team-ridge/1").predict(features),
                               model.predict(features))
    client.delete_model_version("team-ridge", 1)
    assert not objects("team/models/team-ridge/")


_CLIENT = textwrap.dedent("""
    import os, sys, tempfile
    import autolog
    autolog.set_tracking_uri(sys.argv[1])
    worker = sys.argv[2]
    autolog.set_experiment("crowd")
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "weights.txt"), "w") as handle:
        handle.write(worker)
    with open(os.path.join(folder, "MLmodel"), "w") as handle:
        handle.write("flavors: {python_function: {}}\\n")
    for index in range(2):
        with autolog.start_run(run_name=f"w{worker}-{index}") as run:
            autolog.log_params({"worker": worker, "index": index})
            for step in range(50):
                autolog.log_metrics({"loss": step / 50, "acc": -step}, step=step)
            autolog.log_artifacts(folder, "model")
        version = autolog.register_model(f"runs:/{run.info.run_id}/model", "shared-model")
        print(version.version, flush=True)
""")


def test_two_servers_on_one_database_and_bucket(team, tmp_path):
    """One client's whole journey through the first server, then eight clients on both at once."""
    start, objects = team
    servers = [start(), start()]
    _journey(servers[0], objects, tmp_path)
    clients = [subprocess.Popen([sys.executable, "-c", _CLIENT, servers[n % 2].url, str(n)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(8)]
    outputs = [client.communicate(timeout=300) for client in clients]
    assert all(client.returncode == 0 for client in clients), [err[-2000:] for _, err in outputs]
    versions = sorted(int(line) for out, _ in outputs for line in out.split())
    assert versions == list(range(1, 17))  # distinct numbers, none lost, none repeated
    reader = autolog.Client(servers[1].url)
    experiment = reader.get_experiment_by_name("crowd")
    runs = reader.search_runs([experiment.experiment_id], max_results=100)
    assert sorted(r.info.run_name for r in runs) == sorted(f"w{n}-{i}" for n in range(8) for i in range(2))
    for run in runs:
        assert run.info.status == "FINISHED" and run.data.metrics == {"loss": 49 / 50, "acc": -49.0}
        assert len(reader.get_metric_history(run.info.run_id, "loss")) == 50
    registry_files = objects("team/models/shared-model/")
    assert len([key for key in registry_files if key.endswith("weights.txt")]) == 16
