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

    @abc.abstractmethod
    def search_runs(self, experiment_ids, filter_string, view_type, max_results, order_by, page_token):
        """Return a PagedList of Runs matching a filter string."""

    def close(self) -> None:
        """Release connections; the store may not be used afterwards."""
