"""Read an MLflow file store (an ``mlruns/`` directory of meta.yaml files) without MLflow.

Layout: ``<experiment id>/meta.yaml`` and ``tags/``; ``<experiment id>/<run id>/`` with
``meta.yaml``, ``params/``, ``tags/``, ``metrics/`` (one ``timestamp value step`` line per
point), ``inputs/`` and ``artifacts/``; ``<experiment id>/datasets/``; deleted experiments
under ``.trash/``; the registry under ``models/<name>/version-<n>/``. Keys with ``/`` are
nested directories.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

from ..tracking.entities import Experiment, LoggedModel, ModelVersion, RegisteredModel, Run, RunData, RunInfo
from ..tracking.exceptions import InvalidInputError
from .mlflow_sql import MLFLOW_LOGGED_MODEL_STATUSES, MLFLOW_RUN_STATUSES
from .records import LoggedModelRecord, RunRecord, VersionRecord, dataset_input

__all__ = ["MlflowFileStore", "is_mlflow_file_store"]

_NOT_EXPERIMENTS = {".trash", "models", ".git"}


def is_mlflow_file_store(path: str) -> bool:
    """Whether ``path`` is a directory laid out by MLflow's file store."""
    return os.path.isdir(path) and any(
        os.path.isfile(os.path.join(path, name, "meta.yaml")) for name in ("0", *_list(path)) if name.isdigit())


def _list(path: str) -> list:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _read_yaml(path: str) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _read_key_files(directory: str) -> dict:
    """{key: file text} for every file under ``directory`` (sub-directories make ``a/b`` keys)."""
    found = {}
    if not os.path.isdir(directory):
        return found
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            key = os.path.relpath(path, directory).replace(os.sep, "/")
            with open(path, encoding="utf-8") as handle:
                found[key] = handle.read()
    return found


