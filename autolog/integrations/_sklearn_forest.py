"""A forest's training predictions and its model file, made tree by tree while the forest is still training.

The training metrics of a random forest need its predictions on the training rows:
one pass of every tree over them, which on 50,000 rows costs about 5 % of the fit
when it runs after it. Instead, each tree is predicted as soon as it is grown, on a
background thread (a tree's predict runs in compiled code that releases the GIL),
while the forest grows the next one; when the fit returns only the mean is left.

How: scikit-learn grows each tree in ``sklearn.ensemble._forest._parallel_build_trees``;
a wrapper around it hands every grown tree to the ``ForestPredictions`` of the
autologged forest fit running on that thread (a context variable, so a forest fitted
by someone else, or trees grown on joblib's worker threads, are not seen). The sums
are the forest's own: the trees' ``predict`` (``predict_proba`` for classifiers) on
the forest's validated features, added in the forest's order and divided by the
number of trees. When the collected trees are not exactly the forest's trees in its
order (a warm start, trees grown in worker threads, a failure), ``result`` gives None
and the caller predicts as usual.

The model file is begun the same way: each grown tree is pickled at once into a
hidden partial file of the run's artifacts (``flavors._pickle_ahead``), and the
model save after the fit only adds the forest itself, which refers to the trees
already written, and moves the file into the model's directory. The file is one
ordinary pickle, read by MLflow's loader as by ours.
"""

from __future__ import annotations

import contextvars
import queue
import threading

__all__ = ["ForestPredictions", "is_forest", "watch", "known_outputs", "patch_tree_builder"]

_active: contextvars.ContextVar = contextvars.ContextVar("autolog_forest_predictions", default=None)
_BUILDER_MODULE = "sklearn.ensemble._forest"
_BUILDER = "_parallel_build_trees"


def is_forest(estimator) -> bool:
    """True for a random forest or extra-trees regressor or classifier of scikit-learn (a multi-output
    classifier's trees give lists of probabilities: its sum fails and ``known_outputs`` gives None)."""
    import sys

    forest = sys.modules.get(_BUILDER_MODULE)
    if forest is None:
        return False
    return isinstance(estimator, (forest.ForestRegressor, forest.ForestClassifier)) \
        and callable(getattr(forest, _BUILDER, None))


class ForestPredictions:
    """The running sum of one forest fit's tree predictions on its training features."""

    def __init__(self, classifier: bool):
        self.classifier = classifier
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._stopped = False
        self._features = None
        self._trees: list = []  # the trees summed, in order
        self._sum = None
        self._failed = False

    def add(self, tree, features) -> None:
        """Queue a grown ``tree`` to be predicted on ``features`` (the forest's validated training features)."""
        with self._lock:
            if self._failed or self._stopped:
                return
            if self._features is None:
                self._features = features
            elif features is not self._features:
                self._failed = True  # not one forest's trees: no sum is meaningful
                return
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="autolog-forest-predict", daemon=True)
                self._worker.start()
            self._queue.put(tree)

    def _work(self) -> None:
        while (tree := self._queue.get()) is not None:
            if self._failed:
                continue
            try:
                self._accumulate(tree)
            except Exception:  # noqa: BLE001 - the caller predicts the usual way instead
                self._failed = True

    def _accumulate(self, tree) -> None:
        features = self._features
        if self.classifier:
            prediction = tree.predict_proba(features, check_input=False)
        else:
            prediction = tree.predict(features, check_input=False)
        if self._sum is None:
            import numpy as np

            self._sum = np.zeros(prediction.shape, dtype=np.float64)
        self._sum += prediction
        self._trees.append(tree)

    def stop(self, discard: bool = False) -> None:
        """Take no more trees and let the worker finish the queued ones (skip them with ``discard``)."""
        with self._lock:
            if discard:
                self._failed = True
            if self._stopped:
                return
            self._stopped = True
            if self._worker is not None:
                self._queue.put(None)

    def result(self, forest):
        """The forest's ``predict`` (regressor) or ``predict_proba`` (classifier) on its training features,
        or None when the collected trees are not exactly ``forest.estimators_`` in order."""
        self.stop()
        if self._worker is not None:
            self._worker.join()
        trees = getattr(forest, "estimators_", None)
        if self._failed or self._sum is None or trees is None or len(trees) != len(self._trees) \
                or any(mine is not theirs for mine, theirs in zip(self._trees, trees)):
            return None
        return self._sum / len(trees)


def watch(call, forest, predictions: bool, pickle: bool) -> dict:
    """Hand the trees that the fit of ``forest`` grows on this thread, until ``call`` closes, to a
    ``ForestPredictions`` (with ``predictions``) and a ``PickleAhead`` in the run's artifacts (with
    ``pickle``); return them as ``{"forest_predictions": ..., "forest_pickle": ...}`` (None where not asked)."""
    from sklearn.base import is_classifier

    collector = ForestPredictions(is_classifier(forest)) if predictions else None
    ahead = _pickle_ahead(call) if pickle else None
    token = _active.set((collector, ahead))

    def finish():
        _active.reset(token)
        if collector is not None:
            collector.stop(discard=True)  # a fit that raised: its queued trees are not predicted
        if ahead is not None:
            ahead.discard()  # handed over when the model was saved; otherwise removed

    call.at_close("watching the forest's trees", finish)
    return {"forest_predictions": collector, "forest_pickle": ahead}


def _pickle_ahead(call):
    """A PickleAhead writing into a hidden partial file of the run's artifacts (in a local store: the saved
    model is moved, not copied), else of the temporary directory."""
    from flavors._pickle_ahead import PickleAhead

    from ..tracking import fluent
    from .._containment import PARTIAL_PREFIX

    root = fluent._get_client()._repository(call.run_id).local_path("")  # known to the client: no store read
    return PickleAhead(root, PARTIAL_PREFIX if root is not None else "autolog-", use_cloudpickle=True)


def known_outputs(collector: ForestPredictions | None, forest) -> dict | None:
    """``{"predicted": ...}`` (and ``"probabilities"`` for a classifier) from the collected trees, as the
    forest's own ``predict`` and ``predict_proba`` would return them; None when they cannot be used."""
    if collector is None:
        return None
    result = collector.result(forest)
    if result is None:
        return None
    if not collector.classifier:
        return {"predicted": result}
    classes = getattr(forest, "classes_", None)
    if getattr(forest, "n_outputs_", 1) != 1 or classes is None or getattr(result, "ndim", 0) != 2:
        return None
    import numpy as np

    return {"predicted": classes.take(np.argmax(result, axis=1), axis=0), "probabilities": result}


def _on_tree_built(wrapped, instance, args, kwargs):
    tree = wrapped(*args, **kwargs)
    watchers = _active.get()
    if watchers is not None:
        collector, ahead = watchers
        if ahead is not None:
            ahead.add(tree)
        features = args[2] if len(args) > 2 else kwargs.get("X")
        if collector is not None and features is not None and hasattr(features, "dtype") \
                and not hasattr(features, "tocsr"):
            collector.add(tree, features)
    return tree


def patch_tree_builder():
    """Wrap scikit-learn's tree builder of forests so grown trees reach the active collector; returns the
    Patch, or None when this scikit-learn has no such function."""
    import sys

    from ._sklearn_post_training import wrap_attribute

    module = sys.modules.get(_BUILDER_MODULE)
    if module is None or not callable(vars(module).get(_BUILDER)):
        return None
    return wrap_attribute(module, _BUILDER, _on_tree_built)
