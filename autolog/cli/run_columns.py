"""Which columns ``autolog runs list|search`` shows, and in which form (table, json, csv).

By default: the run's identity, then every metric, param and tag the filter and the
order keys name, then further metrics until the terminal is full. ``--columns`` picks
them explicitly (``run_name,metrics.rmse,params.alpha``). ``--output json`` and
``--output csv`` print every chosen column whatever the width, for scripts.
"""

from __future__ import annotations

import csv
import json
import re
import shutil

from ..tracking.exceptions import InvalidInputError
from .tables import format_table, format_time, format_value

__all__ = ["select_columns", "render_runs", "OUTPUTS"]

OUTPUTS = ("table", "json", "csv")
_SHORT_ID = 8
_BASE = ["run_id", "run_name", "experiment", "status", "start_time"]
_ATTRIBUTES = {"run_id": lambda r: r.info.run_id, "run_name": lambda r: r.info.run_name,
               "experiment": lambda r: r.info.experiment_id, "experiment_id": lambda r: r.info.experiment_id,
               "status": lambda r: r.info.status, "start_time": lambda r: format_time(r.info.start_time),
               "end_time": lambda r: format_time(r.info.end_time), "user": lambda r: r.info.user_id,
               "artifact_uri": lambda r: r.info.artifact_uri}
_PREFIXES = {"metric": "metrics", "metrics": "metrics", "param": "params", "params": "params",
             "parameter": "params", "parameters": "params", "tag": "tags", "tags": "tags"}
_NAMED = re.compile(r"(?<![\w.`\"])(metrics?|params?|parameters?|tags?)\.(`[^`]+`|\"[^\"]+\"|[\w./:-]+)",
                    re.IGNORECASE)


def _named_keys(texts) -> list:
    """``metrics.x`` / ``params.y`` / ``tags.z`` columns named in filter and order texts, in order of mention."""
    named = []
    for text in texts:
        for prefix, key in _NAMED.findall(text or ""):
            column = _PREFIXES[prefix.lower()] + "." + key.strip('`"')
            if column not in named:
                named.append(column)
    return named


def _value(run, column: str):
    if column in _ATTRIBUTES:
        return _ATTRIBUTES[column](run)
    kind, _, key = column.partition(".")
    source = {"metrics": run.data.metrics, "params": run.data.params, "tags": run.data.tags}.get(kind)
    return None if source is None else source.get(key)


def _check_columns(columns: list) -> list:
    for column in columns:
        kind = column.partition(".")[0]
        if column not in _ATTRIBUTES and (kind not in ("metrics", "params", "tags") or "." not in column):
            raise InvalidInputError(f"Unknown column {column!r}: use {', '.join(_ATTRIBUTES)} or "
                                    "metrics.<key>, params.<key>, tags.<key>")
    return columns


def select_columns(runs, columns_option, filter_string, order_by, output: str) -> list:
    """The columns to show: ``--columns`` when given, else identity + named keys (+ metrics that fit)."""
    if columns_option:
        return _check_columns([c.strip() for c in columns_option.split(",") if c.strip()])
    named = _named_keys([filter_string, *(order_by or [])])
    metrics = sorted({f"metrics.{key}" for run in runs for key in run.data.metrics} - set(named))
    if output != "table":
        params = sorted({f"params.{key}" for run in runs for key in run.data.params} - set(named))
        return _BASE + named + metrics + params
    chosen = _BASE + named
    width = shutil.get_terminal_size((120, 24)).columns
    for column in metrics:
        if _table_width(runs, chosen + [column]) > width:
            break
        chosen.append(column)
    return chosen


def _table_width(runs, columns) -> int:
    return sum(max([len(c)] + [len(format_value(_value(run, c))) for run in runs]) + 2 for c in columns) - 2


def render_runs(runs, columns: list, output: str, out) -> None:
    """Print ``runs`` with ``columns`` as an aligned table, a JSON list of objects or CSV with a header."""
    if output == "json":
        json.dump([{c: _value(run, c) for c in columns} for run in runs], out, indent=2, default=str)
        out.write("\n")
    elif output == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if _value(run, c) is None else _value(run, c) for c in columns] for run in runs])
    else:
        rows = [[_value(run, c) for c in columns] for run in runs]
        if "run_id" in columns and _table_width(runs, columns) > shutil.get_terminal_size((120, 24)).columns:
            index = columns.index("run_id")  # a narrow terminal: the id's first 8 characters, as git shows commits
            for row in rows:
                row[index] = row[index][:_SHORT_ID]
        print(format_table(columns, rows), file=out)
