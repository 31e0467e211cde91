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

__all__ = ["DeferredRun", "start_deferred_run"]


def _now_ms() -> int:
    return int(time.time() * 1000)


class DeferredRun(fluent.ActiveRun):
    """An active run created in the store on first use of ``info`` or ``data``, or whole by ``finish``."""

    def __init__(self, experiment_id: str, run_name: str, parent_run_id: str, tags: dict):
        super().__init__(None, False)
        self._experiment_id, self._run_name, self._parent_run_id = experiment_id, run_name, parent_run_id
        self._tags = dict(tags)
        self._start_time = _now_ms()
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        """True once the run exists in the store (created by a reader, or written by ``finish``)."""
        return self._run is not None

    def _materialise(self):
        with self._lock:
            if self._run is None:
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
        _remove_from_stack(self)
        client = fluent._get_client()
        run_tags, probe = fluent._new_run_tags(client, self._run_name, self._parent_run_id, self._tags, None)
        run_tags.update(tags)
        run_name, user, checked_tags = new_run_identity(run_tags, self._run_name)
        checked_params = [Param(validate_key(key, "param key"), param_value_to_str(key, value))
                          for key, value in params.items()]
        now = _now_ms()
        columns = _metric_columns([Metric(key, value, now, step) for key, value, step in points]) if points else None
        with self._lock:
            run = client._store.log_finished_run(str(self._experiment_id), user, run_name, self._start_time, now,
                                                 status, checked_tags, checked_params, columns)
            self._run = run
        client._remember_artifact_uri(run.info.run_id, run.info.artifact_uri)
        if probe is not None:
            fluent._log_diff(client, run.info.run_id, probe.result()[1])
        fluent._last_run.run_id = run.info.run_id
        return run.info.run_id


def _remove_from_stack(run: DeferredRun) -> None:
    """Take ``run`` off the stack; runs started above it without reading it (an explicit parent) end first."""
    stack = fluent._run_stack.get()
    if run not in stack:
        return
    above = stack[stack.index(run) + 1:]
    if above:
        fluent._end_runs_down_to(above[0].info.run_id, RunStatus.FINISHED)
    fluent._run_stack.set(tuple(entry for entry in fluent._run_stack.get() if entry is not run))


def start_deferred_run(experiment_id: str, run_name: str, parent_run_id: str, tags: dict) -> DeferredRun:
    """Push a DeferredRun (child of ``parent_run_id``) on this thread's or task's run stack and return it."""
    run = DeferredRun(experiment_id, run_name, parent_run_id, tags)
    fluent._run_stack.set(fluent._run_stack.get() + (run,))
    return run
