"""MLflow 3's logged models on the SQL stores: create, finalize, tag, delete, search, and their metrics.

A logged model's files live under its experiment's artifact location, at
``<experiment location>/models/<model_id>/artifacts`` as MLflow lays them out.
"""

from __future__ import annotations

import time

from ..entities import LifecycleStage, LoggedModel, LoggedModelStatus, Metric, PagedList
from ..exceptions import InvalidInputError, NotFoundError
from .sql_checks import require_active_experiment
from .sql_run_rows import random_id

__all__ = ["SqlLoggedModelsMixin", "MAX_LOGGED_MODELS_DEFAULT"]

MAX_LOGGED_MODELS_DEFAULT = 100
_FORBIDDEN_NAME_CHARACTERS = ("/", ":", ".", "%", '"', "'")
_MODEL_COLUMNS = ("lm.model_id, lm.experiment_id, lm.name, lm.artifact_location, lm.creation_timestamp, "
                  "lm.last_updated_timestamp, lm.model_type, lm.source_run_id, lm.status, lm.status_message")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _pairs(items, what: str) -> list:
    """(key, str value) pairs from a dict or from objects with ``key`` and ``value``."""
    if items is None:
        return []
    if isinstance(items, dict):
        items = items.items()
    else:
        items = [(item.key, item.value) for item in items]
    pairs = []
    for key, value in items:
        if not isinstance(key, str) or not key:
            raise InvalidInputError(f"Invalid logged model {what} key {key!r}: expected a non-empty string")
        pairs.append((key, str(value)))
    return pairs


def _validate_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"Invalid logged model name {name!r}: expected a non-empty string")
    bad = [char for char in _FORBIDDEN_NAME_CHARACTERS if char in name]
    if bad:
        raise InvalidInputError(f"Invalid logged model name {name!r}: it may not contain {' '.join(bad)}")
    return name


def _order_strings(order_by) -> list:
    """MLflow's order_by entries ({"field_name": ..., "ascending": ...} dicts) as our order-key strings."""
    keys = []
    for item in order_by or ():
        if isinstance(item, dict):
            if "field_name" not in item:
                raise InvalidInputError(f"Invalid order_by entry {item!r}: it needs a field_name")
            keys.append(f"{item['field_name']} {'ASC' if item.get('ascending', True) else 'DESC'}")
        else:
            keys.append(item)
    return keys


