"""autolog: experiment tracking and model packaging that stays out of the way.

``autolog.xgboost()`` (or ``lightgbm()``, ``sklearn()``, ``enable()``) before training
records every run; the tracking API (``start_run``, ``log_metric``, ``Client``...) is
re-exported here. Names are resolved lazily so ``import autolog`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

_TRACKING_NAMES = frozenset({
    "Client", "Experiment", "FileInfo", "LifecycleStage", "Metric", "ModelVersion", "Param", "RegisteredModel",
    "Run", "RunData", "RunInfo", "RunStatus", "RunTag", "ViewType", "AlreadyExistsError", "AutologError",
    "InvalidInputError", "NotFoundError", "StoreError", "ActiveRun", "active_run", "delete_tag", "end_run",
    "flush", "get_artifact_uri", "get_experiment_id", "get_tracking_uri", "last_active_run", "log_artifact",
    "log_artifacts", "log_dict", "log_figure", "log_metric", "log_metrics", "log_param", "log_params",
    "log_text", "search_runs", "set_experiment", "set_tag", "set_tags", "set_tracking_uri", "start_run",
    "register_model",
})
_TRACKING_NAMES = _TRACKING_NAMES | {
    "Dataset", "DatasetInput", "InputTag", "LoggedModel", "LoggedModelInput", "LoggedModelOutput",
    "LoggedModelStatus", "RunInputs", "RunOutputs", "delete_logged_model_tag", "finalize_logged_model",
    "get_logged_model", "initialize_logged_model", "last_logged_model", "log_input", "log_model_params",
    "search_logged_models", "set_logged_model_tags",
    "MlflowClient", "create_experiment", "delete_experiment", "delete_experiment_tag", "flush_async_logging",
    "get_experiment", "get_experiment_by_name", "get_parent_run", "get_registry_uri", "get_run", "load_table",
    "log_image", "log_stream", "log_table", "search_experiments", "search_model_versions",
    "search_registered_models", "set_experiment_tag", "set_experiment_tags", "set_registry_uri",
}
_SUBMODULES = frozenset({"data", "entities"})

__all__ = sorted(_TRACKING_NAMES | _SUBMODULES | {"xgboost", "lightgbm", "sklearn", "enable", "disable", "autolog"})


def __getattr__(name: str):
    if name in _TRACKING_NAMES:
        from . import tracking

        value = getattr(tracking, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'autolog' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _TRACKING_NAMES | _SUBMODULES)


def xgboost(**options) -> None:
    """Autolog every xgboost training (``xgb.train``, ``xgb.cv``, the sklearn API). See autolog.integrations.xgboost."""
    from .integrations import xgboost as integration

    integration.autolog(**options)


def lightgbm(**options) -> None:
    """Autolog every lightgbm training (``lgb.train``, ``lgb.cv``, the sklearn API)."""
    from .integrations import lightgbm as integration

    integration.autolog(**options)


def sklearn(**options) -> None:
    """Autolog every scikit-learn estimator's ``fit``."""
    from .integrations import sklearn as integration

    integration.autolog(**options)


def enable(**options) -> None:
    """Turn on autologging for every supported framework that is installed; options apply to each."""
    from .integrations import enable_all

    enable_all(**options)


def autolog(**options) -> None:
    """MLflow's ``mlflow.autolog()``: autologging for every supported framework that is installed
    (the same as :func:`enable`; ``disable=True`` turns them all off)."""
    enable(**options)


def disable() -> None:
    """Turn off every integration and restore the original functions."""
    from .integrations import enable_all

    enable_all(disable=True)
