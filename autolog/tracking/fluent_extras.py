"""The rest of MLflow's fluent API that ported code calls: experiments, runs, the registry, tables,
images and streams, and the registry URI."""

from __future__ import annotations

import os

from .client import Client as MlflowClient
from .entities import ViewType
from .exceptions import InvalidInputError

__all__ = [
    "create_experiment", "get_experiment", "get_experiment_by_name", "search_experiments", "delete_experiment",
    "set_experiment_tag", "set_experiment_tags", "delete_experiment_tag", "get_run", "get_parent_run",
    "search_registered_models", "search_model_versions", "set_registry_uri", "get_registry_uri", "log_table",
    "load_table", "log_image", "log_stream", "flush_async_logging", "MlflowClient",
]

_registry_uri = None


def _client():
    from .fluent import _get_client

    return _get_client()


def _run_id(run_id=None) -> str:
    from .fluent import _run_id_for_logging

    return _run_id_for_logging(run_id)


def create_experiment(name: str, artifact_location=None, tags=None) -> str:
    """Create an experiment and return its id; raises AlreadyExistsError when the name is taken."""
    return _client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id):
    """The Experiment with this id; raises NotFoundError."""
    return _client().get_experiment(experiment_id)


def get_experiment_by_name(name: str):
    """The Experiment with this name, or None."""
    return _client().get_experiment_by_name(name)


def search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=None, filter_string=None, order_by=None) -> list:
    """Every experiment matching ``filter_string`` (all pages), or the first ``max_results``."""
    client, found, token = _client(), [], None
    limit = max_results if max_results is not None else float("inf")
    while len(found) < limit:
        page = client.search_experiments(view_type, int(min(limit - len(found), 1000)), filter_string, order_by,
                                         token)
        found.extend(page)
        token = page.token
        if not token:
            break
    return found


def delete_experiment(experiment_id) -> None:
    """Soft-delete an experiment."""
    _client().delete_experiment(experiment_id)


def _active_experiment_id() -> str:
    from .fluent import active_run, get_experiment_id

    run = active_run()
    return run.info.experiment_id if run is not None else get_experiment_id()


def set_experiment_tag(key: str, value) -> None:
    """Set a tag on the active experiment (the active run's, else the one new runs go to)."""
    _client().set_experiment_tag(_active_experiment_id(), key, value)


def set_experiment_tags(tags: dict) -> None:
    """Set several tags on the active experiment."""
    client, experiment_id = _client(), _active_experiment_id()
    for key, value in tags.items():
        client.set_experiment_tag(experiment_id, key, value)


def delete_experiment_tag(key: str) -> None:
    """Remove a tag from the active experiment; raises NotFoundError when it has no such tag."""
    _client().delete_experiment_tag(_active_experiment_id(), key)


def get_run(run_id: str):
    """The Run with this id; raises NotFoundError."""
    return _client().get_run(run_id)


def get_parent_run(run_id: str):
    """The parent Run of a nested run (its ``mlflow.parentRunId`` tag), or None."""
    parent = _client().get_run(run_id).data.tags.get("mlflow.parentRunId")
    return _client().get_run(parent) if parent else None


def search_registered_models(max_results=None, filter_string=None, order_by=None) -> list:
    """Every registered model matching ``filter_string`` (all pages), or the first ``max_results``."""
    return _all_pages(_client().search_registered_models, max_results, filter_string, order_by)


def search_model_versions(max_results=None, filter_string=None, order_by=None) -> list:
    """Every model version matching ``filter_string`` (all pages), or the first ``max_results``."""
    return _all_pages(_client().search_model_versions, max_results, filter_string, order_by)


def _all_pages(search, max_results, filter_string, order_by) -> list:
    found, token = [], None
    limit = max_results if max_results is not None else float("inf")
    while len(found) < limit:
        page = search(filter_string, int(min(limit - len(found), 1000)), order_by, token)
        found.extend(page)
        token = page.token
        if not token:
            break
    return found


def set_registry_uri(uri) -> None:
    """Remember the registry URI. The registry lives in the tracking store, so a registry URI other
    than the tracking URI is refused when it is used (see docs/migrating-from-mlflow.md)."""
    global _registry_uri
    _registry_uri = None if uri is None else os.fspath(uri)


