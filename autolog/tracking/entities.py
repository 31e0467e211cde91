"""The records the tracking API hands out, shaped like MLflow's so code moves over unchanged.

Plain classes with ``__slots__`` rather than dataclasses: they are created by the
million when metric histories are read, and ``import autolog`` must stay cheap.
"""

from __future__ import annotations

import enum

__all__ = [
    "ViewType", "RunStatus", "LifecycleStage", "Metric", "Param", "RunTag", "RunInfo", "RunData",
    "Run", "Experiment", "FileInfo", "RegisteredModel", "ModelVersion", "PagedList",
]


class _Record:
    """Value semantics (repr, equality) from ``__slots__``."""

    __slots__ = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self.__slots__))


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
    """One point of a metric's history."""

    __slots__ = ("key", "value", "timestamp", "step",)

    def __init__(self, key, value, timestamp, step=0):
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step


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
    """A run: its info and its data."""

    __slots__ = ("info", "data",)

    def __init__(self, info, data):
        self.info = info
        self.data = data


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
