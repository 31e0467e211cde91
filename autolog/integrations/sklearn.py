"""Autologging for scikit-learn: every estimator's ``fit``, ``fit_transform`` and ``fit_predict``.

``autolog.sklearn()`` (this module's :func:`autolog`) records, for each outermost fit:
``get_params`` as params (as MLflow writes them: ``str()`` of each value; a search's own
params), the ``estimator_name`` and ``estimator_class`` tags, ``training_*`` metrics by
task and ``training_score`` (see ``_sklearn_metrics``), the training data as a dataset
input with its fingerprint, and the fitted model (``flavors.sklearn`` with signature; one
logged model per fit). Classifiers get their confusion matrix, ROC and precision-recall
curves as PNG artifacts when matplotlib is installed, drawn after the fit returns
(``wait_for_plots``). A Pipeline's steps and a meta-estimator's inner fits are part of
the outer call and log nothing of their own; the fits inside cross-validation helpers
(``cross_validate``, ``cross_val_score``...) log nothing at all. Hyperparameter searches
add the best params and score, ``cv_results.csv``, the best estimator as the model and
child runs for the top ``max_tuning_runs`` candidates. With ``log_post_training_metrics``
(default on) sklearn.metrics results on the model's predictions, and the model's own
``score``, go to its run.

Patched classes: every ``BaseEstimator`` subclass, sklearn's own and third-party ones,
including classes defined after enabling, and the sklearn mixins their predict and score
come from; xgboost's and lightgbm's estimators are left to their own integrations. Fits in
joblib workers (``n_jobs``) that run in another process or thread are not seen as nested
and are not logged there.
"""

from __future__ import annotations

import dataclasses
import sys

from .._integration import Integration, Options
from .._patching import Hook, safe_patch
from . import _common, _datasets, _sklearn_forest
from ._sklearn_classes import ClassWatcher, estimator_classes, is_excluded
from ._sklearn_metrics import estimator_params, training_metrics
from ._sklearn_post_training import (PREDICT_METHODS, SCORE_METHOD, PostTrainingMetrics, is_metric_function,
                                     wrap_attribute)
from ._sklearn_search import is_search, log_child_runs, search_summary, write_cv_results
from ._sklearn_plots import plots_available, queue_classifier_plots, wait_for_plots
from ._sklearn_snapshot import data_unchanged, snapshot

__all__ = ["autolog", "SklearnOptions", "SklearnIntegration", "INTEGRATION", "FIT_METHODS", "wait_for_plots"]

FIT_METHODS = ("fit", "fit_transform", "fit_predict")
# Their internal fits are not autologged (as in MLflow): neither into the caller's run nor as runs of their own.
CV_HELPERS = ("cross_validate", "cross_val_score", "cross_val_predict", "learning_curve", "validation_curve",
              "permutation_test_score")
_CV_MODULES = ("sklearn.model_selection", "sklearn.model_selection._validation")
_CV_STACK_DEPTH = 40


@dataclasses.dataclass(frozen=True)
class SklearnOptions(Options):
    """The common options plus ``max_tuning_runs`` (None: every candidate) and ``log_post_training_metrics``."""

    max_tuning_runs: int | None = 5
    log_post_training_metrics: bool = True


