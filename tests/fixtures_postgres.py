"""A real PostgreSQL for the tests: one cluster per session in a temporary directory, on a free port.

``postgres_server`` starts it (as the ``postgres`` user when the tests run as root, since initdb
refuses root) and removes it at the end; ``postgres_server.new_uri()`` gives every test its own
empty schema. Logins need a password (``PASSWORD``), so every URI carries a secret that the tests
can look for in messages, tags and output. Tests skip with the reason only where no PostgreSQL server binaries exist.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest

__all__ = ["PostgresCluster", "postgres_server", "PASSWORD"]

PASSWORD = "pg-s3cret-9f2c"


def find_binary(name: str):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """A throwaway cluster: ``initdb`` in a temporary directory, ``pg_ctl`` start and stop."""

    def __init__(self, initdb: str, pg_ctl: str, root=None, port=None):
        self.initdb, self.pg_ctl = initdb, pg_ctl
        self.root = root or tempfile.mkdtemp(prefix="autolog-pg-")
        self.port = port or _free_port()
        self.as_postgres = os.geteuid() == 0
        self.admin = None

    def _run(self, *args) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        """Create the cluster (password logins, on loopback only) and start it."""
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        data = os.path.join(self.root, "data")
        if os.path.isdir(data):  # created before: start it again
            self._start_server(data)
            return
        password_file = os.path.join(self.root, "password")
        with open(password_file, "w") as handle:
            handle.write(PASSWORD)
        if self.as_postgres:
            shutil.chown(password_file, "postgres")
        self._run(self.initdb, "-D", data, "-U", "postgres", "-A", "scram-sha-256", f"--pwfile={password_file}",
                  "-E", "UTF8", "--no-sync", "--locale=C.UTF-8")
        self._start_server(data)

    def _start_server(self, data: str) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(self.pg_ctl, "-D", data, "-o", options, "-l", os.path.join(self.root, "log"), "-w", "start")
        import psycopg

        self.admin = psycopg.connect(self.uri("postgres"), autocommit=True)

    def uri(self, database: str = "postgres", scheme: str = "postgresql", password: str = PASSWORD) -> str:
        """The URI of ``database`` on this cluster."""
        return f"{scheme}://postgres:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its name."""
        name = f"db_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f"CREATE DATABASE {name}")
        return name

    def new_uri(self, scheme: str = "postgresql", password: str = PASSWORD) -> str:
        """A URI whose tables live in a new, empty schema of the ``postgres`` database
        (much cheaper than a new database)."""
        schema = f"s_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f"CREATE SCHEMA {schema}")
        return f"{self.uri('postgres', scheme, password)}?options=-csearch_path%3D{schema}"

    def stop(self, remove: bool = True) -> None:
        """Stop the server and (unless ``remove`` is False) delete the cluster."""
        if self.admin is not None:
            self.admin.close()
            self.admin = None
        try:
            self._run(self.pg_ctl, "-D", os.path.join(self.root, "data"), "-m", "fast" if not remove else "immediate",
                      "-w", "stop")
        finally:
            if remove:
                shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A running PostgreSQL cluster for the session (skips, with the reason, where none can be had)."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.skip("psycopg 3 is not installed (pip install 'autolog[postgres]')")
    cluster = PostgresCluster(initdb, pg_ctl)
    try:
        cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        cluster.stop()
        pytest.fail(f"could not start a PostgreSQL cluster: {exc}")
    yield cluster
    cluster.stop()
