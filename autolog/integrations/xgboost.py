"""Autologging for xgboost: ``xgb.train``, ``xgb.cv`` and the sklearn API (``XGBRegressor.fit``...).

``autolog.xgboost()`` (this module's :func:`autolog`) records, for each training call:
the parameters merged with the defaults that matter, every eval metric at every
iteration as ``<eval_name>-<metric>`` (step = iteration), ``best_iteration``,
``stopped_iteration`` and the metrics at the best iteration when early stopping
ran, the model (``flavors.xgboost``, with signature and optional input example),
feature importance for every importance type (JSON + SVG chart) and the training
data's fingerprint.
"""

from __future__ import annotations

import inspect
import time

from .._integration import Integration, Options
from .._patching import Hook
from . import _common
from ._xgboost_data import dmatrix_example, rows_example, training_fingerprint

__all__ = ["autolog", "XGBoostOptions", "XGBoostIntegration", "INTEGRATION"]

_NOT_PARAMS = frozenset({"params", "dtrain", "evals", "evals_result", "callbacks", "xgb_model", "folds",
                         "fpreproc", "obj", "custom_metric", "feval"})
_TREE_IMPORTANCE_TYPES = ("weight", "gain", "cover", "total_gain", "total_cover")
# Objectives for which ``Booster.predict`` of a table gives one float32 per row when the model has one class
# and one target (a test trains each and compares with its real predictions): the signature's output
# schema needs no scoring of the example rows.
_ONE_VALUE_OBJECTIVES = frozenset({
    "reg:squarederror", "reg:squaredlogerror", "reg:logistic", "reg:pseudohubererror", "reg:absoluteerror",
    "reg:quantileerror", "reg:gamma", "reg:tweedie", "count:poisson", "binary:logistic", "binary:logitraw",
    "binary:hinge", "survival:cox", "survival:aft", "rank:ndcg", "rank:map", "rank:pairwise"})


class XGBoostOptions(Options):
    """The common options plus MLflow's ``importance_types`` (None: every type the booster has) and
    ``model_format`` of the logged model ("ubj" or "json")."""

    importance_types: tuple | list | None = None
    model_format: str = "ubj"

    def __post_init__(self):
        if self.importance_types is not None:
            types = [self.importance_types] if isinstance(self.importance_types, str) else self.importance_types
            unknown = [kind for kind in types if kind not in _TREE_IMPORTANCE_TYPES]
            if unknown or not types:
                raise ValueError(f"autolog.xgboost(): unknown importance_types {unknown or types!r}; "
                                 f"expected some of {', '.join(_TREE_IMPORTANCE_TYPES)}")
            object.__setattr__(self, "importance_types", tuple(types))
        if self.model_format not in ("ubj", "json"):
            raise ValueError(f"autolog.xgboost(): model_format must be 'ubj' or 'json', not {self.model_format!r}")


class XGBoostIntegration(Integration):
    """Patches ``xgboost.train``, ``xgboost.cv`` and the ``fit`` of each estimator class of ``xgboost.sklearn``."""

    name = "xgboost"
    module = "xgboost"
    supported_versions = ">=1.7, <4"
    options_class = XGBoostOptions

    def targets(self, framework) -> list:
        """The functions to wrap on the imported xgboost module."""
        train, cv = _TrainHook(framework.train), _TrainHook(framework.cv, cross_validation=True)
        found = [(framework, "train", train), (framework.training, "train", train),
                 (framework, "cv", cv), (framework.training, "cv", cv)]
        sklearn_api = framework.sklearn
        fit = _SklearnFitHook()
        for class_name in ("XGBModel", "XGBClassifier", "XGBRanker", "XGBRFClassifier", "XGBRFRegressor"):
            cls = getattr(sklearn_api, class_name, None)
            if cls is not None and "fit" in cls.__dict__:
                found.append((cls, "fit", fit))
        return found


INTEGRATION = XGBoostIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of xgboost training; see DESIGN.md for options.

    Raises DidNotEnable when xgboost is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


