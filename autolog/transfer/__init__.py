"""Moving runs between stores: import from MLflow, sync between autolog stores, offline spools, gc.

``import_mlflow`` and ``sync`` read a source (an MLflow database or file store, or any
autolog store) and copy it through the store interface, keeping ids; ``collect_garbage``
removes what was deleted for good. The command line lives in ``autolog.cli.moving``.
"""

from __future__ import annotations

__all__ = ["open_mlflow_source", "import_mlflow", "sync", "collect_garbage"]


def open_mlflow_source(source: str):
    """An MLflow database (``sqlite:///...``, ``postgresql://...``, or a ``.db`` path) or file store directory.

    Raises InvalidInputError when ``source`` is neither.
    """
    import os

    from ..tracking.exceptions import InvalidInputError

    source = os.fspath(source)
    if source.startswith(("sqlite:", "postgresql:", "postgresql+", "postgres:")):
        from .mlflow_sql import MlflowDatabase

        return MlflowDatabase(source.replace("postgres://", "postgresql://", 1))
    path = source[len("file://"):] if source.startswith("file://") else source
    path = path[len("file:"):] if path.startswith("file:") else path
    if os.path.isfile(path):
        from .mlflow_sql import MlflowDatabase

        return MlflowDatabase(f"sqlite:///{os.path.abspath(path)}")
    if os.path.isdir(path):
        from .mlflow_files import MlflowFileStore

        return MlflowFileStore(path)
    raise InvalidInputError(f"No MLflow store at {source!r}: expected sqlite:///mlflow.db, postgresql://..., "
                            "a database file or an mlruns/ directory")


def import_mlflow(source: str, destination: str, experiments=None, registry: bool = True, progress=None):
    """Copy an MLflow store's experiments, runs (with files) and registry into the autolog store at
    ``destination``, keeping ids; return the Summary. Safe to run again: nothing is copied twice.

    Raises InvalidInputError for a source that is not an MLflow store.
    """
    from ..tracking.client import Client
    from .copier import copy_store

    reader = open_mlflow_source(source)
    try:
        return copy_store(reader, Client(destination), experiments, registry, progress)
    finally:
        reader.close()


def sync(source: str, destination: str, experiments=None, filter_string: str = "", registry: bool = False,
         progress=None):
    """Copy runs (and with ``registry`` the model registry) from one autolog store to another, keeping ids;
    return the Summary. Resumable and idempotent: runs already in the destination are skipped.

    Raises InvalidInputError for a malformed filter, AutologError when a store cannot be opened.
    """
    from ..tracking.client import Client
    from .copier import copy_store
    from .store_source import StoreSource

    reader = StoreSource(Client(source), filter_string)
    only = {run_id for run_id, _ in reader.run_ids()} if filter_string else None
    return copy_store(reader, Client(destination), experiments, registry, progress, only)


def collect_garbage(tracking_uri: str, older_than_ms=None, dry_run: bool = False):
    """Remove deleted runs and experiments with their files for good; return the GcReport."""
    from .gc import collect

    return collect(tracking_uri, older_than_ms, dry_run)
