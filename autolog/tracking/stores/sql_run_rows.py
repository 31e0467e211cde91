"""A run's params, tags and metrics written by the SQL stores: one statement per table and batch.

Each statement joins the batch's rows (a ``VALUES`` list, up to ``_CHUNK`` rows) to the run's own
row, which gives every row the run's start time (kept beside values for ordered searches) and writes
nothing when the run is missing, or, for a write that needs it, no longer active (``writable_only``).
One statement for many rows is much cheaper for the database than one per row, and on PostgreSQL
it keeps a write's message short (see ``postgres_batch``). Both SQLite and PostgreSQL name the
columns of a ``VALUES`` list ``column1``, ``column2``... Where the transaction has already read the
run's row (SQLite, where a read costs no round trip), the rows go in as plain inserts instead.
"""

from __future__ import annotations

import functools
import operator
import os
from typing import NamedTuple, Optional

from .. import metric_codec

__all__ = ["ACTIVE_RUN", "CheckedRun", "random_id", "insert_params", "upsert_tags", "insert_metrics", "metric_rows"]

ACTIVE_RUN = " AND runs.lifecycle_stage = 'active'"  # appended to a statement's condition on the run's row
_CHUNK = 100  # rows per statement: at most 501 bound values, under every SQLite's limit
_TAG_UPSERT = " ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value"
_LATEST_UPSERT = (" ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,"
                  " timestamp = excluded.timestamp, step = excluded.step"
                  " WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step"
                  " AND excluded.timestamp >= latest_metrics.timestamp)")
_NEXT_SEQ = ("(SELECT COALESCE(MAX(seq), -1) + 1 FROM metric_segments"
             " WHERE metric_segments.run_uuid = {run} AND metric_segments.key = {key})")


def random_id() -> str:
    """A new random id in the format of ``uuid.uuid4().hex`` (32 hex digits, version 4, RFC 4122 variant),
    for runs, datasets and logged models; made here, since importing ``uuid`` costs a fresh process more than
    the store's opening does."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()


class CheckedRun(NamedTuple):
    """A run that this transaction has already read and found writable, with its start time: its rows go in
    as plain inserts, without joining the run's row (the cheaper statement where reading costs no round trip)."""

    run_id: str
    start_time: Optional[int]


@functools.lru_cache(maxsize=512)
def _values(rows: int, row: str) -> str:
    """``(VALUES row, row, ...) AS v`` for ``rows`` rows of the form ``row``."""
    return f"(VALUES {', '.join([row] * rows)}) AS v"


def _chunks(rows: list):
    for start in range(0, len(rows), _CHUNK):
        yield rows[start:start + _CHUNK]


def _run_guard(writable_only: bool) -> str:
    return " WHERE runs.run_uuid = ?" + (ACTIVE_RUN if writable_only else "")


def _write_pairs(cur, table: str, run, pairs: list, writable_only: bool, upsert: str = "") -> None:
    """Write (key, value) rows of ``table`` for ``run`` (a run id, or a CheckedRun)."""
    if isinstance(run, CheckedRun):
        cur.executemany(f"INSERT INTO {table} (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)" + upsert,
                        [(run.run_id, key, value, run.start_time) for key, value in pairs])
        return
    for chunk in _chunks(pairs):
        cur.execute(f"INSERT INTO {table} (run_uuid, key, value, start_time) SELECT runs.run_uuid, v.column1,"
                    f" v.column2, runs.start_time FROM runs, {_values(len(chunk), '(?, ?)')}"
                    + _run_guard(writable_only) + upsert, [*_flat(chunk), run])


def insert_params(cur, run, params: dict, writable_only: bool = False) -> None:
    """Add ``params`` ({key: value}, none of them present yet) to ``run`` (its id, or a CheckedRun)."""
    _write_pairs(cur, "params", run, list(params.items()), writable_only)


def upsert_tags(cur, run, tags, writable_only: bool = False) -> None:
    """Set ``tags`` (RunTags; the last of a key wins) on ``run`` (its id, or a CheckedRun), replacing the values
    of keys it has."""
    _write_pairs(cur, "tags", run, list({tag.key: tag.value for tag in tags}.items()), writable_only, _TAG_UPSERT)


