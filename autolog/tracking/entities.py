"""The records the tracking API hands out, shaped like MLflow's so code moves over unchanged.

Plain classes with ``__slots__`` rather than dataclasses: they are created by the
million when metric histories are read, and ``import autolog`` must stay cheap.
"""

from __future__ import annotations

import enum

__all__ = [
    "ViewType", "RunStatus", "LifecycleStage", "Metric", "Param", "RunTag", "RunInfo", "RunData",
    "Run", "Experiment", "FileInfo", "RegisteredModel", "ModelVersion", "PagedList",
    "LoggedModel", "LoggedModelStatus", "LoggedModelTag", "LoggedModelParameter", "LoggedModelInput",
    "LoggedModelOutput", "Dataset", "DatasetInput", "InputTag", "RunInputs", "RunOutputs",
]


class _Record:
    """Value semantics (repr, equality) from ``_fields`` (``__slots__`` unless a class names others)."""

    __slots__ = ()

    @property
    def _fields(self) -> tuple:
        return self.__slots__

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._fields)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self._fields))


class ViewType(enum.IntEnum):
    """Which lifecycle stages a search returns."""

    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3


class RunStatus:
    """The states a run can be in."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"
    ALL = (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)
    TERMINATED = (FINISHED, FAILED, KILLED)

    @staticmethod
    def to_string(status) -> str:
        """The status's name; MLflow's integer codes (1 RUNNING ... 5 KILLED) are accepted too.

        Raises ValueError for an unknown status.
        """
        if isinstance(status, int) and not isinstance(status, bool) and 1 <= status <= len(RunStatus.ALL):
            return RunStatus.ALL[status - 1]
        if status in RunStatus.ALL:
            return status
        raise ValueError(f"Invalid run status {status!r}: expected one of {', '.join(RunStatus.ALL)}")

    @staticmethod
    def from_string(status_str: str) -> str:
        """The status named ``status_str`` (statuses are their names here); raises ValueError when unknown."""
        if status_str not in RunStatus.ALL:
            raise ValueError(f"Invalid run status {status_str!r}: expected one of {', '.join(RunStatus.ALL)}")
        return status_str

    @staticmethod
    def is_terminated(status) -> bool:
        """True for FINISHED, FAILED and KILLED."""
        return RunStatus.to_string(status) in RunStatus.TERMINATED

    @staticmethod
    def all_status() -> list:
        """Every status."""
        return list(RunStatus.ALL)


class LifecycleStage:
    """Whether an experiment or run is visible or soft-deleted."""

    ACTIVE = "active"
    DELETED = "deleted"

    @staticmethod
    def matching(view_type: ViewType) -> tuple:
        """Return the lifecycle stages a search with ``view_type`` should include."""
        view_type = ViewType(view_type)
        if view_type == ViewType.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE,)
        if view_type == ViewType.DELETED_ONLY:
            return (LifecycleStage.DELETED,)
        return (LifecycleStage.ACTIVE, LifecycleStage.DELETED)


class Metric(_Record):
    """One point of a metric's history.

    As in MLflow 3, a point may name the logged model it measures and the dataset it was
    computed on (``model_id``, ``dataset_name``, ``dataset_digest``, ``run_id``); those are
    kept in one optional slot so the millions of plain points read from histories stay cheap.
    """

    __slots__ = ("key", "value", "timestamp", "step", "_links")
    _fields = ("key", "value", "timestamp", "step", "model_id", "dataset_name", "dataset_digest", "run_id")

    def __init__(self, key, value, timestamp, step=0, model_id=None, dataset_name=None, dataset_digest=None,
                 run_id=None):
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        if model_id is not None or dataset_name is not None or dataset_digest is not None or run_id is not None:
            self._links = (model_id, dataset_name, dataset_digest, run_id)
        else:  # always set, so log_batch tells plain points from linked ones without a Python-level loop
            self._links = None

    def _link(self, index: int):
        links = getattr(self, "_links", None)  # absent on a point unpickled from an older autolog
        return None if links is None else links[index]

    @property
    def model_id(self):
        """The id of the logged model this point measures, or None."""
        return self._link(0)

    @property
    def dataset_name(self):
        """The name of the dataset this point was computed on, or None."""
        return self._link(1)

    @property
    def dataset_digest(self):
        """The digest of the dataset this point was computed on, or None."""
        return self._link(2)

    @property
    def run_id(self):
        """The run that logged this point, when it is read through a logged model; else None."""
        return self._link(3)


class Param(_Record):
    """A run parameter; values are stored as strings."""

    __slots__ = ("key", "value",)

    def __init__(self, key, value):
        self.key = key
        self.value = value


class RunTag(_Record):
    """A run tag; values are stored as strings."""

    __slots__ = ("key", "value",)

    def __init__(self, key, value):
        self.key = key
        self.value = value


class RunInfo(_Record):
    """Identity, timing and location of a run."""

    __slots__ = ("run_id", "experiment_id", "run_name", "user_id", "status", "start_time", "end_time",
                 "artifact_uri", "lifecycle_stage")

    def __init__(self, run_id, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri,
                 lifecycle_stage=LifecycleStage.ACTIVE):
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.run_name = run_name
        self.user_id = user_id
        self.status = status
        self.start_time = start_time
        self.end_time = end_time
        self.artifact_uri = artifact_uri
        self.lifecycle_stage = lifecycle_stage

    @property
    def run_uuid(self) -> str:
        """The run id, under the older name some code still uses."""
        return self.run_id


class RunData(_Record):
    """What a run recorded: params and tags as str->str, metrics as the latest value per key."""

    __slots__ = ("metrics", "params", "tags",)

    def __init__(self, metrics=None, params=None, tags=None):
        self.metrics = dict() if metrics is None else metrics
        self.params = dict() if params is None else params
        self.tags = dict() if tags is None else tags


class Run(_Record):
    """A run: its info, its data, and (MLflow 3) the datasets and models it read and the models it wrote."""

    __slots__ = ("info", "data", "inputs", "outputs")

    def __init__(self, info, data, inputs=None, outputs=None):
        self.info = info
        self.data = data
        self.inputs = RunInputs() if inputs is None else inputs
        self.outputs = RunOutputs() if outputs is None else outputs


class Experiment(_Record):
    """A named group of runs with its own artifact location."""

    __slots__ = ("experiment_id", "name", "artifact_location", "lifecycle_stage", "tags", "creation_time",
                 "last_update_time")

    def __init__(self, experiment_id, name, artifact_location, lifecycle_stage=LifecycleStage.ACTIVE,
                 tags=None, creation_time=None, last_update_time=None):
        self.experiment_id = experiment_id
        self.name = name
        self.artifact_location = artifact_location
        self.lifecycle_stage = lifecycle_stage
        self.tags = dict() if tags is None else tags
        self.creation_time = creation_time
        self.last_update_time = last_update_time


class FileInfo(_Record):
    """An entry of a run's artifact tree; ``file_size`` is None for directories."""

    __slots__ = ("path", "is_dir", "file_size",)

    def __init__(self, path, is_dir, file_size):
        self.path = path
        self.is_dir = is_dir
        self.file_size = file_size


