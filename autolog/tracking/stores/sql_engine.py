"""Connections and transactions for the SQL stores.

One connection per thread and process; write transactions take the write lock up
front (``BEGIN IMMEDIATE`` on SQLite) and wait for other writers instead of failing,
so many processes can log into one store at once.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time

from ..exceptions import StoreError
from .storage_errors import storage_errors

__all__ = ["SqliteDatabase"]

_BUSY_TIMEOUT_MS = 60_000


class SqliteDatabase:
    """A SQLite file in WAL mode, shared by threads and processes.

    ``placeholder`` and ``blob`` let the shared SQL stay dialect-neutral.
    """

    dialect = "sqlite"
    placeholder = "?"

    def __init__(self, path: str):
        self.path = path
        self.existed_before_open = os.path.exists(path)  # a table-less file that existed may be a damaged store
        self._local = threading.local()
        self._all_connections: list = []
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open tracking database {self.path!r}: {exc}") from exc
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        with self._lock:
            self._all_connections.append(conn)
        return conn

    @property
    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (and again after a fork)."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():
            conn = self._connect()
            local.conn, local.pid = conn, os.getpid()
        return conn

    @staticmethod
    def _retry(operation):
        # busy_timeout covers most waits; a lock upgrade deadlock in WAL mode still
        # returns SQLITE_BUSY at once, so back off and try again.
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return operation()
            except sqlite3.OperationalError as exc:
                message = str(exc)
                if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.001, 0.02))

    @contextlib.contextmanager
    def write(self):
        """A write transaction: yields a cursor, commits on success, rolls back on error.

        SQLite's own errors leave as StoreError naming the database (see ``storage_errors``).
        """
        with storage_errors(self.path):
            conn = self.connection
            self._retry(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                yield conn.cursor()
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # a full disk can fail the rollback too
                    conn.execute("ROLLBACK")
                raise
            else:
                self._retry(lambda: conn.execute("COMMIT"))

    def query(self, sql: str, params=()) -> list:
        """Run one read statement and return all rows; raises StoreError like ``write``."""
        with storage_errors(self.path):
            return self._retry(lambda: self.connection.execute(sql, params).fetchall())

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty it, so the file alone is the store."""
        with storage_errors(self.path):
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Close every connection this object opened."""
        with self._lock:
            for conn in self._all_connections:
                with contextlib.suppress(Exception):
                    conn.close()
            self._all_connections.clear()
        self._local = threading.local()
