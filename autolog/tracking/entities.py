"""The records the tracking API hands out, shaped like MLflow's so code moves over unchanged."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

__all__ = [
    "ViewType", "RunStatus", "LifecycleStage", "Metric", "Param", "RunTag", "RunInfo", "RunData",
    "Run", "Experiment", "FileInfo", "RegisteredModel", "ModelVersion", "PagedList",
]


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


@dataclass(frozen=True)
class Metric:
    """One point of a metric's history."""

    key: str
    value: float
    timestamp: int
    step: int = 0


@dataclass(frozen=True)
class Param:
    """A run parameter; values are stored as strings."""

    key: str
    value: str


@dataclass(frozen=True)
class RunTag:
    """A run tag; values are stored as strings."""

    key: str
    value: str


@dataclass
class RunInfo:
    """Identity, timing and location of a run."""

    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    status: str
    start_time: Optional[int]
    end_time: Optional[int]
    artifact_uri: str
    lifecycle_stage: str = LifecycleStage.ACTIVE

    @property
    def run_uuid(self) -> str:
        """The run id, under the older name some code still uses."""
        return self.run_id


@dataclass
class RunData:
    """What a run recorded: params and tags as str->str, metrics as the latest value per key."""

    metrics: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)


@dataclass
class Run:
    """A run: its info and its data."""

    info: RunInfo
    data: RunData


@dataclass
class Experiment:
    """A named group of runs with its own artifact location."""

    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE
    tags: dict = field(default_factory=dict)
    creation_time: Optional[int] = None
    last_update_time: Optional[int] = None


@dataclass(frozen=True)
class FileInfo:
    """An entry of a run's artifact tree; ``file_size`` is None for directories."""

    path: str
    is_dir: bool
    file_size: Optional[int]


@dataclass
class RegisteredModel:
    """A named model in the registry, with its latest version per stage and its aliases."""

    name: str
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    description: Optional[str] = None
    tags: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)
    latest_versions: list = field(default_factory=list)


@dataclass
class ModelVersion:
    """One version of a registered model."""

    name: str
    version: str
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    current_stage: str = "None"
    description: Optional[str] = None
    source: Optional[str] = None
    run_id: Optional[str] = None
    status: str = "READY"
    tags: dict = field(default_factory=dict)
    aliases: list = field(default_factory=list)
    storage_location: Optional[str] = None


class PagedList(list):
    """A list of results with the token that fetches the next page (None on the last page)."""

    def __init__(self, items, token: Optional[str] = None):
        super().__init__(items)
        self.token = token