class RegisteredModel(_Record):
    """A named model in the registry, with its latest version per stage and its aliases."""

    __slots__ = ("name", "creation_timestamp", "last_updated_timestamp", "description", "tags", "aliases",
                 "latest_versions")

    def __init__(self, name, creation_timestamp=None, last_updated_timestamp=None, description=None,
                 tags=None, aliases=None, latest_versions=None):
        self.name = name
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = last_updated_timestamp
        self.description = description
        self.tags = dict() if tags is None else tags
        self.aliases = dict() if aliases is None else aliases
        self.latest_versions = list() if latest_versions is None else latest_versions


class ModelVersion(_Record):
    """One version of a registered model."""

    __slots__ = ("name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage",
                 "description", "source", "run_id", "status", "tags", "aliases", "storage_location")

    def __init__(self, name, version, creation_timestamp=None, last_updated_timestamp=None,
                 current_stage="None", description=None, source=None, run_id=None, status="READY", tags=None,
                 aliases=None, storage_location=None):
        self.name = name
        self.version = version
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = last_updated_timestamp
        self.current_stage = current_stage
        self.description = description
        self.source = source
        self.run_id = run_id
        self.status = status
        self.tags = dict() if tags is None else tags
        self.aliases = list() if aliases is None else aliases
        self.storage_location = storage_location


class PagedList(list):
    """A list of results with the token that fetches the next page (None on the last page)."""

    def __init__(self, items, token=None):
        super().__init__(items)
        self.token = token


