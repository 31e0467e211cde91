"""Entities to MLflow's REST JSON and back (the protobuf JSON shapes, snake_case field names).

Artifact locations on the server's disk are shown to clients as ``mlflow-artifacts:/<path>``
(the proxy serves them); ``locations`` is the app's ArtifactLocations.
"""

from __future__ import annotations

from ..tracking.entities import Metric, Param, RunTag
from ..tracking.exceptions import InvalidInputError
from ..tracking.stores.json_values import float_json, key_values

__all__ = [
    "experiment_json", "run_json", "run_info_json", "metric_json", "float_json", "float_from_json",
    "registered_model_json", "model_version_json", "file_info_json", "key_values", "tags_from_json",
    "metrics_from_json", "params_from_json",
]


def float_from_json(value, what: str) -> float:
    """A number (or "NaN", "Infinity", "-Infinity") from JSON; raises InvalidInputError otherwise."""
    if isinstance(value, bool):
        raise InvalidInputError(f"Invalid {what} {value!r}: expected a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"Invalid {what} {value!r}: expected a number") from None


def experiment_json(experiment, locations) -> dict:
    """An Experiment in MLflow's JSON."""
    body = {"experiment_id": experiment.experiment_id, "name": experiment.name,
            "artifact_location": locations.to_client(experiment.artifact_location),
            "lifecycle_stage": experiment.lifecycle_stage, "tags": key_values(experiment.tags)}
    if experiment.creation_time is not None:
        body["creation_time"] = experiment.creation_time
    if experiment.last_update_time is not None:
        body["last_update_time"] = experiment.last_update_time
    return body


def run_info_json(info, locations) -> dict:
    """A RunInfo in MLflow's JSON (``run_uuid`` kept for older clients)."""
    body = {"run_id": info.run_id, "run_uuid": info.run_id, "run_name": info.run_name or "",
            "experiment_id": info.experiment_id, "user_id": info.user_id or "", "status": info.status,
            "start_time": info.start_time, "artifact_uri": locations.to_client(info.artifact_uri),
            "lifecycle_stage": info.lifecycle_stage}
    if info.end_time is not None:
        body["end_time"] = info.end_time
    return body


def metric_json(metric, run_id=None) -> dict:
    """A Metric point in MLflow's JSON."""
    body = {"key": metric.key, "value": float_json(metric.value), "timestamp": metric.timestamp,
            "step": metric.step}
    if run_id is not None:
        body["run_id"] = run_id
    return body


def _dataset_json(dataset) -> dict:
    fields = ("name", "digest", "source_type", "source", "schema", "profile")
    return {name: getattr(dataset, name) for name in fields if getattr(dataset, name, None) is not None}


def _input_tags(tags) -> list:
    if isinstance(tags, dict):
        return key_values(tags)
    return [{"key": tag.key, "value": tag.value} for tag in tags or []]


def _inputs_json(run) -> dict:
    inputs = getattr(run, "inputs", None)
    if inputs is None:
        return {}
    dataset_inputs = [{"tags": _input_tags(getattr(item, "tags", None)),
                       "dataset": _dataset_json(item.dataset)}
                      for item in (getattr(inputs, "dataset_inputs", None) or [])]
    model_inputs = [{"model_id": item.model_id} for item in (getattr(inputs, "model_inputs", None) or [])]
    return {"dataset_inputs": dataset_inputs, "model_inputs": model_inputs}


def _outputs_json(run) -> dict:
    outputs = getattr(run, "outputs", None)
    if outputs is None:
        return {}
    return {"model_outputs": [{"model_id": item.model_id, "step": item.step}
                              for item in (getattr(outputs, "model_outputs", None) or [])]}


def run_json(run, locations) -> dict:
    """A Run (info, data with latest metrics, inputs and outputs) in MLflow's JSON."""
    info = run.info
    metrics = [{"key": key, "value": float_json(value), "timestamp": info.start_time or 0, "step": 0}
               for key, value in run.data.metrics.items()]
    detailed = getattr(run.data, "_metric_objs", None)
    if detailed:
        metrics = [metric_json(metric) for metric in detailed]
    return {"info": run_info_json(info, locations),
            "data": {"metrics": metrics, "params": key_values(run.data.params), "tags": key_values(run.data.tags)},
            "inputs": _inputs_json(run), "outputs": _outputs_json(run)}


def model_version_json(version, locations=None) -> dict:
    """A ModelVersion in MLflow's JSON (aliases as a list of names)."""
    body = {"name": version.name, "version": str(version.version),
            "creation_timestamp": version.creation_timestamp,
            "last_updated_timestamp": version.last_updated_timestamp,
            "current_stage": version.current_stage, "description": version.description or "",
            "source": version.source or "", "run_id": version.run_id or "", "status": version.status,
            "tags": key_values(version.tags), "aliases": list(version.aliases)}
    model_id = getattr(version, "model_id", None)
    if model_id:
        body["model_id"] = model_id
    return body


def registered_model_json(model) -> dict:
    """A RegisteredModel in MLflow's JSON (aliases as {alias, version} objects)."""
    return {"name": model.name, "creation_timestamp": model.creation_timestamp,
            "last_updated_timestamp": model.last_updated_timestamp, "description": model.description or "",
            "tags": key_values(model.tags),
            "aliases": [{"alias": alias, "version": str(version)} for alias, version in model.aliases.items()],
            "latest_versions": [model_version_json(version) for version in model.latest_versions]}


def file_info_json(info, path=None) -> dict:
    """A FileInfo in MLflow's JSON; ``path`` replaces the entry's own path when given."""
    body = {"path": info.path if path is None else path, "is_dir": info.is_dir}
    if info.file_size is not None:
        body["file_size"] = info.file_size
    return body


def _key_value_list(items, what: str) -> list:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInputError(f"Invalid {what}: expected a list of {{\"key\", \"value\"}} objects")
    pairs = []
    for item in items:
        key, value = item.get("key"), item.get("value", "")
        if not isinstance(key, str):
            raise InvalidInputError(f"Invalid {what} entry {item!r}: 'key' must be a string")
        pairs.append((key, "" if value is None else str(value)))
    return pairs


def tags_from_json(items) -> list:
    """RunTags from a JSON list of {"key", "value"}; raises InvalidInputError when malformed."""
    return [RunTag(key, value) for key, value in _key_value_list(items, "tags")]


def params_from_json(items) -> list:
    """Params from a JSON list of {"key", "value"}; raises InvalidInputError when malformed."""
    return [Param(key, value) for key, value in _key_value_list(items, "params")]


def metrics_from_json(items) -> list:
    """Metrics from a JSON list of {"key", "value", "timestamp", "step"}; raises InvalidInputError."""
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInputError("Invalid metrics: expected a list of metric objects")
    metrics = []
    for item in items:
        key = item.get("key")
        if not isinstance(key, str):
            raise InvalidInputError(f"Invalid metric {item!r}: 'key' must be a string")
        metrics.append(Metric(key, float_from_json(item.get("value"), f"value of metric {key!r}"),
                              _int(item.get("timestamp", 0), "timestamp"), _int(item.get("step", 0), "step"),
                              item.get("model_id") or None, item.get("dataset_name") or None,
                              item.get("dataset_digest") or None))
    return metrics


def _int(value, what: str) -> int:
    if isinstance(value, bool):
        raise InvalidInputError(f"Invalid {what} {value!r}: expected an integer")
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise InvalidInputError(f"Invalid {what} {value!r}: expected an integer") from None


def logged_model_json(model, locations) -> dict:
    """A LoggedModel in MLflow 3's JSON ({info, data})."""
    info = {"model_id": model.model_id, "experiment_id": str(model.experiment_id), "name": model.name,
            "creation_timestamp_ms": model.creation_timestamp, "last_updated_timestamp_ms": model.last_updated_timestamp,
            "artifact_uri": locations.to_client(model.artifact_location), "status": model.status.to_proto(),
            "tags": key_values(model.tags)}
    for field in ("model_type", "source_run_id", "status_message"):
        if getattr(model, field, None):
            info[field] = getattr(model, field)
    metrics = []
    for metric in model.metrics or []:
        body = metric_json(metric)
        for field in ("model_id", "dataset_name", "dataset_digest", "run_id"):
            if getattr(metric, field, None):
                body[field] = getattr(metric, field)
        metrics.append(body)
    return {"info": info, "data": {"params": key_values(model.params), "metrics": metrics}}


def dataset_inputs_from_json(items) -> list:
    """DatasetInputs from log-inputs' ``datasets``; raises InvalidInputError when malformed."""
    from ..tracking.entities import Dataset, DatasetInput, InputTag

    inputs = []
    for item in items or []:
        dataset = item.get("dataset") if isinstance(item, dict) else None
        if not isinstance(dataset, dict) or not dataset.get("name") or not dataset.get("digest"):
            raise InvalidInputError(f"Invalid dataset input {item!r}: it needs a dataset with a name and digest")
        fields = {name: dataset.get(name) for name in ("source_type", "source", "schema", "profile")}
        tags = [InputTag(key, value) for key, value in _key_value_list(item.get("tags"), "dataset input tags")]
        inputs.append(DatasetInput(Dataset(dataset["name"], dataset["digest"], fields["source_type"] or "",
                                           fields["source"] or "", fields["schema"], fields["profile"]), tags))
    return inputs


def _model_ids(items, what: str) -> list:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("model_id") for i in items):
        raise InvalidInputError(f"Invalid {what}: expected a list of {{\"model_id\": ...}} objects")
    return items


