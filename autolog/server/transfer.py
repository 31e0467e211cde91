"""REST handlers that let ``autolog sync`` copy whole records into the server's store, ids kept.

MLflow's API cannot create a run with a given id, so these live under their own prefix,
``/api/2.0/autolog/transfer``. Each call maps to one import method of the store interface;
a batch of runs is written in one transaction, so a copy cut off mid-request leaves each
run either whole or absent.
"""

from __future__ import annotations

from ..tracking.stores.transfer_codec import (experiment_from_json, logged_model_from_json, logged_model_to_json,
                                              registered_model_from_json, run_entry_from_json, version_from_json)
from ._api import Endpoint

__all__ = ["ENDPOINTS", "TRANSFER_PREFIX"]

TRANSFER_PREFIX = "/api/2.0/autolog/transfer"


def import_experiment(ctx, args) -> dict:
    """POST experiments/import {experiment} -> {experiment_id, created}."""
    experiment_id, created = ctx.store.import_experiment(experiment_from_json(args.require("experiment")))
    return {"experiment_id": experiment_id, "created": created}


def existing_runs(ctx, args) -> dict:
    """POST runs/existing {run_ids} -> {run_ids}: those the store has."""
    return {"run_ids": sorted(ctx.store.existing_run_ids([str(i) for i in args.items("run_ids")]))}


def import_runs(ctx, args) -> dict:
    """POST runs/import {runs: [entry]} -> {written: [bool]}, all in one transaction."""
    entries = [run_entry_from_json(entry) for entry in args.items("runs")]
    return {"written": ctx.store.import_runs(entries)}


def import_registered_model(ctx, args) -> dict:
    """POST registered-models/import {model} -> {created}."""
    return {"created": ctx.store.import_registered_model(registered_model_from_json(args.require("model")))}


def model_version_exists(ctx, args) -> dict:
    """POST model-versions/exists {name, version} -> {exists}."""
    return {"exists": ctx.store.has_model_version(args.text("name"), args.integer("version"))}


def import_model_version(ctx, args) -> dict:
    """POST model-versions/import {version, storage_location} -> {created}; the location is a client one
    (``mlflow-artifacts:/...``) and must lie inside the server's artifact destination."""
    location = ctx.locations.from_client(args.text("storage_location"))
    return {"created": ctx.store.import_model_version(version_from_json(args.require("version")), location)}


def logged_model_exists(ctx, args) -> dict:
    """POST logged-models/exists {model_id} -> {exists}."""
    return {"exists": ctx.store.has_logged_model(args.text("model_id"))}


def import_logged_model(ctx, args) -> dict:
    """POST logged-models/import {model, experiment_id, outputs, lifecycle_stage} -> {created}."""
    outputs = [(item["run_id"], item.get("step") or 0) for item in args.items("outputs")]
    created = ctx.store.import_logged_model(logged_model_from_json(args.require("model")),
                                            args.text("experiment_id"), outputs, args.text("lifecycle_stage"))
    return {"created": created}


def export_logged_models(ctx, args) -> dict:
    """POST logged-models/export {experiment_ids} -> {models: [{model, artifact_location, outputs,
    lifecycle_stage}]}: every logged model of those experiments, deleted ones included."""
    found = ctx.store.export_logged_models([str(e) for e in args.items("experiment_ids")])
    return {"models": [{"model": logged_model_to_json(model),
                        "artifact_location": ctx.locations.to_client(model.artifact_location),
                        "outputs": [{"run_id": run_id, "step": step} for run_id, step in outputs],
                        "lifecycle_stage": stage} for model, outputs, stage in found]}


def _endpoint(path: str, needs: str, handler) -> Endpoint:
    return Endpoint(path, ["POST"], needs, handler, prefixes=(TRANSFER_PREFIX,))


ENDPOINTS = [
    _endpoint("/experiments/import", "write", import_experiment),
    _endpoint("/runs/existing", "read", existing_runs),
    _endpoint("/runs/import", "write", import_runs),
    _endpoint("/registered-models/import", "write", import_registered_model),
    _endpoint("/model-versions/exists", "read", model_version_exists),
    _endpoint("/model-versions/import", "write", import_model_version),
    _endpoint("/logged-models/exists", "read", logged_model_exists),
    _endpoint("/logged-models/import", "write", import_logged_model),
    _endpoint("/logged-models/export", "read", export_logged_models),
]
