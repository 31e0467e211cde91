"""Which tracking store the process talks to."""

from __future__ import annotations

import os

__all__ = ["set_tracking_uri", "get_tracking_uri", "DEFAULT_TRACKING_DIR", "TRACKING_URI_ENV"]

TRACKING_URI_ENV = "AUTOLOG_TRACKING_URI"
DEFAULT_TRACKING_DIR = "mlruns"

_tracking_uri = None
_exported_uri = None
_listeners: list = []


def set_tracking_uri(uri) -> None:
    """Select the tracking store: a directory, ``file://...``, or ``sqlite:///path.db``.

    A relative directory is taken relative to the current working directory now.
    Changing the URI forgets the active experiment of the old store. As in MLflow, the URI is exported
    as ``$AUTOLOG_TRACKING_URI`` so child processes log to the same store; ``None`` withdraws it.
    Raises InvalidInputError for a URI that is not a string or path.
    """
    global _tracking_uri
    from .exceptions import InvalidInputError

    if uri is not None and not isinstance(uri, (str, os.PathLike)):
        raise InvalidInputError(f"Invalid tracking URI {uri!r}: expected a string or path")
    new = _normalise(os.fspath(uri)) if uri is not None else None
    _export(new)
    if new != _tracking_uri:
        _tracking_uri = new
        for listener in _listeners:
            listener()


def _export(uri) -> None:
    """Put ``uri`` in the environment children inherit; remove the one exported before when None."""
    global _exported_uri
    if uri is not None:
        os.environ[TRACKING_URI_ENV] = _exported_uri = uri
    elif _exported_uri is not None:
        if os.environ.get(TRACKING_URI_ENV) == _exported_uri:
            del os.environ[TRACKING_URI_ENV]
        _exported_uri = None


def get_tracking_uri() -> str:
    """Return the tracking URI in effect: set_tracking_uri, else $AUTOLOG_TRACKING_URI, else
    $MLFLOW_TRACKING_URI, else ./mlruns."""
    if _tracking_uri is not None:
        return _tracking_uri
    from .env import env_value

    from_env = env_value(TRACKING_URI_ENV)
    return _normalise(from_env or DEFAULT_TRACKING_DIR)


def on_tracking_uri_change(listener) -> None:
    """Call ``listener()`` whenever set_tracking_uri changes the URI."""
    _listeners.append(listener)


def _normalise(uri: str) -> str:
    if "://" in uri:
        return uri
    return os.path.abspath(uri)
