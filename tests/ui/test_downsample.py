"""Server-side downsampling keeps every spike, honours the zoom window and drops what cannot be drawn."""

import math

import pytest

np = pytest.importorskip("numpy")

from autolog.ui.downsample import downsample, prepare  # noqa: E402


def test_small_histories_come_back_whole():
    xs, ys = downsample(prepare([0, 1, 2], [3.0, 1.0, 2.0]), 100)
    assert xs == [0, 1, 2] and ys == [3.0, 1.0, 2.0]


def test_a_million_points_shrink_to_the_budget_and_keep_their_extremes():
    steps = np.arange(1_000_000)
    values = np.sin(steps / 5000.0)
    values[123_457] = 50.0
    values[876_543] = -50.0
    xs, ys = downsample(prepare(steps, values), 2000)
    assert len(xs) <= 2001
    assert 50.0 in ys and -50.0 in ys
    assert xs[ys.index(50.0)] == 123_457 and xs[ys.index(-50.0)] == 876_543
    assert xs == sorted(xs) and xs[-1] == 999_999


def test_a_zoom_window_returns_full_detail_inside_it():
    steps = np.arange(1_000_000)
    xs, _ = downsample(prepare(steps, steps * 0.5), 2000, 1000, 1500)
    assert xs[0] == 999 and xs[-1] == 1501 and len(xs) == 503


def test_nan_and_infinity_are_dropped_and_unsorted_steps_are_sorted():
    series = prepare([3, 1, 2, 0], [1.0, math.nan, math.inf, 4.0])
    assert series.total == 4
    assert downsample(series, 10) == ([0.0, 3.0], [4.0, 1.0])
