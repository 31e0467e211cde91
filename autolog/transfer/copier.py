"""Copy experiments, runs (with their files) and the registry from a source into a destination store.

A source is anything with ``experiments()``, ``run_ids()``, ``runs(ids)``,
``registered_models()`` and ``model_versions()`` (an MLflow database, an MLflow file
store, or another autolog store). The rules that make a copy safe to interrupt and
repeat:

- a run's files are copied first, then its records in one transaction, so a run is
  either wholly in the destination or not at all;
- runs, models and versions already in the destination (same id, same name and
  number) are left as they are, so a second copy writes nothing twice;
- ids are kept, so ``runs:/<id>/...`` and ``models:/<name>/<version>`` keep working.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ..tracking.artifacts import get_artifact_repository
from ..tracking.exceptions import AutologError
from .report import Progress, Summary

__all__ = ["copy_store"]

_RUN_BATCH = 100


def copy_store(source, client, experiments=None, registry=True, progress=None, run_ids=None) -> Summary:
    """Copy everything of ``source`` into the store of ``client`` and return the Summary.

    ``experiments`` limits the copy to experiments with these names; ``run_ids`` to these runs
    (the runs a filter selected). Raises AutologError when the destination cannot take copies.
    """
    summary = Summary()
    progress = progress or Progress()
    copier = _Copier(source, client, summary, progress)
    holding = None if run_ids is None else {exp for run_id, exp in source.run_ids() if run_id in run_ids}
    experiment_map = copier.copy_experiments(experiments, holding)
    copied_runs = copier.copy_runs(experiment_map, run_ids)
    copier.copy_logged_models(experiment_map, None if run_ids is None else copied_runs)
    if registry:
        copier.copy_registry()
    return summary


class _Copier:
    def __init__(self, source, client, summary: Summary, progress: Progress):
        self.source = source
        self.client = client
        self.store = client._store
        self.summary = summary
        self.progress = progress
        self._locations: dict = {}

    # -- experiments ----------------------------------------------------------
    def copy_experiments(self, names=None, holding=None) -> dict:
        """Import the source's experiments (those named, when given, and only those holding runs to copy
        when ``holding`` lists their ids); map source id -> destination id."""
        wanted = set(names) if names else None
        mapping = {}
        for experiment in self.source.experiments():
            if (wanted is not None and experiment.name not in wanted) or \
                    (holding is not None and str(experiment.experiment_id) not in holding):
                continue
            new_id, created = self.store.import_experiment(experiment)
            mapping[str(experiment.experiment_id)] = new_id
            if created:
                self.summary.count("experiments")
            else:
                self.summary.already_there("experiments")
            if created and new_id != str(experiment.experiment_id):
                self.summary.notes.append(f"Experiment {experiment.name!r} has id {new_id} here "
                                          f"(id {experiment.experiment_id} was taken)")
        if wanted is not None:
            missing = wanted - {e.name for e in self.source.experiments()}
            for name in sorted(missing):
                self.summary.skip(f"experiment {name!r}", "no experiment of that name in the source")
        return mapping

    # -- runs -------------------------------------------------------------------
    def copy_runs(self, experiment_map: dict, only=None) -> set:
        """Import every run of the mapped experiments that the destination lacks, in batches; return the
        ids of the runs the copy covered (copied now or found there)."""
        only = set(only) if only is not None else None
        candidates = [(run_id, experiment_id) for run_id, experiment_id in self.source.run_ids()
                      if experiment_id in experiment_map and (only is None or run_id in only)]
        present = self.store.existing_run_ids([run_id for run_id, _ in candidates])
        if present:
            self.summary.already_there("runs", len(present))
        todo = [(run_id, experiment_id) for run_id, experiment_id in candidates if run_id not in present]
        self.progress.start("runs", len(todo))
        for start in range(0, len(todo), _RUN_BATCH):
            batch = todo[start:start + _RUN_BATCH]
            records = self.source.runs([run_id for run_id, _ in batch])
            self._copy_run_batch(records, experiment_map)
            self.progress.advance(len(records))
        self.progress.finish()
        return {run_id for run_id, _ in candidates}

    def _copy_run_batch(self, records: list, experiment_map: dict) -> None:
        """Copy the runs' files, then their records in one transaction (each run whole or not at all)."""
        entries = []
        for record in records:
            experiment_id = experiment_map[str(record.run.info.experiment_id)]
            self._copy_run_files(record, experiment_id)
            entries.append((record.run, experiment_id, record.metrics, record.deleted_time, record.inputs))
        for record, written in zip(records, self.store.import_runs(entries)):
            if not written:
                self.summary.already_there("runs")
                continue
            self.summary.count("runs")
            self.summary.count("metric points", record.point_count)
            self.summary.count("dataset inputs", len(record.inputs))

    # -- logged models ----------------------------------------------------------
    def copy_logged_models(self, experiment_map: dict, runs=None) -> None:
        """Import the logged models of the mapped experiments (only those of ``runs`` when given), files first."""
        reader = getattr(self.source, "logged_models", None)
        if reader is None:
            return
        for record in reader():
            model = record.model
            experiment_id = experiment_map.get(str(model.experiment_id))
            if experiment_id is None or (runs is not None and model.source_run_id not in runs):
                continue
            if self.store.has_logged_model(model.model_id):
                self.summary.already_there("logged models")
                continue
            location = self.store.logged_model_location(experiment_id, model.model_id)
            if not self._copy_files(record.files_location, location, f"logged model {model.model_id}"):
                continue
            self.store.import_logged_model(model, experiment_id, record.outputs, record.lifecycle_stage)
            self.summary.count("logged models")

    def _copy_files(self, source_location, target_location: str, label: str) -> bool:
        """Copy a file tree between artifact locations; False (with the reason recorded) when it failed."""
        try:
            with _local_copy(source_location) as local:
                if local is None:
                    self.summary.skip(label, f"its files were not found (looked at {source_location})")
                    return False
                repository = get_artifact_repository(target_location)
                if os.path.isdir(local):
                    repository.log_artifacts(local)
                else:
                    repository.log_artifact(local)
        except (AutologError, OSError) as exc:
            self.summary.skip(label, f"files at {source_location} not copied: {exc}")
            return False
        return True

    def _run_location(self, experiment_id: str, run_id: str) -> str:
        root = self._locations.get(experiment_id)
        if root is None:
            root = self._locations[experiment_id] = self.store.get_experiment(experiment_id).artifact_location
        return f"{root.rstrip('/')}/{run_id}"

    def _copy_run_files(self, record, experiment_id: str) -> None:
        if not record.artifact_location:
            return
        try:
            with _local_copy(record.artifact_location) as local:
                if local is None:
                    return  # the run logged no files
                target = get_artifact_repository(self._run_location(experiment_id, record.run_id))
                target.log_artifacts(local)
                self.summary.count("artifact files", sum(len(files) for _, _, files in os.walk(local)))
        except (AutologError, OSError) as exc:
            self.summary.skip(f"run {record.run_id}", f"artifacts at {record.artifact_location} not copied: {exc}")

    # -- registry -------------------------------------------------------------
    def copy_registry(self) -> None:
        """Import registered models and their versions (files, stages, aliases, tags)."""
        for model in self.source.registered_models():
            if self.store.import_registered_model(model):
                self.summary.count("registered models")
            else:
                self.summary.already_there("registered models")
        versions = self.source.model_versions()
        self.progress.start("model versions", len(versions))
        for record in versions:
            self._copy_version(record)
            self.progress.advance()
        self.progress.finish()

    def _copy_version(self, record) -> None:
        version = record.version
        label = f"model {version.name!r} version {version.version}"
        if self.store.has_model_version(version.name, version.version):
            self.store.import_model_version(version, None)  # carries stage and alias changes over
            self.summary.already_there("model versions")
            return
        location = self.client._registry_location(version.name, str(version.version))
        if not self._copy_files(record.files_location, location, label):
            return
        self.store.import_model_version(version, location)
        self.summary.count("model versions")


class _local_copy:
    """A local path holding what ``location`` holds: the path itself when local, else a temporary download.

    Yields None when there is nothing at ``location``.
    """

    def __init__(self, location):
        self.location = location
        self._temporary = None

    def __enter__(self):
        if not self.location:
            return None
        repository = get_artifact_repository(self.location)
        local = repository.local_path("")
        if local is not None:
            return local if os.path.exists(local) and _not_empty(local) else None
        self._temporary = tempfile.mkdtemp(prefix="autolog-copy-")
        if not repository.list_artifacts(""):
            return None
        return repository.download_artifacts("", self._temporary)

    def __exit__(self, *exc_info):
        if self._temporary:
            shutil.rmtree(self._temporary, ignore_errors=True)
        return False


def _not_empty(path: str) -> bool:
    return os.path.isfile(path) or any(True for _ in os.scandir(path))
