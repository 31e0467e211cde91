"""Active runs whose store record waits until something needs it.

A search's trial is a child run that is the active run while the user's objective runs.
Most objectives log nothing themselves, so writing the run when it starts, its params when
they are known and its end at the end costs three store writes for what one can hold. A
``DeferredRun`` is on the run stack like any active run; the first read of its ``info`` or
``data`` (a training autologged inside the objective, ``log_param``, ``active_run().info``,
a nested ``start_run``) creates it in the store at once, with the start time it was opened
at. One that nobody touched is written whole when it ends: ``finish`` makes it one write.
"""

from __future__ import annotations

import threading
import time

from . import fluent
from .client import _metric_columns, new_run_identity
from .entities import Metric, Param, RunStatus
from .validation import param_value_to_str, validate_key

__all__ = ["DeferredRun", "FinishedRunBatch", "start_deferred_run", "after_written"]


def _now_ms() -> int:
    return int(time.time() * 1000)


class DeferredRun(fluent.ActiveRun):
    """An active run created in the store on first use of ``info`` or ``data``, or whole by ``finish``."""

    def __init__(self, experiment_id: str, run_name: str, parent_run_id: str, tags: dict, on_first_use=None):
        super().__init__(None, False)
        self._experiment_id, self._run_name, self._parent_run_id = experiment_id, run_name, parent_run_id
        self._tags = dict(tags)
        self._start_time = _now_ms()
        self._lock = threading.Lock()
        self._on_first_use = on_first_use

    @property
    def started(self) -> bool:
        """True once the run has its record: created in the store by a reader, or made whole by ``finish`` or
        ``prepare``."""
        return self._run is not None

    def _materialise(self):
        with self._lock:
            if self._run is None:
                if self._on_first_use is not None:
                    self._on_first_use()
                client = fluent._get_client()
                active = fluent._create_run(client, self._experiment_id, self._run_name, self._parent_run_id,
                                            {**self._tags}, None, start_time=self._start_time)
                self._run, self._git_tags_pending = active._run, active._git_tags_pending
        return self._run

    @property
    def info(self):
        """The run's RunInfo (creating the run in the store first when it does not exist yet)."""
        return self._materialise().info

    @property
    def data(self):
        """The run's RunData as it was when it was created (creating it first when needed)."""
        return self._materialise().data

    def __repr__(self):
        state = f"run_id={self._run.info.run_id!r}" if self._run is not None else "not started"
        return f"<DeferredRun {state} name={self._run_name!r}>"

    def finish(self, status: str, params: dict, points, tags: dict) -> str:
        """Take the run off this context's run stack and write it whole, ended with ``status``, in one store
        write, with ``params`` and ``tags`` ({key: value}) and the metric ``points`` ((key, value, step)
        tuples, stamped now); return its id. Only for a run that was never started (see ``started``).

        Raises InvalidInputError for a bad key or value and StoreError when the store fails; the run is
        then not written, and it is off the stack either way.
        """
        client = fluent._get_client()
        if hasattr(client._store, "prepare_finished_run"):
            finished, probe = self.prepare(status, params, points, tags)
            client._store.log_finished_runs(str(self._experiment_id), [finished])
        else:  # a store without batches writes one run its own way
            _remove_from_stack(self)
            fields, probe = self._fields(client, status, params, points, tags)
            with self._lock:
                self._run = finished = client._store.log_finished_run(str(self._experiment_id), *fields)
        after_written(client, finished, probe)
        fluent._last_run.run_id = self._run.info.run_id
        return self._run.info.run_id

    def prepare(self, status: str, params: dict, points, tags: dict) -> tuple:
        """Take the run off this context's run stack and prepare it whole, as ``finish`` writes it, without
        writing it: (the store's FinishedRun, the git probe whose diff goes with it, or None). Its id is
        known from now on (``info``); the store's ``log_finished_runs`` writes it, then ``after_written``.
        Only for a store with ``prepare_finished_run`` (the SQL stores).

        Raises InvalidInputError for a bad key or value (the run is off the stack either way).
        """
        _remove_from_stack(self)
        client = fluent._get_client()
        fields, probe = self._fields(client, status, params, points, tags)
        with self._lock:
            finished = client._store.prepare_finished_run(str(self._experiment_id), *fields)
            self._run = finished.run
        fluent._last_run.run_id = finished.run.info.run_id
        return finished, probe

    def _fields(self, client, status: str, params: dict, points, tags: dict) -> tuple:
        """((user, run name, start, end, status, RunTags, Params, metric columns), git probe or None)."""
        run_tags, probe = fluent._new_run_tags(client, self._run_name, self._parent_run_id, self._tags, None)
        run_tags.update(tags)
        run_name, user, checked_tags = new_run_identity(run_tags, self._run_name)
        checked_params = [Param(validate_key(key, "param key"), param_value_to_str(key, value))
                          for key, value in params.items()]
        now = _now_ms()
        columns = _metric_columns([Metric(key, value, now, step) for key, value, step in points]) if points else None
        return (user, run_name, self._start_time, now, status, checked_tags, checked_params, columns), probe