_QUEUE_EVERY_SECONDS = 0.5
_callback_class = None


def _metric_callback(call, cross_validation: bool):
    """The xgboost callback that records each iteration's eval metrics in an ``IterationRounds``."""
    global _callback_class
    if _callback_class is None:
        import xgboost

        class AutologMetrics(xgboost.callback.TrainingCallback):
            """Notes each iteration for its ``IterationRounds``; never raises into xgboost."""

            def __init__(self, rounds):
                super().__init__()
                self.rounds = rounds

            def after_iteration(self, model, epoch, evals_log):
                rounds = self.rounds
                try:  # a plain try: a context manager per iteration costs more than the rest of this callback
                    rounds.add(epoch, evals_log)
                except Exception as exc:  # noqa: BLE001 - recorded on the call, never raised into xgboost
                    rounds.call.record(f"reading the metrics of iteration {epoch}", exc)
                return False

        _callback_class = AutologMetrics
    rounds = IterationRounds(call, cross_validation)
    call.at_close("logging the metrics of the last iterations", rounds.queue)  # also when training raised
    return _callback_class(rounds)


class IterationRounds:
    """A training's eval metrics, queued for the run in batches.

    An iteration costs a clock read and an append: xgboost keeps every metric's history
    (``evals_log``, the same lists all along), so the values are read from it when the
    iterations are queued, at most every ``_QUEUE_EVERY_SECONDS`` (the first at once),
    and on ``queue()`` at the end. Each point keeps the time of its own iteration.
    """

    def __init__(self, call, cross_validation: bool):
        self.call = call
        self.cross_validation = cross_validation
        self.metrics = _common.IterationMetrics(call)
        self.history: dict = {}
        self.first_epoch = self.last_epoch = None
        self._pending: list = []  # (epoch, time.time()) of the iterations not queued yet
        self._queue_at = 0.0

    def add(self, epoch: int, evals_log) -> None:
        """Note the iteration ``epoch`` whose metrics ``evals_log`` now ends with."""
        now = time.time()
        self._pending.append((epoch, now))
        self.history, self.last_epoch = evals_log, epoch
        if self.first_epoch is None:
            self.first_epoch = epoch
        if now >= self._queue_at:
            self._queue_at = now + _QUEUE_EVERY_SECONDS
            self.queue()

    def queue(self) -> None:
        """Queue the noted iterations' metrics as ``<data>-<metric>`` (``-mean``/``-std`` for xgb.cv) points."""
        pending, self._pending = self._pending, []
        columns = [(f"{data_name}-{metric_name}", values) for data_name, metrics in self.history.items()
                   for metric_name, values in metrics.items()]
        rows = []
        for epoch, now in pending:
            index, points = epoch - self.first_epoch, {}
            for key, values in columns:
                if index < len(values):
                    if self.cross_validation:
                        points[key + "-mean"], points[key + "-std"] = values[index]
                    else:
                        points[key] = values[index]
            if points:
                rows.append((points, epoch, int(now * 1000)))
        self.metrics.log_rows(rows)


class _TrainHook(Hook):
    """``xgb.train`` / ``xgb.cv``: params before, a metrics callback during, the outputs after."""

    def __init__(self, function, cross_validation: bool = False):
        self.signature = inspect.signature(function)
        self.cross_validation = cross_validation

    def before(self, call, instance, args, kwargs):
        bound = self.signature.bind(*args, **kwargs)
        arguments = {**{name: p.default for name, p in self.signature.parameters.items()
                        if p.default is not inspect.Parameter.empty}, **bound.arguments}
        params = {name: value for name, value in arguments.items() if name not in _NOT_PARAMS}
        params.update(_booster_params(arguments["params"]))
        params["custom_objective"] = arguments.get("obj")
        params["custom_metric"] = arguments.get("custom_metric") or arguments.get("feval")
        tags = {}
        if call.options.log_datasets and not self.cross_validation:
            evals = [(name, data) for data, name in (arguments.get("evals") or ())]
            tags = _log_dataset(call, arguments["dtrain"], None, evals)
        _common.log_params_and_tags(call, params, tags)
        callback = _metric_callback(call, self.cross_validation)
        call.state.update(callback=callback, params=params, dtrain=arguments["dtrain"])
        bound.arguments["callbacks"] = [*(bound.arguments.get("callbacks") or ()), callback]
        return bound.args, bound.kwargs

    def after(self, call, instance, args, kwargs, result):
        if self.cross_validation:
            return
        rounds = call.state["callback"].rounds
        with call.guard("logging the metrics of the last iterations"):
            rounds.queue()
        dtrain = call.state["dtrain"]
        _log_outputs(call, result, result, rounds.history, rounds.first_epoch, rounds.last_epoch,
                     lambda schema_only: dmatrix_example(dtrain, schema_only), call.state["params"])


