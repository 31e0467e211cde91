"""``register_model``: add a logged model to the registry in one call."""

from __future__ import annotations

import os

from .exceptions import AlreadyExistsError

__all__ = ["register_model"]


def register_model(model_uri, name: str, tags=None, await_registration_for=None):
    """Register the model at ``model_uri`` (``runs:/<run_id>/<path>``, ``models:/...``, or a local
    path) as the next version of ``name``, creating the registered model on first use.

    Returns the new ModelVersion (READY: its files are already in the registry).
    ``await_registration_for`` is accepted for compatibility; registration is synchronous.
    Raises InvalidInputError for a bad name or URI and NotFoundError when nothing is at ``model_uri``.
    """
    from . import uris
    from .client import Client
    from .registration import require_model_directory

    client = Client()
    model_uri = os.fspath(model_uri)
    local = uris.download_artifacts(model_uri, tracking_uri=client.tracking_uri)  # fail before creating the model
    require_model_directory(local, model_uri)
    try:
        client.create_registered_model(name)
        _logger().info("Registered model %r created", name)
    except AlreadyExistsError:
        pass
    version = client.create_model_version(name, model_uri, tags=tags)
    _logger().info("Created version %s of registered model %r", version.version, name)
    return version


def _logger():
    import logging

    return logging.getLogger("autolog")
