"""What every flavor's save_model and log_model share: the directory, descriptor, example, environment,
and for logging, the run, the artifact location, the log-model history tag and registration."""

from __future__ import annotations

import os
import shutil
import sys

from ._errors import invalid_input
from .model import MLMODEL_FILE, PYFUNC_FLAVOR, Model, ModelInfo

__all__ = ["save_model_dir", "log_model", "HISTORY_TAG"]

HISTORY_TAG = "mlflow.log-model.history"


def _prepare_dir(path) -> str:
    path = os.fspath(path)
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise invalid_input(f"Cannot save a model to {path}: the path already exists and is not an empty directory")
    os.makedirs(path, exist_ok=True)
    return path


def save_model_dir(path, flavor: str, write, signature=None, input_example=None, pip_requirements=None,
                   extra_pip_requirements=None, metadata=None, run_id=None, artifact_path=None,
                   model_id=None) -> Model:
    """Create the model directory ``path``: ``write(path)`` stores the model and returns (flavor config or
    None, python_function config, modules the model needs); then the example, environment and MLmodel.

    ``signature=False`` saves no signature (None infers one from ``input_example``, as MLflow does).
    On any error the half-written directory is removed. Raises InvalidInputError when ``path`` exists.
    """
    from .requirements import infer_requirements, resolve_requirements, write_environment

    path = _prepare_dir(path)
    try:
        flavor_conf, pyfunc_conf, modules = write(path)
        example_info = None
        if input_example is not None:
            from .input_example import save_input_example

            example_info = save_input_example(path, input_example)
            if signature is None:  # False: no signature, not even one inferred from the example
                from .signature import ModelSignature, infer_schema

                signature = ModelSignature(infer_schema(input_example))
        modules = list(modules)
        if signature and signature.inputs is not None and signature.inputs.has_input_names() \
                and not signature.inputs.is_tensor_spec():
            modules.append("pandas")  # named columns: records and arrays are turned into a DataFrame to score
        requirements = resolve_requirements(infer_requirements(modules), pip_requirements, extra_pip_requirements)
        env = write_environment(path, requirements, link_previous=run_id is not None)
        model = Model(artifact_path=artifact_path, run_id=run_id, signature=signature or None,
                      saved_input_example_info=example_info, metadata=metadata, model_id=model_id)
        model.add_flavor(PYFUNC_FLAVOR, **pyfunc_conf, env=env, python_version=".".join(map(str, sys.version_info[:3])))
        if flavor_conf is not None:
            model.add_flavor(flavor, **flavor_conf)
        model.save(os.path.join(path, MLMODEL_FILE))
        return model
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise


def _model_name(artifact_path, name) -> str:
    from autolog.tracking.validation import safe_artifact_path

    if artifact_path is not None and name is not None and artifact_path != name:
        raise invalid_input(f"Give the model a name or an artifact_path, not both ({name!r}, {artifact_path!r})")
    chosen = name if name is not None else artifact_path if artifact_path is not None else "model"
    relative = safe_artifact_path(chosen)
    if not relative:
        raise invalid_input(f"Invalid model name {chosen!r}: a model needs a directory name")
    return relative


def _logged_name(relative: str) -> str:
    """The artifact path as a logged model name (which may not hold '/', ':', '.', '%' or quotes)."""
    return "".join("-" if char in "/:.%\"'" else char for char in relative)