class SklearnIntegration(Integration):
    """Patches the fit methods (and, for post-training metrics, the predict methods) of estimator classes."""

    name = "sklearn"
    module = "sklearn"
    supported_versions = ">=1.2, <2"
    options_class = SklearnOptions

    def __init__(self):
        super().__init__()
        self._watcher = None
        self._patched_classes: set = set()
        self._patched_mixins: set = set()
        self._hooks: dict = {}
        self.post_training = PostTrainingMetrics(self)
        self._metrics_hook_registered = False
        self._cv_hook_registered = False
        self._forest_hook_registered = False
        self._cv_codes: frozenset = frozenset()

    def targets(self, framework) -> list:
        """The fit methods to wrap on the estimator classes that exist now."""
        from sklearn.base import BaseEstimator

        hooks = self._fit_hooks()
        return [(cls, method, hooks[method]) for cls in estimator_classes(BaseEstimator)
                if not is_excluded(cls) for method in FIT_METHODS if method in cls.__dict__]

    def _on_import(self, framework) -> None:
        with self._lock:
            if not self._enabled or self._watcher is not None:
                return
            self._check_version(framework)
            try:
                self._install()
            except Exception:
                self._unpatch()
                raise

    def _fit_hooks(self) -> dict:
        if not self._hooks:
            self._hooks = {method: _FitHook(method) for method in FIT_METHODS}
        return self._hooks

    def _install(self) -> None:
        from sklearn.base import BaseEstimator

        for cls in estimator_classes(BaseEstimator):
            self._patch_class(cls)
        self._watcher = ClassWatcher(_watched_owners(BaseEstimator), self._on_new_class)
        if "sklearn.metrics" in sys.modules:
            self._patch_metrics(sys.modules["sklearn.metrics"])
        elif not self._metrics_hook_registered:
            import wrapt

            wrapt.register_post_import_hook(self._on_metrics_import, "sklearn.metrics")
            self._metrics_hook_registered = True
        if "sklearn.model_selection" in sys.modules:
            self._patch_cv_helpers()
        elif not self._cv_hook_registered:
            import wrapt

            wrapt.register_post_import_hook(self._on_model_selection_import, "sklearn.model_selection")
            self._cv_hook_registered = True
        if "sklearn.ensemble._forest" in sys.modules:
            self._patch_tree_builder()
        elif not self._forest_hook_registered:
            import wrapt

            wrapt.register_post_import_hook(self._on_forest_import, "sklearn.ensemble._forest")
            self._forest_hook_registered = True

    def _on_forest_import(self, module) -> None:
        with self._lock:
            if self._enabled and self._watcher is not None:
                self._patch_tree_builder()

    def _patch_tree_builder(self) -> None:
        patch = _sklearn_forest.patch_tree_builder()
        if patch is not None:
            self._patches.append(patch)

    def _on_model_selection_import(self, module) -> None:
        with self._lock:
            if self._enabled and self._watcher is not None:
                self._patch_cv_helpers()

    def _patch_cv_helpers(self) -> None:
        import inspect

        codes = set()
        for module in filter(None, map(sys.modules.get, _CV_MODULES)):
            for name in CV_HELPERS:
                if name in vars(module):
                    codes.add(inspect.unwrap(vars(module)[name]).__code__)
                    self._patches.append(wrap_attribute(module, name, _without_autologging))
        self._cv_codes = frozenset(codes)

    def skips_call(self) -> bool:
        """True inside a cross-validation helper, also one imported by name before autologging was enabled
        (found on the call stack; the wrappers cover the helpers' fits in other threads)."""
        codes = self._cv_codes
        if not codes:
            return False
        frame = sys._getframe(2)
        for _ in range(_CV_STACK_DEPTH):
            if frame is None:
                return False
            if frame.f_code in codes:
                return True
            frame = frame.f_back
        return False

    def _on_new_class(self, cls) -> None:
        from sklearn.base import BaseEstimator

        with self._lock:
            if self._watcher is not None and issubclass(cls, BaseEstimator):
                self._patch_class(cls)

    def _patch_class(self, cls) -> None:
        if cls in self._patched_classes or is_excluded(cls):
            return
        self._patched_classes.add(cls)
        hooks = self._fit_hooks()
        for method in FIT_METHODS:
            if method in cls.__dict__:
                self._patches.append(safe_patch(self, cls, method, hooks[method]))
        post_training = self.post_training
        for method in (*PREDICT_METHODS, SCORE_METHOD):
            wrapper = post_training.score_wrapper if method == SCORE_METHOD else post_training.predict_wrapper
            owner = cls if method in cls.__dict__ else _mixin_owner(cls, method)
            if owner is cls or (owner is not None and (owner, method) not in self._patched_mixins):
                if owner is not cls:
                    self._patched_mixins.add((owner, method))
                self._patches.append(wrap_attribute(owner, method, wrapper))

    def _on_metrics_import(self, metrics_module) -> None:
        with self._lock:
            if self._enabled and self._watcher is not None:
                self._patch_metrics(metrics_module)

    def _patch_metrics(self, metrics_module) -> None:
        functions = {id(value): name for name in getattr(metrics_module, "__all__", ())
                     for value in (getattr(metrics_module, name, None),) if is_metric_function(name, value)}
        # a copy (taken without running Python code): a background thread may be importing meanwhile
        for module_name, module in sys.modules.copy().items():
            if module is None or not (module_name == "sklearn.metrics" or module_name.startswith("sklearn.metrics.")):
                continue
            for name, value in vars(module).copy().items():
                if functions.get(id(value)) == name:
                    self._patches.append(wrap_attribute(module, name, self.post_training.metric_wrapper))

    def _unpatch(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.remove()
        super()._unpatch()
        self._patched_classes.clear()
        self._patched_mixins.clear()
        self._cv_codes = frozenset()
        self.post_training.clear()


def _without_autologging(wrapped, instance, args, kwargs):
    from .._patching import suspended

    with suspended():
        return wrapped(*args, **kwargs)


def _mixin_owner(cls, method: str):
    """The scikit-learn mixin (not an estimator class itself) ``cls`` inherits ``method`` from, or None:
    LogisticRegression's ``predict`` comes from LinearClassifierMixin, every regressor's ``score`` from
    RegressorMixin."""
    from sklearn.base import BaseEstimator

    owner = next((klass for klass in cls.__mro__ if method in klass.__dict__), None)
    if owner is None or issubclass(owner, BaseEstimator) or not owner.__module__.startswith("sklearn."):
        return None
    return owner


def _watched_owners(base) -> tuple:
    """BaseEstimator, and sklearn's mixin that re-wraps ``fit_transform`` at class creation when it exists."""
    try:
        from sklearn.utils._set_output import _SetOutputMixin
    except ImportError:
        return (base,)
    return (base, _SetOutputMixin)


INTEGRATION = SklearnIntegration()


def autolog(**options) -> None:
    """Enable (or with ``disable=True`` disable) autologging of scikit-learn fits; see DESIGN.md for options.

    Raises DidNotEnable when scikit-learn is not installed, TypeError/ValueError for a bad option.
    """
    INTEGRATION.enable(**options)


def _fit_data(args, kwargs) -> tuple:
    data = args[0] if args else kwargs.get("X")
    labels = args[1] if len(args) > 1 else kwargs.get("y")
    return data, labels, kwargs.get("sample_weight")


class _FitHook(Hook):
    """One estimator fit method: params and data before; metrics, search results and the model after."""

    def __init__(self, method: str):
        self.method = method

    def before(self, call, instance, args, kwargs):
        data, labels, sample_weight = _fit_data(args, kwargs)
        call.state.update(data=data, labels=labels, sample_weight=sample_weight, example=None, fingerprint=None)
        with call.guard("taking a snapshot of the training data"):
            call.state.update(snapshot(data, labels, sample_weight, _wants_example(call.options)))
        tags = {}
        if call.options.log_datasets and data is not None:
            with call.guard("fingerprinting the training data"):
                call.state["fingerprint"] = _datasets.fingerprint(data, labels)
                tags = _common.queue_training_dataset(call, call.state["fingerprint"])
        tags.update(estimator_name=type(instance).__name__,
                    estimator_class=f"{type(instance).__module__}.{type(instance).__qualname__}")
        _common.log_params_and_tags(call, estimator_params(instance), tags)
        if self.method == "fit" and _sklearn_forest.is_forest(instance) \
                and (labels is not None or call.options.log_models):
            with call.guard("watching the forest's trees"):
                call.state.update(_sklearn_forest.watch(call, instance, labels is not None, call.options.log_models))
        return None

    def after(self, call, instance, args, kwargs, result):
        state = call.state
        search = is_search(instance)
        model = getattr(instance, "best_estimator_", None) if search else instance
        # Saving the model overlaps the training-metrics predict (which releases the GIL).
        model_params = {**estimator_params(instance), **(search_summary(instance)[0] if search else {})}
        saving = None if model is None else _common.start_in_background(
            call, "logging the model",
            lambda: _log_model(call, model, state["example"], model_params, state.get("forest_pickle")))
        with call.guard("logging the search results"):
            if search:
                _log_search(call, instance)
        with call.guard("computing the training metrics"):
            if data_unchanged(state):
                labels = result if self.method == "fit_predict" else None
                outputs: dict = {}
                known = _sklearn_forest.known_outputs(state.get("forest_predictions"), instance)
                metrics = training_metrics(instance, state["data"], state["labels"], state["sample_weight"], labels,
                                           outputs, known)
                _common.IterationMetrics(call).log(metrics, step=0)
                state["training_metrics"] = metrics
                if "predicted" in outputs and plots_available():
                    queue_classifier_plots(call.run_id, state["labels"], outputs["predicted"],
                                           outputs.get("probabilities"), getattr(instance, "classes_", None))
        with call.guard("writing the artifacts"):
            _log_artifacts(call, instance if search else None)
        if saving is not None:
            saving.join()
        with call.guard("linking the training metrics to the logged model"):
            _common.link_metrics_to_model(call, state.get("model_id"), state.get("training_metrics"),
                                          state.get("fingerprint"))
        if call.options.log_post_training_metrics:
            call.integration.post_training.register_model(instance, call.run_id, state.get("model_id"))


def _log_search(call, search) -> None:
    from ..tracking import Client, Param

    params, metrics = search_summary(search)
    if params:
        Client().log_batch(call.run_id, params=[Param(key, value) for key, value in params.items()])
    _common.IterationMetrics(call).log(metrics, step=0)
    log_child_runs(search, call.run_id, call.options.max_tuning_runs, call.options.extra_tags)


def _log_artifacts(call, search) -> None:
    _common.log_artifacts(call, None if search is None else lambda directory: write_cv_results(search, directory))


def _wants_example(options) -> bool:
    return options.log_models and (options.log_model_signatures or options.log_input_examples)


def _log_model(call, model, example, params, pickled_ahead=None) -> None:
    """Log the fitted model as the call's logged model, with the estimator's params (a search's best
    params added), as MLflow 3 does; ``pickled_ahead``: its pickle begun during the fit (a forest's)."""
    options = call.options
    if not options.log_models:
        return
    predict_fn = next((name for name in ("predict", "transform") if hasattr(model, name)), None)
    if predict_fn is None:
        return
    from . import _warm_up

    _warm_up.wait("sklearn")
    import flavors
    import flavors.sklearn

    signature = False if not options.log_model_signatures else None
    if options.log_model_signatures and example is not None:
        try:
            signature = flavors.infer_signature(example, getattr(model, predict_fn)(example))
        except Exception:  # noqa: BLE001 - outputs no schema can describe (sparse, ragged): no signature
            signature = None
    from flavors._pickle_ahead import offer

    with offer(model, pickled_ahead):
        info = flavors.sklearn.log_model(model, artifact_path="model", signature=signature,
                                         input_example=example if options.log_input_examples else None,
                                         registered_model_name=options.registered_model_name,
                                         pyfunc_predict_fn=predict_fn, params=params)
    call.state["model_id"] = info.model_id
