"""Post-training metrics: a ``sklearn.metrics`` function called on predictions of an autologged model is logged
to that model's run, named after the function and the variable that held the input data.

``mean_squared_error(y_val, model.predict(X_val))`` logs ``mean_squared_error_X_val``
(``-2``, ``-3``... when logged again). How: the predict methods of estimator classes
note which outputs came from a model whose ``fit`` was autologged (by identity, held
weakly, at most ``MAX_TRACKED`` at a time) and the name of the input variable in the
caller's frame; the metric functions look their arguments up in that table. Both
wrappers call the original first and return its result untouched; nothing is
recorded while autolog itself is computing (training metrics, signatures, searches).
"""

from __future__ import annotations

import contextvars
import numbers
import sys
import threading
import time
import weakref

import wrapt

from .._patching import Patch, capture_internal_exceptions, in_patched_call, is_suspended

__all__ = ["PREDICT_METHODS", "SCORE_METHOD", "MAX_TRACKED", "PostTrainingMetrics", "is_metric_function",
           "wrap_attribute"]

PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")
SCORE_METHOD = "score"
# Inside an autologged model's own ``score``: its inner predict and metric are not logged separately.
_in_score: contextvars.ContextVar = contextvars.ContextVar("autolog_in_score", default=False)
MAX_TRACKED = 1024
UNKNOWN_DATASET = "unknown_dataset"
_METRIC_SUFFIXES = ("_score", "_error", "_loss", "_deviance")
_NOT_METRICS = frozenset({"get_scorer", "check_scoring", "make_scorer", "get_scorer_names"})
_LIBRARY_MODULES = ("autolog.", "wrapt", "sklearn.", "contextlib", "functools")


def is_metric_function(name: str, value) -> bool:
    """True for a public ``sklearn.metrics`` function that returns a score (``*_score``, ``*_error``...)."""
    return callable(value) and name.endswith(_METRIC_SUFFIXES) and name not in _NOT_METRICS \
        and not name.startswith("_")


def wrap_attribute(owner, name: str, wrapper) -> Patch:
    """Wrap ``owner.name`` (a class's method or a module's function) with a plain wrapt ``wrapper``.

    Unlike ``safe_patch`` the wrapper opens no run. Returns the Patch that removes it exactly.
    """
    original = vars(owner)[name]
    wrapt.wrap_function_wrapper(owner, name, wrapper)
    return Patch(owner, name, vars(owner)[name], original, True)


def _variable_name(value) -> str:
    frame = sys._getframe(2)
    for _ in range(12):
        if frame is None:
            break
        module = str(frame.f_globals.get("__name__", ""))
        if not module.startswith(_LIBRARY_MODULES):
            names = [name for name, local in frame.f_locals.items() if local is value]
            if names:
                return min(names, key=lambda name: (name.startswith("_"), len(name)))
        frame = frame.f_back
    return UNKNOWN_DATASET


class PostTrainingMetrics:
    """The table of autologged models and their recent predictions, and the wrappers that use it."""

    def __init__(self, integration):
        self._integration = integration
        self._models: dict = {}
        self._predictions: dict = {}
        self._counts: dict = {}
        self._lock = threading.Lock()

    def _active(self) -> bool:
        integration = self._integration
        return integration.enabled and getattr(integration.options, "log_post_training_metrics", False) \
            and not in_patched_call() and not is_suspended() and not _in_score.get()

    def register_model(self, model, run_id: str) -> None:
        """Remember that ``model`` was fitted in run ``run_id`` (held weakly)."""
        key = id(model)
        reference = weakref.ref(model, lambda ref: self._forget(self._models, key, ref))
        with self._lock:
            self._models[key] = (reference, run_id)

    def run_of(self, model):
        """The run id ``model`` was registered with, or None."""
        entry = self._models.get(id(model))
        return entry[1] if entry is not None and entry[0]() is model else None

    def _forget(self, table: dict, key: int, reference) -> None:
        with self._lock:
            entry = table.get(key)
            if entry is not None and entry[0] is reference:
                del table[key]

    def predict_wrapper(self, wrapped, instance, args, kwargs):
        """wrapt wrapper of a predict method: records outputs of registered models."""
        result = wrapped(*args, **kwargs)
        if self._models and self._active():
            run_id = self.run_of(instance)
            if run_id is not None:
                with capture_internal_exceptions("recording predictions for post-training metrics"):
                    data = args[0] if args else kwargs.get("X")
                    self._record(result, run_id, _variable_name(data))
        return result

    def _record(self, prediction, run_id: str, dataset: str) -> None:
        key = id(prediction)
        try:
            reference = weakref.ref(prediction, lambda ref: self._forget(self._predictions, key, ref))
        except TypeError:  # a type that cannot be referenced weakly (a list): not tracked
            return
        with self._lock:
            self._predictions.pop(key, None)
            self._predictions[key] = (reference, run_id, dataset)
            while len(self._predictions) > MAX_TRACKED:
                del self._predictions[next(iter(self._predictions))]

    def metric_wrapper(self, wrapped, instance, args, kwargs):
        """wrapt wrapper of a sklearn.metrics function: logs its result when an argument is a tracked prediction."""
        result = wrapped(*args, **kwargs)
        if self._predictions and self._active():
            with capture_internal_exceptions("logging a post-training metric"):
                self._log(getattr(wrapped, "__name__", "metric"), (*args, *kwargs.values()), result)
        return result

    def score_wrapper(self, wrapped, instance, args, kwargs):
        """wrapt wrapper of ``score``: an autologged model's score is logged as ``<Estimator>_score_<data>``."""
        run_id = self.run_of(instance) if self._models and self._active() else None
        if run_id is None:
            return wrapped(*args, **kwargs)
        token = _in_score.set(True)
        try:
            result = wrapped(*args, **kwargs)
        finally:
            _in_score.reset(token)
        with capture_internal_exceptions("logging a post-training score"):
            data = args[0] if args else kwargs.get("X")
            self._log_value(run_id, f"{type(instance).__name__}_score_{_variable_name(data)}", result)
        return result

    def _log(self, function_name: str, arguments, result) -> None:
        for argument in arguments:
            entry = self._predictions.get(id(argument))
            if entry is not None and entry[0]() is argument:
                break
        else:
            return
        _, run_id, dataset = entry
        self._log_value(run_id, f"{function_name}_{dataset}", result)

    def _log_value(self, run_id: str, key: str, result) -> None:
        """Log ``result`` as ``key`` (``key-2``, ``key-3``... when logged again) on run ``run_id``."""
        if not isinstance(result, numbers.Real) or isinstance(result, bool):
            return
        with self._lock:
            count = self._counts[(run_id, key)] = self._counts.get((run_id, key), 0) + 1
        from ..tracking import Client, Metric

        name = key if count == 1 else f"{key}-{count}"
        Client().log_batch(run_id, metrics=[Metric(name, float(result), int(time.time() * 1000), 0)])

    def clear(self) -> None:
        """Forget every model and prediction (on disable)."""
        with self._lock:
            self._models.clear()
            self._predictions.clear()
            self._counts.clear()
