"""The params, tags and latest metrics of a page of runs, read in one statement.

A page of search results (or one run) needs every param, tag and latest metric of its runs.
They are read together, one ``UNION ALL`` statement for the whole page: on PostgreSQL that is
one round trip, and the run ids travel as one array parameter (``= ANY(...)``) rather than as a
placeholder each, which the driver would otherwise parse on every call. The same statement says
which runs have dataset or model inputs or outputs; only those runs cost a second read.
"""

from __future__ import annotations

from ..entities import Run, RunData

__all__ = ["runs_with_data"]

_SQLITE_CHUNK = 500  # run ids a statement (each id is a placeholder in every branch on SQLite)

# kind, run id, key, text value, number, flag: the columns every branch fills
_DATA = ("SELECT 'm', run_uuid, key, CAST(NULL AS TEXT), value, is_nan"
         " FROM latest_metrics WHERE run_uuid {ids}"
         " UNION ALL SELECT 'p', run_uuid, key, value, NULL, NULL FROM params WHERE run_uuid {ids}"
         " UNION ALL SELECT 't', run_uuid, key, value, NULL, NULL FROM tags WHERE run_uuid {ids}"
         " UNION ALL SELECT 'x', run_uuid, NULL, NULL, NULL, NULL FROM run_dataset_inputs WHERE run_uuid {ids}"
         " UNION ALL SELECT 'x', run_uuid, NULL, NULL, NULL, NULL FROM run_model_inputs WHERE run_uuid {ids}"
         " UNION ALL SELECT 'x', run_uuid, NULL, NULL, NULL, NULL FROM run_model_outputs WHERE run_uuid {ids}")
_BRANCHES = _DATA.count("{ids}")


def _statement(db, ids: list) -> tuple:
    """(sql, params) of ``_DATA`` for the runs ``ids``; on PostgreSQL every branch refers to one array
    parameter (psycopg's named placeholder), dumped once and in binary (no quoting to work out)."""
    if db.dialect == "postgresql":
        return _DATA.format(ids="= ANY(%(ids)b)"), {"ids": list(ids)}
    return _DATA.format(ids=f"IN ({', '.join('?' * len(ids))})"), list(ids) * _BRANCHES


def runs_with_data(store, infos: list) -> list:
    """Runs of ``infos`` (RunInfos, in order) with their params, tags, latest metrics, inputs and outputs."""
    runs = {info.run_id: Run(info, RunData()) for info in infos}
    ids = list(runs)
    chunk_size = (len(ids) or 1) if store.db.dialect == "postgresql" else _SQLITE_CHUNK
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        with_inputs = _attach_rows(runs, store.db.query(*_statement(store.db, chunk)))
        if with_inputs:
            with_inputs = sorted(with_inputs)
            store._attach_inputs(runs, with_inputs, ", ".join("?" * len(with_inputs)))
    return [runs[run_id] for run_id in ids]


def _attach_rows(runs: dict, rows) -> set:
    """Put each row's param, tag or metric on its run; return the ids of runs with inputs or outputs."""
    with_inputs = set()
    for kind, run_id, key, text, number, is_nan in rows:
        data = runs[run_id].data
        if kind == "m":
            data.metrics[key] = float("nan") if is_nan else number
        elif kind == "p":
            data.params[key] = text
        elif kind == "t":
            data.tags[key] = text
        else:
            with_inputs.add(run_id)
    return with_inputs
