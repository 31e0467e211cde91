"""REST handlers for metric histories: paged or streamed get-history, and the downsampled bulk interval.

A history is read from the store a few segments at a time: without ``max_results`` the
response is streamed, so a 10-million-point history never sits in the server's memory.
"""

from __future__ import annotations

import json

from starlette.responses import StreamingResponse

from ..tracking.exceptions import InvalidInputError
from ._api import Endpoint
from .permissions import run_guard, runs_guard
from .protocol import metric_json

__all__ = ["ENDPOINTS", "MAX_HISTORY_PAGE", "MAX_BULK_RUNS", "MAX_BULK_POINTS"]

MAX_HISTORY_PAGE = 100_000
MAX_BULK_RUNS = 100
MAX_BULK_POINTS = 1000
_DEFAULT_BULK_POINTS = 320


def _streamed_history(chunks):
    yield b'{"metrics":['
    first = True
    for chunk in chunks:
        if not chunk:
            continue
        text = json.dumps([metric_json(metric) for metric in chunk], separators=(",", ":"))[1:-1]
        yield (text if first else "," + text).encode()
        first = False
    yield b"]}"


def get_history(ctx, args):
    """GET metrics/get-history?run_id=&metric_key=[&max_results=&page_token=] -> {metrics, next_page_token}."""
    run_id = str(args.get("run_id") or args.require("run_uuid"))
    key = args.require("metric_key")
    max_results = args.integer("max_results")
    if max_results is None:
        chunks = ctx.store.iter_metric_history(run_id, key)  # raises NotFoundError before streaming starts
        return StreamingResponse(_streamed_history(chunks), media_type="application/json")
    if not 0 < max_results <= MAX_HISTORY_PAGE:
        raise InvalidInputError(f"Invalid max_results {max_results}: expected 1 to {MAX_HISTORY_PAGE}")
    page = ctx.store.get_metric_history_page(run_id, key, max_results, args.text("page_token") or None)
    body = {"metrics": [metric_json(metric) for metric in page]}
    if page.token:
        body["next_page_token"] = page.token
    return body


def _in_range(step, start, end) -> bool:
    return (start is None or step >= start) and (end is None or step <= end)


def _downsample(ctx, run_id: str, key: str, start, end, max_points: int) -> list:
    """At most ``max_points`` points spread evenly over the run's steps in [start, end], both ends kept.

    Two passes over the stored history (the step range, then one point per step bucket), so memory
    holds ``max_points`` points whatever the history's length.
    """
    low = high = None
    for chunk in ctx.store.iter_metric_history(run_id, key):
        for metric in chunk:
            if _in_range(metric.step, start, end):
                low = metric.step if low is None or metric.step < low else low
                high = metric.step if high is None or metric.step > high else high
    if low is None:
        return []
    width = max((high - low) / max(max_points - 1, 1), 1)
    buckets: dict = {}
    for chunk in ctx.store.iter_metric_history(run_id, key):
        for metric in chunk:
            if _in_range(metric.step, start, end):
                bucket = max_points if metric.step == high else int((metric.step - low) / width)
                kept = buckets.get(bucket)
                if kept is None or metric.step < kept.step:
                    buckets[bucket] = metric
    return sorted(buckets.values(), key=lambda metric: (metric.step, metric.timestamp))


def get_history_bulk_interval(ctx, args) -> dict:
    """GET metrics/get-history-bulk-interval?run_ids=..&metric_key=&start_step=&end_step=&max_results=."""
    run_ids = [str(run_id) for run_id in args.items("run_ids")]
    if not run_ids:
        raise InvalidInputError("Missing value for required parameter 'run_ids'")
    if len(run_ids) > MAX_BULK_RUNS:
        raise InvalidInputError(f"At most {MAX_BULK_RUNS} run_ids per request, got {len(run_ids)}")
    key = args.require("metric_key")
    max_points = args.integer("max_results", _DEFAULT_BULK_POINTS)
    if not 0 < max_points <= MAX_BULK_POINTS:
        raise InvalidInputError(f"Invalid max_results {max_points}: expected 1 to {MAX_BULK_POINTS}")
    start, end = args.integer("start_step"), args.integer("end_step")
    if start is not None and end is not None and start > end:
        raise InvalidInputError(f"start_step {start} is after end_step {end}")
    metrics = []
    for run_id in run_ids:
        metrics.extend(metric_json(metric, run_id) for metric in _downsample(ctx, run_id, key, start, end, max_points))
    return {"metrics": metrics}


ENDPOINTS = [
    Endpoint("/metrics/get-history", ["GET"], "read", get_history, guard=run_guard("read")),
    Endpoint("/metrics/get-history-bulk-interval", ["GET"], "read", get_history_bulk_interval, guard=runs_guard),
]
