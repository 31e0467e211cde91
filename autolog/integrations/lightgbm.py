"""Autologging for lightgbm: ``lgb.train``, ``lgb.cv`` and the sklearn API (``LGBMRegressor.fit``...).

``autolog.lightgbm()`` (this module's :func:`autolog`) records, for each training call:
the parameters, every metric of every validation set at every iteration as
``<valid_name>-<metric>`` (step = iteration; ``-mean``/``-std`` for ``lgb.cv``),
``best_iteration``, ``stopped_iteration`` and the best scores when early stopping
ran, split and gain feature importance (JSON + SVG chart), the model
(``flavors.lightgbm``, with signature and optional input example) and the training
data's fingerprint. The sklearn API calls ``lgb.train`` inside; that call logs
nothing of its own, so one ``fit`` is one run.
"""

from __future__ import annotations

import inspect
import time

from .._integration import Integration
from .._patching import Hook
from . import _common, _datasets, _importance
from ._lightgbm_data import dataset_example, training_fingerprint
from ._xgboost_data import rows_example

__all__ = ["autolog", "LightGBMIntegration", "INTEGRATION"]

_NOT_PARAMS = frozenset({"params", "train_set", "valid_sets", "valid_names", "feval", "init_model", "callbacks",
                         "folds", "fpreproc"})
_IMPORTANCE_TYPES = ("split", "gain")
_QUEUE_EVERY_SECONDS = 0.5
_SKLEARN_CLASSES = ("LGBMModel", "LGBMRegressor", "LGBMClassifier", "LGBMRanker")


class LightGBMIntegration(Integration):
    """Patches ``lightgbm.train``, ``lightgbm.cv`` and the ``fit`` of each estimator class of ``lightgbm.sklearn``."""

    name = "lightgbm"
    module = "lightgbm"
    supported_versions = ">=3.3, <5"

    def targets(self, framework) -> list:
        """The functions to wrap on the imported lightgbm module."""
        train, cv = _TrainHook(framework.train), _TrainHook(framework.cv, cross_validation=True)
        found = [(framework, "train", train), (framework.engine, "train", train),
                 (framework, "cv", cv), (framework.engine, "cv", cv)]
        for class_name in _SKLEARN_CLASSES:
            cls = getattr(framework.sklearn, class_name, None)
            if cls is not None and "fit" in cls.__dict__:
                found.append((cls, "fit", _SklearnFitHook(cls.__dict__["fit"])))
        return found


INTEGRATION = LightGBMIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of lightgbm training; see DESIGN.md for options.

    Raises DidNotEnable when lightgbm is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


class _MetricsCallback:
    """A lightgbm callback noting each iteration's eval results, queued on the tracking buffer in batches.

    An iteration costs a clock read and an append (lightgbm hands a new result list each
    time); the noted iterations are queued at most every ``_QUEUE_EVERY_SECONDS`` (the first
    at once) and on ``queue()`` after training, each point with the time of its own iteration.
    Never raises.
    """

    order = 5  # before lightgbm's own early-stopping callback (30), which ends training by raising
    before_iteration = False

    def __init__(self, call, cross_validation: bool):
        self.call = call
        self.metrics = _common.IterationMetrics(call)
        self.cross_validation = cross_validation
        self.last_iteration = None
        self._pending: list = []  # (iteration, time, evaluation results) not queued yet
        self._queue_at = 0.0
        call.at_close("logging the metrics of the last iterations", self.queue)  # also when training raised

    def __call__(self, env) -> None:
        self.last_iteration = env.iteration
        if env.evaluation_result_list:
            now = time.time()
            self._pending.append((env.iteration, now, env.evaluation_result_list))
            if now >= self._queue_at:
                self._queue_at = now + _QUEUE_EVERY_SECONDS
                try:
                    self.queue()
                except Exception as exc:  # noqa: BLE001 - recorded on the call, never raised into lightgbm
                    self.call.record(f"queuing the metrics of iteration {env.iteration}", exc)

    def queue(self) -> None:
        """Queue the noted iterations as ``<data>-<metric>`` (``-mean``/``-std`` for lgb.cv) points."""
        pending, self._pending = self._pending, []
        rows = []
        for iteration, now, results in pending:
            latest = {}
            for result in results:
                name = f"{result[0]}-{result[1]}"
                if self.cross_validation and len(result) > 4:
                    latest[f"{name}-mean"], latest[f"{name}-std"] = result[2], result[4]
                else:
                    latest[name] = result[2]
            rows.append((latest, iteration, int(now * 1000)))
        self.metrics.log_rows(rows)


def _add_callback(bound, callback) -> None:
    bound.arguments["callbacks"] = [*(bound.arguments.get("callbacks") or ()), callback]


class _TrainHook(Hook):
    """``lgb.train`` / ``lgb.cv``: params and data before, a metrics callback during, the outputs after."""

    def __init__(self, function, cross_validation: bool = False):
        self.signature = inspect.signature(function)
        self.cross_validation = cross_validation

    def before(self, call, instance, args, kwargs):
        bound = self.signature.bind(*args, **kwargs)
        arguments = {**{name: p.default for name, p in self.signature.parameters.items()
                        if p.default is not inspect.Parameter.empty}, **bound.arguments}
        params = {name: value for name, value in arguments.items() if name not in _NOT_PARAMS}
        params.update(arguments.get("params") or {})
        feval = arguments.get("feval")
        if feval is not None:
            params["feval"] = ",".join(getattr(f, "__name__", type(f).__name__)
                                       for f in (feval if isinstance(feval, (list, tuple)) else [feval]))
        train_set = arguments["train_set"]
        evals = _valid_sets(arguments.get("valid_sets"), arguments.get("valid_names"), train_set)
        tags = _log_dataset(call, lambda: training_fingerprint(train_set), evals) \
            if call.options.log_datasets else {}
        _common.log_params_and_tags(call, params, tags)
        if not self.cross_validation and _wants_example(call):
            call.state["example"] = dataset_example(train_set)
        callback = _MetricsCallback(call, self.cross_validation)
        call.state["callback"] = callback
        _add_callback(bound, callback)
        return bound.args, bound.kwargs

    def after(self, call, instance, args, kwargs, result):
        _queue_last_iterations(call)
        if self.cross_validation:
            return
        example = call.state.get("example")
        _log_outputs(call, result, result, call.state["callback"].last_iteration, lambda: example)


