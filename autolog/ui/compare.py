"""Compare runs: a params/metrics table with the differences marked, and the data for the plots.

The runs come either as ``run=<id>`` (checked in the runs table) or as an experiment
with a filter and order (``experiment``, ``filter``, ``sort``, ``dir``: the first
1,000 matching runs). The page is the table: runs as columns, ``per_page`` at a time,
one row per key with whether its values differ and their range, which the database
counts over every chosen run. The plots (parallel coordinates, scatter, contour,
overlaid metric charts) draw in the browser from ``/compare/data`` (same query), one
compact JSON of every run's params and metrics that the page fetches after it shows.
"""

from __future__ import annotations

import json
import math

from starlette.responses import Response

from autolog.tracking.entities import ViewType
from autolog.tracking.exceptions import InvalidInputError, NotFoundError

from ._render import query_url, render, store_of
from .columns import sort_key_of
from .run_reader import ALL, fill_values, key_summaries, runs_by_id, search_page

__all__ = ["compare_page", "compare_data", "MAX_RUNS"]

MAX_RUNS = 1000
RUNS_PER_PAGE = 20
_PAGE_ONLY = ("page", "same")  # query fields of the table alone, not of the choice of runs


def _chosen_runs(store, query) -> tuple:
    """(runs, description of the choice); raises InvalidInputError when nothing is chosen. The runs hold no
    data yet on a SQL store (see ``fill_values``)."""
    run_ids = list(dict.fromkeys(value for value in query.getlist("run") if value))[:MAX_RUNS]
    experiment_id = query.get("experiment") or None
    if run_ids:
        return runs_by_id(store, run_ids), f"{len(run_ids)} selected runs"
    if not experiment_id:
        raise InvalidInputError("Choose runs to compare: check them in an experiment's runs table")
    order = [f"{sort_key_of(query.get('sort', 'start_time')) or 'attributes.start_time'} "
             f"{'ASC' if query.get('dir') == 'asc' else 'DESC'}"]
    runs = search_page(store, experiment_id, query.get("filter", ""), ViewType.ACTIVE_ONLY, MAX_RUNS, order)
    return runs, f"the first {len(runs):,} runs matching the filter" if query.get("filter") else \
        f"the first {len(runs):,} runs"


def _number(value):
    """A float for a finite number or numeric string, None for NaN/infinity/missing, else the string itself."""
    if value is None:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return number if math.isfinite(number) else value


def _param_rows(counts: dict, total: int) -> list:
    """One row per param key: how many runs hold it, whether the values differ, their range or count."""
    rows = []
    for key in sorted(counts):
        by_value = counts[key]
        present = sum(by_value.values())
        numbers = [_number(value) for value in by_value]
        finite = [number for number in numbers if isinstance(number, float)]
        if len(finite) == len(numbers):
            summary = _range(min(finite), max(finite))
        else:
            summary = f"{len(by_value):,} distinct" if len(by_value) != 1 else "same"
        rows.append(_row(key, present, total, len(by_value) > 1, summary))
    return _differing_first(rows)


def _metric_rows(summaries: dict, total: int) -> list:
    """One row per metric key, as ``_param_rows``, from the database's (present, NaNs, lowest, highest)."""
    rows = []
    for key in sorted(summaries):
        present, nans, low, high = summaries[key]
        summary = ", ".join(filter(None, [_range(low, high) if low is not None else "", f"{nans:,} NaN" * bool(nans)]))
        differs = (low is not None and (low != high or nans > 0))
        rows.append(_row(key, present, total, differs, summary))
    return _differing_first(rows)


def _range(low: float, high: float) -> str:
    return f"{low:.4g}" if low == high else f"{low:.4g} … {high:.4g}"


def _row(key: str, present: int, total: int, differs: bool, summary: str) -> dict:
    """A table row: a key that some runs lack differs too (the summary says how many hold it)."""
    if present < total:
        summary += f" ({present:,} of {total:,} runs)"
    return {"key": key, "present": present, "differs": differs or present < total, "summary": summary}


def _differing_first(rows: list) -> list:
    rows.sort(key=lambda row: not row["differs"])
    return rows