class _SklearnFitHook(Hook):
    """``XGBModel.fit`` and subclasses: the estimator's params before, metrics and the model after."""

    def before(self, call, instance, args, kwargs):
        data = args[0] if args else kwargs.get("X")
        labels = args[1] if len(args) > 1 else kwargs.get("y")
        params = dict(instance.get_params())
        params.pop("callbacks", None)
        if params.get("n_estimators") is None and hasattr(instance, "get_num_boosting_rounds"):
            params["n_estimators"] = instance.get_num_boosting_rounds()
        eval_set = kwargs.get("eval_set") or ()
        evals = [(f"validation_{index}", pair[0]) for index, pair in enumerate(eval_set)]
        tags = _log_dataset(call, data, labels, evals) if call.options.log_datasets and data is not None else {}
        _common.log_params_and_tags(call, params, tags)
        call.state.update(data=data, params=params)
        return None

    def after(self, call, instance, args, kwargs, result):
        booster = instance.get_booster()
        history = instance.evals_result() if hasattr(instance, "evals_result_") else {}
        metrics = _common.IterationMetrics(call)
        rounds = max((len(values) for per_data in history.values() for values in per_data.values()), default=0)
        for step in range(rounds):
            metrics.log({f"{data_name}-{metric}": values[step] for data_name, per_data in history.items()
                         for metric, values in per_data.items() if step < len(values)}, step=step)
        data = call.state["data"]
        _log_outputs(call, booster, instance, history, 0, rounds - 1 if rounds else None,
                     lambda schema_only: rows_example(data), call.state["params"])


def _booster_params(params) -> dict:
    """xgboost params given as a dict or as a list of pairs (repeated keys collected into a list)."""
    if params is None:
        return {}
    if isinstance(params, dict):
        return dict(params)
    merged: dict = {}
    for key, value in params:
        if key in merged:
            merged[key] = [*merged[key], value] if isinstance(merged[key], list) else [merged[key], value]
        else:
            merged[key] = value
    return merged


def _log_dataset(call, data, labels, evals=()) -> dict:
    """Log the training set (and the ``(name, data)`` evaluation sets) as the run's datasets."""
    return _common.queue_training_dataset(
        call, training_fingerprint(data, labels),
        [(name, lambda data=data: training_fingerprint(data)) for name, data in evals])


def _log_outputs(call, booster, model, history, first_epoch, last_epoch, example_fn, params) -> None:
    """After training: best-iteration metrics, importance and dataset artifacts, the model (``example_fn(schema_only)``
    gives its example rows; ``schema_only``: they only describe the signature's inputs)."""
    with call.guard("logging the early-stopping metrics"):
        _log_best_iteration(call, booster, history, first_epoch, last_epoch)
    if not call.options.log_models:  # nothing to overlap: a thread would only add its start and hand-over
        with call.guard("logging feature importance"):
            _log_artifacts(call, booster, params)
        return
    # Importance runs in xgboost's C code, which releases the GIL: it overlaps the model's save.
    importance = _common.start_in_background(call, "logging feature importance",
                                             lambda: _log_artifacts(call, booster, params))
    with call.guard("logging the model"):
        _log_model(call, booster, model, example_fn)
    importance.join()


