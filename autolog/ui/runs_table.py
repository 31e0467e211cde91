"""The runs table of an experiment: paged, sorted and filtered on the server, columns chosen by the user.

Everything that shapes the table lives in the URL (``filter``, ``sort``, ``dir``, ``col``,
``view``, ``nested``, ``n``, ``page``), so a link shows the same table; the chosen columns
are also kept in a cookie per experiment and come back when the URL names none.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool

from autolog.tracking.entities import LifecycleStage, ViewType
from autolog.tracking.exceptions import InvalidInputError

from ._render import form_fields, query_url, redirect_after_post, render, require_write, store_of
from .columns import FIXED_COLUMNS, available_keys, cell, chosen_columns, shown_keys, sort_key_of
from .run_reader import fill_values, keys_of, search_page

__all__ = ["runs_page", "delete_runs", "restore_runs"]

PAGE_SIZES = (25, 50, 100, 250, 500)
DEFAULT_COLUMNS_PER_KIND = 6
_VIEWS = {"active": ViewType.ACTIVE_ONLY, "deleted": ViewType.DELETED_ONLY, "all": ViewType.ALL}
_PARENT_TAG = "mlflow.parentRunId"


def _cookie_name(experiment_id: str) -> str:
    return f"autolog_cols_{experiment_id}"


class TableState:
    """What the URL (and the column cookie) asks of the table."""

    def __init__(self, request, experiment_id: str):
        query = request.query_params
        self.filter = query.get("filter", "").strip()
        self.sort = query.get("sort", "start_time")
        self.descending = query.get("dir", "desc" if self.sort == "start_time" else "asc") == "desc"
        self.view = query.get("view", "active") if query.get("view") in _VIEWS else "active"
        self.nested = query.get("nested", "1") != "0"
        self.page_size = _int_in(query.get("n"), PAGE_SIZES, 100)
        self.page = query.get("page") or None
        self.prev = [token for token in query.get("prev", "").split(",") if token]
        if "col" in query:
            self.column_ids = [value for value in query.getlist("col") if value]
            self.columns_from_url = True
        else:
            remembered = request.cookies.get(_cookie_name(experiment_id))
            self.column_ids = [unquote(c) for c in remembered.split(",")] if remembered else None
            self.columns_from_url = False

    def params(self) -> dict:
        """The query parameters that reproduce this table (columns apart)."""
        return {"filter": self.filter, "sort": self.sort, "dir": "desc" if self.descending else "asc",
                "view": None if self.view == "active" else self.view, "nested": None if self.nested else "0",
                "n": None if self.page_size == 100 else self.page_size}

    def order_by(self) -> list:
        key = sort_key_of(self.sort) or "attributes.start_time"
        return [f"{key} {'DESC' if self.descending else 'ASC'}"]


def _int_in(text, allowed, default: int) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        return default
    return value if value in allowed else default


def _joined(*filters) -> str:
    return " and ".join(f for f in filters if f)


def _search(store, experiment_id: str, state: TableState) -> tuple:
    """(runs of this page, next page token, children of this page's runs); raises InvalidInputError for bad
    input. The runs hold no data yet on a SQL store (see ``fill_values``).

    Nesting costs one small query: the children of this page's runs (matching the filter too).
    """
    runs = search_page(store, experiment_id, state.filter, _VIEWS[state.view], state.page_size,
                       state.order_by(), state.page)
    children: list = []
    if state.nested and runs:
        ids = ", ".join(f"'{run.info.run_id}'" for run in runs)
        children = search_page(store, experiment_id, _joined(state.filter, f"tags.{_PARENT_TAG} IN ({ids})"),
                               _VIEWS[state.view], 1000, state.order_by())
    return runs, runs.token, children


def _by_parent(children) -> dict:
    by_parent: dict = {}
    for child in children:
        by_parent.setdefault(child.data.tags[_PARENT_TAG], []).append(child)
    return by_parent


def _rows(runs, children: dict, columns: list) -> list:
    """Table rows: each run, its children right under it; a child whose parent is on this page appears
    only there."""
    nested = {child.info.run_id for group in children.values() for child in group}
    rows = []
    for run in runs:
        if run.info.run_id in nested:
            continue
        parent = run.data.tags.get(_PARENT_TAG)
        rows.append({"run": run, "cells": [cell(run, column) for column in columns], "depth": 1 if parent else 0,
                     "children": len(children.get(run.info.run_id, ())), "parent": parent})
        for child in children.get(run.info.run_id, ()):
            rows.append({"run": child, "cells": [cell(child, column) for column in columns], "depth": 1,
                         "children": 0, "parent": run.info.run_id})
    return rows


def _default_columns(keys: dict) -> list:
    return ([f"metrics.{key}" for key in keys["metrics"][:DEFAULT_COLUMNS_PER_KIND]]
            + [f"params.{key}" for key in keys["params"][:DEFAULT_COLUMNS_PER_KIND]])


def _paging(link, state: TableState, next_token) -> dict:
    links = {"first": None, "prev": None, "next": None}
    if state.page:
        links["first"] = link()
        previous = state.prev[-1] if state.prev else "-"
        links["prev"] = link(page=None if previous == "-" else previous, prev=",".join(state.prev[:-1]) or None)
    if next_token:
        links["next"] = link(page=next_token, prev=",".join(state.prev + [state.page or "-"]))
    return links


def runs_page(request):
    """GET /experiments/{experiment_id}: the runs table (HTML)."""
    store = store_of(request)
    experiment_id = request.path_params["experiment_id"]
    experiment = store.get_experiment(experiment_id)
    state = TableState(request, experiment_id)
    error, runs, next_token, children = None, [], None, []
    try:
        runs, next_token, children = _search(store, experiment_id, state)
    except InvalidInputError as exc:
        error = str(exc)
    keys = available_keys(keys_of(store, [*runs, *children]))
    column_ids = state.column_ids if state.column_ids is not None else _default_columns(keys)
    columns = FIXED_COLUMNS + chosen_columns(column_ids)
    fill_values(store, [*runs, *children], shown_keys(columns))
    base = state.params()
    path = request.url.path
    url_columns = [("col", column.id) for column in columns[len(FIXED_COLUMNS):]] or [("col", "")]

    def link(**changes) -> str:
        return query_url(path, base, url_columns, **changes)

    response = render(request, "runs.html", {
        "experiment": experiment, "state": state, "error": error, "rows": _rows(runs, _by_parent(children), columns),
        "columns": columns, "fixed_count": len(FIXED_COLUMNS), "keys": keys,
        "chosen": {column.id for column in columns}, "paging": _paging(link, state, next_token),
        "link": link, "base": base, "path": path, "url_columns": url_columns, "page_sizes": PAGE_SIZES,
        "deleted_view": state.view != "active",
    }, status_code=400 if error else 200)
    remembered = ",".join(quote(c, safe="./:-_") for c in column_ids)
    if state.columns_from_url and len(remembered) < 3500:  # browsers drop cookies over 4 KB
        response.set_cookie(_cookie_name(experiment_id), remembered, max_age=365 * 86400, path="/",
                            samesite="lax", httponly=True)
    return response


async def _selected_run_ids(request) -> list:
    form = await form_fields(request)
    return [value for value in form.getlist("run") if value]


def _set_lifecycle(request, run_ids: list, stage: str):
    from .access import check_runs

    check_runs(request, run_ids, "edit")
    store = store_of(request)
    for run_id in run_ids:
        store.set_run_lifecycle(run_id, stage)
    experiment_id = request.path_params["experiment_id"]
    return redirect_after_post(request, f"/experiments/{experiment_id}")


async def delete_runs(request):
    """POST /experiments/{id}/runs/delete: soft-delete the checked runs (form field ``run``), then go back."""
    require_write(request)
    run_ids = await _selected_run_ids(request)
    return await run_in_threadpool(_set_lifecycle, request, run_ids, LifecycleStage.DELETED)


async def restore_runs(request):
    """POST /experiments/{id}/runs/restore: restore the checked deleted runs, then go back."""
    require_write(request)
    run_ids = await _selected_run_ids(request)
    return await run_in_threadpool(_set_lifecycle, request, run_ids, LifecycleStage.ACTIVE)
