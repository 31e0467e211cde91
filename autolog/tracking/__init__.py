"""autolog.tracking: experiments, runs, artifacts, search and the model registry."""

from .client import Client
from .entities import (Experiment, FileInfo, LifecycleStage, Metric, ModelVersion, Param, RegisteredModel, Run,
                       RunData, RunInfo, RunStatus, RunTag, ViewType)
from .exceptions import AlreadyExistsError, AutologError, InvalidInputError, NotFoundError, StoreError
from .fluent import (ActiveRun, active_run, delete_tag, end_run, flush, get_artifact_uri, get_experiment_id,
                     get_tracking_uri, last_active_run, log_artifact, log_artifacts, log_dict, log_figure,
                     log_metric, log_metrics, log_param, log_params, log_text, search_runs, set_experiment,
                     set_tag, set_tags, set_tracking_uri, start_run)
from .registry_fluent import register_model

__all__ = [
    "Client", "Experiment", "FileInfo", "LifecycleStage", "Metric", "ModelVersion", "Param", "RegisteredModel",
    "Run", "RunData", "RunInfo", "RunStatus", "RunTag", "ViewType", "AlreadyExistsError", "AutologError",
    "InvalidInputError", "NotFoundError", "StoreError", "ActiveRun", "active_run", "delete_tag", "end_run",
    "flush", "get_artifact_uri", "get_experiment_id", "get_tracking_uri", "last_active_run", "log_artifact",
    "log_artifacts", "log_dict", "log_figure", "log_metric", "log_metrics", "log_param", "log_params",
    "log_text", "register_model", "search_runs", "set_experiment", "set_tag", "set_tags", "set_tracking_uri",
    "start_run",
]
