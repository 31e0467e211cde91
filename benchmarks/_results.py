"""From raw samples to report rows: median and spread per mode, ratios, target met or not."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

__all__ = ["Row", "Stat", "rows_of"]


@dataclass(frozen=True)
class Stat:
    """Median and range of the samples of one mode."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values):
        """The statistics of ``values``, or None when there are none."""
        if not values:
            return None
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Row:
    """One measure of one scenario, ready to print."""

    group: str
    scenario: str
    measure: object
    label: str
    baseline: Stat | None
    ours: Stat | None
    mlflow: Stat | None
    mlflow_note: str
    ours_note: str

    @property
    def is_time(self) -> bool:
        """True for seconds (lower is better), False for a rate (higher is better)."""
        return self.measure.kind == "time"

    def added(self, stat: Stat | None) -> float | None:
        """Seconds ``stat`` adds over the baseline, when both are known."""
        if stat is None or self.baseline is None or not self.is_time:
            return None
        return stat.median - self.baseline.median

    def vs_baseline(self) -> float | None:
        """Our median over the baseline's (1.02 means 2 % slower)."""
        if self.ours is None or self.baseline is None or not self.baseline.median:
            return None
        return self.ours.median / self.baseline.median

    def vs_mlflow(self) -> float | None:
        """How many times faster than MLflow we are (MLflow's time over ours, or our rate over MLflow's)."""
        if self.ours is None or self.mlflow is None or not self.ours.median or not self.mlflow.median:
            return None
        if self.is_time or self.measure.kind == "mib":
            return self.mlflow.median / self.ours.median
        return self.ours.median / self.mlflow.median

    def met(self) -> bool | None:
        """Whether our median meets the measure's target (None: no target or not measured)."""
        target = self.measure.target
        if target is None or self.ours is None:
            return None
        return target.met(self.ours.median, self.baseline.median if self.baseline else None)


def _note(result, mode: str, stat) -> str:
    if mode not in result.scenario.modes:
        return "n/a"
    if mode in result.errors:
        return "failed: " + result.errors[mode]
    if "prepare" in result.errors:
        return "failed: " + result.errors["prepare"]
    if mode == "mlflow" and result.mlflow_status != "measured":
        return result.mlflow_status
    return "" if stat is not None else f"skipped in --{result.profile}"


def rows_of(results) -> list:
    """One Row per measure of every ScenarioResult, in order."""
    rows = []
    for result in results:
        scenario = result.scenario
        for measure in scenario.measures:
            stats = {mode: Stat.of(result.samples.get(mode, {}).get(measure.key)) for mode in
                     ("baseline", "autolog", "mlflow")}
            label = measure.label.format(**scenario.params_for(result.profile, "autolog"))
            rows.append(Row(scenario.group, scenario.title, measure, label, stats["baseline"], stats["autolog"],
                            stats["mlflow"], _note(result, "mlflow", stats["mlflow"]),
                            _note(result, "autolog", stats["autolog"])))
    return rows