def insert_metrics(cur, run, columns, writable_only: bool = False) -> None:
    """Write (keys, values, timestamps, steps) columns for ``run`` (its id, or a CheckedRun) as one segment
    per key, numbered after the key's last one, and raise each key's latest value where the new point is
    later (by step, then timestamp)."""
    segments, latest = metric_rows(columns)
    if isinstance(run, CheckedRun):
        run_id = run.run_id
        cur.executemany("INSERT INTO metric_segments (run_uuid, key, seq, count, steps, timestamps, vals)"
                        f" VALUES (?, ?, {_NEXT_SEQ.format(run='?', key='?')}, ?, ?, ?, ?)",
                        [(run_id, key, run_id, key, *rest) for key, *rest in segments])
        cur.executemany("INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, start_time)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)" + _LATEST_UPSERT,
                        [(run_id, *row, run.start_time) for row in latest])
        return
    guard = _run_guard(writable_only)
    for chunk in _chunks(segments):
        cur.execute("INSERT INTO metric_segments (run_uuid, key, seq, count, steps, timestamps, vals)"
                    f" SELECT runs.run_uuid, v.column1, {_NEXT_SEQ.format(run='runs.run_uuid', key='v.column1')},"
                    f" v.column2, v.column3, v.column4, v.column5 FROM runs, {_values(len(chunk), '(?, ?, ?, ?, ?)')}"
                    + guard, [*_flat(chunk), run])
    # CAST: a column of NULLs only (every value NaN) would otherwise be text to PostgreSQL
    for chunk in _chunks(latest):
        cur.execute(
            "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, start_time)"
            " SELECT runs.run_uuid, v.column1, v.column2, v.column3, v.column4, v.column5, runs.start_time"
            f" FROM runs, {_values(len(chunk), '(?, CAST(? AS DOUBLE PRECISION), ?, ?, ?)')}" + guard
            + _LATEST_UPSERT, [*_flat(chunk), run])


def metric_rows(columns) -> tuple:
    """(segments, latest) of (keys, values, timestamps, steps) columns: per key, in logging order, its segment
    (key, count, packed steps, packed timestamps, packed values) and its latest point (key, value or None for
    NaN, is_nan, timestamp, step)."""
    segments, latest = [], []
    for key, values, stamps, steps in _columns_by_key(*columns):
        segments.append((key, len(values), *metric_codec.pack(steps, stamps, values)))
        step, stamp, value = _latest_point(values, stamps, steps)
        nan = value != value
        latest.append((key, None if nan else value, int(nan), stamp, step))
    return segments, latest


def _flat(rows) -> list:
    return [value for row in rows for value in row]


def _latest_point(values, stamps, steps) -> tuple:
    """(step, timestamp, value) of a metric's latest point: highest step, then timestamp, then logged last."""
    top_step = max(steps)
    if steps.count(top_step) == 1:  # the usual case, found without a Python-level loop
        index = steps.index(top_step)
        return top_step, stamps[index], values[index]
    tied = [index for index, step in enumerate(steps) if step == top_step]
    top_stamp = max(stamps[index] for index in tied)
    index = max(index for index in tied if stamps[index] == top_stamp)
    return top_step, top_stamp, values[index]


def _columns_by_key(keys, values, stamps, steps) -> list:
    """Split the columns into (key, values, timestamps, steps) per key, keeping logging order."""
    width = len(set(keys))
    if keys[width:] == keys[:-width]:  # the usual shape: the same keys, in the same order, at every step
        return [(keys[j], values[j::width], stamps[j::width], steps[j::width]) for j in range(width)]
    positions: dict = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, []).append(index)
    columns = []
    for key, indexes in positions.items():
        if len(indexes) == 1:
            index = indexes[0]
            columns.append((key, [values[index]], [stamps[index]], [steps[index]]))
        else:
            pick = operator.itemgetter(*indexes)
            columns.append((key, pick(values), pick(stamps), pick(steps)))
    return columns
