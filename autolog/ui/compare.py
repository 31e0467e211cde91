"""Compare runs: a params/metrics table with the differences marked, and the data for the plots.

The runs come either as ``run=<id>`` (checked in the runs table) or as an experiment
with a filter and order (``experiment``, ``filter``, ``sort``, ``dir``: the first
1,000 matching runs). The table shows runs as columns, ``per_page`` at a time; the
plots (parallel coordinates, scatter, contour, overlaid metric charts) draw in the
browser from one compact JSON block holding every run's params and metrics.
"""

from __future__ import annotations

import math

from autolog.tracking.entities import ViewType
from autolog.tracking.exceptions import InvalidInputError, NotFoundError

from ._render import query_url, render, store_of
from .columns import sort_key_of

__all__ = ["compare_page", "MAX_RUNS"]

MAX_RUNS = 1000
RUNS_PER_PAGE = 20


def _runs_by_id(store, run_ids: list, experiment_id) -> list:
    found = {}
    if experiment_id and run_ids:
        ids = ", ".join(f"'{run_id}'" for run_id in run_ids if run_id.isalnum())
        for run in store.search_runs([experiment_id], f"attributes.run_id IN ({ids})", ViewType.ALL, MAX_RUNS):
            found[run.info.run_id] = run
    for run_id in run_ids:
        if run_id not in found:
            found[run_id] = store.get_run(run_id)
    return [found[run_id] for run_id in run_ids]


def _chosen_runs(store, query) -> tuple:
    """(runs, description of the choice); raises InvalidInputError when nothing is chosen."""
    run_ids = list(dict.fromkeys(value for value in query.getlist("run") if value))[:MAX_RUNS]
    experiment_id = query.get("experiment") or None
    if run_ids:
        return _runs_by_id(store, run_ids, experiment_id), f"{len(run_ids)} selected runs"
    if not experiment_id:
        raise InvalidInputError("Choose runs to compare: check them in an experiment's runs table")
    order = [f"{sort_key_of(query.get('sort', 'start_time')) or 'attributes.start_time'} "
             f"{'ASC' if query.get('dir') == 'asc' else 'DESC'}"]
    runs = store.search_runs([experiment_id], query.get("filter", ""), ViewType.ACTIVE_ONLY, MAX_RUNS, order)
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


def _key_rows(runs, kind: str) -> list:
    """One row per key of ``kind`` (params/metrics): its values per run (as logged, and as numbers for the
    plots), how many runs have it, whether the values differ and their range."""
    dicts = [getattr(run.data, kind) for run in runs]
    keys = sorted({key for values in dicts for key in values})
    converted: dict = {}  # params repeat a few values across many runs: convert each string once
    rows = []
    for key in keys:
        values = [values.get(key) for values in dicts]
        if kind == "params":
            numbers = [converted[v] if v in converted else converted.setdefault(v, _number(v)) for v in values]
        else:
            numbers = [_number(v) for v in values]
        present = len(values) - values.count(None)
        distinct = set(values)
        distinct.discard(None)
        rows.append({"key": key, "values": values, "numbers": numbers, "present": present,
                     "differs": len(distinct) > 1 or present < len(values), "summary": _summary(numbers, distinct)})
    rows.sort(key=lambda row: not row["differs"])
    return rows


def _summary(numbers: list, distinct: set) -> str:
    finite = [n for n in numbers if isinstance(n, float)]
    if finite and len(finite) == len(numbers) - numbers.count(None) and len(finite) == len(numbers):
        low, high = min(finite), max(finite)
        return f"{low:.4g}" if low == high else f"{low:.4g} … {high:.4g}"
    return f"{len(distinct)} distinct" if len(distinct) != 1 else "same"


def plot_data(runs, param_rows, metric_rows) -> dict:
    """The plots' data: run ids and names, and per key ('params.x', 'metrics.y') one value per run."""
    columns = {f"{prefix}.{row['key']}": row["numbers"]
               for prefix, rows in (("params", param_rows), ("metrics", metric_rows)) for row in rows}

    def by_presence(prefix: str, rows) -> list:
        """Keys held by the most runs first: the plots' defaults pick from the front."""
        return [f"{prefix}.{row['key']}" for row in sorted(rows, key=lambda row: (-row["present"], row["key"]))]

    return {"runs": [{"id": run.info.run_id, "name": run.info.run_name or run.info.run_id[:8]} for run in runs],
            "columns": columns,
            "differing_params": by_presence("params", [row for row in param_rows if row["differs"]]),
            "metrics": by_presence("metrics", metric_rows)}


def compare_page(request):
    """GET /compare: the compare view of the chosen runs (see the module docstring)."""
    store = store_of(request)
    query = request.query_params
    try:
        runs, chosen = _chosen_runs(store, query)
    except (InvalidInputError, NotFoundError) as exc:
        return render(request, "error.html", {"message": str(exc), "status": 400}, status_code=400)
    param_rows, metric_rows = _key_rows(runs, "params"), _key_rows(runs, "metrics")
    page = max(0, int(query.get("page", "0")) if query.get("page", "0").isdigit() else 0)
    first = page * RUNS_PER_PAGE
    shown = slice(first, first + RUNS_PER_PAGE)
    show_same = query.get("same") == "1"
    pairs = [(key, value) for key, value in query.multi_items() if key not in ("page", "same")]

    def link(**changes) -> str:
        extra = {"page": page or None, "same": "1" if show_same else None, **changes}
        return query_url("/compare", {k: v for k, v in extra.items()}, pairs)

    return render(request, "compare.html", {
        "runs": runs, "chosen": chosen, "shown_runs": runs[shown], "shown": shown,
        "params": [row for row in param_rows if show_same or row["differs"]],
        "metrics": [row for row in metric_rows if show_same or row["differs"]],
        "hidden_same": sum(not row["differs"] for row in param_rows + metric_rows), "show_same": show_same,
        "page": page, "pages": max(1, math.ceil(len(runs) / RUNS_PER_PAGE)), "link": link,
        "plot_data": plot_data(runs, param_rows, metric_rows), "experiment_id": query.get("experiment"),
    })
