"""Autologging for Optuna: every ``Study.optimize`` is a parent run with one child run per trial.

``autolog.optuna()`` records, for each ``optimize`` call: the study's settings
(``study_name``, ``directions``, ``sampler``, ``pruner``, ``n_trials``, ``timeout``,
``n_jobs``) on the parent run; per trial a child run named ``trial-<number>`` with the
trial's parameters, its ``value`` (``value_<i>`` for several objectives), its
intermediate values (``trial.report``) as the metric history ``intermediate_value``
and its state as the tag ``autolog.trial.state`` (COMPLETE, PRUNED, FAIL). A pruned
trial's run ends KILLED, a failed one FAILED. On the parent: ``best_value``, the
best parameters as ``best_<name>`` params and the tag ``autolog.best_trial_run_id``.
The child run is the active run while the objective runs (in its own thread too, with
``n_jobs`` > 1), so an autologged training inside it logs into the trial's run.
"""

from __future__ import annotations

import functools
import numbers

from .._integration import Integration
from .._patching import Hook
from . import _common
from ._trials import BEST_NUMBER_TAG, BEST_RUN_TAG, TRIAL_STATE_TAG, TrialRuns, log_best_trial

__all__ = ["autolog", "OptunaIntegration", "INTEGRATION"]


class OptunaIntegration(Integration):
    """Patches ``optuna.study.Study.optimize``."""

    name = "optuna"
    module = "optuna"
    supported_versions = ">=3, <6"

    def targets(self, framework) -> list:
        """The method to wrap once optuna is imported."""
        return [(framework.study.Study, "optimize", _OptimizeHook())]


INTEGRATION = OptunaIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of Optuna studies; see DESIGN.md for options.

    Raises DidNotEnable when optuna is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


def _values(value) -> dict:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return {"value": float(value)}
    if isinstance(value, (list, tuple)):
        return {f"value_{i}": float(v) for i, v in enumerate(value)
                if isinstance(v, numbers.Real) and not isinstance(v, bool)}
    return {}


def _recording_reports(trial, child) -> None:
    """Make ``trial.report(value, step)`` also keep the point for the child run's ``intermediate_value``
    history; as Optuna does, the first value reported at a step is the one kept."""
    report = trial.report
    steps: set = set()

    def recording_report(value, step):
        report(value, step)
        if step not in steps:
            steps.add(step)
            child.log(metrics={"intermediate_value": value}, step=step)

    trial.report = recording_report


def _wrap_objective(call, runs: TrialRuns, objective):
    import optuna

    @functools.wraps(objective)
    def logged_objective(trial):
        with runs.trial(trial.number) as child:
            with call.guard(f"recording the intermediate values of trial {trial.number}"):
                _recording_reports(trial, child)
            try:
                value = objective(trial)
            except optuna.TrialPruned:
                child.status = "KILLED"
                child.log(params=trial.params, tags={TRIAL_STATE_TAG: "PRUNED"})
                raise
            except BaseException:
                child.log(params=trial.params, tags={TRIAL_STATE_TAG: "FAIL"})
                raise
            with call.guard(f"reading the result of trial {trial.number}"):
                child.log(params=trial.params, metrics=_values(value), tags={TRIAL_STATE_TAG: "COMPLETE"})
            return value

    return logged_objective


def _study_params(study, arguments: dict) -> dict:
    return {"study_name": study.study_name, "directions": [d.name for d in study.directions],
            "sampler": type(study.sampler).__name__, "pruner": type(study.pruner).__name__,
            "n_trials": arguments.get("n_trials"), "timeout": arguments.get("timeout"),
            "n_jobs": arguments.get("n_jobs", 1)}


class _OptimizeHook(Hook):
    """``Study.optimize``: the study's settings and a logging objective before, the best trial after."""

    def before(self, call, instance, args, kwargs):
        arguments = dict(zip(("func", "n_trials", "timeout", "n_jobs", "catch", "callbacks"), args))
        arguments.update(kwargs)
        _common.log_params_and_tags(call, _study_params(instance, arguments), {})
        runs = TrialRuns(call)
        call.state["runs"] = runs
        arguments["func"] = _wrap_objective(call, runs, arguments["func"])
        return (), arguments

    def after(self, call, instance, args, kwargs, result):
        call.state["runs"].flush()  # the best trial's run exists before the study's run names it
        if len(instance.directions) != 1:
            return
        try:
            best = instance.best_trial
        except ValueError:  # no trial completed
            return
        run_id = call.state["runs"].run_ids.get(best.number)
        tags = {BEST_NUMBER_TAG: str(best.number), **({BEST_RUN_TAG: run_id} if run_id else {})}
        log_best_trial(call, "best_value", best.value, best.params, tags)
