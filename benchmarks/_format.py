"""Turn report rows into display strings: times, rates, spreads, ratios, targets."""

from __future__ import annotations

__all__ = ["added", "cells", "duration", "HEADERS", "stat"]

HEADERS = ("Measure", "Baseline", "autolog", "× baseline", "Added", "MLflow", "MLflow added",
           "Faster than MLflow", "Target", "Met")


def _scale(seconds: float) -> tuple:
    magnitude = abs(seconds)
    if magnitude >= 1:
        return 1, "s", 2
    if magnitude >= 1e-3:
        return 1e3, "ms", 1 if magnitude >= 0.01 else 2
    return 1e6, "µs", 0


def duration(seconds: float, signed: bool = False) -> str:
    """``seconds`` in s, ms or µs, e.g. ``12.3 ms``; with a sign when ``signed``."""
    factor, unit, digits = _scale(seconds)
    return f"{seconds * factor:{'+' if signed else ''}.{digits}f} {unit}"


def stat(value, kind: str, note: str = "") -> str:
    """A Stat as ``median (low–high)`` in one unit; ``note`` when there is none."""
    if value is None:
        return note or "—"
    if kind == "rate":
        text = f"{value.median:,.0f}/s"
        spread = f"{value.low:,.0f}–{value.high:,.0f}"
    elif kind == "mib":
        text = f"{value.median / 2**20:,.0f} MiB"
        spread = f"{value.low / 2**20:,.0f}–{value.high / 2**20:,.0f}"
    else:
        factor, unit, digits = _scale(value.median)
        text = f"{value.median * factor:.{digits}f} {unit}"
        spread = f"{value.low * factor:.{digits}f}–{value.high * factor:.{digits}f}"
    return f"{text} ({spread})" if value.count > 1 else text


def added(row, which) -> str:
    """Time ``which`` adds over the baseline, with the percentage: ``+12.3 ms (+1.2 %)``."""
    seconds = row.added(which)
    if seconds is None:
        return ""
    if row.baseline.median < 0.001:  # an empty baseline: a percentage of it says nothing
        return duration(seconds, signed=True)
    return f"{duration(seconds, signed=True)} ({seconds / row.baseline.median * 100:+.1f} %)"


def cells(row) -> list:
    """The row's cells in ``HEADERS`` order."""
    vs_base, vs_mlflow, met = row.vs_baseline(), row.vs_mlflow(), row.met()
    return [
        row.label,
        stat(row.baseline, row.measure.kind, "—"),
        stat(row.ours, row.measure.kind, row.ours_note),
        f"{vs_base:.3f}×" if vs_base is not None else "",
        added(row, row.ours),
        stat(row.mlflow, row.measure.kind, row.mlflow_note),
        added(row, row.mlflow),
        (f"{vs_mlflow:,.0f}×" if vs_mlflow >= 10 else f"{vs_mlflow:.2f}×") if vs_mlflow is not None else "",
        row.measure.target.text() if row.measure.target else "",
        "" if met is None else ("yes" if met else "**no**"),
    ]
