"""JSON behind the charts: metric histories downsampled on the server.

``GET /ui/data/metric?run=<id>&run=<id>&key=<metric>&x=step|time&points=2000&min=&max=``
returns ``{"key", "x", "series": [{"run_id", "x": [...], "y": [...], "total", "shown"}]}``.
``min``/``max`` bound x (steps, or seconds since the epoch for ``x=time``): a zoomed
chart asks again for its window and gets full detail there. Several runs share a
budget of points so an overlay of 1,000 runs stays a few megabytes at most.
"""

from __future__ import annotations

import collections
import threading

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from autolog.tracking.entities import RunStatus

from autolog.tracking.exceptions import InvalidInputError, NotFoundError

from ._render import form_fields, store_of
from .downsample import downsample, prepare

__all__ = ["metric_data", "series_for"]

DEFAULT_POINTS = 2000
MAX_POINTS = 20_000
TOTAL_POINTS = 400_000
MIN_POINTS_PER_RUN = 50
MAX_RUNS = 1000
CACHED_RUNS = 8


def _number(text, name: str):
    if text in (None, ""):
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInputError(f"Invalid {name} {text!r}: expected a number") from None


class _FinishedSeries:
    """The prepared histories of the last few charts of ended runs: a zoom reuses them instead of reading
    the whole history again. A running run's history grows, so it is always read afresh."""

    MAX_POINTS = 4_000_000  # about 64 MB of float64 pairs

    def __init__(self):
        self._entries: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, store, run_id: str, key: str, axis: str):
        cache_key = (id(store), run_id, key, axis)
        with self._lock:
            if cache_key in self._entries:
                self._entries.move_to_end(cache_key)
                return self._entries[cache_key]
        series = _read_series(store, run_id, key, axis)
        if store.get_run(run_id).info.status in RunStatus.TERMINATED:
            with self._lock:
                self._entries[cache_key] = series
                while len(self._entries) > 1 and sum(len(s.xs) for s in self._entries.values()) > self.MAX_POINTS:
                    self._entries.popitem(last=False)
        return series


def _read_series(store, run_id: str, key: str, axis: str):
    steps, stamps, values = store.read_metric_columns(run_id, key)
    if axis == "time":
        import numpy as np

        xs = np.asarray(stamps, dtype=np.float64) / 1000.0
    else:
        xs = steps
    return prepare(xs, values)


_finished = _FinishedSeries()


def series_for(store, run_id: str, key: str, axis: str, points: int, x_min=None, x_max=None,
               cached: bool = True) -> dict:
    """One run's ``key`` history reduced to about ``points`` points between ``x_min`` and ``x_max``
    (kept for the next zoom when ``cached`` and the run has ended).

    Raises NotFoundError for a missing run.
    """
    series = _finished.get(store, run_id, key, axis) if cached else _read_series(store, run_id, key, axis)
    out_x, out_y = downsample(series, points, x_min, x_max)
    return {"run_id": run_id, "x": out_x, "y": out_y, "total": series.total, "shown": len(out_x)}


def _request_args(query) -> tuple:
    run_ids = [run_id for run_id in query.getlist("run") if run_id][:MAX_RUNS]
    key = query.get("key", "")
    if not run_ids or not key:
        raise InvalidInputError("Name at least one run (run=<id>) and a metric (key=<name>)")
    axis = query.get("x", "step")
    if axis not in ("step", "time"):
        raise InvalidInputError(f"Invalid x {axis!r}: expected step or time")
    points = int(_number(query.get("points"), "points") or DEFAULT_POINTS)
    points = max(MIN_POINTS_PER_RUN, min(points, MAX_POINTS, TOTAL_POINTS // len(run_ids)))
    return run_ids, key, axis, points, _number(query.get("min"), "min"), _number(query.get("max"), "max")


def _all_series(store, query) -> dict:
    run_ids, key, axis, points, x_min, x_max = _request_args(query)
    cached = len(run_ids) <= CACHED_RUNS  # an overlay of many runs is not zoomed run by run
    series = [series_for(store, run_id, key, axis, points, x_min, x_max, cached) for run_id in run_ids]
    return {"key": key, "x": axis, "series": series}


async def metric_data(request):
    """GET (or POST, form-encoded, for long lists of runs) /ui/data/metric: downsampled histories of one
    metric for one or more runs (JSON).

    Answers 400 for missing or malformed arguments and 404 for a run that does not exist.
    """
    query = await form_fields(request) if request.method == "POST" else request.query_params
    from .access import check_page

    await run_in_threadpool(check_page, request, query, "read")
    try:
        answer = await run_in_threadpool(_all_series, store_of(request), query)
    except NotFoundError as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    except InvalidInputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})
