"""Metric histories cut down to what a chart can show: the lowest and highest point per bucket.

A chart a thousand pixels wide cannot show more than a couple of thousand points;
keeping each bucket's minimum and maximum (in their x order) keeps every spike and
dip that a plot of all points would show. The work is vectorised with numpy over
the store's packed arrays, so a 1,000,000-point history is reduced in milliseconds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Series", "prepare", "downsample"]


class Series:
    """x and y of one metric as float64 arrays sorted by x, non-finite y removed; ``total`` points logged."""

    __slots__ = ("xs", "ys", "total")

    def __init__(self, xs, ys, total: int):
        self.xs, self.ys, self.total = xs, ys, total


def prepare(xs, ys) -> Series:
    """A Series from the store's columns (x: steps or timestamps, y: values, any sequences of numbers)."""
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    total = len(ys)
    finite = np.isfinite(ys)
    if not finite.all():
        xs, ys = xs[finite], ys[finite]
    if len(xs) > 1 and not (np.diff(xs) >= 0).all():
        order = np.argsort(xs, kind="stable")
        xs, ys = xs[order], ys[order]
    return Series(xs, ys, total)


def _window(series: Series, x_min, x_max) -> tuple:
    """(first, last) indexes of the points with x in [x_min, x_max], plus one neighbour on each side."""
    size = len(series.xs)
    first = 0 if x_min is None else max(0, int(np.searchsorted(series.xs, x_min, "left")) - 1)
    last = size if x_max is None else min(size, int(np.searchsorted(series.xs, x_max, "right")) + 1)
    return first, max(first, last)


def downsample(series: Series, max_points: int, x_min=None, x_max=None) -> tuple:
    """(xs, ys) lists of at most about ``max_points`` points of ``series`` between ``x_min`` and ``x_max``.

    Below the limit every point comes back; above it, each of ``max_points // 2``
    equal-count buckets gives its minimum and maximum in x order, and the last point is kept.
    """
    first, last = _window(series, x_min, x_max)
    xs, ys = series.xs[first:last], series.ys[first:last]
    if len(xs) <= max_points:
        return xs.tolist(), ys.tolist()
    buckets = max(1, max_points // 2)
    starts = np.linspace(0, len(ys), buckets, endpoint=False).astype(np.int64)
    starts = np.unique(starts)
    lows = _arg_reduce(ys, starts, np.minimum)
    highs = _arg_reduce(ys, starts, np.maximum)
    keep = np.unique(np.concatenate([lows, highs, [len(ys) - 1]]))
    return xs[keep].tolist(), ys[keep].tolist()


def _arg_reduce(ys, starts, ufunc):
    """Index of each bucket's extreme value (the first one when it is repeated)."""
    extremes = ufunc.reduceat(ys, starts)
    bucket_of_point = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(ys))))
    hits = np.flatnonzero(ys == extremes[bucket_of_point])
    _, first_hit = np.unique(bucket_of_point[hits], return_index=True)
    return hits[first_hit]
