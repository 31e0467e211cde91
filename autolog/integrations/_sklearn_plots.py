"""A classifier's training plots as PNG artifacts, drawn off the training thread (MLflow's
``training_confusion_matrix.png``, ``training_roc_curve.png`` and ``training_precision_recall_curve.png``).

Importing matplotlib and drawing cost a few hundred milliseconds, so the plots are drawn by
one background worker after the fit has returned: they never add to the training call's
time. They reach the run's artifacts shortly after; :func:`wait_for_plots` waits for them
(the worker also finishes its queue when the interpreter exits). ROC and precision-recall
curves are drawn for binary classifiers with ``predict_proba``; the confusion matrix for all.
Nothing is drawn when matplotlib is not installed.
"""

from __future__ import annotations

import importlib.util
import threading

from .._patching import capture_internal_exceptions, is_strict

__all__ = ["plots_available", "queue_classifier_plots", "wait_for_plots"]

_lock = threading.Lock()
_executor = None
_pending: list = []
_available = None


def plots_available() -> bool:
    """True when matplotlib can be imported (checked once, without importing it)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("matplotlib") is not None
    return _available


def queue_classifier_plots(run_id: str, labels, predicted, probabilities, classes) -> None:
    """Queue the plots of one classifier fit for the background worker."""
    global _executor
    from concurrent.futures import ThreadPoolExecutor

    from ..tracking import get_tracking_uri

    store = get_tracking_uri()  # the run's store, whatever the tracking URI is when the plots are drawn
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autolog-plots")
        _pending.append(_executor.submit(_draw_and_log, store, run_id, labels, predicted, probabilities, classes))


def wait_for_plots(timeout=None) -> None:
    """Wait until every queued plot is in its run's artifacts. In strict mode (tests) a drawing error
    is raised here; otherwise it was one warning on the ``autolog`` logger."""
    from concurrent.futures import wait

    with _lock:
        pending = list(_pending)
        _pending.clear()
    wait(pending, timeout)
    for future in pending:
        if future.done() and future.exception() is not None and is_strict():
            raise future.exception()


def _draw_and_log(store: str, run_id: str, labels, predicted, probabilities, classes) -> None:
    with capture_internal_exceptions("drawing the classifier's training plots"):
        from ..tracking import Client

        client = Client(store)
        for name, draw in _figures(labels, predicted, probabilities, classes):
            client.log_figure(run_id, draw(), name)


def _figures(labels, predicted, probabilities, classes) -> list:
    import numpy as np

    labels = np.asarray(labels)
    figures = [("training_confusion_matrix.png", lambda: _confusion_matrix(labels, predicted, classes))]
    if probabilities is not None and getattr(probabilities, "ndim", 0) == 2 and probabilities.shape[1] == 2:
        positive = probabilities[:, 1]
        figures += [("training_roc_curve.png", lambda: _roc_curve(labels, positive, classes)),
                    ("training_precision_recall_curve.png", lambda: _precision_recall(labels, positive, classes))]
    return figures


def _axes(title: str):
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, safe off the main thread

    figure = Figure(figsize=(5, 4.2), dpi=100)
    axes = figure.add_subplot()
    axes.set_title(title)
    return figure, axes


def _confusion_matrix(labels, predicted, classes):
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(labels, predicted, labels=classes)
    figure, axes = _axes("Confusion matrix (training data)")
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes)
    names = [str(name) for name in (classes if classes is not None else range(len(matrix)))]
    axes.set_xticks(range(len(names)), names)
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("Predicted label")
    axes.set_ylabel("True label")
    threshold = matrix.max() / 2 if matrix.size else 0
    for row in range(matrix.shape[0]):
        for column in range(matrix.shape[1]):
            axes.text(column, row, str(matrix[row, column]), ha="center", va="center",
                      color="white" if matrix[row, column] > threshold else "black")
    figure.tight_layout()
    return figure


def _roc_curve(labels, scores, classes):
    from sklearn.metrics import roc_auc_score, roc_curve

    positive = classes[1] if classes is not None else 1
    false_positive, true_positive, _ = roc_curve(labels, scores, pos_label=positive)
    figure, axes = _axes("ROC curve (training data)")
    axes.plot(false_positive, true_positive, label=f"AUC = {roc_auc_score(labels == positive, scores):.3f}")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey")
    axes.set_xlabel("False positive rate")
    axes.set_ylabel("True positive rate")
    axes.legend(loc="lower right")
    return figure


def _precision_recall(labels, scores, classes):
    from sklearn.metrics import average_precision_score, precision_recall_curve

    positive = classes[1] if classes is not None else 1
    precision, recall, _ = precision_recall_curve(labels, scores, pos_label=positive)
    figure, axes = _axes("Precision-recall curve (training data)")
    average = average_precision_score(labels == positive, scores)
    axes.plot(recall, precision, label=f"AP = {average:.3f}")
    axes.set_xlabel("Recall")
    axes.set_ylabel("Precision")
    axes.legend(loc="lower left")
    return figure
