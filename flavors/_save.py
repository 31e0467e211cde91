"""What every flavor's save_model and log_model share: the directory, descriptor, example, environment,
and for logging, the run, the artifact location, the log-model history tag and registration."""

from __future__ import annotations

import json
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
                   extra_pip_requirements=None, metadata=None, run_id=None, artifact_path=None) -> Model:
    """Create the model directory ``path``: ``write(path)`` stores the model and returns (flavor config or
    None, python_function config, modules the model needs); then the example, environment and MLmodel.

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
            if signature is None:
                from .signature import ModelSignature, infer_schema

                signature = ModelSignature(infer_schema(input_example))
        modules = list(modules)
        if signature is not None and signature.inputs is not None and signature.inputs.has_input_names() \
                and not signature.inputs.is_tensor_spec():
            modules.append("pandas")  # named columns: records and arrays are turned into a DataFrame to score
        requirements = resolve_requirements(infer_requirements(modules), pip_requirements, extra_pip_requirements)
        env = write_environment(path, requirements)
        model = Model(artifact_path=artifact_path, run_id=run_id, signature=signature,
                      saved_input_example_info=example_info, metadata=metadata)
        model.add_flavor(PYFUNC_FLAVOR, **pyfunc_conf, env=env, python_version=".".join(map(str, sys.version_info[:3])))
        if flavor_conf is not None:
            model.add_flavor(flavor, **flavor_conf)
        model.save(os.path.join(path, MLMODEL_FILE))
        return model
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise


def log_model(save, artifact_path: str = "model", registered_model_name=None, **save_kwargs) -> ModelInfo:
    """Save a model with ``save(path=..., run_id=..., artifact_path=..., **save_kwargs)`` into the active
    run's artifacts (a run is started and ended around the call when none is active); return its ModelInfo.

    Raises InvalidInputError for a bad artifact path or when a model is already logged there.
    """
    import tempfile

    from autolog.tracking import fluent
    from autolog.tracking.artifacts import get_artifact_repository
    from autolog.tracking.validation import safe_artifact_path

    relative = safe_artifact_path(artifact_path)
    if not relative:
        raise invalid_input(f"Invalid artifact_path {artifact_path!r}: a model needs a directory name")
    active = fluent.active_run()
    owned = active is None
    if owned:
        active = fluent.start_run()
    status = "FINISHED"
    try:
        run_id = active.info.run_id
        repository = get_artifact_repository(active.info.artifact_uri)
        local = repository.local_path(relative)
        if local is not None:
            model = save(path=local, run_id=run_id, artifact_path=relative, **save_kwargs)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                model = save(path=os.path.join(tmp, "model"), run_id=run_id, artifact_path=relative, **save_kwargs)
                repository.log_artifacts(os.path.join(tmp, "model"), relative)
        _record_history(run_id, model)
        model_uri = f"runs:/{run_id}/{relative}"
        version = _register(model_uri, registered_model_name) if registered_model_name else None
        return ModelInfo.from_model(model, model_uri, version)
    except BaseException:
        status = "FAILED"
        raise
    finally:
        if owned:
            fluent.end_run(status)


def _record_history(run_id: str, model: Model) -> None:
    """Append the model to the run's ``mlflow.log-model.history`` tag (oldest entries dropped to fit)."""
    from autolog.tracking import Client
    from autolog.tracking.validation import MAX_TAG_VALUE_LENGTH

    client = Client()
    try:
        history = json.loads(client.get_run(run_id).data.tags.get(HISTORY_TAG, "[]"))
    except ValueError:
        history = []
    entry = model.to_dict()
    entry.pop("signature", None)
    entry.pop("metadata", None)
    history.append(entry)
    text = json.dumps(history)
    while len(text) > MAX_TAG_VALUE_LENGTH and len(history) > 1:
        history.pop(0)
        text = json.dumps(history)
    if len(text) <= MAX_TAG_VALUE_LENGTH:
        client.set_tag(run_id, HISTORY_TAG, text)


def _register(model_uri: str, name: str):
    from autolog.tracking import register_model

    return register_model(model_uri, name).version
