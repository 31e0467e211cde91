"""Account, inside the worker process, for the time autolog itself spends during a training call.

The difference of two noisy totals cannot resolve a few percent on a busy machine;
the time spent in our own code can. ``install()`` wraps the places where autolog
runs during a patched call — opening the run and the hook's ``before`` (one
function), every hook's ``after``, closing the call, the per-iteration metric
path of the framework callbacks, each trial's run of a hyperparameter search —
and the metric writer thread. The training thread's time is wall time of the
outermost wrapped frame (a wrapped function called from another one is not counted
twice); the writer's is its thread's CPU time, since it competes with training for
the cores.
"""

from __future__ import annotations

import functools
import importlib
import threading
import time

__all__ = ["Accounting", "PARTS", "install"]

# (module, attribute path) of the per-iteration callback code of each integration.
_CALLBACK_TARGETS = (
    ("autolog.integrations._common", "IterationMetrics.log"),
    ("autolog.integrations.xgboost", "IterationRounds.add"),
    ("autolog.integrations.lightgbm", "_MetricsCallback.__call__"),
    ("autolog.integrations._sklearn_forest", "ForestPredictions.add"),
    ("flavors._pickle_ahead", "PickleAhead.add"),
    # a search's trials: each trial's child run started, logged to, ended (its one store write) and ranked
    ("autolog.integrations._trials", "TrialRuns._start"),
    ("autolog.integrations._trials", "TrialRuns._end"),
    ("autolog.integrations._trials", "TrialRun.log"),
    ("autolog.integrations._trials", "TrialRuns.consider"),
)
#: the parts ``breakdown`` reports, in the order a call meets them
PARTS = ("run start and params", "per-iteration callbacks", "outputs and model", "run end", "metric writer")
_WRITER_THREAD = "autolog-metric-writer"


class Accounting:
    """Nanoseconds autolog spent, per part of a call (``PARTS``), since the last ``reset``."""

    def __init__(self):
        self._local = threading.local()
        self._lock = threading.Lock()
        self.spent_ns = dict.fromkeys(PARTS, 0)
        self._replaced: list = []  # (owner, name, original) to restore

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self.spent_ns = dict.fromkeys(PARTS, 0)

    def seconds(self) -> float:
        """Everything counted since the last ``reset``, in seconds."""
        return sum(self.spent_ns.values()) / 1e9

    def breakdown(self) -> dict:
        """Seconds per part since the last ``reset``."""
        return {part: spent / 1e9 for part, spent in self.spent_ns.items()}

    def wrap(self, function, part: str):
        """``function`` timed as ``part`` when it is the outermost accounted frame of its thread."""

        @functools.wraps(function)
        def accounted(*args, **kwargs):
            local = self._local
            depth = getattr(local, "depth", 0)
            if depth:
                local.depth = depth + 1
                try:
                    return function(*args, **kwargs)
                finally:
                    local.depth = depth
            local.depth = 1
            started = time.perf_counter_ns()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter_ns() - started
                local.depth = 0
                with self._lock:
                    self.spent_ns[part] += elapsed

        return accounted

    def wrap_writer(self, function):
        """``function`` charged with its CPU time when it runs on the metric writer thread."""

        @functools.wraps(function)
        def accounted(*args, **kwargs):
            if threading.current_thread().name != _WRITER_THREAD:
                return function(*args, **kwargs)
            started = time.thread_time_ns()
            try:
                return function(*args, **kwargs)
            finally:
                with self._lock:
                    self.spent_ns["metric writer"] += time.thread_time_ns() - started

        return accounted


    def replace(self, owner, name: str, wrapper, *wrapper_args) -> None:
        """Set ``owner.name`` to ``wrapper(original)`` when ``owner`` defines it itself; ``uninstall`` undoes it."""
        original = vars(owner).get(name)
        if original is None or getattr(original, "__accounted__", False):
            return
        replacement = wrapper(original, *wrapper_args)
        replacement.__accounted__ = True
        setattr(owner, name, replacement)
        self._replaced.append((owner, name, original))

    def uninstall(self) -> None:
        """Put back every function ``install`` wrapped."""
        while self._replaced:
            owner, name, original = self._replaced.pop()
            setattr(owner, name, original)
        _installed.clear()


def _subclasses(cls) -> list:
    found, pending = [], [cls]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def _wrap_path(accounting: Accounting, module_name: str, path: str) -> None:
    try:
        owner = importlib.import_module(module_name)
    except ImportError:
        return
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
        if owner is None:
            return
    accounting.replace(owner, name, accounting.wrap, "per-iteration callbacks")


_installed: list = []


def install() -> Accounting:
    """Wrap autolog's hook, callback and writer code in this process (once); call after enabling an
    integration, so that its hook classes exist."""
    from autolog import _patching
    from autolog.tracking import metric_buffer

    if _installed:
        return _installed[0]
    accounting = Accounting()
    _installed.append(accounting)
    accounting.replace(_patching, "_prepare", accounting.wrap, "run start and params")
    accounting.replace(_patching.AutologCall, "close", accounting.wrap, "run end")
    for hook_class in _subclasses(_patching.Hook):
        accounting.replace(hook_class, "after", accounting.wrap, "outputs and model")
    for module_name, path in _CALLBACK_TARGETS:
        _wrap_path(accounting, module_name, path)
    accounting.replace(metric_buffer.MetricBuffer, "_write", accounting.wrap_writer)
    return accounting
