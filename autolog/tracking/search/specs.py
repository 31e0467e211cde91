"""What can be searched: each entity's table, attributes and key/value tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..system_keys import is_system_key, not_system_key_condition
from .nodes import METRIC, PARAM, TAG

__all__ = ["Attribute", "KeyTable", "EntitySpec", "RUNS", "EXPERIMENTS", "REGISTERED_MODELS", "MODEL_VERSIONS",
           "LOGGED_MODELS"]


@dataclass(frozen=True)
class Attribute:
    """A column of the entity's own table; numeric ones compare with numbers, the rest with strings."""

    column: str
    numeric: bool = False


@dataclass(frozen=True)
class KeyTable:
    """A (key, value) table with one row per entity and key; ``nan_column`` flags NaN stored as NULL;
    ``has_tie_breakers``: the table holds copies of the entity's tie-breaker columns, indexed after
    (key, value), so an order on one of its keys can be read from its index alone;
    ``system_keys_apart``: tracking's own keys (every run has several, few searches order by them) are
    left out of the index of descending values, which keeps each run's write small;
    ``value_index``: the table's index on (key, value, entity id), which tests an entity against an equality
    filter on a key's value with one probe of a small range of one index, read alone."""

    table: str
    numeric: bool = False
    nan_column: Optional[str] = None
    has_tie_breakers: bool = False
    system_keys_apart: bool = False
    value_index: str = ""

    def index_condition(self, key: str, column: str) -> str:
        """The SQL condition on ``column`` that a search for ``key`` states word for word so that every index
        holding that key can be used ('' when none is needed)."""
        return not_system_key_condition(column) if self.system_keys_apart and not is_system_key(key) else ""


@dataclass(frozen=True)
class EntitySpec:
    """How to search one entity: its table and alias, the columns its key tables join on,
    its attributes (names users type -> columns), its key tables per kind, and the
    order that makes results deterministic (appended after the user's order keys)."""

    entity: str
    table: str
    alias: str
    join_columns: tuple
    attributes: dict
    key_tables: dict = field(default_factory=dict)
    tie_breakers: tuple = ()
    # datasets.<key> -> an EXISTS subquery with one "{test}" slot for the condition on the dataset's column
    dataset_keys: dict = field(default_factory=dict)


_TEXT, _NUMBER = Attribute, lambda column: Attribute(column, True)

RUNS = EntitySpec(
    entity="runs", table="runs", alias="r", join_columns=("run_uuid",),
    attributes={
        "status": _TEXT("status"), "run_name": _TEXT("run_name"), "run_id": _TEXT("run_uuid"),
        "run_uuid": _TEXT("run_uuid"), "user": _TEXT("user_id"), "user_id": _TEXT("user_id"),
        "artifact_uri": _TEXT("artifact_uri"), "start_time": _NUMBER("start_time"),
        "created": _NUMBER("start_time"), "end_time": _NUMBER("end_time"),
        "duration": _NUMBER("end_time - r.start_time"),  # an expression on the aliased table, in ms
    },
    key_tables={
        METRIC: KeyTable("latest_metrics", numeric=True, nan_column="is_nan", has_tie_breakers=True),
        PARAM: KeyTable("params", has_tie_breakers=True, value_index="params_by_value"),
        TAG: KeyTable("tags", has_tie_breakers=True, system_keys_apart=True),
    },
    tie_breakers=(("r.start_time", False), ("r.run_uuid", True)),
    dataset_keys={
        key: "EXISTS (SELECT 1 FROM run_dataset_inputs di JOIN datasets ds ON ds.dataset_uuid = di.dataset_uuid"
             f" WHERE di.run_uuid = r.run_uuid AND {{test:ds.{key}}})" for key in ("name", "digest")
    } | {
        "context": "EXISTS (SELECT 1 FROM run_dataset_input_tags dt WHERE dt.run_uuid = r.run_uuid"
                   " AND dt.key = 'mlflow.data.context' AND {test:dt.value})",
    },
)

EXPERIMENTS = EntitySpec(
    entity="experiments", table="experiments", alias="e", join_columns=("experiment_id",),
    attributes={
        "name": _TEXT("name"), "experiment_id": _NUMBER("experiment_id"),
        "creation_time": _NUMBER("creation_time"), "last_update_time": _NUMBER("last_update_time"),
    },
    key_tables={TAG: KeyTable("experiment_tags")},
    tie_breakers=(("e.experiment_id", True),),
)

REGISTERED_MODELS = EntitySpec(
    entity="registered models", table="registered_models", alias="m", join_columns=("name",),
    attributes={
        "name": _TEXT("name"), "description": _TEXT("description"),
        "creation_timestamp": _NUMBER("creation_time"), "last_updated_timestamp": _NUMBER("last_updated_time"),
        "timestamp": _NUMBER("creation_time"),
    },
    key_tables={TAG: KeyTable("registered_model_tags")},
    tie_breakers=(("m.name", True),),
)

MODEL_VERSIONS = EntitySpec(
    entity="model versions", table="model_versions", alias="v", join_columns=("name", "version"),
    attributes={
        "name": _TEXT("name"), "version": _NUMBER("version"), "run_id": _TEXT("run_id"),
        "source": _TEXT("source"), "current_stage": _TEXT("current_stage"), "status": _TEXT("status"),
        "description": _TEXT("description"),
        "creation_timestamp": _NUMBER("creation_time"), "last_updated_timestamp": _NUMBER("last_updated_time"),
    },
    key_tables={TAG: KeyTable("model_version_tags")},
    tie_breakers=(("v.name", True), ("v.version", False)),
)

# A logged model's metric in a filter or order key is its latest point per key (highest step, then time).
_LATEST_MODEL_METRICS = (
    "(SELECT model_id, key, value, is_nan FROM (SELECT model_id, key, value, is_nan, ROW_NUMBER() OVER"
    " (PARTITION BY model_id, key ORDER BY step DESC, timestamp DESC) AS latest FROM logged_model_metrics)"
    " ranked WHERE latest = 1)")

LOGGED_MODELS = EntitySpec(
    entity="logged models", table="logged_models", alias="lm", join_columns=("model_id",),
    attributes={
        "name": _TEXT("name"), "model_id": _TEXT("model_id"), "model_type": _TEXT("model_type"),
        "status": _TEXT("status"), "source_run_id": _TEXT("source_run_id"),
        "artifact_location": _TEXT("artifact_location"),
        "creation_timestamp": _NUMBER("creation_timestamp"), "creation_time": _NUMBER("creation_timestamp"),
        "last_updated_timestamp": _NUMBER("last_updated_timestamp"),
    },
    key_tables={
        METRIC: KeyTable(_LATEST_MODEL_METRICS, numeric=True, nan_column="is_nan"),
        PARAM: KeyTable("logged_model_params"),
        TAG: KeyTable("logged_model_tags"),
    },
    tie_breakers=(("lm.creation_timestamp", False), ("lm.model_id", True)),
)
