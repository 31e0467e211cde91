"""A PostgreSQL write transaction whose statements travel together: one message, one round trip.

The statements of a write are collected, values bound on the client, and sent as one simple-query
message when the transaction commits: the server runs the statements of one message as one
transaction, one after the other, and answers once, so a write costs one round trip and one wake-up
of each side, however many statements it holds; a failed statement stops the rest and nothing is
kept. A transaction that reads a result inside it is sent in several messages, between an explicit
``BEGIN`` and ``COMMIT``.

Each statement with parameters runs as a prepared statement of the session (``PREPARE`` the first
time a connection meets it, then ``EXECUTE`` with the bound values), so the server plans it once per
connection as it would for psycopg's own prepared statements. A prepared statement is keyed by its
SQL and the types of its values: a value of another type gets a statement of its own. New statements
are prepared in a message of their own: the server keeps a prepared statement's whole message as its
text and copies it at every ``EXECUTE``. A transaction of many statements (a bulk import) is sent
``_MESSAGE_STATEMENTS`` at a time.
"""

from __future__ import annotations

import functools
import hashlib
import re

__all__ = ["WriteBatch"]

_PLACEHOLDER = re.compile(r"%%|%s")
# The declared type of a parameter by its Python value; others (text, NULL) are inferred by the server.
_TYPES = {int: "bigint", float: "double precision", bool: "boolean", bytes: "bytea", bytearray: "bytea",
          memoryview: "bytea"}
_INT8 = (-(2 ** 63), 2 ** 63 - 1)
_MESSAGE_STATEMENTS = 1000


