"""The PNG chart: added time over the baseline (ours beside MLflow) and the speed-up over MLflow."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["draw"]

FLOOR_MS = 0.01  # bars at or below zero are drawn at this floor of the log scale
OURS, THEIRS = "#2a7ab9", "#d9822b"


def _label(row) -> str:
    text = row.label.replace("`", "").strip()
    return text if len(text) <= 52 else text[:50] + "…"


def _added_panel(axis, rows) -> None:
    rows = [row for row in rows if row.added(row.ours) is not None]
    positions = range(len(rows))
    ours = [max(row.added(row.ours) * 1000, FLOOR_MS) for row in rows]
    theirs = [max((row.added(row.mlflow) or 0) * 1000, FLOOR_MS) if row.mlflow else 0 for row in rows]
    axis.barh([p + 0.2 for p in positions], ours, height=0.4, color=OURS, label="autolog")
    axis.barh([p - 0.2 for p in positions], theirs, height=0.4, color=THEIRS, label="MLflow")
    axis.set_yticks(list(positions), [_label(row) for row in rows], fontsize=8)
    axis.set_xscale("log")
    axis.invert_yaxis()
    axis.set_xlabel(f"time added over the baseline, ms (log scale; ≤ 0 drawn at {FLOOR_MS} ms)")
    axis.legend(loc="lower right", fontsize=8)
    axis.grid(axis="x", which="major", alpha=0.3)


def _speedup_panel(axis, rows) -> None:
    rows = [row for row in rows if row.vs_mlflow() is not None]
    values = [row.vs_mlflow() for row in rows]
    axis.barh(range(len(rows)), values, color=OURS)
    for position, value in enumerate(values):
        axis.text(value, position, f" {value:,.0f}×" if value >= 10 else f" {value:.1f}×", va="center", fontsize=7)
    axis.set_yticks(list(range(len(rows))), [_label(row) for row in rows], fontsize=8)
    axis.set_xscale("log")
    axis.invert_yaxis()
    axis.axvline(1, color="grey", linewidth=0.8)
    axis.set_xlabel("times faster than MLflow (log scale)")
    axis.grid(axis="x", which="major", alpha=0.3)


def draw(rows, path: str) -> bool:
    """Draw both panels into ``path``; False when there is nothing to draw."""
    added = [row for row in rows if row.added(row.ours) is not None]
    faster = [row for row in rows if row.vs_mlflow() is not None]
    panels = [(panel, chosen) for panel, chosen in ((_added_panel, added), (_speedup_panel, faster)) if chosen]
    if not panels:
        return False
    heights = [max(2.0, 0.32 * len(chosen) + 1) for _, chosen in panels]
    figure, axes = plt.subplots(len(panels), 1, figsize=(10, sum(heights)),
                                gridspec_kw={"height_ratios": heights}, squeeze=False)
    for axis, (panel, chosen) in zip(axes[:, 0], panels):
        panel(axis, chosen)
    axes[0, 0].set_title("autolog vs MLflow")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
