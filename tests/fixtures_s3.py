"""A real S3 endpoint for the tests: moto's server on loopback, started once per session.

``s3_server`` is its endpoint URL; ``s3_bucket`` creates an empty bucket for one test, points
autolog (``AUTOLOG_S3_ENDPOINT_URL``) and boto3 (throwaway credentials) at the server, and yields
the bucket's name. Tests skip with the reason where boto3 or moto[server] is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

__all__ = ["s3_server", "s3_bucket", "S3_ENV"]

S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
          "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server running on 127.0.0.1 for the session."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"S3 tests need boto3 and moto[server] (pip install 'autolog[dev,s3]'): {exc}")
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the moto S3 server did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture
def s3_bucket(s3_server, monkeypatch):
    """A new, empty bucket on the test S3 server, with autolog and boto3 pointed at it."""
    import boto3

    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUTOLOG_S3_ENDPOINT_URL", s3_server)
    bucket = f"bucket-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=bucket)
    yield bucket
