"""The import half of the REST store: whole records sent to the server's transfer routes, ids kept.

Runs go in requests of at most ``_POINTS_PER_REQUEST`` metric points (and at most 100 runs),
each request one transaction on the server. Files are uploaded by the copier through the
artifact proxy before the records that point at them.
"""

from __future__ import annotations

from .transfer_codec import (experiment_to_json, logged_model_to_json, registered_model_to_json,
                             run_entry_to_json, version_to_json)

__all__ = ["RestTransferMixin", "TRANSFER_API"]

TRANSFER_API = "/api/2.0/autolog/transfer"
_POINTS_PER_REQUEST = 200_000
_RUNS_PER_REQUEST = 100
_IDS_PER_REQUEST = 1000


class RestTransferMixin:
    """import_* methods of the store interface over HTTP (mixed into RestStore, which has ``session``)."""

    def _transfer(self, endpoint: str, payload: dict) -> dict:
        return self.session.call("POST", TRANSFER_API + endpoint, payload)

    def import_experiment(self, experiment) -> tuple:
        """Reuse or create the experiment on the server; return (its id there, whether it was created)."""
        body = self._transfer("/experiments/import", {"experiment": experiment_to_json(experiment)})
        return str(body["experiment_id"]), bool(body["created"])

    def existing_run_ids(self, run_ids) -> set:
        """The ids among ``run_ids`` the server has."""
        run_ids, found = list(run_ids), set()
        for start in range(0, len(run_ids), _IDS_PER_REQUEST):
            found.update(self._transfer("/runs/existing", {"run_ids": run_ids[start:start + _IDS_PER_REQUEST]})
                         ["run_ids"])
        return found

    def import_run(self, run, experiment_id: str, metrics=None, artifact_uri=None, deleted_time=None,
                   inputs=()) -> bool:
        """Write one whole run on the server; False when it is there already."""
        return self.import_runs([(run, experiment_id, metrics, deleted_time, inputs)])[0]

    def import_runs(self, entries) -> list:
        """Write runs on the server, a request (one transaction there) per bounded group."""
        written, group, points = [], [], 0
        for entry in entries:
            size = len((entry[2] or ((),))[0])
            if group and (points + size > _POINTS_PER_REQUEST or len(group) >= _RUNS_PER_REQUEST):
                written += self._transfer("/runs/import", {"runs": group})["written"]
                group, points = [], 0
            group.append(run_entry_to_json(*entry))
            points += size
        if group:
            written += self._transfer("/runs/import", {"runs": group})["written"]
        return written

    def import_registered_model(self, model) -> bool:
        """Create the registered model on the server unless it exists."""
        return bool(self._transfer("/registered-models/import", {"model": registered_model_to_json(model)})
                    ["created"])

    def has_model_version(self, name: str, version) -> bool:
        """Whether the server has this version."""
        return bool(self._transfer("/model-versions/exists", {"name": name, "version": int(version)})["exists"])

    def import_model_version(self, version, storage_location) -> bool:
        """Write the version on the server; ``storage_location`` is where its files were uploaded."""
        payload = {"version": version_to_json(version), "storage_location": self._proxied(storage_location)}
        return bool(self._transfer("/model-versions/import", payload)["created"])

    def logged_model_location(self, experiment_id: str, model_id: str) -> str:
        """The proxy URL under which the server keeps this logged model's files."""
        return f"{self.get_experiment(experiment_id).artifact_location}/models/{model_id}/artifacts"

    def has_logged_model(self, model_id: str) -> bool:
        """Whether the server has this logged model."""
        return bool(self._transfer("/logged-models/exists", {"model_id": model_id})["exists"])

    def export_logged_models(self, experiment_ids) -> list:
        """(LoggedModel with its files' proxy URL, [(run id, step)], lifecycle stage) for every logged model
        of these experiments on the server."""
        from .transfer_codec import logged_model_from_json

        body = self._transfer("/logged-models/export", {"experiment_ids": [str(e) for e in experiment_ids]})
        found = []
        for item in body.get("models") or []:
            model = logged_model_from_json(item["model"])
            model.artifact_location = self.artifact_url(item.get("artifact_location"))
            found.append((model, [(o["run_id"], o.get("step") or 0) for o in item.get("outputs") or []],
                          item.get("lifecycle_stage") or "active"))
        return found

    def import_logged_model(self, model, experiment_id: str, outputs=(), lifecycle_stage="active") -> bool:
        """Write the logged model on the server with the runs that wrote it."""
        payload = {"model": logged_model_to_json(model), "experiment_id": str(experiment_id),
                   "outputs": [{"run_id": run_id, "step": step} for run_id, step in outputs],
                   "lifecycle_stage": lifecycle_stage}
        return bool(self._transfer("/logged-models/import", payload)["created"])

    def _proxied(self, location):
        """``mlflow-artifacts:/<path>`` for a URL of the server's artifact proxy; other locations unchanged."""
        root = self.artifact_root.rstrip("/")
        if location and location.startswith(root + "/"):
            return "mlflow-artifacts:/" + location[len(root) + 1:]
        return location