@functools.lru_cache(maxsize=1024)
def _statement(text: str, types: tuple) -> tuple:
    """(name, PREPARE text, EXECUTE template) of ``text`` (psycopg's ``%s`` form) for values of ``types``."""
    name = "autolog_" + hashlib.blake2b(f"{text}\0{types}".encode(), digest_size=10).hexdigest()
    numbers = iter(range(1, len(types) + 1))
    body = _PLACEHOLDER.sub(lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", text)
    prepare = f"PREPARE {name} ({', '.join(types)}) AS {body}"
    return name, prepare, f"EXECUTE {name} ({', '.join(['%s'] * len(types))})"


def _type_of(value) -> str:
    declared = _TYPES.get(type(value))
    if declared is None:  # a subclass (numpy's float64 is a float), or a type the server infers
        declared = next((_TYPES[base] for base in type(value).__mro__ if base in _TYPES), "unknown")
    if declared == "bigint" and not _INT8[0] <= value <= _INT8[1]:
        return "numeric"
    return declared


class _Result:
    """One statement's result, filled in when its message has been answered."""

    __slots__ = ("_batch", "_rows", "_position", "rowcount")

    def __init__(self, batch):
        self._batch = batch
        self._rows = None
        self._position = 0
        self.rowcount = -1

    def _ready(self) -> list:
        if self._rows is None:
            self._batch.flush()
        return self._rows

    def fetchone(self):
        rows = self._ready()
        if self._position >= len(rows):
            return None
        self._position += 1
        return rows[self._position - 1]

    def fetchall(self) -> list:
        rows = self._ready()
        rest, self._position = rows[self._position:], len(rows)
        return rest


class WriteBatch:
    """The cursor of a write transaction (``PostgresDatabase.write``): ``execute`` and ``executemany`` queue
    statements in the shared SQL's ``?`` form (already translated by ``translate``), ``submit`` returns a
    result to read after the commit, and reading a result inside the transaction sends what is queued."""

    dialect = "postgresql"  # for the schema steps that differ by database

    def __init__(self, conn, prepared: set, translate):
        import psycopg

        self._conn = conn
        self._binder = psycopg.ClientCursor(conn)
        self._cursor = conn.cursor()
        self._prepared = prepared
        self._translate = translate
        self._texts: list = []
        self._results: list = []
        self._preparing: list = []  # (name, PREPARE text) of the statements new to the session, not sent yet
        self._uses: dict = {}  # name -> PREPARE text of every prepared statement the queued texts execute
        self._last = None
        self._sent = False  # whether a message has been sent
        self._open = False  # whether an explicit transaction (BEGIN) is open on the server
        self._unsure = False  # whether a message that prepared statements failed part-way

    def _queue(self, sql: str, params) -> _Result:
        text = self._translate(sql)
        if params:
            name, prepare, execute = _statement(text, tuple(map(_type_of, params)))
            if name not in self._prepared:
                self._prepared.add(name)
                self._preparing.append((name, prepare))
            self._uses[name] = prepare
            text = self._binder.mogrify(execute, params)
        elif "%" in text:
            text = text.replace("%%", "%")
        result = _Result(self)
        self._texts.append(text)
        self._results.append(result)
        if len(self._texts) >= _MESSAGE_STATEMENTS:
            self.flush()
        return result

    def execute(self, sql: str, params=()):
        self._last = self._queue(sql, params)
        return self

    def executemany(self, sql: str, rows) -> None:
        for row in rows:
            self._queue(sql, row)

    def submit(self, sql: str, params=()) -> _Result:
        """Queue ``sql`` and return its result, to be read after the transaction (or inside it, at the cost
        of a round trip); see ``sql_results.later``."""
        return self._queue(sql, params)

    def fetchone(self):
        return self._last.fetchone()

    def fetchall(self) -> list:
        return self._last.fetchall()

    @property
    def rowcount(self) -> int:
        self._last._ready()
        return self._last.rowcount

    def flush(self, final: bool = False) -> None:
        """Send the queued statements in one message and fill in their results; ``final``: the message ends
        the transaction (a whole transaction in one message needs no ``BEGIN`` nor ``COMMIT``)."""
        import psycopg

        texts, results, preparing, uses = self._texts, self._results, self._preparing, self._uses
        if not texts and not (final and self._open):
            return
        self._texts, self._results, self._preparing, self._uses = [], [], [], {}
        if not final and not self._open:
            texts, results, self._open = ["BEGIN", *texts], [None, *results], True
        elif final and self._open:
            texts, results = [*texts, "COMMIT"], [*results, None]
        first, self._sent = not self._sent, True
        try:
            self._send(texts, results, preparing)
        except psycopg.errors.InvalidSqlStatementName:
            # the session lost its prepared statements (a pooler between us and the server, say DISCARD ALL):
            # a first message, of which nothing has been read, is sent again with all of them
            self._unsure = True
            if not first:
                raise
            self._relearn()
            missing = [(name, prepare) for name, prepare in uses.items() if name not in self._prepared]
            self._prepared.update(uses)
            self._send(texts, results, missing)
            self._unsure = False
        if final:
            self._open = False

    def _send(self, texts: list, results: list, preparing: list) -> None:
        cursor = self._cursor
        if preparing:
            try:
                cursor.execute(";\n".join(prepare for _name, prepare in preparing), prepare=False)
            except BaseException:
                self._unsure = True
                raise
        cursor.execute(";\n".join(texts), prepare=False)
        for index, result in enumerate(results):
            if index:
                cursor.nextset()
            if result is not None:
                result._rows = cursor.fetchall() if cursor.description is not None else []
                result.rowcount = cursor.rowcount

    def commit(self) -> None:
        """Send what is queued and end the transaction (nothing at all for a transaction that did nothing)."""
        self.flush(final=True)

    def rollback(self) -> None:
        """End the transaction without keeping anything (nothing to send when nothing was sent). After a
        message that prepared statements failed, relearn which the session has: it stopped part-way."""
        self._prepared.difference_update(name for name, _prepare in self._preparing)
        self._preparing = []
        if self._unsure:
            self._relearn()
        elif self._open:  # a failed message of its own left nothing open
            self._cursor.execute("ROLLBACK", prepare=False)
        self._open = False

    def _relearn(self) -> None:
        """Roll back, and read which statements the session has prepared."""
        self._cursor.execute("ROLLBACK; SELECT name FROM pg_prepared_statements", prepare=False)
        self._cursor.nextset()
        self._prepared.clear()
        self._prepared.update(name for (name,) in self._cursor.fetchall())