def model_inputs_from_json(items) -> list:
    """LoggedModelInputs from log-inputs' ``models``."""
    from ..tracking.entities import LoggedModelInput

    return [LoggedModelInput(item["model_id"]) for item in _model_ids(items, "model inputs")]


def model_outputs_from_json(items) -> list:
    """LoggedModelOutputs from outputs' ``models``."""
    from ..tracking.entities import LoggedModelOutput

    return [LoggedModelOutput(item["model_id"], _int(item.get("step", 0), "step"))
            for item in _model_ids(items, "model outputs")]


def metric_columns_from_json(items) -> tuple:
    """(keys, values, timestamps, steps) columns from a JSON metric list, without a Metric per point
    (the log-batch hot path); raises InvalidInputError when malformed."""
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInputError("Invalid metrics: expected a list of metric objects")
    try:
        keys = [item["key"] for item in items]
        values = [item["value"] for item in items]
    except KeyError as missing:
        raise InvalidInputError(f"Invalid metrics: every metric needs {missing}") from None
    if not all(isinstance(key, str) for key in keys):
        raise InvalidInputError("Invalid metrics: every 'key' must be a string")
    if set(map(type, values)) <= {float, int}:
        values = [float(value) for value in values]
    else:
        values = [float_from_json(value, f"value of metric {key!r}") for key, value in zip(keys, values)]
    stamps = [item.get("timestamp") or 0 for item in items]
    steps = [item.get("step") or 0 for item in items]
    if not set(map(type, stamps)) <= {int}:
        stamps = [_int(stamp, "timestamp") for stamp in stamps]
    if not set(map(type, steps)) <= {int}:
        steps = [_int(step, "step") for step in steps]
    return keys, values, stamps, steps
