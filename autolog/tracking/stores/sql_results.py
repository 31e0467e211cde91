"""Results that a write transaction reads once it is over, so that a write needs no round trip of its own.

On PostgreSQL every statement of a write travels to the server with the others and the
transaction ends in one round trip; a statement whose result is read inside the transaction
would stop the write there and wait. The store's writes therefore make their inserts conditional
on what they would otherwise have checked first (the run exists and is active), submit the check
as a statement of its own, and read its answer after the commit: a write that fails its check
has written nothing. On SQLite, where a statement costs no round trip, the result is read at once.
"""

from __future__ import annotations

__all__ = ["answered", "later"]


class _Result:
    """A SQLite statement's rows and row count, read when it ran."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, cursor):
        self._rows = cursor.fetchall() if cursor.description is not None else []
        self.rowcount = cursor.rowcount

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list:
        return self._rows


def later(cur, sql: str, params=()):
    """Run ``sql`` in the write transaction of ``cur``; return its result (``fetchone``, ``fetchall``,
    ``rowcount``), to be read once the transaction has ended."""
    submit = getattr(cur, "submit", None)
    if submit is not None:
        return submit(sql, params)
    return _Result(cur.execute(sql, params))


def answered(result) -> bool:
    """Whether ``result`` (from ``later``) can be read already, inside its transaction (SQLite)."""
    return isinstance(result, _Result)
