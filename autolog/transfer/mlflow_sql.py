"""Read an MLflow tracking database (SQLite or PostgreSQL, MLflow 1.x to 3.x) without MLflow.

The schema is read as it is: tables and columns that an older MLflow did not have
(run names, deletion times, aliases, dataset inputs, logged models) are used when
present and skipped when not.
"""

from __future__ import annotations

import itertools
import operator
import os
from urllib.parse import unquote, urlparse

from ..tracking.entities import Experiment, LoggedModel, Metric, ModelVersion, RegisteredModel, Run, RunData, RunInfo
from ..tracking.exceptions import InvalidInputError
from ..tracking.stores.foreign import is_mlflow_database
from .records import LoggedModelRecord, RunRecord, VersionRecord, dataset_input

__all__ = ["MlflowDatabase", "is_mlflow_database", "MLFLOW_RUN_STATUSES", "MLFLOW_LOGGED_MODEL_STATUSES"]

MLFLOW_RUN_STATUSES = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
MLFLOW_LOGGED_MODEL_STATUSES = {0: "UNSPECIFIED", 1: "PENDING", 2: "READY", 3: "FAILED"}
_CHUNK = 500


class _Connection:
    """A DB-API connection with ``?`` placeholders and the table/column lookups this reader needs."""

    def __init__(self, uri: str):
        self.uri = uri
        if uri.startswith("sqlite:"):
            import sqlite3

            path = unquote(uri[len("sqlite:///"):]) if uri.startswith("sqlite:///") else ""
            if not path or not os.path.isfile(path):
                raise InvalidInputError(f"No MLflow database at {uri!r}")
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            self.directory = os.path.dirname(os.path.abspath(path))
            self.paramstyle = "?"
            self.tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        else:
            try:
                import psycopg
            except ImportError:
                raise InvalidInputError("Reading a PostgreSQL MLflow database needs psycopg: "
                                        "pip install 'autolog[postgres]'") from None
            self.conn = psycopg.connect(uri.replace("postgresql+psycopg2://", "postgresql://"), autocommit=True)
            self.directory = os.getcwd()
            self.paramstyle = "%s"
            self.tables = {row[0] for row in self.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        self._columns: dict = {}

    def query(self, sql: str, params=()) -> list:
        """Run one read statement (written with ``?``) and return its rows."""
        if self.paramstyle != "?":
            sql = sql.replace("?", self.paramstyle)
        cursor = self.conn.cursor()
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()

    def columns(self, table: str) -> set:
        """The column names of ``table`` (empty when the table does not exist)."""
        if table not in self._columns:
            if table not in self.tables:
                self._columns[table] = set()
            elif self.paramstyle == "?":
                self._columns[table] = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            else:
                self._columns[table] = {row[0] for row in self.query(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                    " AND table_schema = current_schema()", (table,))}
        return self._columns[table]

    def pick(self, table: str, wanted) -> str:
        """A select list of ``wanted`` columns, NULL for those this schema lacks."""
        present = self.columns(table)
        return ", ".join(column if column in present else "NULL" for column in wanted)


class MlflowDatabase:
    """The experiments, runs and registry of an MLflow database, read in chunks.

    Raises InvalidInputError when the URI names no MLflow database.
    """

    def __init__(self, uri: str):
        self.uri = uri
        self.db = _Connection(uri)
        if not is_mlflow_database(self.db.tables):
            raise InvalidInputError(f"{uri!r} is not an MLflow tracking database (no alembic_version/runs tables)")
        version = self.db.query("SELECT version_num FROM alembic_version")
        self.schema_revision = version[0][0] if version else "unknown"

    def close(self) -> None:
        """Close the database connection."""
        self.db.conn.close()

    def describe(self) -> str:
        """A line naming the source for messages."""
        return f"MLflow database {self.uri} (schema revision {self.schema_revision})"

    # -- experiments --------------------------------------------------------
    def experiments(self) -> list:
        """Every experiment, deleted ones included, with its tags."""
        select = self.db.pick("experiments", ("experiment_id", "name", "artifact_location", "lifecycle_stage",
                                              "creation_time", "last_update_time"))
        tags: dict = {}
        for experiment_id, key, value in self.db.query("SELECT experiment_id, key, value FROM experiment_tags"):
            tags.setdefault(str(experiment_id), {})[key] = value
        return [Experiment(str(eid), name, location, stage or "active", tags.get(str(eid), {}), created, updated)
                for eid, name, location, stage, created, updated in
                self.db.query(f"SELECT {select} FROM experiments ORDER BY experiment_id")]

    # -- runs ---------------------------------------------------------------
    def run_ids(self) -> list:
        """Every run id with its experiment id, in start-time order."""
        return [(row[0], str(row[1])) for row in
                self.db.query("SELECT run_uuid, experiment_id FROM runs ORDER BY start_time, run_uuid")]

    def runs(self, run_ids) -> list:
        """RunRecords (params, tags, full metric history, artifacts, inputs) of these runs."""
        records = []
        for start in range(0, len(run_ids), _CHUNK):
            records.extend(self._run_chunk(list(run_ids[start:start + _CHUNK])))
        return records

    def _run_chunk(self, ids: list) -> list:
        marks = ", ".join("?" * len(ids))
        select = self.db.pick("runs", ("run_uuid", "experiment_id", "name", "user_id", "status", "start_time",
                                       "end_time", "lifecycle_stage", "artifact_uri", "deleted_time"))
        rows = self.db.query(f"SELECT {select} FROM runs WHERE run_uuid IN ({marks})", ids)
        params = self._key_values("params", ids, marks)
        tags = self._key_values("tags", ids, marks)
        metrics = self._metric_columns(ids, marks)
        inputs = self._inputs(ids, marks)
        records = []
        for run_id, experiment_id, name, user, status, start, end, stage, artifact_uri, deleted_time in rows:
            run_tags = tags.get(run_id, {})
            run_name = name or run_tags.get("mlflow.runName")
            if run_name:
                run_tags.setdefault("mlflow.runName", run_name)
            info = RunInfo(run_id, str(experiment_id), run_name, user, _status(status), start, end,
                           artifact_uri, stage or "active")
            run = Run(info, RunData(params=params.get(run_id, {}), tags=run_tags))
            records.append(RunRecord(run, metrics.get(run_id), self.local_location(artifact_uri), deleted_time,
                                     inputs.get(run_id, ())))
        return records

    def _key_values(self, table: str, ids: list, marks: str) -> dict:
        found: dict = {}
        for run_id, key, value in self.db.query(f"SELECT run_uuid, key, value FROM {table}"
                                                f" WHERE run_uuid IN ({marks})", ids):
            found.setdefault(run_id, {})[key] = value
        return found

    def _metric_columns(self, ids: list, marks: str) -> dict:
        step = "step" if "step" in self.db.columns("metrics") else "0"
        is_nan = "is_nan" if "is_nan" in self.db.columns("metrics") else "0"
        rows = self.db.query(f"SELECT run_uuid, key, value, timestamp, {step}, {is_nan} FROM metrics"
                             f" WHERE run_uuid IN ({marks}) ORDER BY run_uuid, key, timestamp, {step}", ids)
        columns: dict = {}
        for run_id, points in itertools.groupby(rows, key=operator.itemgetter(0)):
            _, keys, values, stamps, steps, nans = zip(*points)
            values = [float("nan") if nan else float(value) for value, nan in zip(values, nans)] if any(nans) \
                else list(map(float, values))
            columns[run_id] = (list(keys), values, list(map(int, stamps)), [int(s or 0) for s in steps])
        return columns

    def _inputs(self, ids: list, marks: str) -> dict:
        """Dataset inputs per run: dicts with the dataset's fields and the input's tags."""
        if "inputs" not in self.db.tables or "datasets" not in self.db.tables:
            return {}
        input_tags: dict = {}
        if "input_tags" in self.db.tables:
            for input_id, name, value in self.db.query("SELECT input_uuid, name, value FROM input_tags"):
                input_tags.setdefault(input_id, {})[name] = value
        found: dict = {}
        for run_id, input_id, name, digest, source_type, source, schema, profile in self.db.query(
                "SELECT i.destination_id, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source,"
                " d.dataset_schema, d.dataset_profile FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id"
                f" WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id IN ({marks})",
                ids):
            found.setdefault(run_id, []).append(dataset_input(name, digest, source_type, source, schema, profile,
                                                              input_tags.get(input_id, {})))
        return found

    # -- logged models (MLflow 3) -------------------------------------------
    def logged_models(self) -> list:
        """LoggedModelRecords with params, tags, metrics, files and the runs that wrote them."""
        if "logged_models" not in self.db.tables:
            return []
        extras: dict = {}
        for table, key, value in (("logged_model_params", "param_key", "param_value"),
                                  ("logged_model_tags", "tag_key", "tag_value")):
            for model_id, name, text in self.db.query(f"SELECT model_id, {key}, {value} FROM {table}"):
                extras.setdefault((table, model_id), {})[name] = text
        metrics: dict = {}
        for model_id, *fields in self.db.query(
                "SELECT model_id, metric_name, metric_value, metric_timestamp_ms, metric_step, dataset_name,"
                " dataset_digest, run_id FROM logged_model_metrics ORDER BY metric_timestamp_ms"):
            key, value, stamp, step, dataset, digest, run_id = fields
            metrics.setdefault(model_id, []).append(Metric(key, value, stamp, step, model_id, dataset, digest,
                                                           run_id))
        outputs: dict = {}
        if "inputs" in self.db.tables:
            step = "step" if "step" in self.db.columns("inputs") else "0"
            for run_id, model_id, output_step in self.db.query(
                    f"SELECT source_id, destination_id, {step} FROM inputs WHERE source_type = 'RUN_OUTPUT'"
                    " AND destination_type = 'MODEL_OUTPUT'"):
                outputs.setdefault(model_id, []).append((run_id, int(output_step or 0)))
        records = []
        for row in self.db.query(
                "SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms,"
                " last_updated_timestamp_ms, model_type, source_run_id, status, status_message, lifecycle_stage"
                " FROM logged_models ORDER BY creation_timestamp_ms"):
            model_id, experiment_id, name, location, created, updated, model_type, run_id, status, message, stage = row
            model = LoggedModel(str(experiment_id), model_id, name, location, created, updated, model_type, run_id,
                                MLFLOW_LOGGED_MODEL_STATUSES.get(status, status), message,
                                extras.get(("logged_model_tags", model_id)),
                                extras.get(("logged_model_params", model_id)), metrics.get(model_id))
            records.append(LoggedModelRecord(model, self.local_location(location), outputs.get(model_id, ()),
                                             stage))
        return records

    # -- registry -----------------------------------------------------------
    def registered_models(self) -> list:
        """Every registered model with its description and tags."""
        if "registered_models" not in self.db.tables:
            return []
        tags: dict = {}
        for name, key, value in self.db.query("SELECT name, key, value FROM registered_model_tags"):
            tags.setdefault(name, {})[key] = value
        return [RegisteredModel(name, created, updated, description, tags.get(name, {}))
                for name, created, updated, description in self.db.query(
                    "SELECT name, creation_time, last_updated_time, description FROM registered_models ORDER BY name")]

    def model_versions(self) -> list:
        """VersionRecords of every model version, with tags, aliases and where its files are."""
        if "model_versions" not in self.db.tables:
            return []
        tags: dict = {}
        for name, version, key, value in self.db.query("SELECT name, version, key, value FROM model_version_tags"):
            tags.setdefault((name, int(version)), {})[key] = value
        aliases: dict = {}
        if "registered_model_aliases" in self.db.tables:
            for name, alias, version in self.db.query("SELECT name, alias, version FROM registered_model_aliases"):
                aliases.setdefault((name, int(version)), []).append(alias)
        select = self.db.pick("model_versions", ("name", "version", "creation_time", "last_updated_time",
                                                 "current_stage", "description", "source", "run_id", "status",
                                                 "storage_location"))
        records = []
        for row in self.db.query(f"SELECT {select} FROM model_versions ORDER BY name, version"):
            name, version, created, updated, stage, description, source, run_id, status, storage = row
            key = (name, int(version))
            entity = ModelVersion(name, str(version), created, updated, stage or "None", description, source,
                                  run_id, status or "READY", tags.get(key, {}), sorted(aliases.get(key, [])))
            records.append(VersionRecord(entity, self._version_files(source, storage)))
        return records

    def _version_files(self, source, storage):
        """A local path (or URI) holding a version's files: its storage location, else its source resolved."""
        for candidate in (storage, self._resolve_model_source(source)):
            location = self.local_location(candidate)
            if location:
                return location
        return None

    def _resolve_model_source(self, source):
        if not source:
            return None
        if source.startswith("runs:/"):
            run_id, _, path = source[len("runs:/"):].strip("/").partition("/")
            rows = self.db.query("SELECT artifact_uri FROM runs WHERE run_uuid = ?", (run_id,))
            return f"{rows[0][0].rstrip('/')}/{path}" if rows and rows[0][0] else None
        if source.startswith("models:/m-") and "logged_models" in self.db.tables:
            rows = self.db.query("SELECT artifact_location FROM logged_models WHERE model_id = ?",
                                 (source[len("models:/"):].strip("/"),))
            return rows[0][0] if rows else None
        return source

    def local_location(self, uri):
        """A path or URI an artifact repository can read for an MLflow artifact URI, or the URI itself."""
        if not uri:
            return None
        parsed = urlparse(uri)
        if parsed.scheme == "file":
            return unquote(parsed.path)
        if parsed.scheme == "mlflow-artifacts":
            # served artifacts: the server's --artifacts-destination, ./mlartifacts by default
            return os.path.join(self.db.directory, "mlartifacts", unquote(parsed.path).lstrip("/"))
        if not parsed.scheme and not os.path.isabs(uri):
            return os.path.join(self.db.directory, uri)
        return uri


def _status(status) -> str:
    if isinstance(status, int) or (isinstance(status, str) and status.isdigit()):
        return MLFLOW_RUN_STATUSES.get(int(status), "FINISHED")
    return status or "FINISHED"
