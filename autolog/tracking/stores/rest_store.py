"""The tracking store behind ``http(s)://`` tracking URIs: the server's REST API (MLflow's wire format).

Writes larger than one of MLflow's ``log-batch`` limits are sent as several batches;
metric histories are read a page at a time. Registering a model sends only its source:
the server copies the files into its registry. Artifact locations the server names
``mlflow-artifacts:/...`` become URLs of its artifact proxy.
"""

from __future__ import annotations

from ..entities import (Experiment, Metric, ModelVersion, PagedList, RegisteredModel, Run, RunData, RunInfo,
                        ViewType)
from ..exceptions import NotFoundError
from ..http_client import HttpSession
from .base import TrackingStore
from .json_values import float_json, key_values, pairs
from .rest_logged_models import RestLoggedModelsMixin, inputs_outputs
from .rest_transfer import RestTransferMixin

__all__ = ["RestStore", "PROXY_PATH"]

API = "/api/2.0/mlflow"
PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts"
_BATCH_METRICS, _BATCH_PARAMS, _BATCH_TAGS = 1000, 100, 100
_HISTORY_PAGE = 25_000
_VIEW_NAMES = {ViewType.ACTIVE_ONLY: "ACTIVE_ONLY", ViewType.DELETED_ONLY: "DELETED_ONLY", ViewType.ALL: "ALL"}


