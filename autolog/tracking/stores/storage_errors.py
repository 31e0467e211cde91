"""Turn the database driver's and the file system's errors into autolog's documented ones.

Only ``InvalidInputError``, ``NotFoundError``, ``AlreadyExistsError`` and ``StoreError`` leave
the public API: a failure of the storage itself (full disk, unreadable file, damaged or
foreign database) becomes a short ``StoreError`` naming the path, with the original error
kept as its cause; a number too large for the database, or text that is not valid Unicode, is the
caller's ``InvalidInputError``.
"""

from __future__ import annotations

import contextlib
import sqlite3

from ..exceptions import InvalidInputError, StoreError

__all__ = ["storage_errors", "describe_storage_error", "translate_storage_error"]

_MAX_DETAIL = 300


def describe_storage_error(exc: BaseException) -> str:
    """A one-line description of a storage failure, short even when the error embeds long file lists."""
    text = str(exc)
    lowered = text.lower()
    if "disk is full" in lowered or "no space left" in lowered or getattr(exc, "errno", None) == 28:
        return "the disk is full (free some space and try again)"
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL] + "..."


def translate_storage_error(exc: BaseException, path: str, action: str = "the tracking database") -> None:
    """Raise the documented error for ``exc`` (from ``exc``) when it is a storage or number error; else return."""
    if isinstance(exc, (sqlite3.Error, OSError)):
        raise StoreError(f"Cannot use {action} {path}: {describe_storage_error(exc)}") from exc
    if isinstance(exc, OverflowError):
        raise InvalidInputError(f"A number is too large to store in {path}: {exc}") from exc
    if isinstance(exc, UnicodeEncodeError):
        raise InvalidInputError(f"Text {exc.object[:100]!r} is not valid Unicode (a lone surrogate, or bytes "
                                "decoded with the wrong encoding)") from exc


@contextlib.contextmanager
def storage_errors(path: str, action: str = "the tracking database"):
    """Inside this block, SQLite and OS errors become StoreError naming ``path``; OverflowError becomes
    InvalidInputError."""
    try:
        yield
    except (sqlite3.Error, OSError, OverflowError, UnicodeEncodeError) as exc:
        translate_storage_error(exc, path, action)
        raise
