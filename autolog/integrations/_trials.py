"""What the hyperparameter-search hooks (hyperopt, Optuna) share: one child run per trial under the search's run.

The search's patched call owns (or joins) the parent run. Each trial gets a child run
that is the active run while the user's objective runs, so a training autologged inside
the objective lands in it; the objective runs as if outside any patched call. A failure
to log a trial is recorded on the search's call (one warning in all) and the later
trials run without child runs; the objective itself is never affected.

A trial whose objective never used its run (most objectives log nothing themselves) has
its run written whole when it ends, together with the runs of the trials that end soon
after it, in one store transaction: a trial's run is in the store at the latest when the
search returns or raises, when a later trial's objective first uses its own run (so
anything that objective reads sees the earlier trials), or one second after the trial
ended, whichever comes first. Its run id is known as soon as the trial ends.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import time

from .._patching import AUTOLOG_TAG, outside_patched_call
from . import _common

__all__ = ["TrialRuns", "TrialRun", "flatten_params", "numeric_metrics", "log_best_trial", "TRIAL_NUMBER_TAG",
           "TRIAL_STATE_TAG", "BEST_RUN_TAG", "BEST_NUMBER_TAG"]

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
    """What one trial logs, kept until it ends (``run_id`` is set then, and stays None when the run could not
    be started or written).

    Params, metric points and tags are written when the trial ends: with the whole run in one store write
    when nothing inside the objective used the run, else in one batch before it is ended.
    """

    def __init__(self, runs: "TrialRuns", number: int, active):
        self.runs, self.number, self.active = runs, number, active
        self.run_id = None
        self.status = "FINISHED"
        self.params: dict = {}
        self.points: list = []  # (key, value, step)
        self.tags: dict = {}

    def log(self, params=None, metrics=None, tags=None, step: int = 0) -> None:
        """Keep params, metrics (at ``step``) and tags for the end of the trial; names are made store-safe."""
        if self.active is None:
            return
        with self.runs.call.guard(f"logging trial {self.number}"):
            if params:
                self.params.update({_common.metric_key(k): v for k, v in _common.stringify_params(params).items()})
            self.points.extend((_common.metric_key(k), v, step) for k, v in (metrics or {}).items())
            self.tags.update(tags or {})


class TrialRuns:
    """The child runs of one search call, and the best trial seen so far."""

    def __init__(self, call):
        self.call = call
        self.parent_id = call.run_id
        self._experiment_id = None
        self._batch = None  # FinishedRunBatch of the trials' runs not yet written
        self._broken = False
        self.best = None  # (loss, TrialRun)
        self.run_ids: dict = {}  # trial number -> child run id
        call.at_close("writing the runs of the last trials", self.flush)

    def _start(self, number: int):
        if self._experiment_id is None:
            self._open_batch()
        from ..tracking.deferred_runs import start_deferred_run

        tags = {AUTOLOG_TAG: self.call.integration.name, TRIAL_NUMBER_TAG: str(number),
                **(self.call.options.extra_tags or {})}
        return start_deferred_run(self._experiment_id, f"trial-{number}", self.parent_id, tags,
                                  self._batch.flush if self._batch is not None else None)

    def _open_batch(self) -> None:
        from ..tracking import Client
        from ..tracking.deferred_runs import FinishedRunBatch

        client = Client()
        self._experiment_id = client.get_run(self.parent_id).info.experiment_id
        if hasattr(client._store, "prepare_finished_run"):
            self._batch = FinishedRunBatch(self._experiment_id,
                                           lambda exc: self.call.record("writing the runs of trials", exc))

    def flush(self) -> None:
        """Write the trials' runs that wait in the batch (see the module's docstring); never raises."""
        if self._batch is not None:
            self._batch.flush()

    @contextlib.contextmanager
    def trial(self, number: int):
        """The child run of trial ``number`` as the active run around the objective; yields a TrialRun.

        The run is created in the store when something inside the objective first uses it (a training
        autologged there), else written whole when the trial ends. An exception of the objective passes
        through unchanged and ends the run FAILED (or with the ``status`` the hook set on the TrialRun
        before re-raising, e.g. KILLED for a pruned trial).
        """
        active = None
        if not self._broken:
            with self.call.guard(f"starting the run of trial {number}"):
                active = self._start(number)
            self._broken = active is None
        trial = TrialRun(self, number, active)
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
        with self.call.guard(f"ending the run of trial {trial.number}"):
            if active.started:
                trial.run_id = active.info.run_id
                _end_started_run(active, trial)
            elif self._batch is None:
                trial.run_id = active.finish(trial.status, trial.params, trial.points, trial.tags)
            else:
                finished, probe = active.prepare(trial.status, trial.params, trial.points, trial.tags)
                trial.run_id = finished.run.info.run_id
                self._batch.add(finished, probe)
            self.run_ids[trial.number] = trial.run_id

    def consider(self, trial: TrialRun, loss) -> None:
        """Remember ``trial`` as the best when its ``loss`` (smaller is better) beats the best so far."""
        if loss is None or isinstance(loss, bool) or not isinstance(loss, numbers.Real) or math.isnan(loss):
            return
        if self.best is None or loss < self.best[0]:
            self.best = (float(loss), trial)

    def best_tags(self) -> dict:
        """The parent's tags naming the best trial (its child run and number), or {} before any."""
        if self.best is None:
            return {}
        trial = self.best[1]
        tags = {BEST_NUMBER_TAG: str(trial.number)}
        if trial.run_id is not None:
            tags[BEST_RUN_TAG] = trial.run_id
        return tags


def _end_started_run(active, trial: TrialRun) -> None:
    """End a trial run that the objective's own logging created: what the trial kept goes in one batch (when
    a training inside the objective already logged a param under the same name with another value, that
    value stays), then the run ends, with the points still buffered for it."""
    from ..tracking import Client, InvalidInputError, Metric, Param, RunTag, fluent

    client, run_id = Client(), trial.run_id
    now = int(time.time() * 1000)
    metrics = [Metric(key, value, now, step) for key, value, step in trial.points]
    tags = [RunTag(k, str(v)) for k, v in trial.tags.items()]
    try:
        client.log_batch(run_id, metrics=metrics, params=[Param(k, v) for k, v in trial.params.items()], tags=tags)
    except InvalidInputError:
        existing = client.get_run(run_id).data.params
        client.log_batch(run_id, metrics=metrics, tags=tags,
                         params=[Param(k, v) for k, v in trial.params.items() if k not in existing])
    if active in fluent._run_stack.get():
        fluent._end_runs_down_to(run_id, trial.status)
    else:  # the objective ended the run itself, or its thread or task does not see the stack it started on
        client.set_terminated(run_id, trial.status)


def log_best_trial(call, metric: str, value: float, params: dict, tags: dict) -> None:
    """On the search's run, in one batch: the best trial's ``value`` as ``metric``, its ``params`` as
    ``best_<name>`` (a param the user's own run already has is left as it is) and ``tags``.

    Raises InvalidInputError / StoreError from the store.
    """
    from ..tracking import Client, Metric, Param, RunTag

    client = Client()
    best = _common.stringify_params({f"best_{_common.metric_key(k)}": v for k, v in params.items()})
    existing = client.get_run(call.run_id).data.params if not call.owns_run else {}
    client.log_batch(call.run_id, metrics=[Metric(metric, float(value), int(time.time() * 1000), 0)],
                     params=[Param(k, v) for k, v in best.items() if k not in existing],
                     tags=[RunTag(k, v) for k, v in tags.items()])