class RestStore(RestTransferMixin, RestLoggedModelsMixin, TrackingStore):
    """A TrackingStore that talks to an autolog (or MLflow) tracking server."""

    registers_on_server = True

    def __init__(self, tracking_uri: str):
        self.session = HttpSession(tracking_uri)
        self.tracking_uri = self.session.base_url
        self.artifact_root = self.session.base_url + PROXY_PATH

    def _call(self, method: str, endpoint: str, payload=None) -> dict:
        return self.session.call(method, API + endpoint, payload)

    def artifact_url(self, location):
        """A proxy URL for ``mlflow-artifacts:/path``; other locations unchanged."""
        if location and location.startswith("mlflow-artifacts:"):
            rest = location[len("mlflow-artifacts:"):]
            if rest.startswith("//"):
                rest = rest[2:].split("/", 1)[1] if "/" in rest[2:] else ""
            return f"{self.artifact_root}/{rest.lstrip('/')}".rstrip("/")
        return location

    # -- conversions ------------------------------------------------------
    def _experiment(self, body: dict) -> Experiment:
        return Experiment(body["experiment_id"], body["name"], self.artifact_url(body.get("artifact_location")),
                          body.get("lifecycle_stage", "active"), pairs(body.get("tags")),
                          body.get("creation_time"), body.get("last_update_time"))

    def _run_info(self, info: dict) -> RunInfo:
        return RunInfo(info.get("run_id") or info["run_uuid"], info["experiment_id"], info.get("run_name") or None,
                       info.get("user_id") or None, info["status"], info.get("start_time"), info.get("end_time"),
                       self.artifact_url(info.get("artifact_uri")), info.get("lifecycle_stage", "active"))

    def _run(self, body: dict) -> Run:
        data = body.get("data") or {}
        metrics = {item["key"]: float(item["value"]) for item in data.get("metrics") or []}
        return Run(self._run_info(body["info"]), RunData(metrics, pairs(data.get("params")),
                                                         pairs(data.get("tags"))),
                   *inputs_outputs(body.get("inputs") or {}, body.get("outputs") or {}))

    @staticmethod
    def _version(body: dict) -> ModelVersion:
        return ModelVersion(body["name"], str(body["version"]), body.get("creation_timestamp"),
                            body.get("last_updated_timestamp"), body.get("current_stage", "None"),
                            body.get("description") or None, body.get("source"), body.get("run_id") or None,
                            body.get("status", "READY"), pairs(body.get("tags")), list(body.get("aliases") or []))

    def _model(self, body: dict) -> RegisteredModel:
        aliases = {item["alias"]: str(item["version"]) for item in body.get("aliases") or []}
        return RegisteredModel(body["name"], body.get("creation_timestamp"), body.get("last_updated_timestamp"),
                               body.get("description") or None, pairs(body.get("tags")), aliases,
                               [self._version(v) for v in body.get("latest_versions") or []])

    # -- experiments ------------------------------------------------------
    def create_experiment(self, name: str, artifact_location=None, tags=None) -> str:
        return self._call("POST", "/experiments/create", {"name": name, "artifact_location": artifact_location,
                                                          "tags": key_values(tags)})["experiment_id"]

    def get_experiment(self, experiment_id: str):
        return self._experiment(self._call("GET", "/experiments/get", {"experiment_id": experiment_id})["experiment"])

    def get_experiment_by_name(self, name: str):
        try:
            body = self._call("GET", "/experiments/get-by-name", {"experiment_name": name})
        except NotFoundError:
            return None
        return self._experiment(body["experiment"])

    def search_experiments(self, view_type=ViewType.ACTIVE_ONLY, max_results=1000, filter_string=None,
                           order_by=None, page_token=None):
        body = self._call("POST", "/experiments/search", {
            "view_type": _VIEW_NAMES[ViewType(view_type)], "max_results": max_results, "filter": filter_string,
            "order_by": list(order_by or []), "page_token": page_token})
        return PagedList([self._experiment(e) for e in body.get("experiments", [])], body.get("next_page_token"))

    def set_experiment_lifecycle(self, experiment_id: str, stage: str) -> None:
        self._call("POST", "/experiments/delete" if stage == "deleted" else "/experiments/restore",
                   {"experiment_id": experiment_id})

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Give an experiment a new name."""
        self._call("POST", "/experiments/update", {"experiment_id": experiment_id, "new_name": new_name})

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        self._call("POST", "/experiments/set-experiment-tag", {"experiment_id": experiment_id, "key": key,
                                                               "value": value})

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Remove one experiment tag."""
        self._call("POST", "/experiments/delete-experiment-tag", {"experiment_id": experiment_id, "key": key})

    # -- runs -------------------------------------------------------------
    def create_run(self, experiment_id, user_id, start_time, tags, run_name):
        return self._run(self._call("POST", "/runs/create", {
            "experiment_id": experiment_id, "user_id": user_id, "start_time": start_time, "run_name": run_name,
            "tags": [{"key": tag.key, "value": tag.value} for tag in tags or ()]})["run"])

    def get_run(self, run_id: str):
        return self._run(self._call("GET", "/runs/get", {"run_id": run_id})["run"])

    def update_run_info(self, run_id, status=None, end_time=None, run_name=None) -> None:
        self._call("POST", "/runs/update", {"run_id": run_id, "status": status, "end_time": end_time,
                                            "run_name": run_name})

    def finish_run(self, run_id: str, status: str, end_time: int, metrics=None, tags=()) -> None:
        if (metrics and metrics[0]) or tags:
            self.log_batch(run_id, metrics, (), tags)
        self.update_run_info(run_id, status=status, end_time=end_time)

    def set_run_lifecycle(self, run_id: str, stage: str) -> None:
        self._call("POST", "/runs/delete" if stage == "deleted" else "/runs/restore", {"run_id": run_id})

    def log_batch(self, run_id: str, metrics=None, params=(), tags=()) -> None:
        """Send the batch in as few ``log-batch`` requests as MLflow's limits allow (params and tags first)."""
        params = [{"key": p.key, "value": p.value} for p in params or ()]
        tags = [{"key": t.key, "value": t.value} for t in tags or ()]
        points = []
        if metrics and metrics[0]:
            points = [{"key": k, "value": float_json(v), "timestamp": t, "step": s}
                      for k, v, t, s in zip(*metrics)]
        while params or tags or points:
            body = {"run_id": run_id, "params": params[:_BATCH_PARAMS], "tags": tags[:_BATCH_TAGS]}
            room = _BATCH_METRICS - len(body["params"]) - len(body["tags"])
            body["metrics"] = points[:room]
            params, tags, points = params[_BATCH_PARAMS:], tags[_BATCH_TAGS:], points[room:]
            self._call("POST", "/runs/log-batch", body)

    def log_metric_points(self, run_id: str, points) -> None:
        points = list(points)
        if points:
            self.log_batch(run_id, [list(column) for column in zip(*points)])

    def delete_tag(self, run_id: str, key: str) -> None:
        self._call("POST", "/runs/delete-tag", {"run_id": run_id, "key": key})

    def get_metric_history_page(self, run_id: str, key: str, max_results: int, page_token=None):
        body = self._call("GET", "/metrics/get-history", {"run_id": run_id, "metric_key": key,
                                                          "max_results": max_results, "page_token": page_token})
        points = [Metric(m["key"], float(m["value"]), int(m.get("timestamp", 0)), int(m.get("step", 0)))
                  for m in body.get("metrics", [])]
        return PagedList(points, body.get("next_page_token"))

    def iter_metric_history(self, run_id: str, key: str):
        token = None
        while True:
            page = self.get_metric_history_page(run_id, key, _HISTORY_PAGE, token)
            yield list(page)
            token = page.token
            if not token:
                return

    def get_metric_history(self, run_id: str, key: str) -> list:
        history = []
        for chunk in self.iter_metric_history(run_id, key):
            history.extend(chunk)
        return history

    def search_runs(self, experiment_ids, filter_string, view_type, max_results, order_by, page_token):
        body = self._call("POST", "/runs/search", {
            "experiment_ids": list(experiment_ids), "filter": filter_string,
            "run_view_type": _VIEW_NAMES[ViewType(view_type)], "max_results": max_results,
            "order_by": list(order_by or []), "page_token": page_token})
        return PagedList([self._run(run) for run in body.get("runs", [])], body.get("next_page_token"))

    # -- model registry ---------------------------------------------------
    def create_registered_model(self, name: str, tags=None, description=None):
        return self._model(self._call("POST", "/registered-models/create", {
            "name": name, "tags": key_values(tags), "description": description})["registered_model"])

    def get_registered_model(self, name: str):
        return self._model(self._call("GET", "/registered-models/get", {"name": name})["registered_model"])

    def update_registered_model(self, name: str, description):
        return self._model(self._call("PATCH", "/registered-models/update",
                                      {"name": name, "description": description})["registered_model"])

    def rename_registered_model(self, name: str, new_name: str):
        return self._model(self._call("POST", "/registered-models/rename",
                                      {"name": name, "new_name": new_name})["registered_model"])

    def delete_registered_model(self, name: str) -> list:
        self._call("DELETE", "/registered-models/delete", {"name": name})
        return []

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._call("POST", "/registered-models/set-tag", {"name": name, "key": key, "value": value})

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._call("DELETE", "/registered-models/delete-tag", {"name": name, "key": key})

    def search_registered_models(self, filter_string=None, max_results=100, order_by=None, page_token=None):
        body = self._call("GET", "/registered-models/search", {
            "filter": filter_string, "max_results": max_results, "order_by": list(order_by or []),
            "page_token": page_token})
        return PagedList([self._model(m) for m in body.get("registered_models", [])], body.get("next_page_token"))

    def create_model_version(self, name: str, source: str, run_id=None, tags=None, description=None):
        """Register ``source`` as the next version; the server copies the files and returns it READY."""
        return self._version(self._call("POST", "/model-versions/create", {
            "name": name, "source": source, "run_id": run_id, "tags": key_values(tags),
            "description": description})["model_version"])

    def finish_model_version(self, name: str, version, storage_location: str):
        return self.get_model_version(name, version)

    def get_model_version(self, name: str, version):
        return self._version(self._call("GET", "/model-versions/get",
                                        {"name": name, "version": str(version)})["model_version"])

    def get_model_version_download_uri(self, name: str, version) -> str:
        """Where the server keeps a version's files, as a proxy URL."""
        body = self._call("GET", "/model-versions/get-download-uri", {"name": name, "version": str(version)})
        return self.artifact_url(body["artifact_uri"])

    def update_model_version(self, name: str, version, description):
        return self._version(self._call("PATCH", "/model-versions/update", {
            "name": name, "version": str(version), "description": description})["model_version"])

    def transition_model_version_stage(self, name: str, version, stage: str, archive_existing_versions=False):
        return self._version(self._call("POST", "/model-versions/transition-stage", {
            "name": name, "version": str(version), "stage": stage,
            "archive_existing_versions": bool(archive_existing_versions)})["model_version"])

    def delete_model_version(self, name: str, version):
        self._call("DELETE", "/model-versions/delete", {"name": name, "version": str(version)})
        return None

    def get_latest_versions(self, name: str, stages=None) -> list:
        if isinstance(stages, str):
            stages = [stages]
        body = self._call("POST", "/registered-models/get-latest-versions", {"name": name,
                                                                             "stages": list(stages or [])})
        return [self._version(v) for v in body.get("model_versions", [])]

    def get_latest_version_any_stage(self, name: str):
        versions = self.get_registered_model(name).latest_versions
        if not versions:
            raise NotFoundError(f"Registered model {name!r} has no versions")
        return max(versions, key=lambda v: int(v.version))

    def search_model_versions(self, filter_string=None, max_results=1000, order_by=None, page_token=None):
        body = self._call("GET", "/model-versions/search", {
            "filter": filter_string, "max_results": max_results, "order_by": list(order_by or []),
            "page_token": page_token})
        return PagedList([self._version(v) for v in body.get("model_versions", [])], body.get("next_page_token"))

    def set_model_version_tag(self, name: str, version, key: str, value: str) -> None:
        self._call("POST", "/model-versions/set-tag", {"name": name, "version": str(version), "key": key,
                                                       "value": value})

    def delete_model_version_tag(self, name: str, version, key: str) -> None:
        self._call("DELETE", "/model-versions/delete-tag", {"name": name, "version": str(version), "key": key})

    def set_registered_model_alias(self, name: str, alias: str, version) -> None:
        self._call("POST", "/registered-models/alias", {"name": name, "alias": alias, "version": str(version)})

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._call("DELETE", "/registered-models/alias", {"name": name, "alias": alias})

    def get_model_version_by_alias(self, name: str, alias: str):
        return self._version(self._call("GET", "/registered-models/alias",
                                        {"name": name, "alias": alias})["model_version"])

    def close(self) -> None:
        self.session.close()
