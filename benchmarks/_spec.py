"""What a benchmark scenario is: its measures, targets, modes, sizes and repetitions.

Scenario modules import only this and the standard library at module level, so
that the worker can find a scenario without importing a framework before it
starts its clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["MODES", "OWN_SUFFIX", "PROFILES", "Measure", "Scenario", "Target"]

MODES = ("baseline", "autolog", "mlflow")
PROFILES = ("full", "quick", "smoke")
#: a measure key plus this suffix holds autolog's own accounted seconds (see ``benchmarks._accounting``)
OWN_SUFFIX = ":own"


@dataclass(frozen=True)
class Target:
    """A goal for one measure: ``kind`` is ``added_pct`` or ``added_ms`` (over the baseline), or an absolute
    bound: ``max_ms``, ``min_rate``, ``max_kb`` or ``max_mb``."""

    kind: str
    value: float

    def text(self) -> str:
        """The target as the report prints it."""
        return {
            "added_pct": f"< {self.value:g} % added",
            "added_ms": f"< {self.value:g} ms added",
            "max_ms": f"< {self.value:g} ms",
            "min_rate": f"≥ {self.value:,.0f}/s",
            "max_kb": f"< {self.value:g} KB",
            "max_mb": f"< {self.value:g} MB",
        }[self.kind]

    def met(self, ours: float, baseline: float | None) -> bool | None:
        """Whether ``ours`` (seconds, or a rate) meets the target; None when it cannot be judged."""
        if self.kind == "max_ms":
            return ours * 1000 < self.value
        if self.kind == "max_mb":
            return ours < self.value
        if self.kind == "min_rate":
            return ours >= self.value
        if self.kind == "max_kb":
            return ours / 1024 < self.value
        if baseline is None:
            return None
        return self.added_met(ours - baseline, baseline)

    def added_met(self, added: float, baseline: float) -> bool:
        """Whether ``added`` seconds over a ``baseline`` of seconds meet an ``added_*`` target."""
        if self.kind == "added_ms":
            return added * 1000 < self.value
        return added / baseline * 100 < self.value


@dataclass(frozen=True)
class Measure:
    """One number a scenario reports: ``kind`` is ``time`` (seconds, lower is better), ``rate`` (per second),
    ``bytes`` (a size, lower is better), ``mb`` (megabytes of memory, lower is better), ``mib`` (bytes,
    shown in MiB, lower is better) or ``pct`` (a percentage, shown as it is, never compared)."""

    key: str
    label: str
    kind: str = "time"
    target: Target | None = None


@dataclass(frozen=True)
class Scenario:
    """A workload run once per fresh worker process, in one of its ``modes``.

    ``run(mode, params, workdir)`` returns ``{measure key: value}``; a key may be
    missing when the mode or the profile does not measure it. ``prepare(params,
    workdir, with_mlflow)``, when given, runs once in its own process before the
    repetitions (to train a model or fill a store that every repetition reuses).
    ``params`` maps a profile to keyword sizes; ``params[profile]["mlflow"]``
    overrides them for the MLflow mode. ``repeats`` maps a profile to (ours,
    MLflow) repetition counts; an MLflow count of 0 skips MLflow in that profile.
    ``timeouts`` maps a profile to a worker's time limit in seconds, for a scenario whose
    workers need longer than the harness's default (one that starts an engine like Spark).
    """

    name: str
    group: str
    title: str
    measures: tuple
    run: Callable
    params: dict
    repeats: dict
    modes: tuple = MODES
    prepare: Callable | None = None
    notes: dict = field(default_factory=dict)
    timeouts: dict = field(default_factory=dict)

    def params_for(self, profile: str, mode: str) -> dict:
        """The sizes for ``profile`` (smoke falls back to quick), with the MLflow overrides applied."""
        base = dict(self.params.get(profile) or self.params["quick"])
        overrides = base.pop("mlflow", {})
        if mode == "mlflow":
            base.update(overrides)
        return base

    def repeats_for(self, profile: str) -> tuple:
        """(ours, MLflow) fresh-process repetitions for ``profile``."""
        if profile == "smoke":
            return 1, 0
        return self.repeats[profile]
