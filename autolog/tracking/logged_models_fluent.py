"""The fluent face of MLflow 3's logged models and of dataset inputs: ``last_logged_model``,
``search_logged_models``, ``get_logged_model``, ``log_input``..."""

from __future__ import annotations

import threading

from .entities import Dataset, DatasetInput, InputTag, LoggedModelInput, LoggedModelStatus

__all__ = [
    "last_logged_model", "get_logged_model", "search_logged_models", "initialize_logged_model",
    "finalize_logged_model", "set_logged_model_tags", "delete_logged_model_tag", "log_model_params",
    "log_input", "remember_logged_model",
]

_last_model = threading.local()
_last_model_global = {"id": None}


def remember_logged_model(model_id: str) -> None:
    """Note ``model_id`` as the model most recently logged in this process (and thread)."""
    _last_model.model_id = model_id
    _last_model_global["id"] = model_id


def _client():
    from .fluent import _get_client

    return _get_client()


def last_logged_model():
    """The LoggedModel most recently logged in this thread (else in this process), or None."""
    model_id = getattr(_last_model, "model_id", None) or _last_model_global["id"]
    return _client().get_logged_model(model_id) if model_id else None


def get_logged_model(model_id: str):
    """The LoggedModel with this id; raises NotFoundError."""
    return _client().get_logged_model(model_id)


def search_logged_models(experiment_ids=None, filter_string=None, datasets=None, max_results=None, order_by=None,
                         output_format="pandas"):
    """Search logged models of ``experiment_ids`` (the active experiment when None), newest first unless
    ordered; a pandas DataFrame when pandas is installed and ``output_format`` is "pandas", else a list.

    Raises InvalidInputError for a malformed filter or order key.
    """
    from .fluent import get_experiment_id

    client = _client()
    if experiment_ids is None:
        experiment_ids = [get_experiment_id()]
    elif isinstance(experiment_ids, (str, int)):
        experiment_ids = [experiment_ids]
    models, token = [], None
    limit = max_results if max_results is not None else float("inf")
    while len(models) < limit:
        page = client.search_logged_models(experiment_ids, filter_string, datasets,
                                           int(min(limit - len(models), 1000)), order_by, token)
        models.extend(page)
        token = page.token
        if not token:
            break
    if output_format == "list":
        return models
    try:
        import pandas
    except ImportError:
        return models
    return pandas.DataFrame([{name: getattr(model, name) for name in model._fields} for model in models],
                            columns=list(_MODEL_COLUMNS))


_MODEL_COLUMNS = ("model_id", "experiment_id", "name", "artifact_location", "creation_timestamp",
                  "last_updated_timestamp", "model_type", "source_run_id", "status", "status_message", "tags",
                  "params", "metrics")


def initialize_logged_model(name=None, source_run_id=None, tags=None, params=None, model_type=None,
                            experiment_id=None):
    """Create a PENDING logged model in the active experiment (of the active run's by default) and return it."""
    from .fluent import active_run, get_experiment_id

    run = active_run()
    if source_run_id is None and run is not None:
        source_run_id = run.info.run_id
    if experiment_id is None:
        experiment_id = run.info.experiment_id if run is not None else get_experiment_id()
    model = _client().create_logged_model(experiment_id, name, source_run_id, tags, params, model_type)
    remember_logged_model(model.model_id)
    return model


def finalize_logged_model(model_id: str, status=LoggedModelStatus.READY):
    """Mark a logged model READY (or FAILED) and return it."""
    return _client().finalize_logged_model(model_id, status)


def set_logged_model_tags(model_id: str, tags: dict) -> None:
    """Set tags of a logged model."""
    _client().set_logged_model_tags(model_id, tags)


def delete_logged_model_tag(model_id: str, key: str) -> None:
    """Remove a tag of a logged model."""
    _client().delete_logged_model_tag(model_id, key)


def log_model_params(params: dict, model_id=None) -> None:
    """Add params to a logged model (the last logged one when ``model_id`` is None).

    Raises InvalidInputError when there is no model to log them to.
    """
    from .exceptions import InvalidInputError

    model_id = model_id or getattr(_last_model, "model_id", None) or _last_model_global["id"]
    if model_id is None:
        raise InvalidInputError("log_model_params needs a model_id: no model has been logged in this process")
    _client().log_model_params(model_id, params)


def _dataset_entity(dataset) -> Dataset:
    from .exceptions import InvalidInputError

    if isinstance(dataset, Dataset):
        return dataset
    for method in ("to_entity", "_to_mlflow_entity"):
        if callable(getattr(dataset, method, None)):
            return getattr(dataset, method)()
    raise InvalidInputError(f"Cannot log {type(dataset).__name__} as a dataset input: expected a dataset "
                            "from autolog.data (from_pandas, from_numpy) or an autolog.entities.Dataset")


def log_input(dataset=None, context=None, tags=None, model=None) -> None:
    """Record ``dataset`` (from autolog.data, or a Dataset entity) as an input of the active run, with
    ``context`` ("training", "eval"...) and ``tags``; ``model`` (a LoggedModelInput or model id) records
    a model the run read. A run is started when none is active.

    Raises InvalidInputError for an object that is not a dataset.
    """
    from .fluent import _run_id_for_logging

    datasets = []
    if dataset is not None:
        input_tags = [InputTag(str(key), str(value)) for key, value in (tags or {}).items()]
        if context is not None:
            input_tags.append(InputTag("mlflow.data.context", str(context)))
        datasets.append(DatasetInput(_dataset_entity(dataset), input_tags))
    models = [model if isinstance(model, LoggedModelInput) else LoggedModelInput(getattr(model, "model_id", model))
              ] if model is not None else None
    _client().log_inputs(_run_id_for_logging(), datasets, models)
