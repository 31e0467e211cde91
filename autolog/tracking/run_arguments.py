"""Argument handling of the fluent API that MLflow code relies on: start_run's checks and the run id from
the environment, and metric points linked to a logged model."""

from __future__ import annotations

import os
import time

from .exceptions import InvalidInputError
from .validation import validate_key, validate_metric_value, validate_step, validate_timestamp

__all__ = ["take_run_id_from_environment", "check_start_run_arguments", "log_linked_metrics"]


def take_run_id_from_environment():
    """$AUTOLOG_RUN_ID or $MLFLOW_RUN_ID, removed once used (as MLflow does) so only one run resumes it."""
    if not (os.environ.get("AUTOLOG_RUN_ID") or os.environ.get("MLFLOW_RUN_ID")):  # the usual case, at once
        return None
    from .env import env_value

    run_id = env_value("AUTOLOG_RUN_ID")
    if run_id:
        for name in ("AUTOLOG_RUN_ID", "MLFLOW_RUN_ID"):
            if os.environ.get(name) == run_id:
                del os.environ[name]
    return run_id


def check_start_run_arguments(experiment_id, tags, description) -> None:
    """Refuse what MLflow refuses: an experiment_id container, and a description given twice.

    Raises InvalidInputError naming the problem.
    """
    if isinstance(experiment_id, (list, tuple, dict, set)):
        raise InvalidInputError(f"Invalid experiment_id {experiment_id!r}: expected one experiment id")
    if description is not None and "mlflow.note.content" in (tags or {}):
        raise InvalidInputError("Give the run's description either as description= or as the "
                                "'mlflow.note.content' tag, not both")


def log_linked_metrics(run_id: str, metrics: dict, step, timestamp, model_id, dataset) -> None:
    """Write metric points linked to a logged model and a dataset (MLflow 3) at once, through the client."""
    from .entities import Metric
    from .fluent import _get_client

    if dataset is not None and not hasattr(dataset, "digest"):
        raise InvalidInputError(f"Invalid dataset {dataset!r}: expected a dataset from autolog.data or a Dataset")
    name, digest = (dataset.name, dataset.digest) if dataset is not None else (None, None)
    checked = {validate_key(key, "metric key"): validate_metric_value(key, value) for key, value in metrics.items()}
    first = next(iter(checked), "metrics")
    stamp = int(time.time() * 1000) if timestamp is None else validate_timestamp(first, timestamp)
    points = [Metric(key, value, stamp, validate_step(first, step), model_id, name, digest)
              for key, value in checked.items()]
    _get_client().log_batch(run_id, metrics=points)