class MlflowFileStore:
    """The experiments, runs and registry of an MLflow ``mlruns/`` directory.

    Raises InvalidInputError when ``path`` is not such a directory.
    """

    def __init__(self, path: str):
        self.root = os.path.abspath(path)
        if not is_mlflow_file_store(self.root):
            raise InvalidInputError(f"{path!r} is not an MLflow file store (no <experiment id>/meta.yaml inside)")
        self._run_dirs: dict = {}

    def describe(self) -> str:
        """A line naming the source for messages."""
        return f"MLflow file store {self.root}"

    def close(self) -> None:
        """Nothing to release."""

    def _experiment_dirs(self) -> list:
        found = []
        for parent in (self.root, os.path.join(self.root, ".trash")):
            for name in _list(parent):
                if name not in _NOT_EXPERIMENTS and os.path.isfile(os.path.join(parent, name, "meta.yaml")):
                    found.append(os.path.join(parent, name))
        return found

    def experiments(self) -> list:
        """Every experiment, those in ``.trash`` as deleted."""
        found = []
        for directory in self._experiment_dirs():
            meta = _read_yaml(os.path.join(directory, "meta.yaml"))
            stage = meta.get("lifecycle_stage") or "active"
            if os.path.basename(os.path.dirname(directory)) == ".trash":
                stage = "deleted"
            found.append(Experiment(str(meta.get("experiment_id", os.path.basename(directory))), meta.get("name"),
                                    meta.get("artifact_location"), stage,
                                    _read_key_files(os.path.join(directory, "tags")),
                                    meta.get("creation_time"), meta.get("last_update_time")))
        return found

    def run_ids(self) -> list:
        """(run id, experiment id) of every run."""
        found = []
        for directory in self._experiment_dirs():
            experiment_id = os.path.basename(directory)
            for name in _list(directory):
                run_dir = os.path.join(directory, name)
                if name not in ("tags", "datasets", "models") and os.path.isfile(os.path.join(run_dir, "meta.yaml")):
                    self._run_dirs[name] = run_dir
                    found.append((name, experiment_id))
        return found

    def runs(self, run_ids) -> list:
        """RunRecords with params, tags, full metric histories and dataset inputs."""
        if not self._run_dirs:
            self.run_ids()
        return [self._run(self._run_dirs[run_id]) for run_id in run_ids]

    def _run(self, run_dir: str) -> RunRecord:
        meta = _read_yaml(os.path.join(run_dir, "meta.yaml"))
        run_id = meta.get("run_id") or meta.get("run_uuid") or os.path.basename(run_dir)
        tags = _read_key_files(os.path.join(run_dir, "tags"))
        run_name = meta.get("run_name") or tags.get("mlflow.runName")
        if run_name:
            tags.setdefault("mlflow.runName", run_name)
        status = meta.get("status")
        status = MLFLOW_RUN_STATUSES.get(status, "FINISHED") if isinstance(status, int) else (status or "FINISHED")
        artifact_uri = meta.get("artifact_uri") or os.path.join(run_dir, "artifacts")
        info = RunInfo(run_id, str(meta.get("experiment_id")), run_name, meta.get("user_id"), status,
                       meta.get("start_time"), meta.get("end_time"), artifact_uri,
                       meta.get("lifecycle_stage") or "active")
        params = {key: value for key, value in _read_key_files(os.path.join(run_dir, "params")).items()}
        run = Run(info, RunData(params=params, tags=tags))
        return RunRecord(run, self._metrics(os.path.join(run_dir, "metrics")), self._local(artifact_uri, run_dir),
                         meta.get("deleted_time"), self._inputs(run_dir))

    @staticmethod
    def _metrics(directory: str) -> tuple:
        keys, values, stamps, steps = [], [], [], []
        for key, text in sorted(_read_key_files(directory).items()):
            for line in text.splitlines():
                fields = line.split()
                if len(fields) < 2:
                    continue
                keys.append(key)
                stamps.append(int(fields[0]))
                values.append(float(fields[1]))
                steps.append(int(fields[2]) if len(fields) > 2 else 0)
        return keys, values, stamps, steps

    def _inputs(self, run_dir: str) -> list:
        inputs_dir = os.path.join(run_dir, "inputs")
        datasets_dir = os.path.join(os.path.dirname(run_dir), "datasets")
        found = []
        for name in _list(inputs_dir):
            meta_path = os.path.join(inputs_dir, name, "meta.yaml")
            if not os.path.isfile(meta_path):
                continue
            link = _read_yaml(meta_path)
            dataset_meta = os.path.join(datasets_dir, str(link.get("source_id")), "meta.yaml")
            if link.get("source_type") not in (None, "DATASET") or not os.path.isfile(dataset_meta):
                continue
            dataset = _read_yaml(dataset_meta)
            tags = link.get("tags") or {}
            if isinstance(tags, list):
                tags = {tag.get("key"): tag.get("value") for tag in tags if isinstance(tag, dict)}
            found.append(dataset_input(dataset.get("name"), dataset.get("digest"), dataset.get("source_type"),
                                       dataset.get("source"), dataset.get("schema"), dataset.get("profile"), tags))
        return found

    def _local(self, uri, base_dir=None):
        """A readable local path for an MLflow artifact URI (file://, a path, or one relative to the store)."""
        if not uri:
            return None
        parsed = urlparse(uri)
        if parsed.scheme == "file":
            return unquote(parsed.path)
        if parsed.scheme:
            return uri
        return uri if os.path.isabs(uri) else os.path.join(os.path.dirname(self.root), uri)

    # -- logged models (MLflow 3) -------------------------------------------
    def logged_models(self) -> list:
        """LoggedModelRecords from ``<experiment>/models/<model id>/`` with params, tags and files."""
        if not self._run_dirs:
            self.run_ids()
        outputs: dict = {}
        for run_id, run_dir in self._run_dirs.items():
            for model_id in _list(os.path.join(run_dir, "outputs")):
                meta_path = os.path.join(run_dir, "outputs", model_id, "meta.yaml")
                step = _read_yaml(meta_path).get("step", 0) if os.path.isfile(meta_path) else 0
                outputs.setdefault(model_id, []).append((run_id, int(step or 0)))
        records = []
        for directory in self._experiment_dirs():
            for model_id in _list(os.path.join(directory, "models")):
                model_dir = os.path.join(directory, "models", model_id)
                if not os.path.isfile(os.path.join(model_dir, "meta.yaml")):
                    continue
                meta = _read_yaml(os.path.join(model_dir, "meta.yaml"))
                status = meta.get("status")
                location = meta.get("artifact_location") or os.path.join(model_dir, "artifacts")
                model = LoggedModel(str(meta.get("experiment_id")), meta.get("model_id", model_id), meta.get("name"),
                                    location, meta.get("creation_timestamp"), meta.get("last_updated_timestamp"),
                                    meta.get("model_type"), meta.get("source_run_id"),
                                    MLFLOW_LOGGED_MODEL_STATUSES.get(status, status or "READY"),
                                    meta.get("status_message"), _read_key_files(os.path.join(model_dir, "tags")),
                                    _read_key_files(os.path.join(model_dir, "params")))
                records.append(LoggedModelRecord(model, self._local(location), outputs.get(model_id, ()),
                                                 meta.get("lifecycle_stage")))
        return records

    # -- registry -----------------------------------------------------------
    def _model_dirs(self) -> list:
        models_root = os.path.join(self.root, "models")
        return [os.path.join(models_root, name) for name in _list(models_root)
                if os.path.isfile(os.path.join(models_root, name, "meta.yaml"))]

    def registered_models(self) -> list:
        """Every registered model with its description and tags."""
        found = []
        for directory in self._model_dirs():
            meta = _read_yaml(os.path.join(directory, "meta.yaml"))
            found.append(RegisteredModel(meta.get("name"), meta.get("creation_timestamp"),
                                         meta.get("last_updated_timestamp"), meta.get("description"),
                                         _read_key_files(os.path.join(directory, "tags"))))
        return found

    def model_versions(self) -> list:
        """VersionRecords of every version with its tags, aliases and files."""
        records = []
        for directory in self._model_dirs():
            aliases: dict = {}
            model_meta = _read_yaml(os.path.join(directory, "meta.yaml"))
            named = dict(model_meta.get("aliases") or {})
            named.update(_read_key_files(os.path.join(directory, "aliases")))
            for alias, version in named.items():
                aliases.setdefault(str(version).strip(), []).append(alias)
            for name in _list(directory):
                meta_path = os.path.join(directory, name, "meta.yaml")
                if not name.startswith("version-") or not os.path.isfile(meta_path):
                    continue
                meta = _read_yaml(meta_path)
                number = str(meta.get("version", name[len("version-"):]))
                version = ModelVersion(
                    meta.get("name"), number, meta.get("creation_timestamp"), meta.get("last_updated_timestamp"),
                    meta.get("current_stage") or "None", meta.get("description"), meta.get("source"),
                    meta.get("run_id"), meta.get("status") or "READY",
                    _read_key_files(os.path.join(directory, name, "tags")), sorted(aliases.get(number, [])))
                records.append(VersionRecord(version, self._version_files(meta)))
        return records

    def _version_files(self, meta: dict):
        storage = meta.get("storage_location")
        if storage:
            return self._local(storage)
        source = meta.get("source") or ""
        if source.startswith("runs:/"):
            run_id, _, path = source[len("runs:/"):].strip("/").partition("/")
            if not self._run_dirs:
                self.run_ids()
            run_dir = self._run_dirs.get(run_id)
            if run_dir is None:
                return None
            artifact_uri = _read_yaml(os.path.join(run_dir, "meta.yaml")).get("artifact_uri")
            root = self._local(artifact_uri) or os.path.join(run_dir, "artifacts")
            return os.path.join(root, path) if path else root
        if source.startswith("models:/m-"):
            model_id = source[len("models:/"):].strip("/")
            for directory in self._experiment_dirs():
                meta_path = os.path.join(directory, "models", model_id, "meta.yaml")
                if os.path.isfile(meta_path):
                    location = _read_yaml(meta_path).get("artifact_location")
                    return self._local(location) if location else os.path.join(os.path.dirname(meta_path),
                                                                               "artifacts")
            return None
        return self._local(source)
