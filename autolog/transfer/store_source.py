"""An autolog store (any kind, through the store interface) as the source of a copy."""

from __future__ import annotations

from ..tracking.entities import ViewType
from .records import LoggedModelRecord, RunRecord, VersionRecord

__all__ = ["StoreSource"]

_PAGE = 1000


class StoreSource:
    """Experiments, runs and registry of the store behind ``client``, read through its public interface.

    ``filter_string`` (the search DSL) and ``include_deleted`` choose the runs.
    """

    def __init__(self, client, filter_string: str = "", include_deleted: bool = True, run_filter=None):
        self.client = client
        self.store = client._store
        self.filter_string = filter_string or ""
        self.view = ViewType.ALL if include_deleted else ViewType.ACTIVE_ONLY
        self.run_filter = run_filter
        self._runs: dict = {}
        self._outputs: dict = {}

    def describe(self) -> str:
        """A line naming the source for messages."""
        return f"autolog store {self.client.tracking_uri}"

    def experiments(self) -> list:
        """Every experiment (deleted ones too when deleted runs are copied)."""
        found, token = [], None
        while True:
            page = self.store.search_experiments(self.view, _PAGE, None, None, token)
            found.extend(page)
            token = page.token
            if not token:
                return found

    def run_ids(self) -> list:
        """(run id, experiment id) of every run matching the filter, oldest first."""
        experiment_ids = [e.experiment_id for e in self.experiments()]
        found, token = [], None
        while experiment_ids:
            page = self.store.search_runs(experiment_ids, self.filter_string, self.view, _PAGE,
                                          ["attributes.start_time ASC"], token)
            for run in page:
                if self.run_filter is None or self.run_filter(run):
                    self._runs[run.info.run_id] = run
                    for output in getattr(getattr(run, "outputs", None), "model_outputs", ()):
                        self._outputs.setdefault(output.model_id, []).append((run.info.run_id, output.step))
                    found.append((run.info.run_id, run.info.experiment_id))
            token = page.token
            if not token:
                break
        return found

    def runs(self, run_ids) -> list:
        """RunRecords with full metric histories (read in bulk when the store can, else key by key)."""
        run_ids = list(run_ids)
        runs = {run_id: self._runs.pop(run_id, None) or self.store.get_run(run_id) for run_id in run_ids}
        bulk = getattr(self.store, "metric_history_columns", None)
        histories = bulk(run_ids) if bulk else {run_id: self._history(run) for run_id, run in runs.items()}
        records = []
        for run_id, run in runs.items():
            inputs = getattr(run, "inputs", None)
            records.append(RunRecord(run, histories.get(run_id), run.info.artifact_uri, None,
                                     getattr(inputs, "dataset_inputs", None) or ()))
        return records

    def _history(self, run) -> tuple:
        columns = ([], [], [], [])
        for key in run.data.metrics:
            for point in self.store.get_metric_history(run.info.run_id, key):
                columns[0].append(point.key)
                columns[1].append(point.value)
                columns[2].append(point.timestamp)
                columns[3].append(point.step)
        return columns

    def logged_models(self) -> list:
        """LoggedModelRecords of every (not deleted) logged model, with the runs that wrote them."""
        search = getattr(self.store, "search_logged_models", None)
        if search is None:
            return []
        records = []
        for experiment in self.experiments():
            token = None
            while True:
                page = search([experiment.experiment_id], None, None, _PAGE, None, token)
                records.extend(LoggedModelRecord(model, model.artifact_location, self._outputs.get(model.model_id, ()))
                               for model in page)
                token = page.token
                if not token:
                    break
        return records

    def registered_models(self) -> list:
        """Every registered model."""
        found, token = [], None
        while True:
            page = self.store.search_registered_models(None, _PAGE, None, token)
            found.extend(page)
            token = page.token
            if not token:
                return found

    def model_versions(self) -> list:
        """VersionRecords of every version, its files at the version's registry copy."""
        found, token = [], None
        while True:
            page = self.store.search_model_versions(None, _PAGE, None, token)
            found.extend(VersionRecord(v, v.storage_location or v.source) for v in page)
            token = page.token
            if not token:
                return found

    def close(self) -> None:
        """Nothing to release: the client's store stays cached for the process."""
