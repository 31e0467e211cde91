"""The SQL tracking store: experiments, runs and their params, tags and metrics.

The SQL here is shared by every dialect; differences live in the database object.
Search lives in ``sql_search``, the model registry in ``sql_registry``.
"""

from __future__ import annotations

import operator
import time

from ..entities import Experiment, LifecycleStage, Metric, Run, RunData, RunInfo, RunStatus
from ..exceptions import AlreadyExistsError, InvalidInputError, NotFoundError
from .. import metric_codec
from .base import TrackingStore
from .lazy_features import feature_attribute, install_lazy_features
from .registry_schema import REGISTRY_TABLES
from .schema import MIGRATIONS, SCHEMA_VERSION, TRACKING_TABLES, sqlite_creation_statements
from .sql_checks import experiment_refusal
from .sql_results import answered, later
from .sql_run_rows import ACTIVE_RUN, CheckedRun, insert_metrics, insert_params, random_id, upsert_tags

__all__ = ["SqlStore", "DEFAULT_EXPERIMENT_ID", "DEFAULT_EXPERIMENT_NAME"]

DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _experiment_id_int(experiment_id) -> int:
    try:
        return int(experiment_id)
    except (TypeError, ValueError):
        raise InvalidInputError(f"Invalid experiment id {experiment_id!r}: experiment ids are integers") from None


# The features of SqlStore beyond experiments and runs: each module is imported when one of its methods is
# first used (see lazy_features), so opening a store loads none of them. No two define the same name (a
# test checks), so the order only decides what a lookup imports on its way: the features a script's first
# autologged training uses (dataset inputs, logged models) come first.
_FEATURES = (
    (".sql_inputs", "SqlInputsMixin"), (".sql_logged_models", "SqlLoggedModelsMixin"),
    (".sql_search", "SqlSearchMixin"), (".sql_metric_history", "SqlMetricHistoryMixin"),
    (".sql_registry", "SqlRegistryMixin"),
    (".sql_tokens", "SqlTokensMixin"), (".sql_transfer", "SqlTransferMixin"),
    (".sql_permissions", "SqlPermissionsMixin"), (".sql_finished_runs", "SqlFinishedRunsMixin"),
)


