"""The model registry pages: models, a model's versions, one version; promoting, aliasing, describing.

A change that moves a model in production (a stage transition, an alias) takes two
steps: the form posts the change, the server answers a confirmation page, and only
the confirmed post changes the registry. Both steps are plain forms, so they work
without JavaScript.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse

from autolog.tracking.artifacts import get_artifact_repository
from autolog.tracking.exceptions import AutologError
from autolog.tracking.registry_names import STAGES, canonical_stage, validate_alias

from ._render import form_fields, render, require_write, store_of
from .artifacts_view import read_artifact_head
from .previews import preview

__all__ = ["models_page", "model_page", "version_page", "change_stage", "change_alias",
           "edit_model_description", "edit_version_description"]

PAGE_SIZE = 200


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def models_page(request):
    """GET /models: the registered models with their latest version per stage and aliases."""
    store = store_of(request)
    models = store.search_registered_models(None, PAGE_SIZE, ["name ASC"], request.query_params.get("page"))
    return render(request, "models.html", {"models": models, "next_token": models.token})


def model_page(request):
    """GET /models/{name}: one model, its description, tags, aliases and every version."""
    store = store_of(request)
    name = request.path_params["name"]
    model = store.get_registered_model(name)
    versions = store.search_model_versions(f"name = {_quoted(name)}", 1000, ["version DESC"], None)
    return render(request, "model.html", {"model": model, "versions": versions})


def _version_model_files(store, version) -> dict | None:
    """The MLmodel preview (signature, requirements) of a version's files, or None when unreadable."""
    location = version.storage_location or version.source or ""
    if location.startswith("runs:/") and version.run_id:
        sub_path = location[len("runs:/"):].split("/", 1)[1] if "/" in location[len("runs:/"):] else ""
        location = store.get_run(version.run_id).info.artifact_uri.rstrip("/") + "/" + sub_path
    try:
        repository = get_artifact_repository(location)
        data, size = read_artifact_head(repository, "MLmodel")

        def sibling(file_name):
            return read_artifact_head(repository, file_name)[0]
        return preview("MLmodel", data, size, sibling)
    except (AutologError, OSError):
        return None


def version_page(request):
    """GET /models/{name}/versions/{version}: stage, aliases, tags, source run, signature, actions."""
    store = store_of(request)
    name, number = request.path_params["name"], request.path_params["version"]
    version = store.get_model_version(name, number)
    return render(request, "version.html", {
        "version": version, "model_file": _version_model_files(store, version), "stages": STAGES,
        "model_url": f"/models/{quote(name)}",
    })


def _version_url(name: str, version) -> str:
    return f"/models/{quote(name)}/versions/{version}"


async def change_stage(request):
    """POST /models/{name}/versions/{version}/stage: ask to confirm, then (``confirmed=1``) move the version.

    Form fields: ``stage``, ``archive_existing`` ("1" archives the other versions in that stage).
    """
    require_write(request)
    form = await form_fields(request)
    name, number = request.path_params["name"], request.path_params["version"]
    stage = canonical_stage(form.get("stage"))
    archive = form.get("archive_existing") == "1"
    store = store_of(request)
    if form.get("confirmed") != "1":
        version = await run_in_threadpool(store.get_model_version, name, number)
        others = await run_in_threadpool(store.get_latest_versions, name, [stage])
        return render(request, "confirm.html", {
            "version": version, "action": "stage", "stage": stage, "archive": archive,
            "others": [v for v in others if str(v.version) != str(version.version)],
            "form_action": request.url.path, "back": _version_url(name, number)})
    await run_in_threadpool(store.transition_model_version_stage, name, number, stage, archive)
    return RedirectResponse(_version_url(name, number), status_code=303)


async def change_alias(request):
    """POST /models/{name}/versions/{version}/alias: confirm, then point ``alias`` at this version
    (``remove=1`` deletes the alias instead)."""
    require_write(request)
    form = await form_fields(request)
    name, number = request.path_params["name"], request.path_params["version"]
    alias = validate_alias(str(form.get("alias", "")).strip())
    remove = form.get("remove") == "1"
    store = store_of(request)
    if form.get("confirmed") != "1":
        version = await run_in_threadpool(store.get_model_version, name, number)
        current = None
        try:
            current = await run_in_threadpool(store.get_model_version_by_alias, name, alias)
        except AutologError:
            pass
        return render(request, "confirm.html", {
            "version": version, "action": "alias", "alias": alias, "remove": remove, "current": current,
            "form_action": request.url.path, "back": _version_url(name, number)})
    if remove:
        await run_in_threadpool(store.delete_registered_model_alias, name, alias)
    else:
        await run_in_threadpool(store.set_registered_model_alias, name, alias, number)
    return RedirectResponse(_version_url(name, number), status_code=303)


async def edit_model_description(request):
    """POST /models/{name}/description: set the model's description (form field ``description``)."""
    require_write(request)
    form = await form_fields(request)
    name = request.path_params["name"]
    await run_in_threadpool(store_of(request).update_registered_model, name, str(form.get("description", "")))
    return RedirectResponse(f"/models/{quote(name)}", status_code=303)


async def edit_version_description(request):
    """POST /models/{name}/versions/{version}/description: set one version's description."""
    require_write(request)
    form = await form_fields(request)
    name, number = request.path_params["name"], request.path_params["version"]
    await run_in_threadpool(store_of(request).update_model_version, name, number,
                            str(form.get("description", "")))
    return RedirectResponse(_version_url(name, number), status_code=303)
