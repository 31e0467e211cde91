"""The empty tables of a new SQLite store, built once per schema and copied after that.

Creating some forty tables, indexes and triggers costs SQLite a few milliseconds of CPU, most of a new
store's opening; copying the file they make costs a tenth of a millisecond. The first new store of a
schema saves its file (before any row of its own is written) under ``$AUTOLOG_CACHE_DIR``, by default
``~/.autolog/cache``, named by a hash of the statements and the SQLite version; later new stores start
from a copy. Anything wrong with the cache (absent, unwritable, another schema) only means building the
tables again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import zlib

__all__ = ["CACHE_DIR_ENV", "copy_template", "discard_template", "save_template", "template_path"]

CACHE_DIR_ENV = "AUTOLOG_CACHE_DIR"
_MAX_TEMPLATE_BYTES = 4 << 20  # a schema's empty tables take a few hundred KB; anything bigger is not ours


def template_path(schema_script: str) -> str:
    """Where the empty store that ``schema_script`` makes is kept."""
    root = os.environ.get(CACHE_DIR_ENV) or os.path.join(os.path.expanduser("~"), ".autolog", "cache")
    text = f"{sqlite3.sqlite_version}\n{schema_script}".encode()
    key = f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text):x}"  # hashlib would cost its import here
    return os.path.join(root, f"store-{key}.db")


def copy_template(schema_script: str, destination: str) -> bool:
    """Write the saved empty store of ``schema_script`` to ``destination`` (a new file); False, writing
    nothing, when none is saved or it cannot be read."""
    try:
        with open(template_path(schema_script), "rb") as source:
            content = source.read(_MAX_TEMPLATE_BYTES + 1)
    except OSError:
        return False
    if not content.startswith(b"SQLite format 3\x00") or len(content) > _MAX_TEMPLATE_BYTES:
        return False
    with open(destination, "xb") as target:
        target.write(content)
    return True


def save_template(schema_script: str, built: str) -> None:
    """Keep a copy of ``built``, a database that holds only what ``schema_script`` made, for later new
    stores; silently nothing when the cache folder cannot be written."""
    path = template_path(schema_script)
    partial = f"{path}.{os.getpid()}.partial"
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(built, "rb") as source, open(partial, "wb") as target:
                target.write(source.read())
            os.replace(partial, path)  # readers see the whole file or none
        finally:
            with contextlib.suppress(OSError):
                os.unlink(partial)


def discard_template(schema_script: str) -> None:
    """Remove the saved empty store of ``schema_script`` (one that SQLite refused), if any."""
    with contextlib.suppress(OSError):
        os.unlink(template_path(schema_script))
