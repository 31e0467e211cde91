"""A run's page: what it recorded (params, latest metrics, tags, inputs), its description, artifacts
and one chart per metric."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from autolog.tracking.artifacts import get_artifact_repository
from autolog.tracking.entities import RunTag
from autolog.tracking.exceptions import AutologError

from ._render import form_fields, redirect_after_post, render, require_write, store_of
from .artifacts_view import list_directory

__all__ = ["run_page", "edit_description", "DESCRIPTION_TAG", "SYSTEM_PREFIXES"]

DESCRIPTION_TAG = "mlflow.note.content"
SYSTEM_PREFIXES = ("mlflow.", "autolog.")
DIFF_ARTIFACT = "code/uncommitted.diff"
_SHOWN_ELSEWHERE = {DESCRIPTION_TAG, "mlflow.runName"}


def _split_tags(tags: dict) -> tuple:
    user, system = {}, {}
    for key, value in sorted(tags.items()):
        if key in _SHOWN_ELSEWHERE:
            continue
        (system if key.startswith(SYSTEM_PREFIXES) else user)[key] = value
    return user, system


def _dataset_inputs(run) -> list:
    """The run's dataset inputs as dicts, where this store records them."""
    inputs = getattr(run, "inputs", None)
    found = []
    for dataset_input in getattr(inputs, "dataset_inputs", None) or ():
        dataset = getattr(dataset_input, "dataset", dataset_input)
        tags = getattr(dataset_input, "tags", None) or []
        context = next((getattr(t, "value", "") for t in tags if getattr(t, "key", "") == "mlflow.data.context"), "")
        found.append({field: getattr(dataset, field, None)
                      for field in ("name", "digest", "source_type", "source", "schema", "profile")}
                     | {"context": context})
    return found


def _artifacts(run) -> tuple:
    """(root entries, error message or None): an unreachable artifact store does not break the page."""
    try:
        return list_directory(get_artifact_repository(run.info.artifact_uri), ""), None
    except (AutologError, OSError) as exc:
        return [], f"Cannot list the artifacts: {exc}"


def run_page(request):
    """GET /runs/{run_id}: the run's page (HTML); charts load their data from /ui/data/metric."""
    store = store_of(request)
    run = store.get_run(request.path_params["run_id"])
    experiment = store.get_experiment(run.info.experiment_id)
    user_tags, system_tags = _split_tags(run.data.tags)
    entries, artifact_error = _artifacts(run)
    parent_id = run.data.tags.get("mlflow.parentRunId")
    return render(request, "run.html", {
        "run": run, "experiment": experiment, "user_tags": user_tags, "system_tags": system_tags,
        "description": run.data.tags.get(DESCRIPTION_TAG, ""), "entries": entries,
        "artifact_error": artifact_error, "datasets": _dataset_inputs(run), "parent_id": parent_id,
        "has_diff": run.data.tags.get("autolog.git.dirty") == "true",
        "diff_path": DIFF_ARTIFACT, "metric_keys": sorted(run.data.metrics),
        "params": sorted(run.data.params.items()), "metrics": sorted(run.data.metrics.items()),
    })


async def edit_description(request):
    """POST /runs/{run_id}/description: set the run's description (form field ``description``)."""
    require_write(request)
    form = await form_fields(request)
    text = str(form.get("description", ""))
    run_id = request.path_params["run_id"]
    store = store_of(request)
    await run_in_threadpool(store.log_batch, run_id, None, (), [RunTag(DESCRIPTION_TAG, text)])
    return redirect_after_post(request, f"/runs/{run_id}")