class SqlLoggedModelsMixin:
    """Logged models (mixed into SqlStore, which provides ``db``, ``_experiment_location`` and the run checks)."""

    # -- writing ----------------------------------------------------------
    def create_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                            model_type=None) -> LoggedModel:
        """Create a PENDING logged model in an experiment and return it.

        ``tags`` and ``params`` are dicts or lists of LoggedModelTag / LoggedModelParameter. Raises
        NotFoundError for an unknown experiment or source run and InvalidInputError for a deleted
        experiment or a bad name.
        """
        model = self._new_logged_model(experiment_id, name, source_run_id, tags, params, model_type)
        with self.db.write() as cur:
            self._insert_logged_model(cur, model, LoggedModelStatus.PENDING, model.last_updated_timestamp)
        return model

    def prepare_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                             model_type=None) -> LoggedModel:
        """A PENDING logged model with its id and artifact location, not written yet: its files can be saved
        there, then ``log_prepared_logged_model`` writes it with its final status in one transaction.

        Raises what ``create_logged_model`` raises for the experiment and the arguments.
        """
        from .sql_checks import experiment_refusal

        model = self._new_logged_model(experiment_id, name, source_run_id, tags, params, model_type)
        refusal = experiment_refusal(self.db, int(model.experiment_id), experiment_id, "to log models in it")
        if refusal is not None:
            raise refusal
        return model

    def log_prepared_logged_model(self, model: LoggedModel, status, run_id=None, step: int = 0,
                                  history_entry=None) -> None:
        """Write ``model`` (from ``prepare_logged_model``) with ``status`` and, when ``run_id`` is given, record it
        as that run's output and append ``history_entry`` as ``complete_logged_model`` does: one transaction.

        Raises NotFoundError for an unknown experiment or run, InvalidInputError for a deleted one.
        """
        with self.db.write() as cur:
            self._insert_prepared_models(cur, run_id, [(model, status, step, history_entry)])

    def _insert_prepared_models(self, cur, run_id, models) -> None:
        """Inside a write: insert each (prepared LoggedModel, status, step, history entry) of ``models`` with its
        status and, unless ``run_id`` is None, as an output of that run with its history entry appended."""
        for model, status, step, history_entry in models:
            self._insert_logged_model(cur, model, _model_status(status), _now_ms())
            if run_id is not None:
                self._record_output(cur, model.model_id, run_id, step, history_entry)

    def _new_logged_model(self, experiment_id, name, source_run_id, tags, params, model_type) -> LoggedModel:
        """A PENDING LoggedModel with a new id and its artifact location, checked but not written."""
        from ..run_names import generate_run_name

        name = generate_run_name() if name is None else _validate_name(name)
        tag_pairs, param_pairs = dict(_pairs(tags, "tag")), dict(_pairs(params, "param"))
        experiment_int = _experiment_ints([experiment_id])[0]
        model_id = f"m-{random_id()}"
        now = _now_ms()
        location = f"{self._experiment_location(str(experiment_int))}/models/{model_id}/artifacts"
        return LoggedModel(str(experiment_int), model_id, name, location, now, now, model_type, source_run_id,
                           LoggedModelStatus.PENDING, None, tag_pairs, param_pairs)

    @staticmethod
    def _insert_logged_model(cur, model: LoggedModel, status: LoggedModelStatus, updated: int) -> None:
        """Insert ``model`` with ``status``, its tags and params; raises NotFoundError / InvalidInputError for an
        unknown or deleted experiment or an unknown source run."""
        experiment_int = int(model.experiment_id)
        require_active_experiment(cur, experiment_int, model.experiment_id, "to log models in it")
        if model.source_run_id is not None and cur.execute(
                "SELECT 1 FROM runs WHERE run_uuid = ?", (model.source_run_id,)).fetchone() is None:
            raise NotFoundError(f"No run with id {model.source_run_id!r} (the logged model's source run)")
        cur.execute(
            "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp,"
            " last_updated_timestamp, model_type, source_run_id, status, lifecycle_stage)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')",
            (model.model_id, experiment_int, model.name, model.artifact_location, model.creation_timestamp,
             updated, model.model_type, model.source_run_id, status.value))
        cur.executemany("INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)",
                        [(model.model_id, key, value) for key, value in model.tags.items()])
        cur.executemany("INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)",
                        [(model.model_id, key, value) for key, value in model.params.items()])

    def _require_logged_model(self, cur, model_id: str) -> None:
        row = cur.execute("SELECT lifecycle_stage FROM logged_models WHERE model_id = ?", (model_id,)).fetchone()
        if row is None or row[0] != LifecycleStage.ACTIVE:
            raise NotFoundError(f"No logged model with id {model_id!r}")

    def _touch_logged_model(self, cur, model_id: str) -> None:
        cur.execute("UPDATE logged_models SET last_updated_timestamp = ? WHERE model_id = ?", (_now_ms(), model_id))

    def finalize_logged_model(self, model_id: str, status) -> LoggedModel:
        """Set a logged model's status (READY once its files are written, FAILED otherwise) and return it.

        Raises NotFoundError for an unknown model and InvalidInputError for an unknown status.
        """
        status = _model_status(status)
        with self.db.write() as cur:
            self._set_model_status(cur, model_id, status)
        return self.get_logged_model(model_id)

    def _set_model_status(self, cur, model_id: str, status) -> None:
        self._require_logged_model(cur, model_id)
        cur.execute("UPDATE logged_models SET status = ?, last_updated_timestamp = ? WHERE model_id = ?",
                    (status.value, _now_ms(), model_id))

    def complete_logged_model(self, model_id: str, status, run_id: str, step: int = 0, history_entry=None) -> None:
        """Finalize a logged model, record it as an output of ``run_id`` and append ``history_entry`` to the run's
        log-model history tag, in one transaction (see the base store). Raises NotFoundError for an unknown
        model or run, InvalidInputError for a deleted run or an unknown status."""
        status = _model_status(status)
        with self.db.write() as cur:
            self._check_run_writable(cur, run_id)
            self._set_model_status(cur, model_id, status)
            self._record_output(cur, model_id, run_id, step, history_entry)

    def _record_output(self, cur, model_id: str, run_id: str, step, history_entry) -> None:
        """Record the model as ``run_id``'s output at ``step`` and append ``history_entry`` (when not None) to the
        run's log-model history tag; raises NotFoundError / InvalidInputError for a missing or deleted run."""
        from ..entities import RunTag
        from ..model_history import HISTORY_TAG, appended_history
        from .sql_run_rows import upsert_tags

        run = self._check_run_writable(cur, run_id)
        cur.execute("INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES (?, ?, ?)"
                    " ON CONFLICT (run_uuid, model_id) DO UPDATE SET step = excluded.step",
                    (run_id, model_id, int(step or 0)))
        if history_entry is None:
            return
        row = cur.execute("SELECT value FROM tags WHERE run_uuid = ? AND key = ?", (run_id, HISTORY_TAG)).fetchone()
        text = appended_history(row[0] if row else None, history_entry)
        if text is not None:
            upsert_tags(cur, run, [RunTag(HISTORY_TAG, text)])

    def set_logged_model_tags(self, model_id: str, tags) -> None:
        """Set (or overwrite) tags of a logged model; ``tags`` is a dict or a list of LoggedModelTag."""
        pairs = _pairs(tags, "tag")
        with self.db.write() as cur:
            self._require_logged_model(cur, model_id)
            cur.executemany("INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)"
                            " ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value",
                            [(model_id, key, value) for key, value in pairs])
            self._touch_logged_model(cur, model_id)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove one tag; raises NotFoundError when the model or the tag is missing."""
        with self.db.write() as cur:
            self._require_logged_model(cur, model_id)
            cur.execute("DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?", (model_id, key))
            if cur.rowcount == 0:
                raise NotFoundError(f"Logged model {model_id!r} has no tag {key!r}")
            self._touch_logged_model(cur, model_id)

    def log_logged_model_params(self, model_id: str, params) -> None:
        """Add params to a logged model; a key that exists with another value is an InvalidInputError."""
        pairs = _pairs(params, "param")
        with self.db.write() as cur:
            self._require_logged_model(cur, model_id)
            existing = dict(cur.execute("SELECT key, value FROM logged_model_params WHERE model_id = ?",
                                        (model_id,)).fetchall())
            for key, value in pairs:
                if key in existing and existing[key] != value:
                    raise InvalidInputError(f"Param {key!r} of logged model {model_id} already has value "
                                            f"{existing[key]!r}; params cannot change (tried {value!r})")
            cur.executemany("INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)",
                            [(model_id, key, value) for key, value in dict(pairs).items() if key not in existing])

    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model: it leaves get and search. Raises NotFoundError."""
        with self.db.write() as cur:
            self._require_logged_model(cur, model_id)
            cur.execute("UPDATE logged_models SET lifecycle_stage = ?, last_updated_timestamp = ?"
                        " WHERE model_id = ?", (LifecycleStage.DELETED, _now_ms(), model_id))

    def log_model_metrics(self, run_id, metrics) -> None:
        """Record metric points that name a logged model (``Metric.model_id``) against that model.

        The points stay run metrics too (log_batch writes those); this adds the model's side.
        Raises NotFoundError for an unknown model.
        """
        rows = []
        for metric in metrics:
            value = float(metric.value)
            nan = value != value
            rows.append((metric.model_id, metric.key, None if nan else value, int(nan), int(metric.timestamp),
                         int(metric.step or 0), run_id, metric.dataset_name, metric.dataset_digest))
        if not rows:
            return
        with self.db.write() as cur:
            for model_id in {row[0] for row in rows}:
                self._require_logged_model(cur, model_id)
            cur.executemany(
                "INSERT INTO logged_model_metrics (model_id, key, value, is_nan, timestamp, step, run_id,"
                " dataset_name, dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    # -- reading ----------------------------------------------------------
    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        """The logged model with its tags, params and metrics; raises NotFoundError (also when deleted)."""
        stage = "" if allow_deleted else " AND lm.lifecycle_stage = 'active'"
        rows = self.db.query(f"SELECT {_MODEL_COLUMNS} FROM logged_models lm WHERE lm.model_id = ?{stage}",
                             (model_id,))
        if not rows:
            raise NotFoundError(f"No logged model with id {model_id!r}")
        return self._logged_models_from_rows(rows)[0]

    def _logged_models_from_rows(self, rows) -> list:
        models = {}
        for row in rows:
            model_id, experiment_id, name, location, created, updated, model_type, run_id, status, message = row
            models[model_id] = LoggedModel(str(experiment_id), model_id, name, location, created, updated,
                                           model_type, run_id, status, message)
        ids = list(models)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for model_id, key, value in self.db.query(
                    f"SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN ({marks})", chunk):
                models[model_id].tags[key] = value
            for model_id, key, value in self.db.query(
                    f"SELECT model_id, key, value FROM logged_model_params WHERE model_id IN ({marks})", chunk):
                models[model_id].params[key] = value
            for model_id, key, value, nan, stamp, step, run_id, dataset, digest in self.db.query(
                    "SELECT model_id, key, value, is_nan, timestamp, step, run_id, dataset_name, dataset_digest"
                    f" FROM logged_model_metrics WHERE model_id IN ({marks}) ORDER BY key, step, timestamp",
                    chunk):
                models[model_id].metrics.append(Metric(key, float("nan") if nan else value, stamp, step,
                                                       model_id, dataset, digest, run_id))
        return [models[model_id] for model_id in ids]

    def search_logged_models(self, experiment_ids, filter_string=None, datasets=None, max_results=None,
                             order_by=None, page_token=None) -> PagedList:
        """One page of the logged models of ``experiment_ids`` matching ``filter_string``, newest first
        unless ordered.

        Filters and order keys name attributes (name, model_id, model_type, status, source_run_id,
        creation_timestamp, last_updated_timestamp), ``metrics.*`` (latest value per key), ``params.*``
        and ``tags.*``. ``datasets`` ([{"dataset_name": ..., "dataset_digest": ...}]) keeps the models
        with metrics computed on one of them. ``order_by`` takes strings or MLflow's
        {"field_name", "ascending"} dicts. Raises InvalidInputError for a malformed filter or token.
        """
        ids = _experiment_ints(experiment_ids)
        if not ids:
            return PagedList([], None)
        where = [f"lm.experiment_id IN ({', '.join('?' * len(ids))})", "lm.lifecycle_stage = 'active'"]
        params = list(ids)
        dataset_where, dataset_params = _datasets_condition(datasets)
        if dataset_where:
            where.append(dataset_where)
            params += dataset_params
        from .sql_search import paged_search

        rows, token = paged_search(
            self.db, "LOGGED_MODELS", _MODEL_COLUMNS, filter_string, _order_strings(order_by),
            MAX_LOGGED_MODELS_DEFAULT if max_results is None else max_results, page_token,
            base_where=where, base_params=params, search_key=(sorted(ids), repr(datasets)))
        return PagedList(self._logged_models_from_rows(rows), token)


def _experiment_ints(experiment_ids) -> list:
    if isinstance(experiment_ids, (str, int)):
        experiment_ids = [experiment_ids]
    try:
        return [int(experiment_id) for experiment_id in experiment_ids or ()]
    except (TypeError, ValueError):
        raise InvalidInputError(f"Invalid experiment ids {experiment_ids!r}: experiment ids are integers") from None


def _datasets_condition(datasets) -> tuple:
    """SQL keeping models with a metric on one of ``datasets`` (dicts with dataset_name[, dataset_digest])."""
    if not datasets:
        return "", []
    alternatives, params = [], []
    for dataset in datasets:
        name = dataset.get("dataset_name") if isinstance(dataset, dict) else None
        if not name:
            raise InvalidInputError(f"Invalid dataset {dataset!r}: expected a dict with a dataset_name")
        condition = "d.dataset_name = ?"
        params.append(name)
        if dataset.get("dataset_digest"):
            condition += " AND d.dataset_digest = ?"
            params.append(dataset["dataset_digest"])
        alternatives.append(f"({condition})")
    return ("EXISTS (SELECT 1 FROM logged_model_metrics d WHERE d.model_id = lm.model_id AND ("
            + " OR ".join(alternatives) + "))"), params


def _model_status(status):
    """``status`` as a LoggedModelStatus; raises InvalidInputError for an unknown one."""
    try:
        return LoggedModelStatus.from_value(status)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
