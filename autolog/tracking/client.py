"""``Client``: the explicit, run-id based API over one tracking store."""

from __future__ import annotations

import contextlib
import operator
import os
import time
from array import array

from . import stores
from .artifacts import get_artifact_repository
from .entities import LifecycleStage, Metric, Param, RunStatus, RunTag, ViewType
from .exceptions import InvalidInputError, StoreError
from .logged_models_client import LoggedModelsClientMixin
from .registry_client import RegistryClientMixin
from .run_context import RUN_NAME
from .run_names import generate_run_name
from .tracking_uri import get_tracking_uri, normalise_tracking_uri
from .validation import (param_value_to_str, safe_artifact_path, tag_value_to_str, validate_key,
                         validate_metric_value, validate_run_name, validate_step, validate_timestamp)

__all__ = ["Client"]

_METRIC_FIELDS = tuple(operator.attrgetter(name) for name in ("key", "value", "timestamp", "step"))


def _now_ms() -> int:
    return int(time.time() * 1000)


class Client(RegistryClientMixin, LoggedModelsClientMixin):
    """Experiments, runs, artifacts and the model registry of one tracking store.

    ``Client()`` talks to the store in effect (set_tracking_uri, $AUTOLOG_TRACKING_URI
    or ./mlruns); ``Client(uri)`` to another. Reads see every metric the fluent API
    has logged in this process so far.
    """

    def __init__(self, tracking_uri=None):
        self.tracking_uri = get_tracking_uri() if tracking_uri is None else normalise_tracking_uri(tracking_uri)
        self._store = stores.get_store(self.tracking_uri)
        self._artifact_uris: dict = {}

    def _sync(self) -> None:
        buffer = getattr(self._store, "metric_buffer", None)
        if buffer is not None and buffer.pending():
            buffer.flush()

    # -- experiments ------------------------------------------------------
    def create_experiment(self, name: str, artifact_location=None, tags=None) -> str:
        """Create an experiment and return its id; raises AlreadyExistsError if the name is taken."""
        return self._store.create_experiment(name, artifact_location, tags)

    def get_experiment(self, experiment_id):
        """Return the Experiment with this id; raises NotFoundError."""
        return self._store.get_experiment(str(experiment_id))

    def get_experiment_by_name(self, name: str):
        """Return the Experiment with this name, or None."""
        return self._store.get_experiment_by_name(name)

    def search_experiments(self, view_type=ViewType.ACTIVE_ONLY, max_results=1000, filter_string=None,
                           order_by=None, page_token=None):
        """Return a PagedList of experiments, optionally filtered by name or tags."""
        return self._store.search_experiments(view_type, max_results, filter_string, order_by, page_token)

    def delete_experiment(self, experiment_id) -> None:
        """Soft-delete an experiment; its name stays reserved until it is restored."""
        self._store.set_experiment_lifecycle(str(experiment_id), LifecycleStage.DELETED)

    def restore_experiment(self, experiment_id) -> None:
        """Undo delete_experiment."""
        self._store.set_experiment_lifecycle(str(experiment_id), LifecycleStage.ACTIVE)

    def rename_experiment(self, experiment_id, new_name: str) -> None:
        """Rename an experiment; raises AlreadyExistsError if the new name is taken."""
        self._store.rename_experiment(str(experiment_id), new_name)

    def set_experiment_tag(self, experiment_id, key: str, value) -> None:
        """Set a tag on an experiment."""
        self._store.set_experiment_tag(str(experiment_id), validate_key(key, "tag key"), tag_value_to_str(key, value))

    def delete_experiment_tag(self, experiment_id, key: str) -> None:
        """Remove a tag from an experiment; raises NotFoundError when it has no such tag."""
        self._store.delete_experiment_tag(str(experiment_id), key)

    # -- runs -------------------------------------------------------------
    def create_run(self, experiment_id, start_time=None, tags=None, run_name=None):
        """Create a RUNNING run in an experiment and return it (no system tags; the fluent API adds those)."""
        run_name, user, run_tags = new_run_identity(tags, run_name)
        run = self._store.create_run(str(experiment_id), user, _now_ms() if start_time is None else int(start_time),
                                     run_tags, run_name)
        self._remember_artifact_uri(run.info.run_id, run.info.artifact_uri)
        return run

    def _create_run_with_data(self, experiment_id, start_time: int, tags: dict, params: dict, datasets=()):
        """Create a RUNNING run with its tags, params ({key: value}) and dataset inputs in one store write where
        the store can (autologging's run start) and return it. Raises InvalidInputError for a bad key or value,
        before anything is written."""
        run_name, user, run_tags = new_run_identity(tags, None)
        checked = [Param(validate_key(key, "param key"), param_value_to_str(key, value))
                   for key, value in params.items()]
        run = self._store.create_run_with_data(str(experiment_id), user, int(start_time), run_tags, run_name,
                                               checked, list(datasets))
        self._remember_artifact_uri(run.info.run_id, run.info.artifact_uri)
        return run

    def get_run(self, run_id: str):
        """Return the Run: info, params, tags and the latest value of each metric. Raises NotFoundError."""
        self._sync()
        return self._store.get_run(run_id)

    def search_runs(self, experiment_ids, filter_string="", run_view_type=ViewType.ACTIVE_ONLY,
                    max_results=1000, order_by=None, page_token=None):
        """Return a PagedList of runs of the given experiments that match ``filter_string``.

        Raises InvalidInputError for a malformed filter or order key.
        """
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        self._sync()
        return self._store.search_runs([str(e) for e in experiment_ids], filter_string or "", run_view_type,
                                       max_results, order_by or [], page_token)

    def log_param(self, run_id: str, key: str, value):
        """Log one param; raises InvalidInputError if the run already has another value for it."""
        self.log_batch(run_id, params=[Param(key, value)])
        return value

    def log_metric(self, run_id: str, key: str, value, timestamp=None, step=None) -> None:
        """Log one metric point, written at once."""
        self.log_batch(run_id, metrics=[Metric(key, value, _now_ms() if timestamp is None else timestamp, step or 0)])

    def set_tag(self, run_id: str, key: str, value) -> None:
        """Set one tag (tags can be overwritten)."""
        self.log_batch(run_id, tags=[RunTag(key, value)])

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove a tag; raises NotFoundError if the run has no such tag."""
        self._store.delete_tag(run_id, key)

    def log_batch(self, run_id: str, metrics=(), params=(), tags=()) -> None:
        """Write metrics, params and tags of one run in one transaction; all or nothing.

        Raises InvalidInputError naming the first bad key or value; nothing of the batch is written then.
        """
        metrics = list(metrics)
        columns = _metric_columns(metrics)
        params = [Param(validate_key(p.key, "param key"), param_value_to_str(p.key, p.value)) for p in params]
        tags = [RunTag(validate_key(t.key, "tag key"), tag_value_to_str(t.key, t.value)) for t in tags]
        self._store.log_batch(run_id, columns, params, tags)
        model_metrics = _linked_points(metrics)
        if model_metrics:  # MLflow 3: points naming a logged model are that model's metrics too
            self._store.log_model_metrics(run_id, model_metrics)

    def get_metric_history(self, run_id: str, key: str) -> list:
        """Return every point logged for a metric, as Metric objects in logging order."""
        self._sync()
        return self._store.get_metric_history(run_id, key)

    def set_terminated(self, run_id: str, status: str = RunStatus.FINISHED, end_time=None) -> None:
        """Mark a run ended with ``status`` (FINISHED, FAILED or KILLED)."""
        if status not in RunStatus.TERMINATED:
            raise InvalidInputError(f"Invalid end status {status!r}: expected FINISHED, FAILED or KILLED")
        self._sync()
        self._store.finish_run(run_id, status, _now_ms() if end_time is None else int(end_time))

    def _finish_run(self, run_id: str, status: str, points=(), tags=None, models=()) -> None:
        """End a run with its last buffered (key, value, timestamp, step) points and tags in one write, and the
        logged ``models`` held for its end ((prepared LoggedModel, status, step, history entry) tuples): in
        that same write where the store can, else each written first as ``log_model`` writes it."""
        columns = [list(map(operator.itemgetter(i), points)) for i in range(4)] if points else None
        run_tags = [RunTag(validate_key(k, "tag key"), tag_value_to_str(k, v)) for k, v in (tags or {}).items()]
        if not models:
            self._store.finish_run(run_id, status, _now_ms(), columns, run_tags)
            return
        if getattr(self._store, "finishes_runs_with_models", False):
            try:
                self._store.finish_run(run_id, status, _now_ms(), columns, run_tags, models=models)
            except StoreError:
                with contextlib.suppress(StoreError, InvalidInputError):  # the end's error is the one to report
                    self._complete_held_models(run_id, models)  # the models saved are kept where the end is not
                raise
        else:
            self._complete_held_models(run_id, models)
            self._store.finish_run(run_id, status, _now_ms(), columns, run_tags)
        for model, model_status, _step, _entry in models:
            model.status = type(model.status).from_value(model_status)

    def _complete_held_models(self, run_id: str, models) -> None:
        """Write each of ``models`` (as ``_finish_run`` takes them) on its own, as ``log_model`` writes one."""
        for model, model_status, step, history_entry in models:
            self._complete_logged_model(model.model_id, model_status, run_id, step, history_entry, prepared=model)

    def update_run(self, run_id: str, status=None, name=None) -> None:
        """Change a run's status or name; raises InvalidInputError for a name longer than a tag value."""
        self._store.update_run_info(run_id, status=status, run_name=validate_run_name(name))

    def delete_run(self, run_id: str) -> None:
        """Soft-delete a run: it leaves searches until restore_run."""
        self._store.set_run_lifecycle(run_id, LifecycleStage.DELETED)

    def restore_run(self, run_id: str) -> None:
        """Undo delete_run."""
        self._store.set_run_lifecycle(run_id, LifecycleStage.ACTIVE)

    # -- artifacts --------------------------------------------------------
    def _repository(self, run_id: str):
        artifact_uri = self._artifact_uris.get(run_id)
        if artifact_uri is None:  # a run's artifact location never changes: ask the store once
            artifact_uri = self._store.get_run(run_id).info.artifact_uri
            self._remember_artifact_uri(run_id, artifact_uri)
        return get_artifact_repository(artifact_uri)

    def _remember_artifact_uri(self, run_id: str, artifact_uri: str) -> None:
        if len(self._artifact_uris) >= 10_000:
            self._artifact_uris.clear()
        self._artifact_uris[run_id] = artifact_uri

    def log_artifact(self, run_id: str, local_path: str, artifact_path=None) -> None:
        """Copy a local file (or directory) into the run's artifacts under ``artifact_path``."""
        repository = self._repository(run_id)
        if os.path.isdir(local_path):
            name = os.path.basename(os.path.normpath(local_path))
            repository.log_artifacts(local_path, f"{artifact_path}/{name}" if artifact_path else name)
        else:
            repository.log_artifact(local_path, artifact_path)

    def log_artifacts(self, run_id: str, local_dir: str, artifact_path=None) -> None:
        """Copy the contents of a local directory into the run's artifacts under ``artifact_path``."""
        self._repository(run_id).log_artifacts(local_dir, artifact_path)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Save a string as the artifact file ``artifact_file``."""
        self._log_bytes(run_id, text.encode("utf-8"), artifact_file)

    def log_dict(self, run_id: str, dictionary, artifact_file: str) -> None:
        """Save a dict as JSON, or as YAML when ``artifact_file`` ends in .yaml/.yml."""
        if artifact_file.endswith((".yaml", ".yml")):
            import yaml

            text = yaml.safe_dump(dictionary, sort_keys=False, default_flow_style=False)
        else:
            import json

            text = json.dumps(dictionary, indent=2, default=str)
        self.log_text(run_id, text, artifact_file)

    def log_figure(self, run_id: str, figure, artifact_file: str) -> None:
        """Save a matplotlib figure (or plotly figure, as HTML) as ``artifact_file``."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, os.path.basename(artifact_file))
            if hasattr(figure, "savefig"):
                figure.savefig(path)
            elif hasattr(figure, "write_html"):
                figure.write_html(path)
            else:
                raise InvalidInputError(f"Cannot log figure of type {type(figure).__name__}: expected matplotlib")
            self._log_file_as(run_id, path, artifact_file)

    def _log_bytes(self, run_id: str, data: bytes, artifact_file: str) -> None:
        relative = safe_artifact_path(artifact_file)
        local = self._repository(run_id).local_path(relative) if relative else None
        if local is not None:  # a local store: write the file beside its place, then rename it there
            from .._containment import write_bytes_atomic
            from .stores.storage_errors import storage_errors

            with storage_errors(local, "the artifact file"):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                write_bytes_atomic(local, data)
            return
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, os.path.basename(artifact_file) or "artifact")
            with open(path, "wb") as handle:
                handle.write(data)
            self._log_file_as(run_id, path, artifact_file)

    def _log_file_as(self, run_id: str, path: str, artifact_file: str) -> None:
        relative = safe_artifact_path(artifact_file)
        if not relative:
            raise InvalidInputError(f"Invalid artifact file {artifact_file!r}: it needs a file name")
        self._repository(run_id).log_artifact(path, os.path.dirname(relative) or None)

    def list_artifacts(self, run_id: str, path=None) -> list:
        """Return the FileInfos directly under ``path`` in the run's artifacts."""
        return self._repository(run_id).list_artifacts(path)

    def download_artifacts(self, run_id: str, path: str = "", dst_path=None) -> str:
        """Copy a run's artifact file or directory into ``dst_path`` (a new temp dir if None); return its local path."""
        import tempfile

        destination = dst_path if dst_path is not None else tempfile.mkdtemp(prefix="autolog-artifacts-")
        os.makedirs(destination, exist_ok=True)
        return self._repository(run_id).download_artifacts(path, destination)