class LoggedModelStatus(str, enum.Enum):
    """Where a logged model's upload stands: PENDING while its files are written, then READY or FAILED."""

    UNSPECIFIED = "UNSPECIFIED"
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def is_finalized(status) -> bool:
        """True for READY and FAILED: no further status change follows."""
        return status in (LoggedModelStatus.READY, LoggedModelStatus.FAILED)

    def to_proto(self) -> str:
        """The name MLflow's REST API uses for this status ("LOGGED_MODEL_READY"...)."""
        return _LOGGED_MODEL_WIRE_NAMES[self.value]

    @classmethod
    def from_value(cls, value) -> "LoggedModelStatus":
        """The status a name ("READY"), a wire value ("LOGGED_MODEL_READY") or a member stands for.

        Raises ValueError for anything else.
        """
        if isinstance(value, cls):
            return value
        text = str(value)
        for member in cls:
            if text in (member.value, _LOGGED_MODEL_WIRE_NAMES[member.value]):
                return member
        raise ValueError(f"Invalid logged model status {value!r}: expected one of PENDING, READY, FAILED")


_LOGGED_MODEL_WIRE_NAMES = {"UNSPECIFIED": "LOGGED_MODEL_STATUS_UNSPECIFIED", "PENDING": "LOGGED_MODEL_PENDING",
                             "READY": "LOGGED_MODEL_READY", "FAILED": "LOGGED_MODEL_UPLOAD_FAILED"}


class LoggedModelTag(_Record):
    """A logged model's tag."""

    __slots__ = ("key", "value",)

    def __init__(self, key, value):
        self.key = key
        self.value = value


class LoggedModelParameter(_Record):
    """A logged model's parameter (a string, as run params are)."""

    __slots__ = ("key", "value",)

    def __init__(self, key, value):
        self.key = key
        self.value = value


class LoggedModel(_Record):
    """A model logged by a run (MLflow 3): its id ``m-<hex>``, where its files live, its status, params,
    tags and the metrics logged against it."""

    __slots__ = ("model_id", "experiment_id", "name", "artifact_location", "creation_timestamp",
                 "last_updated_timestamp", "model_type", "source_run_id", "status", "status_message", "tags",
                 "params", "metrics")

    def __init__(self, experiment_id, model_id, name, artifact_location, creation_timestamp,
                 last_updated_timestamp, model_type=None, source_run_id=None, status=LoggedModelStatus.READY,
                 status_message=None, tags=None, params=None, metrics=None):
        self.model_id = model_id
        self.experiment_id = experiment_id
        self.name = name
        self.artifact_location = artifact_location
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = last_updated_timestamp
        self.model_type = model_type
        self.source_run_id = source_run_id
        self.status = LoggedModelStatus.from_value(status)
        self.status_message = status_message
        self.tags = dict() if tags is None else tags
        self.params = dict() if params is None else params
        self.metrics = list() if metrics is None else metrics

    @property
    def model_uri(self) -> str:
        """``models:/<model_id>``, the URI that loads this model."""
        return f"models:/{self.model_id}"


class LoggedModelInput(_Record):
    """A logged model a run read (a run's model input)."""

    __slots__ = ("model_id",)

    def __init__(self, model_id):
        self.model_id = model_id


class LoggedModelOutput(_Record):
    """A logged model a run wrote, at a training step."""

    __slots__ = ("model_id", "step")

    def __init__(self, model_id, step=0):
        self.model_id = model_id
        self.step = step


class Dataset(_Record):
    """A dataset as runs record it: a name, a content digest, where it came from, its schema and profile
    (``schema`` and ``profile`` are JSON text)."""

    __slots__ = ("name", "digest", "source_type", "source", "schema", "profile")

    def __init__(self, name, digest, source_type, source, schema=None, profile=None):
        self.name = name
        self.digest = digest
        self.source_type = source_type
        self.source = source
        self.schema = schema
        self.profile = profile


class InputTag(_Record):
    """A tag of a dataset input, such as ``mlflow.data.context`` = ``training``."""

    __slots__ = ("key", "value",)

    def __init__(self, key, value):
        self.key = key
        self.value = value


class DatasetInput(_Record):
    """A dataset a run read, with the input's tags (its context: training, eval...)."""

    __slots__ = ("dataset", "tags")

    def __init__(self, dataset, tags=None):
        self.dataset = dataset
        self.tags = list() if tags is None else tags


class RunInputs(_Record):
    """What a run read: datasets and logged models."""

    __slots__ = ("dataset_inputs", "model_inputs")

    def __init__(self, dataset_inputs=None, model_inputs=None):
        self.dataset_inputs = list() if dataset_inputs is None else dataset_inputs
        self.model_inputs = list() if model_inputs is None else model_inputs


class RunOutputs(_Record):
    """What a run wrote: logged models."""

    __slots__ = ("model_outputs",)

    def __init__(self, model_outputs=None):
        self.model_outputs = list() if model_outputs is None else model_outputs
