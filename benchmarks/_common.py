"""Helpers shared by the scenario modules: clocks and synthetic data."""

from __future__ import annotations

import statistics
import time

__all__ = ["median_seconds", "make_regression", "seconds"]


def seconds(fn) -> float:
    """Wall time of one call of ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_seconds(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn()`` in this process."""
    return statistics.median(seconds(fn) for _ in range(repeat))


def make_regression(rows: int, columns: int, seed: int = 42):
    """A float32 feature matrix and a noisy non-linear target, the same for every mode."""
    import numpy as np

    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, columns)).astype(np.float32)
    target = features[:, :5].sum(axis=1) + np.sin(features[:, 5] * 3) + rng.normal(0, 0.3, rows)
    return features, target