class SqlStore(TrackingStore):
    """A tracking store on a SQL database, with artifacts under ``artifact_root``."""

    metric_buffer = None  # the fluent API's buffer of this store's points, set on first use

    def __getattr__(self, name: str):
        return feature_attribute(self, name)

    def __init__(self, database, artifact_root: str, record_locations: bool = False):
        """``record_locations``: write each new experiment's artifact location into the database (a
        database shared by many machines) instead of deriving it from ``artifact_root`` when read."""
        self.db = database
        self.artifact_root = artifact_root.rstrip("/")
        self._record_locations = record_locations
        self._experiment_locations: dict = {}
        self._initialise()

    # -- schema -----------------------------------------------------------
    def _initialise(self) -> None:
        read_version = getattr(self.db, "current_schema_version", None)
        if read_version is not None:  # SQLite: an up-to-date store opens with one read, a new one in one script
            if not self.db.existed_before_open and self.db.create_whole(_schema_script(), _first_rows_script()):
                return
            version = read_version()
            if version == SCHEMA_VERSION:
                return
            if version is None and not self.db.existed_before_open:
                self.db.run_script(_creation_script())
                return
        with self.db.write() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = cur.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                if getattr(self.db, "existed_before_open", False):
                    from .damage import refuse_damaged_store

                    refuse_damaged_store(self.db.path, self.artifact_root)
                for statement in TRACKING_TABLES + REGISTRY_TABLES:
                    statement(cur, self.artifact_root) if callable(statement) else cur.execute(statement)
                cur.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
                cur.execute(
                    "INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time)"
                    " VALUES (0, ?, 'active', ?, ?)", (DEFAULT_EXPERIMENT_NAME, _now_ms(), _now_ms()))
                return
            version = row[0]
            if version > SCHEMA_VERSION:
                from ..exceptions import StoreError
                raise StoreError(
                    f"The tracking store at {getattr(self.db, 'path', self.artifact_root)} has schema version "
                    f"{version}, newer than this autolog understands ({SCHEMA_VERSION}); upgrade autolog")
            while version < SCHEMA_VERSION:
                step = MIGRATIONS[version]
                if callable(step):  # a migration that needs Python, not only SQL
                    step(cur, self.artifact_root)
                else:
                    for statement in step:
                        cur.execute(statement)
                version += 1
                cur.execute("UPDATE schema_version SET version = ?", (version,))

    def close(self) -> None:
        self.db.close()

    def checkpoint(self) -> None:
        """Make the database file hold everything written so far (a no-op where the dialect has no WAL)."""
        checkpoint = getattr(self.db, "checkpoint", None)
        if checkpoint is not None:
            checkpoint()

    # -- experiments ------------------------------------------------------
    def _experiment_from_row(self, row) -> Experiment:
        experiment_id, name, location, stage, created, updated = row
        tags = dict(self.db.query("SELECT key, value FROM experiment_tags WHERE experiment_id = ?", (experiment_id,)))
        return Experiment(str(experiment_id), name, location or f"{self.artifact_root}/{experiment_id}",
                          stage, tags, created, updated)

    _EXPERIMENT_COLUMNS = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"

    def create_experiment(self, name: str, artifact_location=None, tags=None) -> str:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"Invalid experiment name {name!r}: it must be a non-empty string")
        now = _now_ms()
        with self.db.write() as cur:
            existing = cur.execute("SELECT lifecycle_stage FROM experiments WHERE name = ?", (name,)).fetchone()
            if existing is not None:
                extra = " (it is deleted; restore it or pick another name)" if existing[0] == "deleted" else ""
                raise AlreadyExistsError(f"Experiment {name!r} already exists{extra}")
            cur.execute(
                "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)"
                " VALUES (?, ?, 'active', ?, ?)", (name, artifact_location, now, now))
            experiment_id = cur.execute("SELECT experiment_id FROM experiments WHERE name = ?", (name,)).fetchone()[0]
            if artifact_location is None and self._record_locations:
                cur.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                            (f"{self.artifact_root}/{experiment_id}", experiment_id))
            for key, value in (tags or {}).items():
                cur.execute("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)",
                            (experiment_id, key, str(value)))
        return str(experiment_id)

    def get_experiment(self, experiment_id: str) -> Experiment:
        rows = self.db.query(f"SELECT {self._EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?",
                             (_experiment_id_int(experiment_id),))
        if not rows:
            raise NotFoundError(f"No experiment with id {experiment_id!r}")
        return self._experiment_from_row(rows[0])

    def get_experiment_by_name(self, name: str):
        rows = self.db.query(f"SELECT {self._EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?", (name,))
        return self._experiment_from_row(rows[0]) if rows else None

    def set_experiment_lifecycle(self, experiment_id: str, stage: str) -> None:
        if str(experiment_id) == DEFAULT_EXPERIMENT_ID and stage == LifecycleStage.DELETED:
            raise InvalidInputError("The default experiment (id 0) cannot be deleted")
        with self.db.write() as cur:
            cur.execute("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?",
                        (stage, _now_ms(), _experiment_id_int(experiment_id)))
            if cur.rowcount == 0:
                raise NotFoundError(f"No experiment with id {experiment_id!r}")

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Give an experiment a new, unused name."""
        with self.db.write() as cur:
            if cur.execute("SELECT 1 FROM experiments WHERE name = ?", (new_name,)).fetchone():
                raise AlreadyExistsError(f"Experiment {new_name!r} already exists")
            cur.execute("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                        (new_name, _now_ms(), _experiment_id_int(experiment_id)))
            if cur.rowcount == 0:
                raise NotFoundError(f"No experiment with id {experiment_id!r}")

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        self.get_experiment(experiment_id)
        with self.db.write() as cur:
            cur.execute("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)"
                        " ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
                        (_experiment_id_int(experiment_id), key, value))

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Remove one experiment tag; raises NotFoundError when the experiment or tag is missing."""
        self.get_experiment(experiment_id)
        with self.db.write() as cur:
            cur.execute("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?",
                        (_experiment_id_int(experiment_id), key))
            if cur.rowcount == 0:
                raise NotFoundError(f"Experiment {experiment_id!r} has no tag {key!r}")

    def _experiment_location(self, experiment_id) -> str:
        location = self._experiment_locations.get(experiment_id)
        if location is None:
            location = self.get_experiment(experiment_id).artifact_location.rstrip("/")
            self._experiment_locations[experiment_id] = location
        return location

    # -- runs -------------------------------------------------------------
    _RUN_COLUMNS = ("run_uuid, experiment_id, run_name, user_id, status, start_time, end_time, "
                    "lifecycle_stage, artifact_uri")

    def create_run(self, experiment_id, user_id, start_time, tags, run_name) -> Run:
        return self.create_run_with_data(experiment_id, user_id, start_time, tags, run_name)

    def create_run_with_data(self, experiment_id, user_id, start_time, tags, run_name, params=(),
                             datasets=()) -> Run:
        run_id = random_id()
        tags = list(tags or ())
        params = _unique_params(params)
        datasets = list(datasets or ())
        if datasets:
            from .sql_inputs import check_dataset_inputs

            check_dataset_inputs(datasets)
        experiment_int = _experiment_id_int(experiment_id)
        for _attempt in range(3):  # another attempt only when the experiment was restored meanwhile
            with self.db.write() as cur:  # the run goes only into an active experiment, its tags only beside it
                created = later(
                    cur, "INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time,"
                    " lifecycle_stage) SELECT ?, experiment_id, ?, ?, 'RUNNING', ?, 'active' FROM experiments"
                    " WHERE experiment_id = ? AND lifecycle_stage = 'active'",
                    (run_id, run_name, user_id, start_time, experiment_int))
                run = run_id if not answered(created) else CheckedRun(run_id, start_time) if created.rowcount else None
                if run is not None:
                    upsert_tags(cur, run, tags)
                    if params:
                        insert_params(cur, run, params)
                    if datasets:
                        from .sql_inputs import insert_new_run_datasets

                        insert_new_run_datasets(cur, run_id, experiment_int, datasets)
            if created.rowcount:
                break
            refusal = experiment_refusal(self.db, experiment_int, experiment_id, "to add runs")
            if refusal is not None:
                raise refusal
        info = RunInfo(run_id, str(experiment_int), run_name, user_id, RunStatus.RUNNING, start_time, None,
                       self._run_artifact_uri(experiment_int, run_id, None))
        run = Run(info, RunData(params=dict(params), tags={tag.key: tag.value for tag in tags}))
        if datasets:
            from ..entities import RunInputs

            run.inputs = RunInputs(dataset_inputs=list(datasets))
        return run

    def _run_artifact_uri(self, experiment_id, run_id, stored) -> str:
        return stored or f"{self._experiment_location(str(experiment_id))}/{run_id}"

    def _run_info_from_row(self, row) -> RunInfo:
        run_id, experiment_id, name, user, status, start, end, stage, artifact_uri = row
        return RunInfo(run_id, str(experiment_id), name, user, status, start, end,
                       self._run_artifact_uri(experiment_id, run_id, artifact_uri), stage)

    def get_run(self, run_id: str) -> Run:
        rows = self.db.query(f"SELECT {self._RUN_COLUMNS} FROM runs WHERE run_uuid = ?", (run_id,))
        if not rows:
            raise NotFoundError(f"No run with id {run_id!r}")
        return self._runs_with_data([self._run_info_from_row(rows[0])])[0]

    def _runs_with_data(self, infos: list) -> list:
        """Attach params, tags, latest metrics, inputs and outputs to RunInfos (see ``sql_run_data``)."""
        from .sql_run_data import runs_with_data

        return runs_with_data(self, infos)

    def update_run_info(self, run_id, status=None, end_time=None, run_name=None) -> None:
        if status is not None and status not in RunStatus.ALL:
            raise InvalidInputError(f"Invalid run status {status!r}: expected one of {', '.join(RunStatus.ALL)}")
        with self.db.write() as cur:
            updated = later(cur, "UPDATE runs SET status = COALESCE(?, status), end_time = COALESCE(?, end_time),"
                            " run_name = COALESCE(?, run_name) WHERE run_uuid = ?", (status, end_time, run_name, run_id))
            if run_name is not None:  # written only beside an existing run
                cur.execute("INSERT INTO tags (run_uuid, key, value, start_time) SELECT ?, 'mlflow.runName', ?,"
                            " start_time FROM runs WHERE run_uuid = ?"
                            " ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
                            (run_id, run_name, run_id))
        if updated.rowcount == 0:
            raise NotFoundError(f"No run with id {run_id!r}")

    #: ``finish_run`` writes logged models (``models``) in the run's end transaction
    finishes_runs_with_models = True

    def finish_run(self, run_id: str, status: str, end_time: int, metrics=None, tags=(), models=()) -> None:
        """End the run with its last points and tags and, in the same transaction, ``models``: (LoggedModel from
        ``prepare_logged_model``, status, step, history entry) tuples written as ``log_prepared_logged_model``
        writes one, as outputs of this run."""
        logs = bool((metrics and metrics[0]) or tags or models)  # last points, tags or models: the run must be active
        state, run = None, run_id
        with self.db.write() as cur:
            if logs:
                state = later(cur, _RUN_STATE + getattr(self.db, "row_lock", ""), (run_id,))
                run = _checked_run(state, run_id)
            if metrics and metrics[0]:
                self._insert_metrics(cur, run, metrics, writable_only=True)
            if tags:
                upsert_tags(cur, run, tags, writable_only=True)
            if models:
                self._insert_prepared_models(cur, run_id, models)
            ended = later(cur, "UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?"
                          + ACTIVE_RUN * logs, (status, end_time, run_id))
        if ended.rowcount == 0:
            _require_writable(state.fetchone() if state is not None else None, run_id)

    def set_run_lifecycle(self, run_id: str, stage: str) -> None:
        deleted_time = _now_ms() if stage == LifecycleStage.DELETED else None
        with self.db.write() as cur:
            updated = later(cur, "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?",
                            (stage, deleted_time, run_id))
        if updated.rowcount == 0:
            raise NotFoundError(f"No run with id {run_id!r}")

    def _check_run_writable(self, cur, run_id: str) -> CheckedRun:
        """The run as a CheckedRun; raises NotFoundError or InvalidInputError when it is missing or deleted."""
        # row_lock: on a database without a store-wide write lock, writers of one run take turns
        row = cur.execute(_RUN_STATE + getattr(self.db, "row_lock", ""), (run_id,)).fetchone()
        _require_writable(row, run_id)
        return CheckedRun(run_id, row[1])

    def log_batch(self, run_id: str, metrics=None, params=(), tags=()) -> None:
        params = _unique_params(params)
        if params and getattr(self.db, "batches_writes", False):
            # where reading inside a write costs a round trip, params go in unread: a key the run has already
            # fails the whole write (nothing is kept), and the second attempt compares the values
            try:
                return self._log_batch(run_id, metrics, params, tags, check_params=False)
            except AlreadyExistsError:
                pass
        self._log_batch(run_id, metrics, params, tags, check_params=True)

    def _log_batch(self, run_id: str, metrics, params: dict, tags, check_params: bool) -> None:
        with self.db.write() as cur:
            # row_lock: on a database without a store-wide write lock, writers of one run take turns
            state = later(cur, _RUN_STATE + getattr(self.db, "row_lock", ""), (run_id,))
            run = _checked_run(state, run_id)
            if params and check_params:
                existing = _existing_params(cur, run_id, params)
                _require_writable(state.fetchone(), run_id)
                self._insert_params(cur, run, params, existing)
                state = None  # checked
            elif params:
                insert_params(cur, run, params, writable_only=True)
            if tags:
                upsert_tags(cur, run, tags, writable_only=True)
            if metrics and metrics[0]:
                self._insert_metrics(cur, run, metrics, writable_only=True)
        if state is not None:
            _require_writable(state.fetchone(), run_id)

    def log_metric_points(self, run_id: str, points) -> None:
        self.log_batch(run_id, [list(map(operator.itemgetter(i), points)) for i in range(4)])

    @staticmethod
    def _insert_params(cur, run, params: dict, existing: dict) -> None:
        """Add the ``params`` that ``run`` (its id, or a CheckedRun) has not ``existing``; raises
        InvalidInputError when one would change."""
        for key, value in params.items():
            if key in existing and existing[key] != value:
                raise InvalidInputError(
                    f"Param {key!r} of run {getattr(run, 'run_id', run)} already has value {existing[key]!r}; params "
                    f"cannot change (tried {value!r}). Log the new value under another key or start a new run")
        insert_params(cur, run, {key: value for key, value in params.items() if key not in existing})

    @staticmethod
    def _insert_metrics(cur, run, columns, writable_only: bool = False) -> None:
        """Write (keys, values, timestamps, steps) columns for ``run``, its id or a CheckedRun (see
        ``sql_run_rows.insert_metrics``); ``writable_only``: write nothing unless the run is active."""
        insert_metrics(cur, run, columns, writable_only)

    def delete_tag(self, run_id: str, key: str) -> None:
        with self.db.write() as cur:
            self._check_run_writable(cur, run_id)
            cur.execute("DELETE FROM tags WHERE run_uuid = ? AND key = ?", (run_id, key))
            if cur.rowcount == 0:
                raise NotFoundError(f"Run {run_id!r} has no tag {key!r}")

    def get_metric_history(self, run_id: str, key: str) -> list:
        rows = self.db.query("SELECT steps, timestamps, vals FROM metric_segments WHERE run_uuid = ? AND key = ?"
                             " ORDER BY seq", (run_id, key))
        if not rows and not self.db.query("SELECT 1 FROM runs WHERE run_uuid = ?", (run_id,)):
            raise NotFoundError(f"No run with id {run_id!r}")
        history = []
        for blobs in rows:
            steps, stamps, values = metric_codec.unpack(*blobs)
            history.extend(Metric(key, value, stamp, step) for step, stamp, value in zip(steps, stamps, values))
        return history

    def read_metric_columns(self, run_id: str, key: str) -> tuple:
        from array import array

        rows = self.db.query("SELECT steps, timestamps, vals FROM metric_segments WHERE run_uuid = ? AND key = ?"
                             " ORDER BY seq", (run_id, key))
        if not rows and not self.db.query("SELECT 1 FROM runs WHERE run_uuid = ?", (run_id,)):
            raise NotFoundError(f"No run with id {run_id!r}")
        steps, stamps, values = array("q"), array("q"), array("d")
        for blobs in rows:
            segment_steps, segment_stamps, segment_values = metric_codec.unpack(*blobs)
            steps.extend(segment_steps)
            stamps.extend(segment_stamps)
            values.extend(segment_values)
        return steps, stamps, values


