"""Recognising databases written by other tools, so opening one fails with a way forward."""

from __future__ import annotations

import os

from ..exceptions import StoreError

__all__ = ["is_mlflow_database", "check_not_mlflow", "check_not_mlflow_file_store"]


def is_mlflow_database(tables) -> bool:
    """Whether a database with these tables was written by MLflow (alembic-managed, MLflow's run table)."""
    return "alembic_version" in tables and "runs" in tables and "schema_version" not in tables


def mlflow_database_error(uri: str) -> StoreError:
    """The error for a tracking URI that names an MLflow database."""
    return StoreError(
        f"{uri} is an MLflow tracking database; autolog keeps its own schema and does not write into "
        f"MLflow's. Copy its runs and models into an autolog store with: autolog import-mlflow {uri}")


def check_not_mlflow(path: str) -> None:
    """Raise StoreError naming ``autolog import-mlflow`` when the SQLite file at ``path`` is an MLflow database."""
    import sqlite3

    if not os.path.isfile(path):
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return
    if is_mlflow_database(tables):
        raise mlflow_database_error(f"sqlite:///{path}")


def check_not_mlflow_file_store(directory: str, db_path: str) -> None:
    """Raise StoreError naming ``autolog import-mlflow`` rather than start a store inside an MLflow
    file store (a directory with ``0/meta.yaml`` and no autolog database yet)."""
    if os.path.exists(db_path) or not os.path.isfile(os.path.join(directory, "0", "meta.yaml")):
        return
    raise StoreError(
        f"{directory} is an MLflow file store; autolog keeps its runs in its own database and will not mix "
        f"them into it. Copy them with: autolog import-mlflow {directory} --to NEW_DIRECTORY, "
        f"or choose another tracking URI")