class _SklearnFitHook(Hook):
    """``LGBMModel.fit`` and subclasses: the estimator's params before, metrics during, the model after."""

    def __init__(self, function):
        self.signature = inspect.signature(function)

    def before(self, call, instance, args, kwargs):
        bound = self.signature.bind(instance, *args, **kwargs)
        data, labels = bound.arguments.get("X"), bound.arguments.get("y")
        params = dict(instance.get_params())
        eval_set = bound.arguments.get("eval_set") or []
        eval_set = [eval_set] if isinstance(eval_set, tuple) else eval_set
        evals = [(name, lambda pair=pair: _datasets.fingerprint(pair[0], pair[1] if len(pair) > 1 else None))
                 for name, pair in zip(_names(bound.arguments.get("eval_names"), eval_set), eval_set)]
        # A subclass's fit(*args, **kwargs) hides X: the fingerprint is skipped, the rest is logged.
        tags = _log_dataset(call, lambda: _datasets.fingerprint(data, labels), evals) \
            if call.options.log_datasets and data is not None else {}
        _common.log_params_and_tags(call, params, tags)
        if _wants_example(call):
            call.state["example"] = rows_example(data)
        callback = _MetricsCallback(call, cross_validation=False)
        call.state["callback"] = callback
        _add_callback(bound, callback)
        return bound.args[1:], bound.kwargs

    def after(self, call, instance, args, kwargs, result):
        _queue_last_iterations(call)
        example = call.state.get("example")
        _log_outputs(call, instance.booster_, instance, call.state["callback"].last_iteration, lambda: example)


def _queue_last_iterations(call) -> None:
    """Queue the iterations the callback has not queued yet, before the points logged after training."""
    with call.guard("logging the metrics of the last iterations"):
        call.state["callback"].queue()


def _wants_example(call) -> bool:
    options = call.options
    return options.log_models and (options.log_model_signatures or options.log_input_examples)


def _log_dataset(call, fingerprint_fn, evals=()) -> dict:
    with call.guard("fingerprinting the training data"):
        return _common.queue_training_dataset(call, fingerprint_fn(), evals)
    return {}


def _names(names, sets) -> list:
    """lightgbm's names for evaluation sets: the given ones, else valid_0, valid_1..."""
    count = len(sets or ())
    names = list(names or ())
    return names[:count] + [f"valid_{index}" for index in range(len(names), count)]


def _valid_sets(valid_sets, valid_names, train_set) -> list:
    """(name, fingerprint function) of each validation Dataset other than the training set itself."""
    if valid_sets is None:
        return []
    if not isinstance(valid_sets, (list, tuple)):
        valid_sets = [valid_sets]
    return [(name, lambda dataset=dataset: training_fingerprint(dataset))
            for name, dataset in zip(_names(valid_names, valid_sets), valid_sets) if dataset is not train_set]


def _log_outputs(call, booster, model, last_iteration, example_fn) -> None:
    """After training: early-stopping metrics, importance and dataset artifacts, the model."""
    with call.guard("logging the early-stopping metrics"):
        _log_best_iteration(call, booster, last_iteration)
    if not call.options.log_models:  # nothing to overlap: a thread would only add its start and hand-over
        with call.guard("logging feature importance"):
            _log_artifacts(call, booster)
        return
    # Importance runs in lightgbm's C code, which releases the GIL: it overlaps the model's save.
    importance = _common.start_in_background(call, "logging feature importance",
                                             lambda: _log_artifacts(call, booster))
    with call.guard("logging the model"):
        _log_model(call, booster, model, example_fn)
    importance.join()


def _log_best_iteration(call, booster, last_iteration) -> None:
    best = int(getattr(booster, "best_iteration", 0) or 0)
    if best <= 0 or last_iteration is None:
        return
    # lightgbm counts iterations from 1 (best_iteration=27 keeps 27 trees); stopped_iteration does the same.
    metrics = {"best_iteration": best, "stopped_iteration": last_iteration + 1}
    for data_name, scores in (getattr(booster, "best_score", None) or {}).items():
        for metric_name, value in scores.items():
            metrics[f"{data_name}-{metric_name}"] = value
    # One step past the last iteration, so each metric's latest value is the best model's.
    _common.IterationMetrics(call).log(metrics, step=last_iteration + 1)


def _log_artifacts(call, booster) -> None:
    names = booster.feature_name()
    importances = {kind: dict(zip(names, booster.feature_importance(importance_type=kind).tolist()))
                   for kind in _IMPORTANCE_TYPES}
    _common.log_artifacts(call, texts=_importance.importance_texts(importances))


def _log_model(call, booster, model, example_fn) -> None:
    example = example_fn()
    _common.log_model(call, "lightgbm", model, example, model.predict)
