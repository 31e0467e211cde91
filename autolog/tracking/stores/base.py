"""The one interface every tracking store implements; nothing above it knows which store it has."""

from __future__ import annotations

import abc

__all__ = ["TrackingStore"]


class TrackingStore(abc.ABC):
    """Experiments, runs, batched writes, search and the model registry.

    Every method raises NotFoundError for a missing experiment, run or model,
    InvalidInputError for bad arguments and StoreError when the store itself fails.
    """

    #: root URI under which experiments get their default artifact locations
    artifact_root: str

    # experiments
    @abc.abstractmethod
    def create_experiment(self, name: str, artifact_location=None, tags=None) -> str:
        """Create an experiment and return its id."""

    @abc.abstractmethod
    def get_experiment(self, experiment_id: str):
        """Return the Experiment with this id."""

    @abc.abstractmethod
    def get_experiment_by_name(self, name: str):
        """Return the Experiment with this name, or None."""

    @abc.abstractmethod
    def search_experiments(self, view_type, max_results, filter_string, order_by, page_token):
        """Return a PagedList of Experiments."""

    @abc.abstractmethod
    def set_experiment_lifecycle(self, experiment_id: str, stage: str) -> None:
        """Soft-delete or restore an experiment."""

    @abc.abstractmethod
    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set one experiment tag."""

    @abc.abstractmethod
    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Remove one experiment tag (NotFoundError when it has none of that key)."""

    # runs
    @abc.abstractmethod
    def create_run(self, experiment_id: str, user_id: str, start_time: int, tags, run_name: str):
        """Create a RUNNING run and return it."""

    @abc.abstractmethod
    def get_run(self, run_id: str):
        """Return the Run with its params, tags and latest metrics."""

    @abc.abstractmethod
    def update_run_info(self, run_id: str, status=None, end_time=None, run_name=None) -> None:
        """Change a run's status, end time or name."""

    @abc.abstractmethod
    def finish_run(self, run_id: str, status: str, end_time: int, metrics=None, tags=()) -> None:
        """End a run: its last metric points (columns, as in log_batch), tags and terminal status at once."""

    def create_run_with_data(self, experiment_id: str, user_id: str, start_time: int, tags, run_name: str,
                             params=(), datasets=()):
        """Create a RUNNING run with its ``params`` (Params) and dataset inputs (DatasetInputs) and return it.
        The SQL stores write it in one transaction; this default makes the separate calls."""
        run = self.create_run(experiment_id, user_id, start_time, tags, run_name)
        params, datasets = list(params or ()), list(datasets or ())
        if params:
            self.log_batch(run.info.run_id, None, params, ())
            run.data.params.update((param.key, param.value) for param in params)
        if datasets:
            self.log_inputs(run.info.run_id, datasets)
            run.inputs.dataset_inputs.extend(datasets)
        return run

    def log_finished_run(self, experiment_id: str, user_id: str, run_name: str, start_time: int, end_time: int,
                         status: str, tags=(), params=(), metrics=None):
        """Create a run that is already over (its tags, params, metric columns and terminal status) and return
        it. The SQL stores write it in one transaction; this default takes three writes."""
        run = self.create_run(experiment_id, user_id, start_time, tags, run_name)
        run_id = run.info.run_id
        if params or (metrics and metrics[0]):
            self.log_batch(run_id, metrics, params, ())
        self.finish_run(run_id, status, end_time)
        run.info.status, run.info.end_time = status, end_time
        run.data.params.update((param.key, param.value) for param in params)
        return run

    @abc.abstractmethod
    def set_run_lifecycle(self, run_id: str, stage: str) -> None:
        """Soft-delete or restore a run."""

    @abc.abstractmethod
    def log_batch(self, run_id: str, metrics=None, params=(), tags=()) -> None:
        """Write metrics as (keys, values, timestamps, steps) columns, Params and RunTags of one run atomically."""

    @abc.abstractmethod
    def log_metric_points(self, run_id: str, points) -> None:
        """Write (key, value, timestamp, step) tuples of one run; the buffered fluent API uses this."""

    @abc.abstractmethod
    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove one run tag."""

    @abc.abstractmethod
    def get_metric_history(self, run_id: str, key: str) -> list:
        """Return every logged point of one metric, in logging order."""

    def read_metric_columns(self, run_id: str, key: str) -> tuple:
        """Return one metric's history as three equal-length sequences (steps, timestamps, values), in
        logging order: the whole history without a Metric object per point, for charts of long histories.

        Raises NotFoundError for a missing run.
        """
        history = self.get_metric_history(run_id, key)
        return ([m.step for m in history], [m.timestamp for m in history], [m.value for m in history])

    def iter_metric_history(self, run_id: str, key: str):
        """Yield a metric's history as lists of Metric in logging order (stores with big histories page it)."""
        yield self.get_metric_history(run_id, key)

    def get_metric_history_page(self, run_id: str, key: str, max_results: int, page_token=None):
        """Return a PagedList of at most ``max_results`` points from the page token's offset."""
        from ..entities import PagedList

        offset = int(page_token or 0)
        history = self.get_metric_history(run_id, key)
        end = offset + max_results
        return PagedList(history[offset:end], str(end) if end < len(history) else None)

    @abc.abstractmethod
    def search_runs(self, experiment_ids, filter_string, view_type, max_results, order_by, page_token):
        """Return a PagedList of Runs matching a filter string."""

    # model registry (versions are numbered inside the store's write transaction)
    @abc.abstractmethod
    def create_registered_model(self, name: str, tags=None, description=None):
        """Create a registered model and return it; AlreadyExistsError when the name is taken."""

    @abc.abstractmethod
    def get_registered_model(self, name: str):
        """Return the RegisteredModel with its tags, aliases and latest version per stage."""

    @abc.abstractmethod
    def update_registered_model(self, name: str, description):
        """Set a model's description and return the model."""

    @abc.abstractmethod
    def rename_registered_model(self, name: str, new_name: str):
        """Rename a model (its versions follow) and return it."""

    @abc.abstractmethod
    def delete_registered_model(self, name: str) -> list:
        """Delete a model and its versions; return the versions' storage locations."""

    @abc.abstractmethod
    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Set one tag of a registered model."""

    @abc.abstractmethod
    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model."""

    @abc.abstractmethod
    def search_registered_models(self, filter_string, max_results, order_by, page_token):
        """Return a PagedList of RegisteredModels."""

    @abc.abstractmethod
    def create_model_version(self, name: str, source: str, run_id=None, tags=None, description=None):
        """Add the next version (PENDING_REGISTRATION) of a model and return it."""

    @abc.abstractmethod
    def finish_model_version(self, name: str, version, storage_location: str):
        """Record a pending version's storage location, mark it READY and return it."""

    @abc.abstractmethod
    def get_model_version(self, name: str, version):
        """Return one ModelVersion."""

    @abc.abstractmethod
    def update_model_version(self, name: str, version, description):
        """Set a version's description and return it."""

    @abc.abstractmethod
    def transition_model_version_stage(self, name: str, version, stage: str, archive_existing_versions=False):
        """Move a version to a stage atomically (archiving the others when asked) and return it."""

    @abc.abstractmethod
    def delete_model_version(self, name: str, version):
        """Delete a version; return its storage location."""

    @abc.abstractmethod
    def get_latest_versions(self, name: str, stages=None) -> list:
        """Return the highest version in each stage asked for (all stages when None)."""

    @abc.abstractmethod
    def get_latest_version_any_stage(self, name: str):
        """Return the highest ready version whatever its stage."""

    @abc.abstractmethod
    def search_model_versions(self, filter_string, max_results, order_by, page_token):
        """Return a PagedList of ModelVersions."""

    @abc.abstractmethod
    def set_model_version_tag(self, name: str, version, key: str, value: str) -> None:
        """Set one tag of a version."""

    @abc.abstractmethod
    def delete_model_version_tag(self, name: str, version, key: str) -> None:
        """Remove one tag of a version."""

    @abc.abstractmethod
    def set_registered_model_alias(self, name: str, alias: str, version) -> None:
        """Point an alias at a version."""

    @abc.abstractmethod
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias."""

    @abc.abstractmethod
    def get_model_version_by_alias(self, name: str, alias: str):
        """Return the version an alias points at."""

    # logged models (MLflow 3), named as MLflow's stores name them so the server maps REST calls 1:1
    @abc.abstractmethod
    def create_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                            model_type=None):
        """Create a PENDING LoggedModel (tags/params as dicts or lists of LoggedModelTag/Parameter); return it."""

    @abc.abstractmethod
    def get_logged_model(self, model_id: str, allow_deleted: bool = False):
        """Return the LoggedModel with its tags, params and metrics."""

    @abc.abstractmethod
    def finalize_logged_model(self, model_id: str, status):
        """Set a logged model's status (LoggedModelStatus READY or FAILED) and return it."""

    @abc.abstractmethod
    def set_logged_model_tags(self, model_id: str, tags) -> None:
        """Set tags (a dict or a list of LoggedModelTag) of a logged model."""

    @abc.abstractmethod
    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove one tag of a logged model."""

    @abc.abstractmethod
    def log_logged_model_params(self, model_id: str, params) -> None:
        """Add params (a dict or a list of LoggedModelParameter) to a logged model."""

    @abc.abstractmethod
    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model."""

    @abc.abstractmethod
    def search_logged_models(self, experiment_ids, filter_string=None, datasets=None, max_results=None,
                             order_by=None, page_token=None):
        """Return a PagedList of LoggedModels (newest first unless ordered)."""

    @abc.abstractmethod
    def log_model_metrics(self, run_id, metrics) -> None:
        """Record Metrics that carry a ``model_id`` (and maybe a dataset) against their logged models."""

    # what runs read and write
    @abc.abstractmethod
    def log_inputs(self, run_id: str, datasets=None, models=None) -> None:
        """Record DatasetInputs and LoggedModelInputs of a run."""

    @abc.abstractmethod
    def log_outputs(self, run_id: str, models) -> None:
        """Record LoggedModelOutputs of a run."""

    def complete_logged_model(self, model_id: str, status, run_id: str, step: int = 0, history_entry=None) -> None:
        """Finalize a logged model with ``status``, record it as an output of ``run_id`` at ``step`` and, when
        ``history_entry`` (an MLmodel dict) is given, append it to the run's ``mlflow.log-model.history`` tag.
        The SQL stores do it in one transaction; this default makes the separate calls."""
        from ..entities import LoggedModelOutput, RunTag
        from ..model_history import HISTORY_TAG, appended_history

        self.finalize_logged_model(model_id, status)
        self.log_outputs(run_id, [LoggedModelOutput(model_id, step)])
        if history_entry is not None:
            text = appended_history(self.get_run(run_id).data.tags.get(HISTORY_TAG), history_entry)
            if text is not None:
                self.log_batch(run_id, tags=[RunTag(HISTORY_TAG, text)])
    # moving records between stores (import, sync, gc); a store without them cannot receive copies
    def import_experiment(self, experiment) -> tuple:
        """Reuse the experiment of the same name or create it (keeping its id when free); return (id, created)."""
        raise self._unsupported("import experiments")

    def existing_run_ids(self, run_ids) -> set:
        """The ids among ``run_ids`` that name a run in this store."""
        raise self._unsupported("look runs up in bulk")

    def import_run(self, run, experiment_id: str, metrics=None, artifact_uri=None, deleted_time=None,
                   inputs=()) -> bool:
        """Write a complete run with its own id, full metric history and dataset inputs at once;
        False when it exists."""
        raise self._unsupported("import runs")

    def import_runs(self, entries) -> list:
        """Import (run, experiment id, metric columns, deleted time, inputs) entries, each whole or not at all;
        return per entry whether it was written."""
        return [self.import_run(run, experiment_id, metrics, None, deleted_time, inputs)
                for run, experiment_id, metrics, deleted_time, inputs in entries]

    def logged_model_location(self, experiment_id: str, model_id: str) -> str:
        """Where this store keeps a logged model's files."""
        raise self._unsupported("import logged models")

    def has_logged_model(self, model_id: str) -> bool:
        """Whether a logged model with this id exists."""
        raise self._unsupported("look logged models up")

    def export_logged_models(self, experiment_ids) -> list:
        """(LoggedModel, [(run id, step)], lifecycle stage) for every logged model of these experiments."""
        raise self._unsupported("list logged models for a copy")

    def import_logged_model(self, model, experiment_id: str, outputs=(), lifecycle_stage="active") -> bool:
        """Write a logged model with its own id and the runs that wrote it; False when it exists."""
        raise self._unsupported("import logged models")

    def import_registered_model(self, model) -> bool:
        """Create a registered model with its times, description and tags unless it exists."""
        raise self._unsupported("import registered models")

    def has_model_version(self, name: str, version) -> bool:
        """Whether this version of the model exists."""
        raise self._unsupported("look model versions up")

    def import_model_version(self, version, storage_location) -> bool:
        """Write a model version with its own number, stage, tags and aliases; False when it existed."""
        raise self._unsupported("import model versions")

    def deleted_runs(self, deleted_before=None) -> list:
        """RunInfos of the deleted runs, optionally only those deleted before an epoch-ms time."""
        raise self._unsupported("list deleted runs")

    def deleted_experiments(self, deleted_before=None) -> list:
        """The deleted experiments, optionally only those deleted before an epoch-ms time."""
        raise self._unsupported("list deleted experiments")

    def purge_run(self, run_id: str) -> None:
        """Remove a deleted run's records for good."""
        raise self._unsupported("purge runs")

    def purge_experiment(self, experiment_id: str) -> None:
        """Remove a deleted experiment without runs for good."""
        raise self._unsupported("purge experiments")

    def compact(self) -> None:
        """Return the space of removed records to the file system where the store can."""

    def _unsupported(self, what: str):
        from ..exceptions import StoreError

        return StoreError(f"The {type(self).__name__} cannot {what}")

    def close(self) -> None:
        """Release connections; the store may not be used afterwards."""
