"""What a scikit-learn fit records about the estimator: its params and its metrics on the training data.

Training metrics cost one ``predict`` on the training data (plus one ``predict_proba``
for classifiers that have it); nothing else is refitted or cross-validated.
Clusterers get the silhouette score, computed on at most ``SILHOUETTE_SAMPLE`` rows
(a fixed-seed sample above that), since it is quadratic in the rows.
"""

from __future__ import annotations

import math
import os

__all__ = ["SILHOUETTE_SAMPLE", "TRUNCATED_MARKER", "estimator_params", "describe", "truncate", "training_metrics"]

SILHOUETTE_SAMPLE = 2_000
TRUNCATED_MARKER = "...[truncated]"
_MAX_VALUE_LENGTH = 6_000  # the store's limit for a param value


def describe(value):
    """``value`` with estimator objects replaced by their class name, inside lists, tuples and dicts too."""
    if hasattr(value, "get_params") and hasattr(value, "fit") and not isinstance(value, type):
        return type(value).__name__
    if isinstance(value, (list, tuple)):
        return type(value)(describe(item) for item in value)
    if isinstance(value, dict):
        return {key: describe(item) for key, item in value.items()}
    return value


def truncate(text: str, limit: int = _MAX_VALUE_LENGTH) -> str:
    """``text`` cut to ``limit`` characters, ending with TRUNCATED_MARKER when it was cut."""
    return text if len(text) <= limit else text[:limit - len(TRUNCATED_MARKER)] + TRUNCATED_MARKER


def estimator_params(estimator) -> dict:
    """``get_params`` as MLflow writes it: ``str()`` of every value (a nested estimator as ``SVC()``, None
    as ``'None'``), functions by name, long values truncated. A hyperparameter search logs its own
    params (``deep=False``: ``estimator``, ``param_grid``, ``cv``...), other estimators their deep ones.
    """
    params = {}
    for name, value in estimator.get_params(deep=not _is_search_class(estimator)).items():
        if callable(value) and hasattr(value, "__name__") and not hasattr(value, "get_params"):
            value = value.__name__
        params[name] = truncate(str(value))
    return params


def _is_search_class(estimator) -> bool:
    import sys

    search = sys.modules.get("sklearn.model_selection._search")
    return search is not None and isinstance(estimator, search.BaseSearchCV)


def _task(estimator) -> str:
    from sklearn import base

    if base.is_classifier(estimator):
        return "classifier"
    if base.is_regressor(estimator):
        return "regressor"
    is_clusterer = getattr(base, "is_clusterer", None)
    if is_clusterer is not None and is_clusterer(estimator):
        return "clusterer"
    return ""


def training_metrics(estimator, X, y, sample_weight=None, labels=None, outputs=None, known=None) -> dict:
    """``training_*`` metrics of a fitted estimator by task (regressor, classifier, clusterer); {} for others.
    Regressors and classifiers also get ``training_score``, the estimator's own ``score`` (with the
    sample weights), as MLflow logs it.

    ``labels`` are cluster labels already at hand (from ``fit_predict``). ``outputs``, a dict, receives
    a classifier's "predicted" labels and "probabilities" (for its plots). ``known``, a dict of the same
    keys, holds outputs already computed on ``X`` (a forest's, tree by tree during its fit): they are
    not predicted again. Raises whatever the estimator's predict raises.
    """
    task = _task(estimator)
    if task == "clusterer":
        return _clusterer_metrics(estimator, X, labels)
    if y is None or not task or not hasattr(estimator, "predict"):
        return {}
    known = known or {}
    predicted = known["predicted"] if "predicted" in known else _predict(estimator.predict, estimator, X)
    if task == "regressor":
        metrics = _regressor_metrics(y, predicted, sample_weight)
        reused = metrics["training_r2_score"]
    else:
        metrics = _classifier_metrics(estimator, X, y, predicted, sample_weight, outputs, known.get("probabilities"))
        reused = metrics["training_accuracy_score"]
    score = _training_score(estimator, X, y, sample_weight, task, reused)
    if score is not None:
        metrics["training_score"] = score
    return metrics