def get_registry_uri() -> str:
    """set_registry_uri's value, else $AUTOLOG_REGISTRY_URI / $MLFLOW_REGISTRY_URI, else the tracking URI."""
    from .env import env_value
    from .tracking_uri import get_tracking_uri

    return _registry_uri or env_value("AUTOLOG_REGISTRY_URI") or get_tracking_uri()


def flush_async_logging() -> None:
    """Write every buffered metric point now (logging is always buffered here; see log_metric)."""
    from .fluent import flush

    flush()


def log_table(data, artifact_file: str, run_id=None) -> None:
    """Save a dict of columns or a pandas DataFrame as a JSON table artifact (MLflow's "split" layout:
    ``{"columns": [...], "data": [[...]]}``) of the active run.

    Raises InvalidInputError for other data or an artifact file that is not ``.json``.
    """
    if not str(artifact_file).endswith(".json"):
        raise InvalidInputError(f"Invalid table artifact {artifact_file!r}: a table is saved as a .json file")
    if isinstance(data, dict):
        import pandas as pd

        data = pd.DataFrame(data)
    if not hasattr(data, "to_json"):
        raise InvalidInputError(f"Cannot log {type(data).__name__} as a table: expected a dict or a DataFrame")
    import json

    text = data.to_json(orient="split", index=False)
    client, run_id = _client(), _run_id(run_id)
    client.log_text(run_id, text, artifact_file)
    logged = json.loads(client.get_run(run_id).data.tags.get("mlflow.loggedArtifacts", "[]"))
    entry = {"path": artifact_file, "type": "table"}
    if entry not in logged:
        client.set_tag(run_id, "mlflow.loggedArtifacts", json.dumps([*logged, entry]))


def load_table(artifact_file: str, run_ids=None, extra_columns=None):
    """The table ``artifact_file`` of each run (``run_ids``, else every run of the active experiment that
    logged it) concatenated in one DataFrame; ``extra_columns`` (such as ["run_id"]) adds run attributes.

    Raises NotFoundError when no run has that table.
    """
    import json

    import pandas as pd

    from .exceptions import NotFoundError
    from .fluent import get_experiment_id

    client = _client()
    if run_ids is None:
        runs = client.search_runs([get_experiment_id()], max_results=50_000)
        run_ids = [run.info.run_id for run in runs
                   if {"path": artifact_file, "type": "table"} in json.loads(
                       run.data.tags.get("mlflow.loggedArtifacts", "[]"))]
    frames = []
    for run_id in run_ids:
        with open(client.download_artifacts(run_id, artifact_file), encoding="utf-8") as handle:
            frame = pd.read_json(handle, orient="split")
        for column in extra_columns or ():
            frame[column] = run_id if column == "run_id" else getattr(client.get_run(run_id).info, column)
        frames.append(frame)
    if not frames:
        raise NotFoundError(f"No run has a table {artifact_file!r}")
    return pd.concat(frames, ignore_index=True)


def log_image(image, artifact_file=None, key=None, step=None, timestamp=None, synchronous=None) -> None:
    """Save a numpy array (H x W grayscale, H x W x 3 RGB, H x W x 4 RGBA; uint8, or floats in [0, 1])
    or a PIL image as a PNG artifact: at ``artifact_file``, or under ``images/<key>/`` per ``step``.

    Raises InvalidInputError for an unusable image or when neither or both of artifact_file and key are given.
    """
    from ._png import image_png_bytes

    if (artifact_file is None) == (key is None):
        raise InvalidInputError("log_image needs exactly one of artifact_file or key")
    if key is not None:
        artifact_file = f"images/{key}/step_{0 if step is None else int(step)}.png"
    _client()._log_bytes(_run_id(), image_png_bytes(image), artifact_file)


def log_stream(stream, artifact_file: str, run_id=None) -> None:
    """Save everything a binary or text file object yields as the artifact ``artifact_file``."""
    content = stream.read()
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    _client()._log_bytes(_run_id(run_id), data, artifact_file)

