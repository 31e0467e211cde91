"""Autologging for CatBoost: ``fit`` of CatBoost/CatBoostClassifier/CatBoostRegressor/CatBoostRanker and
``catboost.train``.

``autolog.catboost()`` (this module's :func:`autolog`) records, for each training call:
the parameters given (the estimator's, or ``train``'s params and arguments), every
metric of every eval set at every iteration as ``<eval set>-<metric>`` (``learn``,
``validation``, ``validation_1``...; step = iteration) read from the model's eval
history when training ends, ``best_iteration``, ``stopped_iteration`` and the metrics at
the best iteration when an eval set was given, the feature importance
(PredictionValuesChange, JSON + SVG), the training data's fingerprint and the model
(``flavors.catboost``: CatBoost's ``.cbm`` format, loadable by MLflow's catboost flavor).
"""

from __future__ import annotations

import inspect
import time

from .._integration import Integration
from .._patching import Hook
from . import _common, _importance
from ._xgboost_data import rows_example

__all__ = ["autolog", "CatBoostIntegration", "INTEGRATION"]

_MODEL_CLASSES = ("CatBoost", "CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker")
# where CatBoost's fit keeps the PredictionValuesChange importance it computes once trained
_FIT_IMPORTANCE = "_prediction_values_change"
# Losses whose model predicts one float64 per row (raw value, or its exponent for Poisson/Tweedie), per class;
# tests/integrations/test_catboost.py trains each and compares with predict.
_ONE_VALUE_LOSSES = {
    "CatBoostRegressor": frozenset({"RMSE", "MAE", "Quantile", "MAPE", "Poisson", "Tweedie", "Huber", "Expectile",
                                    "LogLinQuantile", "Lq", "LogCosh"}),
    "CatBoostRanker": frozenset({"YetiRank", "PairLogit", "QueryRMSE", "QuerySoftMax", "LambdaMart",
                                 "StochasticRank", "RMSE"}),
}
_NOT_PARAMS = frozenset({"pool", "params", "dtrain", "evals", "eval_set", "init_model", "log_cout", "log_cerr",
                         "plot", "plot_file"})


class CatBoostIntegration(Integration):
    """Patches ``catboost.train`` and the ``fit`` of each CatBoost model class."""

    name = "catboost"
    module = "catboost"
    supported_versions = ">=1.0, <2"

    def targets(self, framework) -> list:
        """The functions to wrap on the imported catboost module."""
        train = _TrainHook(framework.train)
        found = [(framework, "train", train), (framework.core, "train", train)]
        fit = _FitHook()
        for class_name in _MODEL_CLASSES:
            cls = getattr(framework, class_name, None)
            if cls is not None and "fit" in cls.__dict__:
                found.append((cls, "fit", fit))
        return found


INTEGRATION = CatBoostIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of CatBoost training; see DESIGN.md for options.

    Raises DidNotEnable when catboost is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


def _is_pool(data) -> bool:
    import catboost

    return isinstance(data, catboost.Pool)


def _dataset_tags(call, data, labels) -> dict:
    from ._datasets import fingerprint, fingerprint_from_parts

    if data is None or not call.options.log_datasets:
        return {}
    if _is_pool(data):
        import numpy as np

        label = data.get_label()
        parts = [np.asarray(label if label is not None else []).tobytes()]
        info = fingerprint_from_parts("catboost.Pool", (data.num_row(), data.num_col()), parts)
    else:
        info = fingerprint(data, labels)
    return _common.queue_training_dataset(call, info)


class _FitHook(Hook):
    """``fit`` of a CatBoost model: its params before, the eval history, importance and model after."""

    def before(self, call, instance, args, kwargs):
        call.state["importance_before_fit"] = getattr(instance, _FIT_IMPORTANCE, None)  # before anything can fail
        data = args[0] if args else kwargs.get("X")
        labels = args[1] if len(args) > 1 else kwargs.get("y")
        params = instance.get_params()  # a copy
        for name in ("early_stopping_rounds", "use_best_model"):
            if kwargs.get(name) is not None:
                params[name] = kwargs[name]
        _common.log_params_and_tags(call, params, _dataset_tags(call, data, labels))
        call.state["data"] = data
        return None

    def after(self, call, instance, args, kwargs, result):
        _log_outputs(call, instance, call.state["data"])


class _TrainHook(Hook):
    """``catboost.train``: params and arguments before, the same outputs as ``fit`` after."""

    def __init__(self, function):
        self.signature = inspect.signature(function)

    def before(self, call, instance, args, kwargs):
        arguments = self.signature.bind(*args, **kwargs).arguments
        params = {name: value for name, value in arguments.items() if name not in _NOT_PARAMS}
        params.update(arguments.get("params") or {})
        data = arguments.get("pool") if arguments.get("pool") is not None else arguments.get("dtrain")
        _common.log_params_and_tags(call, params, _dataset_tags(call, data, None))
        call.state["data"] = data
        return None

    def after(self, call, instance, args, kwargs, result):
        _log_outputs(call, result, call.state["data"])