def _training_score(estimator, X, y, sample_weight, task: str, reused):
    """``estimator.score(X, y, sample_weight)``; the mixins' own score is the r2 / accuracy already computed."""
    from sklearn import base

    owner = next((klass for klass in type(estimator).__mro__ if "score" in vars(klass)), None)
    if owner is None:
        return None
    if owner is (base.RegressorMixin if task == "regressor" else base.ClassifierMixin):
        return reused  # the mixin's score is the r2 / accuracy with the same weights
    best = getattr(estimator, "best_estimator_", None)
    if best is not None and getattr(estimator, "scoring", "") is None and sample_weight is None:
        return _training_score(best, X, y, None, task, reused)  # a search without scoring: its best's score
    import inspect

    method = getattr(type(estimator), "score")
    try:
        accepts_weight = "sample_weight" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        accepts_weight = False
    if sample_weight is not None and accepts_weight:
        return float(estimator.score(X, y, sample_weight=sample_weight))
    return float(estimator.score(X, y))


_PARALLEL_MIN_ROWS = 10_000
# Their predict runs in compiled code that releases the GIL and only reads the fitted trees.
_GIL_FREE_PREDICT = ("sklearn.ensemble.", "sklearn.tree.")


def _predict(method, estimator, X):
    """``method(X)``; for tree ensembles on many rows, in row chunks on every core (the same result)."""
    workers = min(os.cpu_count() or 1, 8)
    rows = getattr(X, "shape", (0,))[0]
    if workers < 2 or rows < _PARALLEL_MIN_ROWS or not type(estimator).__module__.startswith(_GIL_FREE_PREDICT):
        return method(X)
    import numpy as np
    from concurrent.futures import ThreadPoolExecutor
    from sklearn.utils import _safe_indexing

    bounds = np.linspace(0, rows, workers + 1, dtype=int)
    chunks = [_safe_indexing(X, np.arange(start, stop)) for start, stop in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(workers, thread_name_prefix="autolog-predict") as pool:
        return np.concatenate(list(pool.map(method, chunks)))


def _regressor_metrics(y, predicted, sample_weight) -> dict:
    from sklearn import metrics

    mse = metrics.mean_squared_error(y, predicted, sample_weight=sample_weight)
    return {"training_mean_squared_error": mse, "training_root_mean_squared_error": math.sqrt(mse),
            "training_mean_absolute_error": metrics.mean_absolute_error(y, predicted, sample_weight=sample_weight),
            "training_r2_score": metrics.r2_score(y, predicted, sample_weight=sample_weight)}


def _classifier_metrics(estimator, X, y, predicted, sample_weight, outputs=None, probabilities=None) -> dict:
    from sklearn import metrics

    weighted = {"average": "weighted", "sample_weight": sample_weight, "zero_division": 0}
    result = {"training_accuracy_score": metrics.accuracy_score(y, predicted, sample_weight=sample_weight),
              "training_precision_score": metrics.precision_score(y, predicted, **weighted),
              "training_recall_score": metrics.recall_score(y, predicted, **weighted),
              "training_f1_score": metrics.f1_score(y, predicted, **weighted)}
    if outputs is not None:
        outputs["predicted"] = predicted
    if not hasattr(estimator, "predict_proba"):
        return result
    if probabilities is None:
        probabilities = _predict(estimator.predict_proba, estimator, X)
    if outputs is not None:
        outputs["probabilities"] = probabilities
    classes = getattr(estimator, "classes_", None)
    try:
        result["training_log_loss"] = metrics.log_loss(y, probabilities, sample_weight=sample_weight, labels=classes)
        if probabilities.ndim == 2 and probabilities.shape[1] == 2:
            result["training_roc_auc"] = metrics.roc_auc_score(y, probabilities[:, 1], sample_weight=sample_weight)
        else:
            result["training_roc_auc"] = metrics.roc_auc_score(y, probabilities, multi_class="ovr",
                                                               average="weighted", labels=classes,
                                                               sample_weight=sample_weight)
    except (ValueError, TypeError, IndexError, AttributeError):
        pass  # one class only in y, multi-output, or labels the metric cannot read: these metrics do not exist
    return result


def _clusterer_metrics(estimator, X, labels) -> dict:
    import numpy as np
    from sklearn import metrics

    if labels is None:
        labels = getattr(estimator, "labels_", None)
    if labels is None or X is None:
        return {}
    labels = np.asarray(labels)
    found = len(np.unique(labels))
    if not 2 <= found <= len(labels) - 1:
        return {}
    sample = SILHOUETTE_SAMPLE if len(labels) > SILHOUETTE_SAMPLE else None
    return {"training_silhouette_score": metrics.silhouette_score(X, labels, sample_size=sample, random_state=0)}
