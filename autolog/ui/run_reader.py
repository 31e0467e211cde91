"""How pages read many runs: only the columns they show.

On a SQL store the runs come without their data and then only the keys a page shows
are read (``autolog.tracking.stores.sql_run_columns``); on any other store (one
behind a REST server, say) the runs come whole from ``search_runs`` and the same
functions pick from what is already there, so pages work the same on both.
"""

from __future__ import annotations

from autolog.tracking.entities import ViewType
from autolog.tracking.stores.sql_run_columns import ALL

__all__ = ["ALL", "lean", "search_page", "runs_by_id", "fill_values", "keys_of", "key_summaries"]


def lean(store) -> bool:
    """Whether ``store`` can read runs column by column (a SQL store)."""
    from autolog.tracking.stores.sql_store import SqlStore

    return isinstance(store, SqlStore)


def search_page(store, experiment_id: str, filter_string: str, view_type=ViewType.ACTIVE_ONLY, max_results=100,
                order_by=None, page_token=None):
    """A page of runs (a PagedList with ``token``) in the search's order; on a SQL store they hold no data yet
    (see ``fill_values``). Raises InvalidInputError for a bad filter, order key or token."""
    if lean(store):
        from autolog.tracking.stores.sql_run_columns import search_run_infos

        return search_run_infos(store, [experiment_id], filter_string, view_type, max_results, order_by,
                                page_token)
    return store.search_runs([experiment_id], filter_string, view_type, max_results, order_by, page_token)


def runs_by_id(store, run_ids: list) -> list:
    """The runs of ``run_ids`` in that order (without data on a SQL store); raises NotFoundError for a
    missing one."""
    found = {}
    if lean(store):
        from autolog.tracking.stores.sql_run_columns import run_infos

        found = run_infos(store, run_ids)
    return [found[run_id] if run_id in found else store.get_run(run_id) for run_id in run_ids]


def fill_values(store, runs, keys: dict) -> None:
    """Make ``runs`` hold the values of ``keys`` ({'params': [...], 'metrics': [...], 'tags': [...]})."""
    if lean(store):
        from autolog.tracking.stores.sql_run_columns import run_values

        run_values(store, runs, keys)


def keys_of(store, runs) -> dict:
    """{'params': [...], 'metrics': [...], 'tags': [...]}: the sorted keys ``runs`` hold."""
    if lean(store):
        from autolog.tracking.stores.sql_run_columns import run_keys

        return run_keys(store, [run.info.run_id for run in runs])
    found = {"params": set(), "metrics": set(), "tags": set()}
    for run in runs:
        for kind, keys in found.items():
            keys.update(getattr(run.data, kind))
    return {kind: sorted(keys) for kind, keys in found.items()}



def key_summaries(store, runs) -> tuple:
    """(param value counts, metric summaries) over ``runs``: {param key: {value: runs holding it}} and
    {metric key: (runs holding it, NaN count, lowest, highest)}; the database counts on a SQL store."""
    if lean(store):
        from autolog.tracking.stores.sql_run_columns import metric_summaries, param_value_counts

        run_ids = [run.info.run_id for run in runs]
        return param_value_counts(store, run_ids), metric_summaries(store, run_ids)
    counts: dict = {}
    metrics: dict = {}
    for run in runs:
        for key, value in run.data.params.items():
            counts.setdefault(key, {}).setdefault(value, 0)
            counts[key][value] += 1
        for key, value in run.data.metrics.items():
            metrics.setdefault(key, []).append(value)
    return counts, {key: _metric_summary(values) for key, values in metrics.items()}


def _metric_summary(values: list) -> tuple:
    numbers = [value for value in values if value == value]
    return len(values), len(values) - len(numbers), min(numbers, default=None), max(numbers, default=None)