install_lazy_features(SqlStore, TrackingStore, __package__, _FEATURES)


def _creation_script() -> str:
    """The SQL that makes a new store: every table, the schema version and the Default experiment.

    Safe to run twice (another process may create the same store at the same moment).
    """
    return f"{_schema_script()};\n{_first_rows_script()}"


def _schema_script() -> str:
    """The part of ``_creation_script`` that every new store shares: its tables and schema version."""
    return ";\n".join([
        *sqlite_creation_statements(TRACKING_TABLES + REGISTRY_TABLES),
        f"INSERT INTO schema_version (version) SELECT {int(SCHEMA_VERSION)}"
        " WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
    ])


def _first_rows_script() -> str:
    """The part of ``_creation_script`` that is this store's own: the Default experiment, created now."""
    now = _now_ms()
    return ("INSERT INTO experiments (experiment_id, name, lifecycle_stage, creation_time, last_update_time)"
            f" SELECT 0, '{DEFAULT_EXPERIMENT_NAME}', 'active', {now}, {now}"
            " WHERE NOT EXISTS (SELECT 1 FROM experiments WHERE experiment_id = 0)")


_RUN_STATE = "SELECT lifecycle_stage, start_time FROM runs WHERE run_uuid = ?"
_PARAM_KEYS_READ = 500  # keys per read of the params a batch would add


