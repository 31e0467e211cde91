"""Time trainings with autologging off (baseline), ours on, or MLflow's on: the shared core of the
xgboost, lightgbm and scikit-learn overhead scenarios.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from benchmarks._accounting import install as install_accounting
from benchmarks._common import seconds
from benchmarks._spec import OWN_SUFFIX

__all__ = ["Case", "time_cases"]


@dataclass(frozen=True)
class Case:
    """One training to time: ``train()`` runs it; ``warmup`` runs it once untimed first, in the same mode."""

    key: str
    train: Callable
    warmup: bool = False
    options: dict = field(default_factory=dict)


def _switch(framework: str, mode: str, workdir: str, options: dict) -> tuple:
    """(enable, disable) for ``mode``, with the tracking store under ``workdir``."""
    if mode == "baseline":
        return (lambda: None), (lambda: None)
    if mode == "autolog":
        import autolog

        autolog.set_tracking_uri(os.path.join(workdir, "autolog-store"))
        hook = getattr(autolog, framework)
        return (lambda: hook(**options)), (lambda: hook(disable=True))
    import importlib

    import mlflow

    mlflow.set_tracking_uri("sqlite:///" + os.path.join(workdir, "mlflow-store.db"))
    if mlflow.get_experiment_by_name("bench") is None:
        mlflow.create_experiment("bench", artifact_location=os.path.join(workdir, "mlflow-artifacts"))
    mlflow.set_experiment("bench")
    flavor = importlib.import_module(f"mlflow.{framework}")
    return (lambda: flavor.autolog(silent=True, **options)), (lambda: flavor.autolog(disable=True))


def time_cases(framework: str, mode: str, cases, workdir: str) -> dict:
    """Seconds of each case's timed training, ``{case key: seconds}``; in autolog mode also the seconds
    autolog itself spent during it, ``{case key + OWN_SUFFIX: seconds}`` (see ``benchmarks._accounting``)."""
    workdir = os.path.join(workdir, f"{mode}-{os.getpid()}")
    os.makedirs(workdir)
    result = {}
    for case in cases:
        enable, disable = _switch(framework, mode, workdir, case.options)
        enable()
        accounting = install_accounting() if mode == "autolog" else None
        try:
            if case.warmup:
                case.train()
            if accounting is not None:
                accounting.reset()
            result[case.key] = seconds(case.train)
            if accounting is not None:
                result[case.key + OWN_SUFFIX] = accounting.seconds()
        finally:
            disable()
    return result
