"""Tracking stores, chosen by tracking URI."""

from __future__ import annotations

import atexit
import os
import threading
from urllib.parse import unquote, urlparse

from ..exceptions import InvalidInputError, StoreError
from .base import TrackingStore

__all__ = ["TrackingStore", "get_store", "store_location"]

DATABASE_FILE = "tracking.db"
ARTIFACTS_DIR = "artifacts"
ARTIFACT_ROOT_ENV = "AUTOLOG_ARTIFACT_ROOT"
DEFAULT_SHARED_ARTIFACT_DIR = "mlartifacts"
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")

_stores: dict = {}
_stores_lock = threading.Lock()


def store_location(tracking_uri: str) -> tuple:
    """Return (kind, database path or URL, artifact root) for a tracking URI.

    Raises InvalidInputError for a URI scheme autolog does not know.
    """
    parsed = urlparse(tracking_uri)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        path = unquote(tracking_uri[len("sqlite:///"):]) if tracking_uri.startswith("sqlite:///") else ""
        if not path:
            raise InvalidInputError(f"Invalid tracking URI {tracking_uri!r}: expected sqlite:///path/to/file.db")
        path = os.path.abspath(path)
        return "sqlite", path, os.path.join(os.path.dirname(path), ARTIFACTS_DIR)
    if scheme == "file":
        root = os.path.abspath(unquote(parsed.path))
    elif scheme in ("", ) or (len(scheme) == 1 and os.name == "nt"):
        root = os.path.abspath(tracking_uri)
    elif scheme in _POSTGRES_SCHEMES:
        return "postgresql", tracking_uri, _default_artifact_root()
    else:
        raise InvalidInputError(f"Unsupported tracking URI {_masked(tracking_uri)!r}: use a directory, file://, "
                                "sqlite:///, postgresql:// or http(s)://")
    return "sqlite", os.path.join(root, DATABASE_FILE), os.path.join(root, ARTIFACTS_DIR)


def get_store(tracking_uri: str) -> TrackingStore:
    """Return the (cached) store for a tracking URI, creating its database on first use.

    Raises InvalidInputError for an unknown URI and StoreError when the store cannot be opened.
    """
    key = (tracking_uri, os.getpid())
    store = _stores.get(key)
    if store is not None:
        return store
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _open_store(tracking_uri)
            _stores[key] = store
    return store


@atexit.register
def _checkpoint_stores_at_exit() -> None:
    """On a clean exit, leave each database file whole by itself (its write-ahead log copied in)."""
    for (_uri, pid), store in list(_stores.items()):
        checkpoint = getattr(store, "checkpoint", None)
        if pid == os.getpid() and checkpoint is not None:
            try:
                checkpoint()
            except Exception:  # noqa: BLE001 - another process may hold the log; the data is safe in it
                pass


def _default_artifact_root() -> str:
    """Where a database store without a folder of its own puts new experiments' artifacts:
    $AUTOLOG_ARTIFACT_ROOT (a path or s3://bucket/prefix), else ./mlartifacts."""
    root = os.environ.get(ARTIFACT_ROOT_ENV) or DEFAULT_SHARED_ARTIFACT_DIR
    return root if "://" in root else os.path.abspath(root)


def _masked(uri: str) -> str:
    from .postgres_engine import mask_uri

    return mask_uri(uri)


def _open_store(tracking_uri: str) -> TrackingStore:
    import sqlite3

    from .sql_engine import SqliteDatabase
    from .sql_store import SqlStore

    if tracking_uri.startswith(("http://", "https://")):
        from .rest_store import RestStore

        return RestStore(tracking_uri)
    kind, db_path, artifact_root = store_location(tracking_uri)
    if kind == "postgresql":
        from .postgres_engine import open_postgres_store

        return open_postgres_store(tracking_uri, artifact_root)
    if os.path.isfile(db_path) and os.path.getsize(db_path) == 0:  # checked before SQLite writes its header
        from .damage import refuse_damaged_store

        refuse_damaged_store(db_path, artifact_root)
    if os.path.isdir(os.path.dirname(db_path)):  # a folder that does not exist yet holds no other tool's store
        from .foreign import check_not_mlflow, check_not_mlflow_file_store

        check_not_mlflow_file_store(os.path.dirname(db_path), db_path)
        check_not_mlflow(db_path)  # before connecting: opening switches the file to WAL
    try:
        os.makedirs(os.path.dirname(db_path), exist_ok=True)
        return SqlStore(SqliteDatabase(db_path), artifact_root)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Cannot open the tracking store at {tracking_uri!r}: {exc}") from exc