def _log_outputs(call, model, data) -> None:
    with call.guard("logging the metrics of every iteration"):
        _log_history(call, model)
    scores = _importance_of_fit(call, model)
    if scores is not None or not call.options.log_models:  # nothing to compute, or nothing to overlap with
        with call.guard("logging feature importance"):
            _log_importance(call, model, scores)
        importance = None
    else:  # computed in CatBoost's C++ code, which releases the GIL: it overlaps the model's save
        importance = _common.start_in_background(call, "logging feature importance",
                                                 lambda: _log_importance(call, model, None))
    with call.guard("logging the model"):
        _log_model(call, model, data)
    if importance is not None:
        importance.join()


def _log_history(call, model) -> None:
    history = model.get_evals_result()
    series = [(f"{data_name}-{metric}", values) for data_name, per_set in history.items()
              for metric, values in per_set.items()]
    rounds = max((len(values) for _name, values in series), default=0)
    if not _queue_float_history(call, series, rounds):
        metrics = _common.IterationMetrics(call)
        for step in range(rounds):
            metrics.log({name: values[step] for name, values in series if step < len(values)}, step=step)
    best = model.get_best_iteration()
    if best is None or not rounds:
        return
    best_metrics = {"best_iteration": best, "stopped_iteration": rounds - 1}
    for name, values in series:
        if best < len(values):
            best_metrics[name] = values[best]
    # One step past the last iteration, so each metric's latest value is the best model's.
    _common.IterationMetrics(call).log(best_metrics, step=rounds)


def _queue_float_history(call, series: list, rounds: int) -> bool:
    """Queue every point of ``series`` ((name, values) pairs, values per iteration) at once when all values are
    floats (CatBoost's eval history): each key is validated once, not once per iteration. False (nothing
    queued) for any other value."""
    if not all(value.__class__ is float for _name, values in series for value in values):
        return False
    from ..tracking import fluent
    from ..tracking.validation import validate_key

    keys = [validate_key(_common.metric_key(name), "metric key") for name, _values in series]
    run_id, timestamp = call.run_id, int(time.time() * 1000)
    columns = list(zip(keys, (values for _name, values in series)))
    fluent._buffer().add_many([(run_id, key, values[step], timestamp, step)
                               for step in range(rounds) for key, values in columns if step < len(values)])
    return True


def _importance_of_fit(call, model):
    """The PredictionValuesChange importance CatBoost's ``fit`` computed and kept on the model (the values
    ``get_feature_importance(type="PredictionValuesChange")`` returns, without a second pass over the trees),
    or None where this fit kept none (a groupwise loss, embedding features, another CatBoost version)."""
    scores = getattr(model, _FIT_IMPORTANCE, None)
    if scores is None or scores is call.state.get("importance_before_fit"):  # none, or an earlier fit's
        return None
    if not isinstance(scores, (list, tuple)) or not all(isinstance(value, (int, float)) for value in scores):
        return None
    return scores


def _log_importance(call, model, scores) -> None:
    if scores is None:
        scores = model.get_feature_importance(type="PredictionValuesChange")
    names = model.feature_names_ or [str(index) for index in range(len(scores))]
    importances = {"PredictionValuesChange": dict(zip(names, map(float, scores)))}
    _common.log_artifacts(call, texts=_importance.importance_texts(importances))


def _log_model(call, model, data) -> None:
    options = call.options
    if not options.log_models:
        return
    example = None
    if (options.log_model_signatures or options.log_input_examples) and data is not None and not _is_pool(data):
        example = rows_example(data)
    # nothing reads the model back before the call returns: its store write joins the run's end
    _common.log_model(call, "catboost", model, example, lambda rows: _signature_outputs(model, rows),
                      at_run_end=True)


def _signature_outputs(model, rows):
    """The outputs the signature describes for the example ``rows``: a zero-row array of predict's dtype and shape
    per row where the model's loss makes them certain (no scoring), else the model's predictions."""
    outputs = _known_outputs(model)
    if outputs is not None:
        return outputs
    # One thread: a few rows are scored at once, and waking CatBoost's thread pool costs more than scoring them.
    return model.predict(rows, thread_count=1)


def _known_outputs(model):
    """A zero-row array with the dtype and shape per row of what ``model.predict`` returns for a table of rows,
    where the model's class and trained loss make that certain (``_ONE_VALUE_LOSSES``: one float64 per row);
    None where only predicting tells (a classifier's labels, a multi-dimensional or custom loss, a subclass)."""
    import catboost

    losses = _ONE_VALUE_LOSSES.get(type(model).__name__)
    if losses is None or type(model) is not getattr(catboost, type(model).__name__, None):
        return None
    try:
        trained = model._object._get_loss_function_name()
    except Exception:  # noqa: BLE001 - another CatBoost version: predict tells
        return None
    if not isinstance(trained, str) or trained not in losses:
        return None
    asked = model.get_param("loss_function")  # predict's default prediction type follows the params
    if asked is not None and str(asked).split(":")[0] != trained:
        return None
    import numpy as np

    return np.empty(0, dtype=np.float64)
