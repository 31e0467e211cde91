"""autolog.tracking: experiments, runs, artifacts, search and the model registry."""

from .client import Client
from .entities import (Experiment, FileInfo, LifecycleStage, Metric, ModelVersion, Param, RegisteredModel, Run,
                       RunData, RunInfo, RunStatus, RunTag, ViewType)
from .exceptions import AlreadyExistsError, AutologError, InvalidInputError, NotFoundError, StoreError
from .fluent import (ActiveRun, active_run, delete_tag, end_run, flush, get_artifact_uri, get_experiment_id,
                     get_tracking_uri, last_active_run, log_artifact, log_artifacts, log_dict, log_figure,
                     log_metric, log_metrics, log_param, log_params, log_text, search_runs, set_experiment,
                     set_tag, set_tags, set_tracking_uri, start_run)
from .entities import (Dataset, DatasetInput, InputTag, LoggedModel, LoggedModelInput, LoggedModelOutput,
                       LoggedModelStatus, RunInputs, RunOutputs)

__all__ = [
    "Client", "Experiment", "FileInfo", "LifecycleStage", "Metric", "ModelVersion", "Param", "RegisteredModel",
    "Run", "RunData", "RunInfo", "RunStatus", "RunTag", "ViewType", "AlreadyExistsError", "AutologError",
    "InvalidInputError", "NotFoundError", "StoreError", "ActiveRun", "active_run", "delete_tag", "end_run",
    "flush", "get_artifact_uri", "get_experiment_id", "get_tracking_uri", "last_active_run", "log_artifact",
    "log_artifacts", "log_dict", "log_figure", "log_metric", "log_metrics", "log_param", "log_params",
    "log_text", "register_model", "search_runs", "set_experiment", "set_tag", "set_tags", "set_tracking_uri",
    "start_run",
    "Dataset", "DatasetInput", "InputTag", "LoggedModel", "LoggedModelInput", "LoggedModelOutput",
    "LoggedModelStatus", "RunInputs", "RunOutputs", "delete_logged_model_tag", "finalize_logged_model",
    "get_logged_model", "initialize_logged_model", "last_logged_model", "log_input", "log_model_params",
    "search_logged_models", "set_logged_model_tags",
    "MlflowClient", "create_experiment", "delete_experiment", "delete_experiment_tag", "flush_async_logging",
    "get_experiment", "get_experiment_by_name", "get_parent_run", "get_registry_uri", "get_run", "load_table",
    "log_image", "log_stream", "log_table", "search_experiments", "search_model_versions",
    "search_registered_models", "set_experiment_tag", "set_experiment_tags", "set_registry_uri",
]

# The rest of MLflow's fluent API, imported when first named (plain tracking never loads these modules).
_LAZY_MODULES = {
    "fluent_extras": (
        "MlflowClient", "create_experiment", "delete_experiment", "delete_experiment_tag", "flush_async_logging",
        "get_experiment", "get_experiment_by_name", "get_parent_run", "get_registry_uri", "get_run", "load_table",
        "log_image", "log_stream", "log_table", "search_experiments", "search_model_versions",
        "search_registered_models", "set_experiment_tag", "set_experiment_tags", "set_registry_uri"),
    "logged_models_fluent": (
        "delete_logged_model_tag", "finalize_logged_model", "get_logged_model", "initialize_logged_model",
        "last_logged_model", "log_input", "log_model_params", "search_logged_models", "set_logged_model_tags"),
    "registry_fluent": ("register_model",),
}
_LAZY_NAMES = {name: module for module, names in _LAZY_MODULES.items() for name in names}


def __getattr__(name: str):
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY_NAMES))
