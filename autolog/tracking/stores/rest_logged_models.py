"""The REST store's MLflow 3 half: logged models, metrics linked to them, and run inputs and outputs."""

from __future__ import annotations

from ..entities import Metric, PagedList
from .json_values import float_json, key_values, pairs

__all__ = ["RestLoggedModelsMixin", "inputs_outputs"]

API = "/api/2.0/mlflow"
_BATCH_METRICS = 1000


def inputs_outputs(inputs: dict, outputs: dict) -> tuple:
    """(RunInputs, RunOutputs) from a run's JSON ``inputs`` and ``outputs``."""
    from ..entities import (Dataset, DatasetInput, InputTag, LoggedModelInput, LoggedModelOutput, RunInputs,
                            RunOutputs)

    datasets = [DatasetInput(Dataset(**{k: d["dataset"].get(k) for k in ("name", "digest", "source_type", "source",
                                                                           "schema", "profile")}),
                             [InputTag(t["key"], t.get("value", "")) for t in d.get("tags") or []])
                for d in inputs.get("dataset_inputs") or []]
    models_in = [LoggedModelInput(m["model_id"]) for m in inputs.get("model_inputs") or []]
    models_out = [LoggedModelOutput(m["model_id"], int(m.get("step", 0))) for m in outputs.get("model_outputs") or []]
    return RunInputs(datasets, models_in), RunOutputs(models_out)


class RestLoggedModelsMixin:
    """Logged models and run inputs/outputs over REST (mixed into RestStore: needs ``session``, ``_call``
    and ``artifact_url``)."""

    # -- logged models (MLflow 3) and run inputs/outputs --------------------
    def _logged_model(self, body: dict):
        from ..entities import LoggedModel

        info, data = body.get("info", {}), body.get("data", {})
        metrics = [Metric(m["key"], float(m["value"]), int(m.get("timestamp", 0)), int(m.get("step", 0)),
                          m.get("model_id"), m.get("dataset_name"), m.get("dataset_digest"), m.get("run_id"))
                   for m in data.get("metrics") or []]
        return LoggedModel(info["experiment_id"], info["model_id"], info.get("name"),
                           self.artifact_url(info.get("artifact_uri")), info.get("creation_timestamp_ms"),
                           info.get("last_updated_timestamp_ms"), info.get("model_type"), info.get("source_run_id"),
                           info.get("status", "LOGGED_MODEL_READY"), info.get("status_message"),
                           pairs(info.get("tags")), pairs(data.get("params")), metrics)

    @staticmethod
    def _as_pairs(items) -> list:
        if isinstance(items, dict):
            return key_values(items)
        return [{"key": item.key, "value": item.value} for item in items or ()]

    def create_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                            model_type=None):
        return self._logged_model(self._call("POST", "/logged-models", {
            "experiment_id": str(experiment_id), "name": name, "source_run_id": source_run_id,
            "model_type": model_type, "tags": self._as_pairs(tags), "params": self._as_pairs(params)})["model"])

    def get_logged_model(self, model_id: str, allow_deleted: bool = False):
        return self._logged_model(self.session.call("GET", f"{API}/logged-models/{model_id}")["model"])

    def finalize_logged_model(self, model_id: str, status):
        from ..entities import LoggedModelStatus

        wire = LoggedModelStatus.from_value(status).to_proto()
        return self._logged_model(self.session.call("PATCH", f"{API}/logged-models/{model_id}",
                                                    {"model_id": model_id, "status": wire})["model"])

    def set_logged_model_tags(self, model_id: str, tags) -> None:
        self.session.call("PATCH", f"{API}/logged-models/{model_id}/tags", {"tags": self._as_pairs(tags)})

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        from urllib.parse import quote

        self.session.call("DELETE", f"{API}/logged-models/{model_id}/tags/{quote(key)}", {})

    def log_logged_model_params(self, model_id: str, params) -> None:
        self.session.call("POST", f"{API}/logged-models/{model_id}/params", {"params": self._as_pairs(params)})

    def delete_logged_model(self, model_id: str) -> None:
        self.session.call("DELETE", f"{API}/logged-models/{model_id}", {})

    def search_logged_models(self, experiment_ids, filter_string=None, datasets=None, max_results=None,
                             order_by=None, page_token=None):
        order = [item if isinstance(item, dict) else {"field_name": item} for item in order_by or []]
        body = self._call("POST", "/logged-models/search", {
            "experiment_ids": [str(e) for e in experiment_ids], "filter": filter_string, "datasets": datasets,
            "max_results": max_results, "order_by": order, "page_token": page_token})
        return PagedList([self._logged_model(m) for m in body.get("models", [])], body.get("next_page_token"))

    def log_model_metrics(self, run_id, metrics) -> None:
        points = [{"key": m.key, "value": float_json(float(m.value)), "timestamp": int(m.timestamp),
                   "step": int(m.step or 0), "model_id": m.model_id, "dataset_name": m.dataset_name,
                   "dataset_digest": m.dataset_digest} for m in metrics]
        for start in range(0, len(points), _BATCH_METRICS):
            self._call("POST", "/runs/log-batch", {"run_id": run_id, "metrics": points[start:start + _BATCH_METRICS]})

    def log_inputs(self, run_id: str, datasets=None, models=None) -> None:
        def dataset_json(item):
            fields = ("name", "digest", "source_type", "source", "schema", "profile")
            dataset = {f: getattr(item.dataset, f) for f in fields if getattr(item.dataset, f, None) is not None}
            return {"tags": self._as_pairs(item.tags), "dataset": dataset}

        self._call("POST", "/runs/log-inputs", {"run_id": run_id,
                                                "datasets": [dataset_json(d) for d in datasets or ()],
                                                "models": [{"model_id": m.model_id} for m in models or ()]})

    def log_outputs(self, run_id: str, models) -> None:
        self._call("POST", "/runs/outputs", {"run_id": run_id, "models": [
            {"model_id": m.model_id, "step": int(m.step or 0)} for m in models or ()]})
