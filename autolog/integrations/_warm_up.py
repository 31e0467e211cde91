"""Import what logging a model needs in the background while the first training call runs.

A script's first ``log_model`` would otherwise import the flavor and the MLmodel writer,
and look up the installed versions its environment files pin, on the
training thread after training; here that happens while the
framework trains (in C, with the GIL released), once per process and flavor. The
thread is waited for before the model is logged, so no import runs on two threads at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading

__all__ = ["start", "wait"]

_MODULES = ("flavors._save", "flavors.requirements", "flavors.signature", "flavors.input_example",
            "flavors._yaml_text",
            # what logging a model asks of the tracking side: the logged-model API and the SQL store's
            # feature it loads on first use
            "autolog.tracking.logged_models_fluent", "autolog.tracking.stores.sql_logged_models",
            # what the save after the training imports: the local artifact writer and the model history tag
            "autolog.tracking.artifacts.local", "autolog.tracking.model_history")
# A flavor's own extras: what its integration logs beside the model after the training.
_FLAVOR_MODULES = {"xgboost": ("autolog.integrations._importance",),
                   "lightgbm": ("autolog.integrations._importance",),
                   "catboost": ("autolog.integrations._importance",)}
_started: dict = {}  # flavor name -> (process id, Event set once its warm-up has finished)
_lock = threading.Lock()


# The modules a flavor's environment names (besides its own), looked up ahead of the first save.
_ENVIRONMENT_MODULES = ("numpy", "pandas", "sklearn", "cloudpickle")


def _import_all(flavor_name: str) -> None:
    for name in (f"flavors.{flavor_name}", *_MODULES, *_FLAVOR_MODULES.get(flavor_name, ())):
        try:
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a warm-up only; the real import reports its own error later
            return
    try:
        import flavors.requirements

        flavors.requirements.prime_caches((flavor_name, *_ENVIRONMENT_MODULES))
    except Exception:  # noqa: BLE001 - a warm-up only; the first save looks these up itself
        return


def _warm_up(flavor_name: str, done: threading.Event) -> None:
    try:
        _import_all(flavor_name)
    finally:
        done.set()


def start(flavor_name: str) -> None:
    """Begin importing the model-logging modules of ``flavor_name`` in a daemon thread (once per process)."""
    from .._background import start_in_background

    with _lock:
        started = _started.get(flavor_name)
        if started is not None and started[0] == os.getpid():
            return
        done = threading.Event()
        _started[flavor_name] = (os.getpid(), done)
    start_in_background(_warm_up, flavor_name, done)


def wait(flavor_name: str) -> None:
    """Block until the warm-up of ``flavor_name`` (if this process started one) has finished."""
    started = _started.get(flavor_name)
    if started is not None and started[0] == os.getpid():  # a fork does not inherit the thread
        started[1].wait()