def plot_data(runs) -> dict:
    """The plots' data: run ids and names, per key ('params.x', 'metrics.y') one value per run (a number
    where it reads as one, else the text; None where missing), the differing params and the metrics, the
    keys held by the most runs first (the plots' defaults pick from the front)."""
    columns, order = {}, {}
    for kind in ("params", "metrics"):
        dicts = [getattr(run.data, kind) for run in runs]
        converted: dict = {}  # params repeat a few values across many runs: convert each string once
        keys = sorted({key for values in dicts for key in values})
        for key in keys:
            values = [values.get(key) for values in dicts]
            columns[f"{kind}.{key}"] = [converted[v] if v in converted else converted.setdefault(v, _number(v))
                                        for v in values]
            present = len(values) - values.count(None)
            distinct = len(set(values) - {None})
            order[f"{kind}.{key}"] = (-present, key, distinct > 1 or present < len(values))
    ranked = sorted(order, key=lambda name: order[name][:2])
    return {"runs": [{"id": run.info.run_id, "name": run.info.run_name or run.info.run_id[:8]} for run in runs],
            "columns": columns,
            "differing_params": [name for name in ranked if name.startswith("params.") and order[name][2]],
            "metrics": [name for name in ranked if name.startswith("metrics.")]}


def _choice_pairs(query) -> list:
    return [(key, value) for key, value in query.multi_items() if key not in _PAGE_ONLY]


def compare_page(request):
    """GET /compare: the compare view of the chosen runs (see the module docstring)."""
    store = store_of(request)
    query = request.query_params
    try:
        runs, chosen = _chosen_runs(store, query)
    except (InvalidInputError, NotFoundError) as exc:
        return render(request, "error.html", {"message": str(exc), "status": 400}, status_code=400)
    counts, summaries = key_summaries(store, runs)
    param_rows, metric_rows = _param_rows(counts, len(runs)), _metric_rows(summaries, len(runs))
    page = max(0, int(query.get("page", "0")) if query.get("page", "0").isdigit() else 0)
    first = page * RUNS_PER_PAGE
    shown = slice(first, first + RUNS_PER_PAGE)
    show_same = query.get("same") == "1"
    params = [row for row in param_rows if show_same or row["differs"]]
    metrics = [row for row in metric_rows if show_same or row["differs"]]
    shown_runs = runs[shown]
    fill_values(store, shown_runs, {"params": [row["key"] for row in params],
                                    "metrics": [row["key"] for row in metrics]})
    for kind, rows in (("params", params), ("metrics", metrics)):
        for row in rows:
            row["values"] = [getattr(run.data, kind).get(row["key"]) for run in shown_runs]
    pairs = _choice_pairs(query)

    def link(**changes) -> str:
        extra = {"page": page or None, "same": "1" if show_same else None, **changes}
        return query_url("/compare", {k: v for k, v in extra.items()}, pairs)

    return render(request, "compare.html", {
        "runs": runs, "chosen": chosen, "shown_runs": shown_runs, "shown": shown, "params": params,
        "metrics": metrics, "hidden_same": sum(not row["differs"] for row in param_rows + metric_rows),
        "show_same": show_same, "page": page, "pages": max(1, math.ceil(len(runs) / RUNS_PER_PAGE)), "link": link,
        "data_url": query_url("/compare/data", {}, pairs), "experiment_id": query.get("experiment"),
    })


def compare_data(request):
    """GET /compare/data: the plots' data (``plot_data``) of the runs ``/compare`` shows for the same query,
    as compact JSON; a 400 JSON error when no runs are chosen, a 404 for a missing run."""
    store = store_of(request)
    try:
        runs, _chosen = _chosen_runs(store, request.query_params)
    except (InvalidInputError, NotFoundError) as exc:
        status = 404 if isinstance(exc, NotFoundError) else 400
        return Response(json.dumps({"error": str(exc)}), status_code=status, media_type="application/json")
    fill_values(store, runs, {"params": ALL, "metrics": ALL})
    body = json.dumps(plot_data(runs), separators=(",", ":"), allow_nan=False)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
