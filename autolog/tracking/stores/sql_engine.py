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
from .storage_errors import storage_errors, translate_storage_error

__all__ = ["SqliteDatabase"]

_BUSY_TIMEOUT_MS = 60_000
# the log is copied back into the database every ~40 MB rather than SQLite's 4 MB: a page that many
# small commits rewrite (a run's table and index pages) is copied once, and checkpoints stall a write
# ten times less often (a clean close still checkpoints everything)
_AUTOCHECKPOINT_PAGES = 10_000


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
        conn.execute(f"PRAGMA wal_autocheckpoint = {_AUTOCHECKPOINT_PAGES}")
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
            local.conn, local.pid, local.first_write = conn, os.getpid(), True
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

    def write(self) -> "_WriteTransaction":
        """A write transaction: a context manager that yields a cursor, commits on success, rolls back on error.

        SQLite's own errors leave as StoreError naming the database (see ``storage_errors``).
        """
        return _WriteTransaction(self)

    def current_schema_version(self):
        """The store's schema version read without taking the write lock; None when it has no tables yet.

        Raises StoreError like ``write``.
        """
        try:
            rows = self._retry(lambda: self.connection.execute("SELECT version FROM schema_version").fetchall())
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            translate_storage_error(exc, self.path)
            raise
        except Exception as exc:
            translate_storage_error(exc, self.path)
            raise
        return rows[0][0] if rows else None

    def run_script(self, script: str) -> None:
        """Run several statements (no parameters) as one write transaction: all or nothing.

        Raises StoreError like ``write``.
        """
        def run():
            conn = self.connection
            try:
                conn.executescript(f"BEGIN IMMEDIATE;\n{script};\nCOMMIT;")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

        try:
            self._retry(run)
        except Exception as exc:
            translate_storage_error(exc, self.path)
            raise

    def create_whole(self, schema_script: str, rows_script: str) -> bool:
        """Make the database file, absent until now, from ``schema_script`` then ``rows_script`` in one go;
        True when this call made it.

        The file is built under a hidden partial name beside it, with no journal and no syncs (nobody else
        can see it yet), switched to WAL, and linked into place only if no file has appeared there since:
        another process sees no store or a whole one, never half of one. It reaches the disk in the
        background (a store that was empty a moment ago loses nothing it held if the machine stops before).
        The tables ``schema_script`` makes are copied from the cache of ``sql_template`` when it holds them,
        else built and saved there. False, leaving no file behind, when the file exists by now or linking
        is not possible here (the caller then creates the store in a transaction, as ``run_script`` does).
        """
        from .sql_template import copy_template, discard_template, save_template

        directory, name = os.path.split(self.path)
        partial = os.path.join(directory, f".{name}.{os.getpid()}-{random.getrandbits(48):012x}.partial")
        copied = False
        try:
            copied = copy_template(schema_script, partial)
            conn = sqlite3.connect(partial, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = OFF")
                conn.execute("PRAGMA synchronous = OFF")
                if not copied:
                    conn.executescript(f"BEGIN;\n{schema_script};\nCOMMIT;")
                    save_template(schema_script, partial)
                conn.executescript(f"BEGIN;\n{rows_script};\nCOMMIT;")
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
            finally:
                conn.close()
            os.link(partial, self.path)
        except (OSError, sqlite3.Error) as exc:
            if copied and isinstance(exc, sqlite3.Error):  # a damaged copy: the next new store builds its own
                discard_template(schema_script)
            return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(partial)
        from ..._background import start_in_background

        start_in_background(_sync_file, self.path)
        return True

    def query(self, sql: str, params=()) -> list:
        """Run one read statement and return all rows; raises StoreError like ``write``."""
        try:
            return self._retry(lambda: self.connection.execute(sql, params).fetchall())
        except Exception as exc:
            translate_storage_error(exc, self.path)
            raise

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


def _sync_file(path: str) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDWR)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


class _WriteTransaction:
    """``SqliteDatabase.write()``: a plain class rather than a generator, as a run's life is a few of these."""

    __slots__ = ("database", "conn", "log_unsynced")

    def __init__(self, database: SqliteDatabase):
        self.database = database
        self.conn = None
        self.log_unsynced = False

    def __enter__(self) -> sqlite3.Cursor:
        database = self.database
        try:
            conn = self.conn = database.connection
            local = database._local
            if local.first_write:
                local.first_write = False
                self.log_unsynced = _begin_first_write(database, conn)
            else:
                _begin(database, conn)
            return conn.cursor()
        except Exception as exc:
            translate_storage_error(exc, database.path)
            raise

    def __exit__(self, exc_type, exc, traceback) -> bool:
        try:
            return self._finish(exc_type, exc)
        finally:
            if self.log_unsynced:
                _sync_again(self.database, self.conn)

    def _finish(self, exc_type, exc) -> bool:
        conn = self.conn
        if exc_type is None:
            try:
                self.database._retry(lambda: conn.execute("COMMIT"))
                return False
            except Exception as error:
                if conn.in_transaction:  # a full disk can fail the commit: leave the connection usable
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                translate_storage_error(error, self.database.path)
                raise
        with contextlib.suppress(sqlite3.Error):  # a full disk can fail the rollback too
            conn.execute("ROLLBACK")
        if isinstance(exc, Exception):
            translate_storage_error(exc, self.database.path)
        return False


def _begin(database: SqliteDatabase, conn: sqlite3.Connection) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        database._retry(lambda: conn.execute("BEGIN IMMEDIATE"))


def _log_size(database: SqliteDatabase) -> int:
    try:
        return os.stat(database.path + "-wal").st_size
    except OSError:
        return 0


def _begin_first_write(database: SqliteDatabase, conn: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE for a connection's first write; True when this transaction runs without syncs.

    When the write-ahead log is empty (a new store, or one a clean exit checkpointed), the transaction
    starts the log without syncing its header (nor, for a new log file, its folder): that sync guards
    against stale frames of an earlier log, and an empty file holds none. The commit is as durable as any
    under ``synchronous = NORMAL`` (which syncs at checkpoints, not commits); no checkpoint runs meanwhile.
    """
    if _log_size(database) != 0:
        _begin(database, conn)
        return False
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        _begin(database, conn)
    except BaseException:
        _sync_again(database, conn)
        raise
    if _log_size(database) == 0:  # checked again under the write lock: nobody can add frames now
        return True
    conn.execute("ROLLBACK")  # another process wrote between the look and the lock
    _sync_again(database, conn)
    _begin(database, conn)
    return False


def _sync_again(database: SqliteDatabase, conn: sqlite3.Connection) -> None:
    """Back to the usual syncs and checkpoints after ``_begin_first_write``; a connection that refuses is
    closed (this thread opens a new one on its next use) rather than left without syncs."""
    try:
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA wal_autocheckpoint = {_AUTOCHECKPOINT_PAGES}")
    except sqlite3.Error:
        database._local.conn = None
        with contextlib.suppress(sqlite3.Error):
            conn.close()