def new_run_identity(tags, run_name) -> tuple:
    """(run name, user, validated RunTags with the run name) of a new run; raises InvalidInputError for a
    bad tag or name."""
    tags = {key: tag_value_to_str(key, value) for key, value in (tags or {}).items()}
    run_name = validate_run_name(run_name) or tags.get(RUN_NAME) or generate_run_name()
    tags[RUN_NAME] = run_name
    user = tags.get("mlflow.user") or _default_user()
    return run_name, user, [RunTag(validate_key(k, "tag key"), v) for k, v in tags.items()]


def _metric_columns(metrics: list) -> tuple:
    """Validated (keys, values, timestamps, steps) columns from Metric objects; the hot path of log_batch.

    Keys come back as a list, the numbers as arrays of float64 and int64, ready to be packed.
    """
    keys, values, stamps, steps = (list(map(getter, metrics)) for getter in _METRIC_FIELDS)
    for key in set(keys):
        validate_key(key, "metric key")
    if not set(map(type, values)) <= {float}:
        values = [validate_metric_value(key, value) for key, value in zip(keys, values)]
    return (keys, array("d", values), _int64_column(keys, stamps, validate_timestamp),
            _int64_column(keys, steps, validate_step))


def _int64_column(keys: list, numbers: list, validate) -> array:
    """``numbers`` as an int64 array; when one is not a plain int below 2**63, ``validate`` names it (or
    turns it into one: None, 3.0)."""
    if set(map(type, numbers)) <= {int}:
        try:
            return array("q", numbers)
        except OverflowError:
            pass
    return array("q", [validate(key, number) for key, number in zip(keys, numbers)])


_LINKS = operator.attrgetter("_links")


def _linked_points(metrics: list) -> list:
    """The points that name a logged model; plain autolog Metrics are told apart without a Python-level loop."""
    try:
        if not any(map(_LINKS, metrics)):
            return []
    except AttributeError:  # points of another class (MLflow's Metric): ask each one
        pass
    return [m for m in metrics if getattr(m, "model_id", None)]


def _default_user() -> str:
    from .run_context import current_user

    return current_user()
