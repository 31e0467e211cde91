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
        self._run_ids = None

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
        """(run id, experiment id) of every run matching the filter, oldest first (searched once)."""
        if self._run_ids is None:
            self._run_ids = self._search_run_ids()
        return self._run_ids

    def _search_run_ids(self) -> list:
        experiment_ids = [e.experiment_id for e in self.experiments()]
        found, token = [], None
        while experiment_ids:
            page = self.store.search_runs(experiment_ids, self.filter_string, self.view, _PAGE,
                                          ["attributes.start_time ASC"], token)
            for run in page:
                if self.run_filter is None or self.run_filter(run):
                    self._runs[run.info.run_id] = run
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
        """LoggedModelRecords of every logged model of the source's experiments, with the runs that wrote them."""
        from ..tracking.exceptions import StoreError

        try:
            found = self.store.export_logged_models([e.experiment_id for e in self.experiments()])
        except StoreError:  # a store without logged models: nothing to copy
            return []
        return [LoggedModelRecord(model, model.artifact_location, outputs, stage) for model, outputs, stage in found]

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
            found.extend(VersionRecord(v, self._version_files(v)) for v in page)
            token = page.token
            if not token:
                return found

    def _version_files(self, version):
        """Where a version's files can be read: its registry copy, or the copy a server names."""
        if version.storage_location:
            return version.storage_location
        download = getattr(self.store, "get_model_version_download_uri", None)
        return download(version.name, version.version) if download else version.source

    def close(self) -> None:
        """Nothing to release: the client's store stays cached for the process."""
