"""Moving whole records in and out of the SQL stores: imports that keep ids and times, and purges.

An imported run is written in one transaction (its row, params, tags and full metric
history together), so a copy interrupted at any point leaves each run either complete
or absent, and running the copy again skips what is already there.
"""

from __future__ import annotations

from ..entities import LifecycleStage
from ..exceptions import InvalidInputError, NotFoundError

__all__ = ["SqlTransferMixin"]

_CHUNK = 500


def _int_or_none(value):
    return None if value is None else int(value)


class SqlTransferMixin:
    """Import with given ids, and permanent removal of deleted records (mixed into SqlStore)."""

    # -- experiments --------------------------------------------------------
    def import_experiment(self, experiment) -> tuple:
        """Make sure an experiment like ``experiment`` exists; return (its id here, whether it was created).

        An experiment of the same name is reused; otherwise the experiment keeps its id when that
        id is free here and gets the next one when it is not. Its artifacts live at this store's
        default location. Lifecycle stage, times and tags are copied.
        """
        with self.db.write() as cur:
            row = cur.execute("SELECT experiment_id FROM experiments WHERE name = ?", (experiment.name,)).fetchone()
            if row is not None:
                return str(row[0]), False
            wanted = _int_or_none(experiment.experiment_id) if str(experiment.experiment_id).isdigit() else None
            if wanted is not None and cur.execute("SELECT 1 FROM experiments WHERE experiment_id = ?",
                                                  (wanted,)).fetchone():
                wanted = None
            columns = "name, lifecycle_stage, creation_time, last_update_time"
            values = [experiment.name, experiment.lifecycle_stage or LifecycleStage.ACTIVE,
                      experiment.creation_time, experiment.last_update_time or experiment.creation_time]
            if wanted is not None:
                columns, values = "experiment_id, " + columns, [wanted] + values
            cur.execute(f"INSERT INTO experiments ({columns}) VALUES ({', '.join('?' * len(values))})", values)
            new_id = cur.execute("SELECT experiment_id FROM experiments WHERE name = ?",
                                 (experiment.name,)).fetchone()[0]
            if wanted is not None and getattr(self.db, "dialect", "sqlite") != "sqlite":
                # an id given explicitly does not advance PostgreSQL's identity sequence; move it past
                cur.execute("SELECT setval(pg_get_serial_sequence('experiments', 'experiment_id'),"
                            " (SELECT MAX(experiment_id) FROM experiments))")
            if getattr(self, "_record_locations", False):  # a database shared by machines records locations
                cur.execute("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                            (f"{self.artifact_root}/{new_id}", new_id))
            cur.executemany("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)",
                            [(new_id, key, value) for key, value in (experiment.tags or {}).items()])
        return str(new_id), True

    # -- runs ---------------------------------------------------------------
    def existing_run_ids(self, run_ids) -> set:
        """The ids among ``run_ids`` that name a run in this store (whatever its lifecycle stage)."""
        run_ids = list(run_ids)
        found: set = set()
        for start in range(0, len(run_ids), _CHUNK):
            chunk = run_ids[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            found.update(row[0] for row in self.db.query(f"SELECT run_uuid FROM runs WHERE run_uuid IN ({marks})",
                                                         chunk))
        return found

    def metric_history_columns(self, run_ids) -> dict:
        """{run id: (keys, values, timestamps, steps)} holding every metric point of these runs, in logging
        order per key; the bulk read behind copies."""
        from .. import metric_codec

        run_ids = list(run_ids)
        columns: dict = {}
        for start in range(0, len(run_ids), _CHUNK):
            chunk = run_ids[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for run_id, key, count, *blobs in self.db.query(
                    "SELECT run_uuid, key, count, steps, timestamps, vals FROM metric_segments"
                    f" WHERE run_uuid IN ({marks}) ORDER BY run_uuid, key, seq", chunk):
                steps, stamps, values = metric_codec.unpack(*blobs)
                keys, all_values, all_stamps, all_steps = columns.setdefault(run_id, ([], [], [], []))
                keys.extend([key] * count)
                all_values.extend(values)
                all_stamps.extend(stamps)
                all_steps.extend(steps)
        return columns

    def import_run(self, run, experiment_id: str, metrics=None, artifact_uri=None, deleted_time=None,
                   inputs=()) -> bool:
        """Write a finished copy of ``run`` (its id, name, user, status, times, lifecycle, params, tags)
        with its full metric history as (keys, values, timestamps, steps) columns and its DatasetInputs,
        in one transaction.

        ``artifact_uri`` None gives the run this store's default artifact location. Returns False,
        writing nothing, when a run with this id exists already. Raises NotFoundError for an
        unknown experiment.
        """
        with self.db.write() as cur:
            return self._import_run(cur, run, experiment_id, metrics, deleted_time, inputs, artifact_uri)

    def import_runs(self, entries) -> list:
        """Import many runs in one transaction: ``entries`` are (run, experiment id, metric columns,
        deleted time, dataset inputs) tuples; return, per entry, whether it was written."""
        with self.db.write() as cur:
            return [self._import_run(cur, *entry) for entry in entries]

    def _import_run(self, cur, run, experiment_id, metrics, deleted_time, inputs, artifact_uri=None) -> bool:
        info = run.info
        if cur.execute("SELECT 1 FROM runs WHERE run_uuid = ?", (info.run_id,)).fetchone():
            return False
        experiment_int = int(experiment_id)
        if not cur.execute("SELECT 1 FROM experiments WHERE experiment_id = ?", (experiment_int,)).fetchone():
            raise NotFoundError(f"No experiment with id {experiment_id!r}")
        if info.lifecycle_stage == LifecycleStage.DELETED and deleted_time is None:
            deleted_time = info.end_time or info.start_time
        cur.execute(
            "INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time, end_time,"
            " lifecycle_stage, artifact_uri, deleted_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (info.run_id, experiment_int, info.run_name, info.user_id, info.status, info.start_time,
             info.end_time, info.lifecycle_stage or LifecycleStage.ACTIVE, artifact_uri, deleted_time))
        cur.executemany("INSERT INTO params (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)",
                        [(info.run_id, key, value, info.start_time) for key, value in run.data.params.items()])
        cur.executemany("INSERT INTO tags (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)",
                        [(info.run_id, key, value, info.start_time) for key, value in run.data.tags.items()])
        if metrics and metrics[0]:
            self._insert_metrics(cur, info.run_id, metrics)
        for dataset_input in inputs or ():
            self._insert_dataset_input(cur, info.run_id, experiment_int, dataset_input)
        return True

    # -- logged models --------------------------------------------------------
    def logged_model_location(self, experiment_id: str, model_id: str) -> str:
        """Where this store keeps the files of logged model ``model_id`` of an experiment."""
        return f"{self._experiment_location(str(experiment_id))}/models/{model_id}/artifacts"

    def has_logged_model(self, model_id: str) -> bool:
        """Whether a logged model with this id exists here (deleted or not)."""
        return bool(self.db.query("SELECT 1 FROM logged_models WHERE model_id = ?", (model_id,)))

    def export_logged_models(self, experiment_ids) -> list:
        """(LoggedModel, [(run id, step) of the runs that wrote it], lifecycle stage) for every logged model of
        these experiments, deleted ones included: what a copy of them needs."""
        ids = [int(experiment_id) for experiment_id in experiment_ids]
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        rows = self.db.query("SELECT lm.model_id, lm.experiment_id, lm.name, lm.artifact_location,"
                             " lm.creation_timestamp, lm.last_updated_timestamp, lm.model_type, lm.source_run_id,"
                             " lm.status, lm.status_message FROM logged_models lm"
                             f" WHERE lm.experiment_id IN ({marks}) ORDER BY lm.creation_timestamp", ids)
        stages = dict(self.db.query(f"SELECT model_id, lifecycle_stage FROM logged_models"
                                    f" WHERE experiment_id IN ({marks})", ids))
        outputs: dict = {}
        for run_id, model_id, step in self.db.query(
                "SELECT o.run_uuid, o.model_id, o.step FROM run_model_outputs o JOIN logged_models lm"
                f" ON lm.model_id = o.model_id WHERE lm.experiment_id IN ({marks})", ids):
            outputs.setdefault(model_id, []).append((run_id, step))
        return [(model, outputs.get(model.model_id, []), stages[model.model_id])
                for model in self._logged_models_from_rows(rows)]

    def import_logged_model(self, model, experiment_id: str, outputs=(), lifecycle_stage="active") -> bool:
        """Write logged model ``model`` with its own id, times, status, params, tags and metrics, and the
        runs that wrote it as (run id, step) ``outputs``; False, writing nothing, when the id exists."""
        location = self.logged_model_location(experiment_id, model.model_id)
        status = getattr(model.status, "value", model.status)
        with self.db.write() as cur:
            if cur.execute("SELECT 1 FROM logged_models WHERE model_id = ?", (model.model_id,)).fetchone():
                return False
            cur.execute(
                "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp,"
                " last_updated_timestamp, model_type, source_run_id, status, status_message, lifecycle_stage)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (model.model_id, int(experiment_id), model.name, location, model.creation_timestamp,
                 model.last_updated_timestamp or model.creation_timestamp, model.model_type, model.source_run_id,
                 status, model.status_message, lifecycle_stage or LifecycleStage.ACTIVE))
            cur.executemany("INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)",
                            [(model.model_id, k, v) for k, v in (model.tags or {}).items()])
            cur.executemany("INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)",
                            [(model.model_id, k, v) for k, v in (model.params or {}).items()])
            cur.executemany(
                "INSERT INTO logged_model_metrics (model_id, key, value, is_nan, timestamp, step, run_id,"
                " dataset_name, dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(model.model_id, m.key, None if m.value != m.value else m.value, int(m.value != m.value),
                  m.timestamp, m.step or 0, getattr(m, "run_id", None), getattr(m, "dataset_name", None),
                  getattr(m, "dataset_digest", None)) for m in model.metrics or ()])
            cur.executemany("INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES (?, ?, ?)"
                            " ON CONFLICT (run_uuid, model_id) DO NOTHING",
                            [(run_id, model.model_id, int(step or 0)) for run_id, step in outputs])
        return True

    # -- registry -----------------------------------------------------------
    def import_registered_model(self, model) -> bool:
        """Create ``model`` (name, times, description, tags) unless its name exists; True when created."""
        with self.db.write() as cur:
            if cur.execute("SELECT 1 FROM registered_models WHERE name = ?", (model.name,)).fetchone():
                return False
            cur.execute("INSERT INTO registered_models (name, creation_time, last_updated_time, description)"
                        " VALUES (?, ?, ?, ?)", (model.name, model.creation_timestamp,
                                                 model.last_updated_timestamp, model.description))
            cur.executemany("INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)",
                            [(model.name, key, value) for key, value in (model.tags or {}).items()])
        return True

    def has_model_version(self, name: str, version) -> bool:
        """Whether version ``version`` of model ``name`` exists here."""
        return bool(self.db.query("SELECT 1 FROM model_versions WHERE name = ? AND version = ?",
                                  (name, int(version))))

    def import_model_version(self, version, storage_location) -> bool:
        """Write ``version`` with its own number, stage, times, source, run id, tags and aliases.

        An existing version keeps its files and gets the stage and aliases of ``version`` (so a
        later copy carries promotions over); returns True only when the version was created.
        Raises NotFoundError when the registered model does not exist.
        """
        number = int(version.version)
        with self.db.write() as cur:
            row = cur.execute("SELECT next_version FROM registered_models WHERE name = ?", (version.name,)).fetchone()
            if row is None:
                raise NotFoundError(f"No registered model named {version.name!r}")
            exists = cur.execute("SELECT 1 FROM model_versions WHERE name = ? AND version = ?",
                                 (version.name, number)).fetchone() is not None
            if exists:
                cur.execute("UPDATE model_versions SET current_stage = ? WHERE name = ? AND version = ?",
                            (version.current_stage or "None", version.name, number))
            else:
                cur.execute(
                    "INSERT INTO model_versions (name, version, creation_time, last_updated_time, description,"
                    " current_stage, source, run_id, status, storage_location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (version.name, number, version.creation_timestamp, version.last_updated_timestamp,
                     version.description, version.current_stage or "None", version.source, version.run_id,
                     version.status or "READY", storage_location))
                cur.executemany("INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)",
                                [(version.name, number, k, v) for k, v in (version.tags or {}).items()])
                cur.execute("UPDATE registered_models SET next_version = ? WHERE name = ? AND next_version <= ?",
                            (number + 1, version.name, number))
            cur.executemany("INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?)"
                            " ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
                            [(version.name, alias, number) for alias in (version.aliases or ())])
        return not exists

    # -- permanent removal --------------------------------------------------
    def deleted_runs(self, deleted_before=None) -> list:
        """RunInfos of the deleted runs (deleted at or before ``deleted_before`` epoch ms when given),
        including the runs of deleted experiments."""
        where = "(r.lifecycle_stage = 'deleted' OR e.lifecycle_stage = 'deleted')"
        params: list = []
        if deleted_before is not None:
            where += (" AND COALESCE(CASE WHEN r.lifecycle_stage = 'deleted' THEN r.deleted_time END,"
                      " e.last_update_time, 0) <= ?")
            params.append(int(deleted_before))
        columns = ", ".join(f"r.{c.strip()}" for c in self._RUN_COLUMNS.split(","))
        rows = self.db.query(f"SELECT {columns} FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id"
                             f" WHERE {where} ORDER BY r.start_time", params)
        return [self._run_info_from_row(row) for row in rows]

    def deleted_experiments(self, deleted_before=None) -> list:
        """Experiments that are deleted (at or before ``deleted_before`` epoch ms when given)."""
        where, params = "lifecycle_stage = 'deleted'", []
        if deleted_before is not None:
            where += " AND COALESCE(last_update_time, 0) <= ?"
            params.append(int(deleted_before))
        rows = self.db.query(f"SELECT {self._EXPERIMENT_COLUMNS} FROM experiments WHERE {where}", params)
        return [self._experiment_from_row(row) for row in rows]

    def purge_run(self, run_id: str) -> None:
        """Remove a deleted run and everything it logged for good (its artifacts are the caller's).

        Raises NotFoundError for an unknown run and InvalidInputError for a run that is not deleted
        (nor in a deleted experiment).
        """
        with self.db.write() as cur:
            row = cur.execute("SELECT r.lifecycle_stage, e.lifecycle_stage FROM runs r JOIN experiments e"
                              " ON e.experiment_id = r.experiment_id WHERE r.run_uuid = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"No run with id {run_id!r}")
            if LifecycleStage.DELETED not in row:
                raise InvalidInputError(f"Run {run_id!r} is not deleted; delete it before purging it")
            for table in ("metric_segments", "latest_metrics", "params", "tags", "run_dataset_inputs",
                          "run_dataset_input_tags", "run_model_inputs", "run_model_outputs", "runs"):
                cur.execute(f"DELETE FROM {table} WHERE run_uuid = ?", (run_id,))

    def purge_experiment(self, experiment_id: str) -> None:
        """Remove a deleted experiment that has no runs left; raises NotFoundError or InvalidInputError."""
        experiment_int = int(experiment_id)
        with self.db.write() as cur:
            row = cur.execute("SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?",
                              (experiment_int,)).fetchone()
            if row is None:
                raise NotFoundError(f"No experiment with id {experiment_id!r}")
            if row[0] != LifecycleStage.DELETED:
                raise InvalidInputError(f"Experiment {experiment_id!r} is not deleted; delete it before purging it")
            if cur.execute("SELECT 1 FROM runs WHERE experiment_id = ?", (experiment_int,)).fetchone():
                raise InvalidInputError(f"Experiment {experiment_id!r} still has runs; purge them first")
            models = "SELECT model_id FROM logged_models WHERE experiment_id = ?"
            for table in ("logged_model_tags", "logged_model_params", "logged_model_metrics"):
                cur.execute(f"DELETE FROM {table} WHERE model_id IN ({models})", (experiment_int,))
            for table in ("logged_models", "datasets", "experiment_tags", "experiments"):
                cur.execute(f"DELETE FROM {table} WHERE experiment_id = ?", (experiment_int,))

    def compact(self) -> None:
        """Give the space of removed rows back to the file system (SQLite VACUUM; a no-op elsewhere)."""
        if getattr(self.db, "dialect", "") == "sqlite":
            self.db.connection.execute("VACUUM")
            self.db.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
