"""A run with 10,000 artifacts in S3, listed through the server's proxy and directly (``stores`` group).

The S3 endpoint is a moto server in the measuring process (``moto[server]``, from the ``[dev]``
extra); the objects are put straight into its storage, and every listing goes through S3's HTTP API,
1,000 keys a page. moto answers about 1,000 keys a second on a busy machine: that, not autolog, is
most of these times.
"""

from __future__ import annotations

import os
import time

__all__ = ["list_many_artifacts"]


def _moto():
    """(server, endpoint, bucket, put) of a started moto server with an empty bucket; ``put(key)`` stores
    a one-byte object straight into its storage."""
    try:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise RuntimeError(f"the S3 listing needs moto[server] (pip install 'autolog[dev]'): {exc}") from None
    from tests.server.conftest import free_port

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    backend, bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"], "bench-many-artifacts"
    backend.create_bucket(bucket, "us-east-1")
    return server, f"http://{host}:{port}", bucket, lambda key: backend.put_object(bucket, key, b"x")


def list_many_artifacts(count: int, workdir: str) -> dict:
    """Seconds to list ``count`` artifacts of one run through the server's proxy, and directly."""
    import autolog
    from autolog.tracking.artifacts.s3 import S3ArtifactRepository
    from tests.fixtures_s3 import S3_ENV
    from tests.server.test_team_stores import TeamServer

    os.environ.update(S3_ENV)
    moto, endpoint, bucket, put = _moto()
    os.environ["AUTOLOG_S3_ENDPOINT_URL"] = endpoint
    server = TeamServer(os.path.join(workdir, f"s3-store-{time.time_ns()}"), f"s3://{bucket}/root", endpoint,
                        os.path.join(workdir, "s3-server.log"))
    try:
        client = autolog.Client(server.url)
        run = client.create_run(client.create_experiment("many"))
        run_prefix = f"root/{run.info.experiment_id}/{run.info.run_id}"  # where the server keeps them
        for index in range(count):
            put(f"{run_prefix}/many/f{index:05d}.txt")
        start = time.perf_counter()
        through_server = len(client.list_artifacts(run.info.run_id, "many"))
        proxied = time.perf_counter() - start
        start = time.perf_counter()
        direct = len(S3ArtifactRepository(f"s3://{bucket}/{run_prefix}").list_artifacts("many"))
        directly = time.perf_counter() - start
        if through_server != count or direct != count:
            raise RuntimeError(f"listed {through_server} and {direct} artifacts, expected {count}")
        return {"s3-list-server": proxied, "s3-list-direct": directly}
    finally:
        server.stop()
        moto.stop()
