"""``autolog db upgrade URI``: create or migrate a store's tables by hand, before any client opens it."""

from __future__ import annotations

__all__ = ["add_db_parser", "db_upgrade"]


def add_db_parser(groups) -> None:
    """Register ``autolog db upgrade``."""
    db = groups.add_parser("db", help="the tracking database").add_subparsers(dest="action", required=True)
    upgrade = db.add_parser("upgrade", help="create or migrate the store's tables to this release's schema")
    upgrade.add_argument("uri", help="e.g. postgresql://user:pass@host:5432/db, sqlite:///mlflow.db or a directory")
    upgrade.set_defaults(handler=db_upgrade)


def db_upgrade(args, out) -> None:
    """Open the store at ``args.uri`` (which creates or migrates its schema) and report its version.

    Raises InvalidInputError for an unknown URI and StoreError when the store cannot be opened or
    is newer than this release.
    """
    from ..tracking.stores import get_store
    from ..tracking.stores.postgres_engine import mask_uri
    from ..tracking.stores.schema import SCHEMA_VERSION

    get_store(args.uri)
    print(f"{mask_uri(args.uri)}: schema version {SCHEMA_VERSION} (up to date)", file=out)
