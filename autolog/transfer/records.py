"""What a source hands the writer: store-neutral records of experiments, runs and registry entries."""

from __future__ import annotations

__all__ = ["RunRecord", "VersionRecord", "LoggedModelRecord", "dataset_input", "metric_columns"]


class RunRecord:
    """One run to copy: the Run entity, its full metric history, where its files are and when it was deleted.

    ``metrics`` holds (keys, values, timestamps, steps) columns, the shape ``log_batch`` takes;
    ``artifact_location`` is a local path or URI of the run's artifact root (None: no files);
    ``inputs`` holds the run's dataset inputs as the source store gave them.
    """

    __slots__ = ("run", "metrics", "artifact_location", "deleted_time", "inputs")

    def __init__(self, run, metrics=None, artifact_location=None, deleted_time=None, inputs=()):
        self.run = run
        self.metrics = metrics or ([], [], [], [])
        self.artifact_location = artifact_location
        self.deleted_time = deleted_time
        self.inputs = list(inputs)

    @property
    def run_id(self) -> str:
        """The run's id, kept in the destination."""
        return self.run.info.run_id

    @property
    def point_count(self) -> int:
        """How many metric points the run's history holds."""
        return len(self.metrics[0])


class VersionRecord:
    """One model version to copy: the ModelVersion entity and where its files are (a local path or URI)."""

    __slots__ = ("version", "files_location")

    def __init__(self, version, files_location):
        self.version = version
        self.files_location = files_location


class LoggedModelRecord:
    """One logged model to copy: the LoggedModel entity (params, tags, metrics), where its files are,
    the runs that wrote it as (run id, step) pairs, and whether it is deleted."""

    __slots__ = ("model", "files_location", "outputs", "lifecycle_stage")

    def __init__(self, model, files_location, outputs=(), lifecycle_stage="active"):
        self.model = model
        self.files_location = files_location
        self.outputs = list(outputs)
        self.lifecycle_stage = lifecycle_stage or "active"


def dataset_input(name, digest, source_type, source, schema=None, profile=None, tags=None):
    """A DatasetInput entity from the fields MLflow stores; ``tags`` is a dict."""
    from ..tracking.entities import Dataset, DatasetInput, InputTag

    return DatasetInput(Dataset(name, digest, source_type, source, schema, profile),
                        [InputTag(key, value) for key, value in (tags or {}).items()])


def metric_columns(points) -> tuple:
    """(keys, values, timestamps, steps) columns from (key, value, timestamp, step) tuples."""
    keys, values, stamps, steps = [], [], [], []
    for key, value, stamp, step in points:
        keys.append(key)
        values.append(value)
        stamps.append(stamp)
        steps.append(step)
    return keys, values, stamps, steps
