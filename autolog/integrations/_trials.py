"""What the hyperparameter-search hooks (hyperopt, Optuna) share: one child run per trial under the search's run.

The search's patched call owns (or joins) the parent run. Each trial gets a child run
that is the active run while the user's objective runs, so a training autologged inside
the objective lands in it; the objective runs as if outside any patched call. A failure
to log a trial is recorded on the search's call (one warning in all) and the later
trials run without child runs; the objective itself is never affected.
"""

from __future__ import annotations

import contextlib
import math
import numbers

from .._patching import AUTOLOG_TAG, outside_patched_call
from . import _common

__all__ = ["TrialRuns", "TrialRun", "flatten_params", "TRIAL_NUMBER_TAG", "TRIAL_STATE_TAG", "BEST_RUN_TAG"]

TRIAL_NUMBER_TAG = "autolog.trial.number"
TRIAL_STATE_TAG = "autolog.trial.state"
BEST_RUN_TAG = "autolog.best_trial_run_id"
BEST_NUMBER_TAG = "autolog.best_trial_number"


def flatten_params(value, prefix: str = "") -> dict:
    """A trial's parameters as flat {name: value}: nested dicts joined with '.', sequences by index."""
    if isinstance(value, dict):
        flat = {}
        for key, item in value.items():
            flat.update(flatten_params(item, f"{prefix}{key}" if not prefix else f"{prefix}.{key}"))
        return flat
    if isinstance(value, (list, tuple)) and len(value) <= 100:
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten_params(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "value": value}


def numeric_metrics(values: dict) -> dict:
    """The entries of ``values`` that are finite-or-infinite real numbers (not bools), as floats."""
    return {key: float(value) for key, value in values.items()
            if isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(float(value))}


class TrialRun:
    """The child run of one trial (``run_id`` None when it could not be started).

    Metrics go to the tracking buffer at once (written with the run's end); params and tags
    are kept and written in one batch when the trial ends, so a trial costs three writes.
    """

    def __init__(self, runs: "TrialRuns", number: int, run_id):
        self.runs, self.number, self.run_id = runs, number, run_id
        self.status = "FINISHED"
        self.params: dict = {}
        self.tags: dict = {}

    def log(self, params=None, metrics=None, tags=None, step: int = 0) -> None:
        """Keep params and tags for the end of the trial; queue metrics on the tracking buffer."""
        if self.run_id is None:
            return
        with self.runs.call.guard(f"logging trial {self.number}"):
            if params:
                self.params.update({_common.metric_key(k): v for k, v in _common.stringify_params(params).items()})
            if metrics:
                from ..tracking import fluent

                fluent.log_metrics({_common.metric_key(k): v for k, v in metrics.items()}, step=step,
                                   run_id=self.run_id)
            self.tags.update(tags or {})


class TrialRuns:
    """The child runs of one search call, and the best trial seen so far."""

    def __init__(self, call):
        self.call = call
        self.parent_id = call.run_id
        self._experiment_id = None
        self._broken = False
        self.best = None  # (loss, run_id, number)
        self.run_ids: dict = {}  # trial number -> child run id

    def _start(self, number: int):
        from ..tracking import Client, fluent

        if self._experiment_id is None:
            self._experiment_id = Client().get_run(self.parent_id).info.experiment_id
        tags = {AUTOLOG_TAG: self.call.integration.name, TRIAL_NUMBER_TAG: str(number),
                **(self.call.options.extra_tags or {})}
        return fluent.start_run(run_name=f"trial-{number}", nested=True, parent_run_id=self.parent_id,
                                experiment_id=self._experiment_id, tags=tags)

    @contextlib.contextmanager
    def trial(self, number: int):
        """The child run of trial ``number`` as the active run around the objective; yields a TrialRun.

        An exception of the objective passes through unchanged and ends the run FAILED (or with the
        ``status`` the hook set on the TrialRun before re-raising, e.g. KILLED for a pruned trial).
        """
        active = None
        if not self._broken:
            with self.call.guard(f"starting the run of trial {number}"):
                active = self._start(number)
            self._broken = active is None
        trial = TrialRun(self, number, active.info.run_id if active is not None else None)
        if trial.run_id is not None:
            self.run_ids[number] = trial.run_id
        try:
            with outside_patched_call():
                yield trial
        except BaseException as exc:
            if trial.status == "FINISHED":
                trial.status = "KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED"
            raise
        finally:
            if active is not None:
                self._end(active, trial)

    def _end(self, active, trial: TrialRun) -> None:
        from ..tracking import Client, fluent

        with self.call.guard(f"ending the run of trial {trial.number}"):
            if trial.tags or trial.params:
                _log_params_and_tags(Client(), trial)
            if any(run.info.run_id == trial.run_id for run in fluent._run_stack.get()):
                fluent._end_runs_down_to(trial.run_id, trial.status)
            else:  # the objective's thread or task does not see the stack it was started on
                Client().set_terminated(trial.run_id, trial.status)

    def consider(self, trial: TrialRun, loss) -> None:
        """Remember ``trial`` as the best when its ``loss`` (smaller is better) beats the best so far."""
        if loss is None or isinstance(loss, bool) or not isinstance(loss, numbers.Real) or math.isnan(loss):
            return
        if self.best is None or loss < self.best[0]:
            self.best = (float(loss), trial.run_id, trial.number)

    def best_tags(self) -> dict:
        """The parent's tags naming the best trial (its child run and number), or {} before any."""
        if self.best is None:
            return {}
        tags = {BEST_NUMBER_TAG: str(self.best[2])}
        if self.best[1] is not None:
            tags[BEST_RUN_TAG] = self.best[1]
        return tags


def _log_params_and_tags(client, trial: TrialRun) -> None:
    """One batch; when a training inside the objective already logged a param under the same name with
    another value, that value stays and the batch is written without it."""
    from ..tracking import InvalidInputError, Param, RunTag

    tags = [RunTag(k, str(v)) for k, v in trial.tags.items()]
    try:
        client.log_batch(trial.run_id, params=[Param(k, v) for k, v in trial.params.items()], tags=tags)
    except InvalidInputError:
        existing = client.get_run(trial.run_id).data.params
        client.log_batch(trial.run_id, params=[Param(k, v) for k, v in trial.params.items() if k not in existing],
                         tags=tags)
