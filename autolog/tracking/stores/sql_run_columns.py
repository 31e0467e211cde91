"""Lean reads of runs for pages that show a few columns of many runs (the web UI's runs table and compare view).

``search_runs`` attaches every param, metric and tag to every run it returns; a page of
100 runs of 50 params and 50 metrics is then 10,000 rows read to show a dozen columns.
These functions read the run rows alone, then only the keys asked for, the key names
present, or per-key summaries computed by the database. The summaries select the runs'
rows in a MATERIALIZED common table expression (SQLite 3.35+, PostgreSQL 12+): grouped
directly, SQLite would walk the whole (key, value) index for the grouping instead of
looking the runs up by primary key.
"""

from __future__ import annotations

from ..entities import PagedList, Run, RunData, ViewType
from .sql_search import _marks

__all__ = ["ALL", "search_run_infos", "run_infos", "run_values", "run_keys", "param_value_counts", "metric_summaries"]

KINDS = ("params", "metrics", "tags")
_NAN = float("nan")
ALL = "*"  #: in ``run_values``' keys: every key of that kind
_CHUNK = 500  # ids per IN list: well under every database's limit on bound parameters
_SUMMARY_CHUNK = 2000  # a compare view's runs (at most 1,000) in one grouped query


def search_run_infos(store, experiment_ids, filter_string="", view_type=ViewType.ACTIVE_ONLY, max_results=1000,
                     order_by=None, page_token=None) -> PagedList:
    """``store.search_runs`` without the runs' data: a page of Runs holding only their RunInfo.

    Raises InvalidInputError for a malformed filter, order key, page token or experiment id.
    """
    infos, token = store.search_run_info_page(experiment_ids, filter_string, view_type, max_results, order_by,
                                              page_token)
    return PagedList([Run(info, RunData()) for info in infos], token)


def run_infos(store, run_ids) -> dict:
    """{run id: Run holding only its RunInfo} for those of ``run_ids`` that exist."""
    found = {}
    for chunk in _chunks(list(run_ids)):
        sql = f"SELECT {store._RUN_COLUMNS} FROM runs WHERE run_uuid IN ({_marks(store.db, chunk)})"
        for row in store.db.query(sql, chunk):
            info = store._run_info_from_row(row)
            found[info.run_id] = Run(info, RunData())
    return found


def run_values(store, runs, keys: dict) -> None:
    """Fill ``runs``' data with the values of ``keys`` only: {'params': [...], 'metrics': [...], 'tags': [...]},
    where ``ALL`` instead of a list reads every key of that kind.

    A NaN metric reads as float('nan'); keys a run lacks stay absent.
    """
    by_id = {run.info.run_id: run for run in runs}
    for kind in KINDS:
        if keys.get(kind) == ALL and by_id:
            _all_values(store, by_id, kind)
            continue
        wanted = list(dict.fromkeys(keys.get(kind) or ()))
        if not wanted or not by_id:
            continue
        table, nan = ("latest_metrics", "is_nan") if kind == "metrics" else (kind, "0")
        by_key = len(wanted) <= _CHUNK  # more keys than that: read the runs' rows whole and pick in Python
        chosen = set(wanted)
        for chunk in _chunks(list(by_id)):
            sql = f"SELECT run_uuid, key, value, {nan} FROM {table} WHERE run_uuid IN ({_marks(store.db, chunk)})"
            if by_key:
                sql += f" AND key IN ({_marks(store.db, wanted)})"
            target = {run_id: getattr(by_id[run_id].data, kind) for run_id in chunk}
            for run_id, key, found, is_nan in store.db.query(sql, [*chunk, *wanted] if by_key else chunk):
                if key in chosen:
                    target[run_id][key] = _NAN if is_nan else found


def _all_values(store, by_id: dict, kind: str) -> None:
    table, nan = ("latest_metrics", "is_nan") if kind == "metrics" else (kind, "0")
    for chunk in _chunks(list(by_id)):
        sql = f"SELECT run_uuid, key, value, {nan} FROM {table} WHERE run_uuid IN ({_marks(store.db, chunk)})"
        target = {run_id: getattr(by_id[run_id].data, kind) for run_id in chunk}
        for run_id, key, found, is_nan in store.db.query(sql, chunk):
            target[run_id][key] = _NAN if is_nan else found


def run_keys(store, run_ids) -> dict:
    """{'params': [...], 'metrics': [...], 'tags': [...]}: the sorted keys the given runs hold."""
    found = {kind: set() for kind in KINDS}
    for kind in KINDS:
        for chunk in _chunks(list(run_ids)):
            sql = f"SELECT DISTINCT key FROM {kind if kind != 'metrics' else 'latest_metrics'}" \
                  f" WHERE run_uuid IN ({_marks(store.db, chunk)})"
            found[kind].update(key for (key,) in store.db.query(sql, chunk))
    return {kind: sorted(keys) for kind, keys in found.items()}


def param_value_counts(store, run_ids) -> dict:
    """{param key: {value: number of the given runs holding it}}, counted by the database."""
    counts: dict = {}
    for chunk in _chunks(list(run_ids), _summary_chunk(store.db)):
        sql = (f"WITH picked AS {_materialized(store.db)}(SELECT key, value FROM params WHERE run_uuid IN"
               f" ({_marks(store.db, chunk)})) SELECT key, value, COUNT(*) FROM picked GROUP BY key, value")
        for key, value, count in store.db.query(sql, chunk):
            values = counts.setdefault(key, {})
            values[value] = values.get(value, 0) + count
    return counts


def metric_summaries(store, run_ids) -> dict:
    """{metric key: (runs holding it, NaN count, lowest, highest)} of the given runs' latest values,
    computed by the database (NaN apart: lowest and highest are None where every value is NaN)."""
    summaries: dict = {}
    for chunk in _chunks(list(run_ids), _summary_chunk(store.db)):
        sql = (f"WITH picked AS {_materialized(store.db)}(SELECT key, value, is_nan FROM latest_metrics"
               f" WHERE run_uuid IN ({_marks(store.db, chunk)})) SELECT key, COUNT(*), SUM(is_nan), MIN(value), MAX(value) FROM picked"
               " GROUP BY key")
        for key, present, nans, low, high in store.db.query(sql, chunk):
            summaries[key] = _merged(summaries.get(key), (present, nans or 0, low, high))
    return summaries


def _merged(old, new) -> tuple:
    if old is None:
        return new
    lows, highs = [v for v in (old[2], new[2]) if v is not None], [v for v in (old[3], new[3]) if v is not None]
    return old[0] + new[0], old[1] + new[1], min(lows, default=None), max(highs, default=None)


def _sqlite_version() -> tuple:
    import sqlite3

    return sqlite3.sqlite_version_info


def _materialized(db) -> str:
    """'MATERIALIZED ' where the database knows the word (PostgreSQL 12+, SQLite 3.35+), else ''."""
    return "MATERIALIZED " if db.dialect != "sqlite" or _sqlite_version() >= (3, 35) else ""


def _summary_chunk(db) -> int:
    """Ids per grouped query: a compare view's runs in one, where the database takes that many parameters."""
    return _SUMMARY_CHUNK if db.dialect != "sqlite" or _sqlite_version() >= (3, 32) else _CHUNK


def _chunks(ids: list, size: int = _CHUNK):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