def _log_best_iteration(call, booster, history, first_epoch, last_epoch) -> None:
    best = booster.attr("best_iteration")
    if best is None or last_epoch is None:
        return
    best = int(best)
    metrics = {"best_iteration": best, "stopped_iteration": last_epoch}
    index = best - (first_epoch or 0)
    for data_name, per_data in history.items():
        for metric_name, values in per_data.items():
            if 0 <= index < len(values):
                metrics[f"{data_name}-{metric_name}"] = values[index]
    # One step past the last iteration, so each metric's latest value is the best model's.
    _common.IterationMetrics(call).log(metrics, step=last_epoch + 1)


def _log_artifacts(call, booster, params) -> None:
    linear = str(params.get("booster", "")) == "gblinear"
    kinds = call.options.importance_types or _TREE_IMPORTANCE_TYPES
    # a linear booster has one kind of importance: its weights (a list per feature for several classes)
    importances = {"weight": booster.get_score(importance_type="weight")} if linear else _tree_importances(booster,
                                                                                                           kinds)
    from . import _importance  # after training, usually on the background thread: enabling stays lean

    # the files as texts: in a local store each is written in place, with no staging folder to make and remove
    _common.log_artifacts(call, texts=_importance.importance_texts(importances))


def _tree_importances(booster, kinds) -> dict:
    """{kind: {feature: score}} for each of ``kinds``, "gain" and "cover" derived from their totals.

    xgboost computes an average as its float32 total divided by the float32 split count,
    so that division repeated here gives the very same value, for two C calls fewer.
    """
    import numpy as np

    wanted = set(kinds)
    if "gain" in wanted:
        wanted.update(("weight", "total_gain"))
    if "cover" in wanted:
        wanted.update(("weight", "total_cover"))
    scores = {kind: booster.get_score(importance_type=kind)
              for kind in _TREE_IMPORTANCE_TYPES if kind in wanted and kind not in ("gain", "cover")}
    for average, total in (("gain", "total_gain"), ("cover", "total_cover")):
        if average in kinds:
            features, counts = list(scores[total]), scores["weight"]
            totals = np.fromiter(scores[total].values(), np.float32, len(features))
            splits = np.fromiter((max(counts.get(feature, 1.0), 1.0) for feature in features), np.float32,
                                 len(features))
            scores[average] = dict(zip(features, (totals / splits).tolist()))
    return {kind: scores[kind] for kind in kinds}


def _log_model(call, booster, model, example_fn) -> None:
    options = call.options
    if not options.log_models:
        return
    known = None
    if model is booster and options.log_model_signatures:
        known = _known_outputs(booster, call.state.get("params") or {})
    example = None
    if options.log_model_signatures or options.log_input_examples:
        example = example_fn(known is not None and not options.log_input_examples)

    def predict(rows):
        if known is not None:
            return known
        import xgboost

        with xgboost.config_context(verbosity=0):
            if model is booster:
                return booster.predict(xgboost.DMatrix(rows, feature_names=booster.feature_names,
                                                       feature_types=booster.feature_types))
            return model.predict(rows)

    _common.log_model(call, "xgboost", model, example, predict, model_format=options.model_format,
                      params=_common.stringify_params(call.state.get("params") or {}))


def _known_outputs(booster, params: dict):
    """A zero-row float32 array, what ``booster.predict`` returns per row of a table, where the trained objective
    makes that certain (``_ONE_VALUE_OBJECTIVES``, one class, one target, no custom objective); None where only
    predicting tells."""
    if params.get("custom_objective") is not None:
        return None
    import json

    try:
        learner = json.loads(booster.save_config())["learner"]
        objective, shape = learner["objective"]["name"], learner["learner_model_param"]
        single = int(shape.get("num_class", 0)) <= 1 and int(shape.get("num_target", 1)) == 1
    except (ValueError, KeyError, TypeError):  # another xgboost's config: predict tells
        return None
    if objective not in _ONE_VALUE_OBJECTIVES or not single:
        return None
    import numpy as np

    return np.empty(0, dtype=np.float32)