def _checked_run(state, run_id: str):
    """A CheckedRun where the run's ``state`` row was read at once (SQLite), raising as ``_require_writable``
    does; ``run_id`` where the answer comes after the commit (the writes then join the run's row)."""
    if not answered(state):
        return run_id
    row = state.fetchone()
    _require_writable(row, run_id)
    return CheckedRun(run_id, row[1])


def _existing_params(cur, run_id: str, params: dict) -> dict:
    """{key: value} of the run's params among the keys of ``params``."""
    keys, existing = list(params), {}
    for start in range(0, len(keys), _PARAM_KEYS_READ):
        chunk = keys[start:start + _PARAM_KEYS_READ]
        existing.update(cur.execute(f"SELECT key, value FROM params WHERE run_uuid = ? AND key IN"
                                    f" ({', '.join('?' * len(chunk))})", (run_id, *chunk)).fetchall())
    return existing


def _require_writable(state, run_id: str) -> None:
    """Raise NotFoundError when the run's ``state`` row (lifecycle stage first) is missing, InvalidInputError
    when the run is deleted."""
    if state is None:
        raise NotFoundError(f"No run with id {run_id!r}")
    if state[0] != LifecycleStage.ACTIVE:
        raise InvalidInputError(f"Run {run_id!r} is deleted; restore it before logging to it")


def _unique_params(params) -> dict:
    """Params of one batch as a dict; the same key twice with different values is an error."""
    unique: dict = {}
    for param in params:
        if param.key in unique and unique[param.key] != param.value:
            raise InvalidInputError(
                f"Param {param.key!r} appears twice in one batch with different values "
                f"({unique[param.key]!r} and {param.value!r})")
        unique[param.key] = param.value
    return unique
