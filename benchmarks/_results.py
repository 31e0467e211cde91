"""From raw samples to report rows: median and spread per mode, ratios, target met or not."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from benchmarks._spec import OWN_SUFFIX

__all__ = ["Row", "Stat", "rows_of", "MET", "NOT_MET", "NOT_RESOLVED"]

MET, NOT_MET, NOT_RESOLVED = "yes", "no", "not resolved"


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
    own: Stat | None = None

    @property
    def is_time(self) -> bool:
        """True for seconds, bytes or megabytes (lower is better), False for a rate (higher is better)."""
        return self.measure.kind != "rate"

    def added(self, stat: Stat | None) -> float | None:
        """Seconds ``stat`` adds over the baseline, when both are known."""
        if stat is None or self.baseline is None or self.measure.kind != "time":
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
        if self.measure.kind == "pct":  # a share of the machine, not a speed
            return None
        if self.is_time or self.measure.kind == "mib":
            return self.mlflow.median / self.ours.median
        return self.ours.median / self.mlflow.median

    def verdict(self) -> str | None:
        """Whether the target is met, judged only where the samples resolve it.

        ``MET`` / ``NOT_MET`` when every sample agrees: the whole range of one mode against the whole
        range of the other, or, for added-time targets, autolog's own accounted time (its worst and best
        sample) when the difference of totals is lost in their spread; ``NOT_RESOLVED`` otherwise;
        None when there is no target or nothing was measured.
        """
        target = self.measure.target
        if target is None or self.ours is None:
            return None
        if not target.kind.startswith("added_"):  # an absolute bound: every sample must be on one side
            return self._resolve(target.met(self.ours.high if self.is_time else self.ours.low, None),
                                 target.met(self.ours.low if self.is_time else self.ours.high, None))
        if self.baseline is None:
            return None
        worst, best = self.ours.high - self.baseline.low, self.ours.low - self.baseline.high
        verdict = self._resolve(target.added_met(worst, self.baseline.median),
                                target.added_met(best, self.baseline.median))
        if verdict == NOT_RESOLVED and self.own is not None:
            verdict = self._resolve(target.added_met(self.own.high, self.baseline.median),
                                    target.added_met(self.own.low, self.baseline.median))
        return verdict

    @staticmethod
    def _resolve(worst_met: bool, best_met: bool) -> str:
        if worst_met:
            return MET
        return NOT_MET if not best_met else NOT_RESOLVED

    def own_share(self) -> float | None:
        """Autolog's own accounted time as a fraction of the baseline's median."""
        if self.own is None or self.baseline is None or not self.baseline.median:
            return None
        return self.own.median / self.baseline.median


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
            own = Stat.of(result.samples.get("autolog", {}).get(measure.key + OWN_SUFFIX))
            rows.append(Row(scenario.group, scenario.title, measure, label, stats["baseline"], stats["autolog"],
                            stats["mlflow"], _note(result, "mlflow", stats["mlflow"]),
                            _note(result, "autolog", stats["autolog"]), own))
    return rows
