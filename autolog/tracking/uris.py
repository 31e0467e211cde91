"""Resolve ``runs:/``, ``models:/``, ``file://`` and plain paths to artifact locations."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlparse

from .exceptions import InvalidInputError, NotFoundError

__all__ = ["resolve_artifact_location", "download_artifacts", "parse_runs_uri", "parse_models_uri",
           "parse_logged_model_uri"]

_LOGGED_MODEL_URI = re.compile(r"^models:/(?P<model_id>m-[0-9a-f]{32})(?:/(?P<path>.*))?$")
_MODELS_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<selector>[^/]+)|@(?P<alias>[^/]+))(?:/(?P<path>.*))?$")


def parse_runs_uri(uri: str) -> tuple:
    """Split ``runs:/<run_id>/<path>`` into (run_id, path); raises InvalidInputError when malformed."""
    match = re.match(r"^runs:/+([0-9a-zA-Z]+)(?:/(.*))?$", uri)
    if not match:
        raise InvalidInputError(f"Invalid runs URI {uri!r}: expected runs:/<run_id>/<artifact_path>")
    return match.group(1), (match.group(2) or "").strip("/")


def parse_logged_model_uri(uri: str):
    """(model_id, sub-path) of MLflow 3's ``models:/<model_id>[/<path>]``, or None for any other URI."""
    match = _LOGGED_MODEL_URI.match(uri)
    return (match.group("model_id"), (match.group("path") or "").strip("/")) if match else None


def parse_models_uri(uri: str) -> dict:
    """Split a models URI into name, and one of version / stage / alias / latest, plus a sub-path.

    Accepts ``models:/name/3``, ``models:/name/Production``, ``models:/name@champion`` and
    ``models:/name/latest``; raises InvalidInputError otherwise.
    """
    match = _MODELS_URI.match(uri)
    if not match:
        raise InvalidInputError(
            f"Invalid models URI {uri!r}: expected models:/<name>/<version|stage|latest> or models:/<name>@<alias>")
    parts = {"name": unquote(match.group("name")), "version": None, "stage": None, "alias": None,
             "latest": False, "path": match.group("path") or ""}
    selector = match.group("selector")
    if match.group("alias"):
        parts["alias"] = match.group("alias")
    elif selector.isdigit():
        parts["version"] = selector
    elif selector.lower() == "latest":
        parts["latest"] = True
    else:
        parts["stage"] = selector
    return parts


def resolve_artifact_location(uri: str, tracking_uri=None) -> str:
    """The artifact location (path or URI) that a model or artifact URI points at.

    Raises InvalidInputError for a malformed URI and NotFoundError for an unknown run or model.
    """
    uri = os.fspath(uri)
    if uri.startswith("runs:"):
        from .client import Client

        run_id, path = parse_runs_uri(uri)
        root = Client(tracking_uri).get_run(run_id).info.artifact_uri
        return f"{root}/{path}" if path else root
    logged_model = parse_logged_model_uri(uri)
    if logged_model:  # MLflow 3: models:/<model_id>
        from .client import Client
        from .validation import safe_artifact_path

        location = Client(tracking_uri).get_logged_model(logged_model[0]).artifact_location
        path = safe_artifact_path(logged_model[1])
        return f"{location}/{path}" if path else location
    if uri.startswith("models:"):
        from .client import Client

        parts = parse_models_uri(uri)
        location = Client(tracking_uri).resolve_model_version_location(parts)
        return f"{location}/{parts['path']}" if parts["path"] else location
    if uri.startswith("file://"):
        return unquote(urlparse(uri).path)
    return uri


def download_artifacts(artifact_uri: str, dst_path=None, tracking_uri=None) -> str:
    """Return a local path holding the artifact at ``artifact_uri``.

    Local artifacts are returned in place when ``dst_path`` is None (no copy); remote ones
    are copied into ``dst_path`` or a new temporary directory. Raises NotFoundError when
    nothing is there.
    """
    import tempfile

    from .artifacts import get_artifact_repository

    location = resolve_artifact_location(artifact_uri, tracking_uri)
    repository = get_artifact_repository(location)
    local = repository.local_path("")
    if local is not None and dst_path is None:
        if not os.path.exists(local):
            raise NotFoundError(f"Nothing found at {artifact_uri!r} (looked in {local})")
        return local
    destination = dst_path or tempfile.mkdtemp(prefix="autolog-download-")
    return repository.download_artifacts("", destination)
