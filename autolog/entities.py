"""The tracking entities under the name MLflow code imports them from (``mlflow.entities``)."""

from .tracking.entities import *  # noqa: F401,F403 - a re-export
from .tracking.entities import __all__  # noqa: F401
