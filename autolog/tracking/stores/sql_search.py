"""Run and experiment search for the SQL stores."""

from __future__ import annotations

from ..entities import LifecycleStage, PagedList, ViewType
from ..exceptions import InvalidInputError

__all__ = ["SqlSearchMixin"]


def _offset_from_token(page_token) -> int:
    if not page_token:
        return 0
    try:
        offset = int(page_token)
    except (TypeError, ValueError):
        raise InvalidInputError(f"Invalid page token {page_token!r}") from None
    if offset < 0:
        raise InvalidInputError(f"Invalid page token {page_token!r}")
    return offset


class SqlSearchMixin:
    """search_runs and search_experiments on the SQL schema."""

    def search_runs(self, experiment_ids, filter_string="", view_type=ViewType.ACTIVE_ONLY, max_results=1000,
                    order_by=None, page_token=None) -> PagedList:
        if filter_string or order_by:
            raise InvalidInputError("Filters and order keys are not supported yet")
        offset = _offset_from_token(page_token)
        stages = LifecycleStage.matching(view_type)
        ids = [int(e) for e in experiment_ids]
        sql = (f"SELECT {self._RUN_COLUMNS} FROM runs WHERE experiment_id IN ({', '.join('?' * len(ids))})"
               f" AND lifecycle_stage IN ({', '.join('?' * len(stages))})"
               " ORDER BY start_time DESC, run_uuid LIMIT ? OFFSET ?")
        rows = self.db.query(sql, (*ids, *stages, max_results + 1, offset))
        infos = [self._run_info_from_row(row) for row in rows[:max_results]]
        token = str(offset + max_results) if len(rows) > max_results else None
        return PagedList(self._runs_with_data(infos), token)

    def search_experiments(self, view_type=ViewType.ACTIVE_ONLY, max_results=1000, filter_string=None,
                           order_by=None, page_token=None) -> PagedList:
        if filter_string or order_by:
            raise InvalidInputError("Filters and order keys are not supported yet")
        offset = _offset_from_token(page_token)
        stages = LifecycleStage.matching(view_type)
        rows = self.db.query(
            f"SELECT {self._EXPERIMENT_COLUMNS} FROM experiments"
            f" WHERE lifecycle_stage IN ({', '.join('?' * len(stages))})"
            " ORDER BY experiment_id LIMIT ? OFFSET ?", (*stages, max_results + 1, offset))
        token = str(offset + max_results) if len(rows) > max_results else None
        return PagedList([self._experiment_from_row(row) for row in rows[:max_results]], token)