def log_model(save, artifact_path=None, registered_model_name=None, *, name=None, params=None, tags=None,
              model_type=None, step=0, model_id=None, **save_kwargs) -> ModelInfo:
    """Log a model as MLflow 3 does: a LoggedModel (``models:/<model_id>``) of the active run (a run is
    started and ended around the call when none is active), its files saved with
    ``save(path=..., run_id=..., artifact_path=..., model_id=..., **save_kwargs)`` under the model's
    artifact location, and mirrored at ``<name>/`` in the run's artifacts so ``runs:/<run_id>/<name>``
    keeps loading the latest model logged under that name. ``artifact_path`` is the older spelling
    of ``name``. The model is READY when its files are written, FAILED if saving raised.

    Raises InvalidInputError for a bad name or when both spellings disagree.
    """
    from autolog.tracking import Client, fluent
    from autolog.tracking.entities import LoggedModelStatus
    from autolog.tracking.logged_models_fluent import remember_logged_model

    relative = _model_name(artifact_path, name)
    active = fluent.active_run()
    owned = active is None
    if owned:
        active = fluent.start_run()
    status = "FINISHED"
    try:
        run_id = active.info.run_id
        client = Client()
        prepared = None
        if model_id is None:  # where the store allows, the model is written once, whole, after its files
            logged = prepared = client._prepare_logged_model(active.info.experiment_id, _logged_name(relative),
                                                             run_id, tags, params, model_type)
            if prepared is None:
                logged = client.create_logged_model(active.info.experiment_id, _logged_name(relative), run_id,
                                                    tags, params, model_type)
        else:
            logged = client.get_logged_model(model_id)
        try:
            model = _save_files(save, logged, run_id, relative, active.info.artifact_uri, save_kwargs)
        except BaseException:
            if prepared is not None:
                client._complete_logged_model(logged.model_id, LoggedModelStatus.FAILED, None, prepared=prepared)
            else:
                client.finalize_logged_model(logged.model_id, LoggedModelStatus.FAILED)
            raise
        # READY (the model itself, when prepared), the run's output and its log-model history in one store write:
        # the one that ends the run, when the run holds its models for that
        entry = _history_entry(model)
        hold = getattr(active, "hold_logged_model", None) if prepared is not None and not registered_model_name \
            else None
        if hold is None or not hold(prepared, LoggedModelStatus.READY, step, entry):
            client._complete_logged_model(logged.model_id, LoggedModelStatus.READY, run_id, step, entry,
                                          prepared=prepared)
        remember_logged_model(logged.model_id)
        model_uri = f"models:/{logged.model_id}"
        version = _register(model_uri, registered_model_name) if registered_model_name else None
        return ModelInfo.from_model(model, model_uri, version, logged)
    except BaseException:
        status = "FAILED"
        raise
    finally:
        if owned:
            fluent.end_run(status)


def _save_files(save, logged, run_id: str, relative: str, run_artifact_uri: str, save_kwargs) -> Model:
    """Save the model into the logged model's location, then mirror it into the run's ``relative`` path."""
    from autolog.tracking.artifacts import get_artifact_repository

    model_repository = get_artifact_repository(logged.artifact_location)
    run_repository = get_artifact_repository(run_artifact_uri)
    local = model_repository.local_path("")
    if local is not None:  # saved in place: no temporary directory
        model = save(path=local, run_id=run_id, artifact_path=relative, model_id=logged.model_id, **save_kwargs)
        _mirror(local, run_repository, relative)
        return model
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        saved = os.path.join(tmp, "model")
        model = save(path=saved, run_id=run_id, artifact_path=relative, model_id=logged.model_id, **save_kwargs)
        model_repository.log_artifacts(saved, None)
        _mirror(saved, run_repository, relative)
    return model


def _mirror(saved: str, run_repository, relative: str) -> None:
    run_local = run_repository.local_path(relative)
    if run_local is not None:
        _mirror_locally(saved, run_local)
    else:
        run_repository.log_artifacts(saved, relative)


def _mirror_locally(source: str, destination: str) -> None:
    """Replace ``destination`` by hard links to ``source``'s files (copies across file systems)."""
    if os.path.isdir(destination):
        shutil.rmtree(destination)
    for parent, _dirs, files in os.walk(source, followlinks=True):  # as copytree: a linked folder is copied
        relative = os.path.relpath(parent, source)
        target = destination if relative == "." else os.path.join(destination, relative)
        os.makedirs(target, exist_ok=True)
        for name in files:
            try:
                os.link(os.path.join(parent, name), os.path.join(target, name))
            except OSError:
                shutil.copy2(os.path.join(parent, name), os.path.join(target, name))


def _history_entry(model: Model) -> dict:
    """The model's entry in the run's ``mlflow.log-model.history`` tag: its MLmodel without signature and
    metadata, as MLflow records it."""
    entry = model.to_dict()
    entry.pop("signature", None)
    entry.pop("metadata", None)
    return entry


def _register(model_uri: str, name: str):
    from autolog.tracking import register_model

    return register_model(model_uri, name).version
