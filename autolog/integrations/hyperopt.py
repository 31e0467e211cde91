"""Autologging for hyperopt: every ``fmin`` search is a parent run with one child run per trial.

``autolog.hyperopt()`` records, for each search: the search's settings (``max_evals``,
``algo``, ``timeout``, ``loss_threshold``) on the parent run; per trial a child run named
``trial-<n>`` with the trial's parameters (the objective's argument, flattened), its
``loss`` and every other number the objective returned, and its hyperopt status as the
tag ``autolog.trial.state``; on the parent, ``best_loss``, the best point as
``best_<label>`` params and the best trial's child run as the tag
``autolog.best_trial_run_id``. The child run is the active run while the objective
runs, so an autologged training inside it (``xgb.train``...) logs into the trial's run.
"""

from __future__ import annotations

import functools
import importlib
import itertools

from .._integration import Integration
from .._patching import Hook
from . import _common
from ._trials import TRIAL_STATE_TAG, TrialRuns, flatten_params, log_best_trial, numeric_metrics

__all__ = ["autolog", "HyperoptIntegration", "INTEGRATION"]


class HyperoptIntegration(Integration):
    """Patches ``FMinIter.exhaust``: the loop every ``fmin`` runs, however ``fmin`` was imported."""

    name = "hyperopt"
    module = "hyperopt"
    supported_versions = ">=0.2.5, <1"

    def targets(self, framework) -> list:
        """The search loop to wrap once hyperopt is imported."""
        fmin_module = importlib.import_module("hyperopt.fmin")
        return [(fmin_module.FMinIter, "exhaust", _ExhaustHook())]


INTEGRATION = HyperoptIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of hyperopt searches; see DESIGN.md for options.

    Raises DidNotEnable when hyperopt is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


def _single_label(space):
    """The label of a space that is one hyperparameter (``hp.uniform("x", ...)``), else None."""
    node = space
    for _ in range(4):
        if getattr(node, "name", None) == "hyperopt_param":
            return getattr(node.pos_args[0], "obj", None)
        node = node.pos_args[0] if getattr(node, "pos_args", None) else None
    return None


def _trial_params(args, kwargs, label) -> dict:
    ctrl = kwargs.get("ctrl")
    if ctrl is not None:  # pass_expr_memo_ctrl: hyperopt's own record of the sampled values
        vals = ctrl.current_trial["misc"]["vals"]
        return {key: values[0] for key, values in vals.items() if values}
    if len(args) != 1:
        return {}
    point = args[0]
    if isinstance(point, (dict, list, tuple)):
        return flatten_params(point)
    return {label or "value": point}


def _outcome(result) -> tuple:
    """(metrics, state, loss) of what the objective returned: a number or hyperopt's result dict."""
    if isinstance(result, dict):
        state = result.get("status")
        metrics = numeric_metrics({k: v for k, v in result.items() if k != "status"})
        return metrics, state, metrics.get("loss") if state == "ok" else None
    metrics = numeric_metrics({"loss": result})
    return metrics, "ok", metrics.get("loss")


def _wrap_objective(call, runs: TrialRuns, objective, label, first_number: int):
    numbers = itertools.count(first_number)

    @functools.wraps(objective)
    def logged_objective(*args, **kwargs):
        number = next(numbers)
        with runs.trial(number) as trial:
            with call.guard(f"reading the parameters of trial {number}"):
                trial.log(params=_trial_params(args, kwargs, label))
            result = objective(*args, **kwargs)
            with call.guard(f"reading the result of trial {number}"):
                metrics, state, loss = _outcome(result)
                trial.log(metrics=metrics, tags={TRIAL_STATE_TAG: state})
                runs.consider(trial, loss)
            return result

    return logged_objective


class _ExhaustHook(Hook):
    """``FMinIter.exhaust``: the search's settings and a logging objective before, the best trial after."""

    def before(self, call, instance, args, kwargs):
        import sys

        algo = instance.algo
        params = {"max_evals": None if instance.max_evals == sys.maxsize else instance.max_evals,
                  "timeout": instance.timeout, "loss_threshold": instance.loss_threshold,
                  "algo": getattr(algo, "__module__", None) or repr(algo)}
        _common.log_params_and_tags(call, params, {})
        runs = TrialRuns(call)
        domain = instance.domain
        call.state.update(runs=runs, domain=domain, objective=domain.fn)
        domain.fn = _wrap_objective(call, runs, domain.fn, _single_label(getattr(domain, "expr", None)),
                                    len(instance.trials.trials))
        return None

    def after(self, call, instance, args, kwargs, result):
        call.state["domain"].fn = call.state["objective"]
        runs = call.state["runs"]
        runs.flush()  # the best trial's run exists before the search's run names it
        if runs.best is None:
            return
        best_point = {label: values[0] for label, values in
                      instance.trials.best_trial["misc"]["vals"].items() if values}
        log_best_trial(call, "best_loss", runs.best[0], best_point, runs.best_tags())