def after_written(client, run, probe) -> None:
    """What follows the store write of a finished run (a FinishedRun or Run): its artifact location
    remembered, its git diff (from ``probe``, when not None) written.

    Raises StoreError when the diff cannot be written.
    """
    run = getattr(run, "run", run)
    client._remember_artifact_uri(run.info.run_id, run.info.artifact_uri)
    if probe is not None:
        fluent._log_diff(client, run.info.run_id, probe.result()[1])


def _remove_from_stack(run: DeferredRun) -> None:
    """Take ``run`` off the stack; runs started above it without reading it (an explicit parent) end first."""
    stack = fluent._run_stack.get()
    if run not in stack:
        return
    above = stack[stack.index(run) + 1:]
    if above:
        fluent._end_runs_down_to(above[0].info.run_id, RunStatus.FINISHED)
    fluent._run_stack.set(tuple(entry for entry in fluent._run_stack.get() if entry is not run))


def start_deferred_run(experiment_id: str, run_name: str, parent_run_id: str, tags: dict,
                       on_first_use=None) -> DeferredRun:
    """Push a DeferredRun (child of ``parent_run_id``) on this thread's or task's run stack and return it;
    ``on_first_use()`` runs just before a reader creates it in the store."""
    run = DeferredRun(experiment_id, run_name, parent_run_id, tags, on_first_use)
    fluent._run_stack.set(fluent._run_stack.get() + (run,))
    return run


class FinishedRunBatch:
    """Finished runs of one experiment prepared by ``DeferredRun.prepare``, written together in one transaction:
    when ``flush`` is called, when ``max_runs`` are waiting, or ``max_delay`` seconds after the first of them
    was added (by a timer thread), whichever comes first.

    ``flush`` never raises: a failed write is passed to ``on_error(exception)`` and its runs are dropped.
    """

    def __init__(self, experiment_id: str, on_error, max_delay: float = 1.0, max_runs: int = 100):
        self.experiment_id = str(experiment_id)
        self._on_error, self._max_delay, self._max_runs = on_error, max_delay, max_runs
        self._pending: list = []  # (FinishedRun, git probe or None)
        self._lock = threading.RLock()
        self._timer = None

    def add(self, finished, probe) -> None:
        """Queue ``finished`` (a FinishedRun) with its git ``probe`` (or None) for the next write."""
        with self._lock:
            self._pending.append((finished, probe))
            full = len(self._pending) >= self._max_runs
            if not full and self._timer is None:
                self._timer = threading.Timer(self._max_delay, self.flush)
                self._timer.name, self._timer.daemon = "autolog-trial-runs", True
                self._timer.start()
        if full:
            self.flush()

    def flush(self) -> None:
        """Write every queued run now, in one transaction (nothing when none waits)."""
        with self._lock:
            pending, self._pending = self._pending, []
            timer, self._timer = self._timer, None
            if timer is not None and timer is not threading.current_thread():
                timer.cancel()
            if not pending:
                return
            try:
                client = fluent._get_client()
                client._store.log_finished_runs(self.experiment_id, [finished for finished, _probe in pending])
                for finished, probe in pending:
                    after_written(client, finished, probe)
            except Exception as exc:  # noqa: BLE001 - reported to the owner; never raised into a trial
                self._on_error(exc)
