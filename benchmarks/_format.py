"""Turn report rows into display strings: times, rates, spreads, ratios, targets."""

from __future__ import annotations

from benchmarks._results import NOT_MET

__all__ = ["added", "cells", "duration", "HEADERS", "own_time", "stat"]

HEADERS = ("Measure", "Baseline", "autolog", "× baseline", "Added", "autolog's own time", "MLflow", "MLflow added",
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
    if kind == "bytes":
        text = f"{value.median / 1024:,.1f} KB"
        spread = f"{value.low / 1024:,.1f}–{value.high / 1024:,.1f}"
    elif kind == "mb":
        text = f"{value.median:,.0f} MB"
        spread = f"{value.low:,.0f}–{value.high:,.0f}"
    elif kind == "rate":
        text = f"{value.median:,.0f}/s"
        spread = f"{value.low:,.0f}–{value.high:,.0f}"
    elif kind == "pct":
        text = f"{value.median:.1f} %"
        spread = f"{value.low:.1f}–{value.high:.1f}"
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


def own_time(row) -> str:
    """Autolog's own accounted time during the call, with its share of the baseline: ``3.1 ms (0.2 %)``."""
    if row.own is None:
        return ""
    share = row.own_share()
    text = stat(row.own, "time")
    return f"{text} ({share * 100:.2f} %)" if share is not None else text


def cells(row) -> list:
    """The row's cells in ``HEADERS`` order."""
    vs_base, vs_mlflow, verdict = row.vs_baseline(), row.vs_mlflow(), row.verdict()
    return [
        row.label,
        stat(row.baseline, row.measure.kind, "—"),
        stat(row.ours, row.measure.kind, row.ours_note),
        f"{vs_base:.3f}×" if vs_base is not None else "",
        added(row, row.ours),
        own_time(row),
        stat(row.mlflow, row.measure.kind, row.mlflow_note),
        added(row, row.mlflow),
        (f"{vs_mlflow:,.0f}×" if vs_mlflow >= 10 else f"{vs_mlflow:.2f}×") if vs_mlflow is not None else "",
        row.measure.target.text() if row.measure.target else "",
        "" if verdict is None else (f"**{verdict}**" if verdict == NOT_MET else verdict),
    ]
