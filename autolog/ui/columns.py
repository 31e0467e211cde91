"""The runs table's columns: the fixed ones, the chosen params/metrics/tags, their sort keys and cells."""

from __future__ import annotations

import os
import re

from ._render import format_duration, format_time, format_value

__all__ = ["FIXED_COLUMNS", "Column", "chosen_columns", "sort_key_of", "quote_key", "available_keys", "shown_keys",
           "cell", "FIXED_TAGS"]

KINDS = {"metrics": "metrics", "params": "params", "tags": "tags"}
_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_.\-/:]+$")


class Column:
    """One column of the runs table: its id (in the URL), heading and the order key that sorts by it."""

    __slots__ = ("id", "label", "sort_key", "kind", "key")

    def __init__(self, column_id: str, label: str, sort_key, kind=None, key=None):
        self.id, self.label, self.sort_key, self.kind, self.key = column_id, label, sort_key, kind, key


FIXED_COLUMNS = [
    Column("run_name", "Run", "attributes.run_name"),
    Column("status", "Status", "attributes.status"),
    Column("start_time", "Started (UTC)", "attributes.start_time"),
    Column("duration", "Duration", "attributes.duration"),
    Column("user", "User", "attributes.user_id"),
    Column("source", "Source", "tags.mlflow.source.name"),
    Column("commit", "Commit", "tags.mlflow.source.git.commit"),
]


#: the tags the fixed columns and the nesting read
FIXED_TAGS = ("mlflow.source.name", "mlflow.source.git.commit", "mlflow.user", "mlflow.parentRunId")


def quote_key(key: str) -> str:
    """A key as the filter DSL reads it: bare when simple, else in backticks."""
    return key if _SIMPLE_KEY.match(key) and "`" not in key else f"`{key}`"


def chosen_columns(column_ids) -> list:
    """Columns for ids such as 'metrics.rmse', 'params.alpha', 'tags.model'; unknown kinds are skipped."""
    columns, seen = [], set()
    for column_id in column_ids:
        kind, _, key = column_id.partition(".")
        if kind in KINDS and key and column_id not in seen:
            seen.add(column_id)
            columns.append(Column(column_id, key, f"{kind}.{quote_key(key)}", kind, key))
    return columns


def sort_key_of(column_id: str):
    """The order key for a column id, or None for an id that is no column."""
    for column in FIXED_COLUMNS:
        if column.id == column_id:
            return column.sort_key
    chosen = chosen_columns([column_id])
    return chosen[0].sort_key if chosen else None


def available_keys(keys: dict) -> dict:
    """The chooser's keys: ``keys`` ({'metrics', 'params', 'tags'} lists) less the system tags."""
    return {"metrics": keys["metrics"], "params": keys["params"],
            "tags": [key for key in keys["tags"] if not key.startswith("mlflow.")]}


def shown_keys(columns) -> dict:
    """{'params': [...], 'metrics': [...], 'tags': [...]}: the keys whose values ``columns`` show."""
    keys = {"params": [], "metrics": [], "tags": list(FIXED_TAGS)}
    for column in columns:
        if column.kind is not None:
            keys[column.kind].append(column.key)
    return keys


def cell(run, column: Column) -> str:
    """The text of ``run``'s cell in ``column``."""
    info, tags = run.info, run.data.tags
    if column.kind is not None:
        return format_value(getattr(run.data, column.kind).get(column.key))
    if column.id == "run_name":
        return info.run_name or info.run_id[:8]
    if column.id == "status":
        return info.status
    if column.id == "start_time":
        return format_time(info.start_time)
    if column.id == "duration":
        return format_duration(info.start_time, info.end_time)
    if column.id == "user":
        return info.user_id or tags.get("mlflow.user", "")
    if column.id == "source":
        return os.path.basename(tags.get("mlflow.source.name", ""))
    if column.id == "commit":
        return tags.get("mlflow.source.git.commit", "")[:7]
    return ""
