"""A run with thousands of artifacts in S3: listed page by page, through the server's proxy and directly.

The objects are written straight into the S3 server's own storage (a moto server in this process),
which takes a second where thousands of uploads would take minutes; listing them still goes through
S3's HTTP API, 1,000 keys a page. The benchmark group ``stores`` lists 10,000.
"""

import pytest

import autolog
from autolog.tracking.artifacts.s3 import S3ArtifactRepository, _client

from tests.fixtures_s3 import S3_ENV
from .conftest import free_port
from .test_team_stores import TeamServer

pytestmark = pytest.mark.slow

COUNT = 1_500  # two pages of keys (listing costs about 3 ms a key on moto: 10,000 are in the benchmark)


@pytest.fixture
def filled_bucket(monkeypatch):
    """(endpoint, bucket, put) on a moto S3 server running in this process; ``put(key)`` stores a
    one-byte object without an HTTP request."""
    pytest.importorskip("moto.server", reason="S3 tests need moto[server] (pip install 'autolog[dev]')")
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUTOLOG_S3_ENDPOINT_URL", endpoint)
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    bucket = "bucket-many-artifacts"
    backend.create_bucket(bucket, "us-east-1")
    try:
        yield endpoint, bucket, lambda key: backend.put_object(bucket, key, b"x")
    finally:
        server.stop()
        s3_backends.reset()


def test_a_run_with_thousands_of_artifacts_is_listed_page_by_page(filled_bucket, tmp_path):
    endpoint, bucket, put = filled_bucket
    server = TeamServer(str(tmp_path / "store"), f"s3://{bucket}/root", endpoint, tmp_path / "server.log")
    try:
        client = autolog.Client(server.url)
        run = client.create_run(client.create_experiment("many"))
        (tmp_path / "note.txt").write_text("n")
        client.log_artifact(run.info.run_id, str(tmp_path / "note.txt"))
        note_key = next(key for key in _keys(bucket) if key.endswith("/note.txt"))
        run_prefix = note_key[:-len("/note.txt")]  # where the server keeps the run's artifacts
        for index in range(COUNT):
            put(f"{run_prefix}/many/f{index:05d}.txt")
        expected = [f"many/f{index:05d}.txt" for index in range(COUNT)]

        listed = client.list_artifacts(run.info.run_id, "many")  # through the proxy
        assert [info.path for info in listed] == expected and {info.file_size for info in listed} == {1}
        assert [(info.path, info.is_dir) for info in client.list_artifacts(run.info.run_id)] \
            == [("many", True), ("note.txt", False)]

        requests = []
        _client().meta.events.register("before-call.s3.ListObjectsV2", lambda **kwargs: requests.append(1))
        direct = S3ArtifactRepository(f"s3://{bucket}/{run_prefix}").list_artifacts("many")
        assert [info.path for info in direct] == expected
        assert len(requests) == -(-COUNT // 1000)  # one request a page of at most 1,000 keys
    finally:
        server.stop()


def _keys(bucket: str) -> list:
    return [item["Key"] for page in _client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for item in page.get("Contents", ())]
