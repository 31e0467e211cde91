"""Run and experiment search for the SQL stores, through the search DSL's compiler."""

from __future__ import annotations

from ..entities import LifecycleStage, PagedList, ViewType
from ..exceptions import InvalidInputError
from .sql_run_data import runs_with_data

__all__ = ["SqlSearchMixin", "check_max_results", "paged_search"]

_MAX_RESULTS_LIMIT = 50_000


def check_max_results(max_results, limit: int = _MAX_RESULTS_LIMIT) -> int:
    """``max_results`` as an int in 1..limit; raises InvalidInputError otherwise."""
    if isinstance(max_results, bool) or not isinstance(max_results, int) or not 0 < max_results <= limit:
        raise InvalidInputError(f"Invalid max_results {max_results!r}: expected an integer from 1 to {limit}")
    return max_results


def paged_search(db, spec_name: str, columns: str, filter_string, order_by, max_results, page_token,
                 base_where=(), base_params=(), search_key=()) -> tuple:
    """Run one page of a search of the entity ``spec_name`` names ("RUNS", "EXPERIMENTS"...);
    return (rows, next page token or None).

    Raises InvalidInputError (SearchSyntaxError) for a malformed filter, order key, token or max_results.
    """
    from .. import search  # the DSL is imported at the first search, not when a store opens
    from ..search import compile_search, decode_page_token, dialect_for, encode_page_token, parse_filter, \
        parse_order_by

    from ..search.limits import check_search_limits, check_search_text

    spec = getattr(search, spec_name)
    max_results = check_max_results(max_results)
    filter_string = check_search_text(filter_string, "filter")
    order_by = [order_by] if isinstance(order_by, str) else order_by
    for item in order_by or ():
        check_search_text(item, "order key")
    key = (spec.entity, filter_string or "", list(order_by or []), *search_key)
    offset = decode_page_token(page_token, key)
    conjunction, order_keys = parse_filter(filter_string), parse_order_by(order_by)
    check_search_limits(conjunction, order_keys)
    compiled = compile_search(spec, conjunction, order_keys, dialect_for(db.dialect), filter_string or "")
    rows = compiled.fetch(db.query, columns, base_where, base_params, max_results + 1, offset)
    token = encode_page_token(offset + max_results, key) if len(rows) > max_results else None
    return rows[:max_results], token


def _marks(db, values) -> str:
    return ", ".join([db.placeholder] * len(values))


class SqlSearchMixin:
    """search_runs and search_experiments on the SQL schema."""

    def search_runs(self, experiment_ids, filter_string="", view_type=ViewType.ACTIVE_ONLY, max_results=1000,
                    order_by=None, page_token=None) -> PagedList:
        """Return one page of runs of ``experiment_ids`` matching ``filter_string``, in ``order_by`` order.

        Missing values sort last whatever the direction; ties go by start time (newest first), then run id.
        Raises InvalidInputError for a malformed filter, order key, page token or experiment id.
        """
        infos, token = self.search_run_info_page(experiment_ids, filter_string, view_type, max_results, order_by,
                                                 page_token)
        return PagedList(runs_with_data(self, infos), token)

    def search_run_info_page(self, experiment_ids, filter_string="", view_type=ViewType.ACTIVE_ONLY,
                             max_results=1000, order_by=None, page_token=None) -> tuple:
        """(RunInfos, next page token) of one page of ``search_runs``, without reading the runs' data.

        Raises InvalidInputError like ``search_runs``.
        """
        ids = _experiment_ids(experiment_ids)
        stages = LifecycleStage.matching(view_type)
        if not ids:
            return [], None
        columns = ", ".join(f"r.{column.strip()}" for column in self._RUN_COLUMNS.split(","))
        rows, token = paged_search(
            self.db, "RUNS", columns, filter_string, order_by, max_results, page_token,
            base_where=[f"r.experiment_id IN ({_marks(self.db, ids)})",
                        f"r.lifecycle_stage IN ({_marks(self.db, stages)})"],
            base_params=[*ids, *stages], search_key=(sorted(ids), stages))
        return [self._run_info_from_row(row) for row in rows], token

    def search_experiments(self, view_type=ViewType.ACTIVE_ONLY, max_results=1000, filter_string=None,
                           order_by=None, page_token=None) -> PagedList:
        """Return one page of experiments matching ``filter_string`` (name, tags, times), by id unless ordered.

        Raises InvalidInputError for a malformed filter, order key or page token.
        """
        stages = LifecycleStage.matching(view_type)
        columns = ", ".join(f"e.{column.strip()}" for column in self._EXPERIMENT_COLUMNS.split(","))
        rows, token = paged_search(
            self.db, "EXPERIMENTS", columns, filter_string, order_by, max_results, page_token,
            base_where=[f"e.lifecycle_stage IN ({_marks(self.db, stages)})"], base_params=list(stages),
            search_key=(stages,))
        return PagedList([self._experiment_from_row(row) for row in rows], token)


def _experiment_ids(experiment_ids) -> list:
    ids = []
    for experiment_id in experiment_ids or ():
        try:
            ids.append(int(experiment_id))
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"Invalid experiment id {experiment_id!r}: experiment ids are integers") from None
    return ids
