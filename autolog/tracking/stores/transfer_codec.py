"""Copies of whole records (imports with their own ids) as JSON, between the REST store and the server.

Floats that JSON cannot hold (NaN, infinities) travel as the strings protobuf JSON uses.
"""

from __future__ import annotations

from ..entities import (Dataset, DatasetInput, Experiment, InputTag, LoggedModel, Metric, ModelVersion,
                        RegisteredModel, Run, RunData, RunInfo)
from .json_values import float_json

__all__ = ["experiment_to_json", "experiment_from_json", "run_entry_to_json", "run_entry_from_json",
           "registered_model_to_json", "registered_model_from_json", "version_to_json", "version_from_json",
           "logged_model_to_json", "logged_model_from_json"]

_DATASET_FIELDS = ("name", "digest", "source_type", "source", "schema", "profile")


def experiment_to_json(experiment) -> dict:
    """An Experiment with its id, times and tags."""
    return {"experiment_id": str(experiment.experiment_id), "name": experiment.name,
            "lifecycle_stage": experiment.lifecycle_stage, "creation_time": experiment.creation_time,
            "last_update_time": experiment.last_update_time, "tags": dict(experiment.tags or {})}


def experiment_from_json(body: dict) -> Experiment:
    """Inverse of experiment_to_json."""
    return Experiment(str(body["experiment_id"]), body["name"], None, body.get("lifecycle_stage") or "active",
                      dict(body.get("tags") or {}), body.get("creation_time"), body.get("last_update_time"))


def run_entry_to_json(run, experiment_id, metrics, deleted_time, inputs) -> dict:
    """One ``import_runs`` entry: the run, its experiment here, metric columns, deletion time, inputs."""
    info = run.info
    keys, values, stamps, steps = metrics or ([], [], [], [])
    return {
        "info": {"run_id": info.run_id, "run_name": info.run_name, "user_id": info.user_id, "status": info.status,
                 "start_time": info.start_time, "end_time": info.end_time, "lifecycle_stage": info.lifecycle_stage},
        "experiment_id": str(experiment_id), "params": dict(run.data.params), "tags": dict(run.data.tags),
        "metrics": {"keys": list(keys), "values": [float_json(v) for v in values], "timestamps": list(stamps),
                    "steps": list(steps)},
        "deleted_time": deleted_time,
        "inputs": [{"dataset": {name: getattr(item.dataset, name) for name in _DATASET_FIELDS},
                    "tags": {tag.key: tag.value for tag in item.tags or ()}} for item in inputs or ()]}


def run_entry_from_json(body: dict) -> tuple:
    """Inverse of run_entry_to_json: (run, experiment id, metric columns, deleted time, inputs)."""
    info = body["info"]
    run = Run(RunInfo(info["run_id"], str(body["experiment_id"]), info.get("run_name"), info.get("user_id"),
                      info.get("status") or "FINISHED", info.get("start_time"), info.get("end_time"), None,
                      info.get("lifecycle_stage") or "active"),
              RunData(params=dict(body.get("params") or {}), tags=dict(body.get("tags") or {})))
    metrics = body.get("metrics") or {}
    columns = (list(metrics.get("keys") or []), [float(v) for v in metrics.get("values") or []],
               [int(t) for t in metrics.get("timestamps") or []], [int(s) for s in metrics.get("steps") or []])
    inputs = [DatasetInput(Dataset(*(item["dataset"].get(name) for name in _DATASET_FIELDS)),
                           [InputTag(k, v) for k, v in (item.get("tags") or {}).items()])
              for item in body.get("inputs") or []]
    return run, str(body["experiment_id"]), columns, body.get("deleted_time"), inputs


def registered_model_to_json(model) -> dict:
    """A RegisteredModel's own fields (its versions travel separately)."""
    return {"name": model.name, "creation_timestamp": model.creation_timestamp,
            "last_updated_timestamp": model.last_updated_timestamp, "description": model.description,
            "tags": dict(model.tags or {})}


def registered_model_from_json(body: dict) -> RegisteredModel:
    """Inverse of registered_model_to_json."""
    return RegisteredModel(body["name"], body.get("creation_timestamp"), body.get("last_updated_timestamp"),
                           body.get("description"), dict(body.get("tags") or {}))


def version_to_json(version) -> dict:
    """A ModelVersion with its number, stage, tags and aliases."""
    fields = ("name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage", "description",
              "source", "run_id", "status")
    body = {name: getattr(version, name) for name in fields}
    body.update(version=str(version.version), tags=dict(version.tags or {}), aliases=list(version.aliases or []))
    return body


def version_from_json(body: dict) -> ModelVersion:
    """Inverse of version_to_json."""
    return ModelVersion(body["name"], str(body["version"]), body.get("creation_timestamp"),
                        body.get("last_updated_timestamp"), body.get("current_stage") or "None",
                        body.get("description"), body.get("source"), body.get("run_id"),
                        body.get("status") or "READY", dict(body.get("tags") or {}), list(body.get("aliases") or []))


def logged_model_to_json(model) -> dict:
    """A LoggedModel with its params, tags and metrics (its files travel separately)."""
    return {"model_id": model.model_id, "experiment_id": str(model.experiment_id), "name": model.name,
            "creation_timestamp": model.creation_timestamp, "last_updated_timestamp": model.last_updated_timestamp,
            "model_type": model.model_type, "source_run_id": model.source_run_id,
            "status": getattr(model.status, "value", model.status), "status_message": model.status_message,
            "tags": dict(model.tags or {}), "params": dict(model.params or {}),
            "metrics": [{"key": m.key, "value": float_json(m.value), "timestamp": m.timestamp, "step": m.step,
                         "run_id": getattr(m, "run_id", None), "dataset_name": getattr(m, "dataset_name", None),
                         "dataset_digest": getattr(m, "dataset_digest", None)} for m in model.metrics or ()]}


def logged_model_from_json(body: dict) -> LoggedModel:
    """Inverse of logged_model_to_json."""
    metrics = [Metric(m["key"], float(m["value"]), m["timestamp"], m.get("step") or 0, body["model_id"],
                      m.get("dataset_name"), m.get("dataset_digest"), m.get("run_id"))
               for m in body.get("metrics") or []]
    return LoggedModel(str(body["experiment_id"]), body["model_id"], body["name"], None, body.get("creation_timestamp"),
                       body.get("last_updated_timestamp"), body.get("model_type"), body.get("source_run_id"),
                       body.get("status") or "READY", body.get("status_message"), dict(body.get("tags") or {}),
                       dict(body.get("params") or {}), metrics)
