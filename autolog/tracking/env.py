"""Environment variables: autolog's own ``AUTOLOG_*`` names first, then the ``MLFLOW_*`` names users
of MLflow already set (``MLFLOW_TRACKING_URI``, ``MLFLOW_EXPERIMENT_NAME``, ``MLFLOW_RUN_ID``...)."""

from __future__ import annotations

import os

__all__ = ["env_value", "FALLBACKS"]

# autolog's name -> the MLflow name read when it is unset
FALLBACKS = {
    "AUTOLOG_TRACKING_URI": "MLFLOW_TRACKING_URI",
    "AUTOLOG_EXPERIMENT_NAME": "MLFLOW_EXPERIMENT_NAME",
    "AUTOLOG_EXPERIMENT_ID": "MLFLOW_EXPERIMENT_ID",
    "AUTOLOG_RUN_ID": "MLFLOW_RUN_ID",
    "AUTOLOG_TRACKING_TOKEN": "MLFLOW_TRACKING_TOKEN",
    "AUTOLOG_TRACKING_USERNAME": "MLFLOW_TRACKING_USERNAME",
    "AUTOLOG_TRACKING_PASSWORD": "MLFLOW_TRACKING_PASSWORD",
    "AUTOLOG_S3_ENDPOINT_URL": "MLFLOW_S3_ENDPOINT_URL",
    "AUTOLOG_REGISTRY_URI": "MLFLOW_REGISTRY_URI",
}


def env_value(name: str, default=None):
    """The value of ``$name`` (an ``AUTOLOG_*`` name), else of its ``MLFLOW_*`` fallback, else ``default``.

    Empty values count as unset.
    """
    value = os.environ.get(name)
    if not value and name in FALLBACKS:
        value = os.environ.get(FALLBACKS[name])
    return value or default
