"""Builds the server's ASGI application: the REST API, the artifact proxy, auth, and the web pages."""

from __future__ import annotations

import logging
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from .. import __version__
from ._api import api_routes, error_response
from .artifacts import DEFAULT_MAX_UPLOAD_BYTES, proxy_routes
from .auth import AuthMiddleware
from .context import ServerContext
from .locations import ArtifactLocations
from .multipart import multipart_routes

__all__ = ["create_app", "open_server_store"]

_log = logging.getLogger("autolog.server")


def open_server_store(store_uri: str, artifacts_destination=None):
    """The tracking store at ``store_uri`` with new experiments' artifacts under ``artifacts_destination``
    (the store's own artifact root when None); returns (store, destination)."""
    from ..tracking import stores

    destination = None
    if artifacts_destination:
        destination = artifacts_destination
        if destination.startswith("file://"):
            destination = destination[len("file://"):]
        if "://" not in destination:
            destination = os.path.abspath(destination)
        # a database store records its default experiment's location when first opened: there
        os.environ[stores.ARTIFACT_ROOT_ENV] = destination.rstrip("/")
    store = stores.get_store(store_uri)
    if destination:
        store.artifact_root = destination.rstrip("/")
    os.makedirs(store.artifact_root, exist_ok=True) if "://" not in store.artifact_root else None
    return store, store.artifact_root


def _all_endpoints() -> list:
    from . import artifacts, experiments, metrics, permission_routes, registry, runs

    from . import transfer

    endpoints = experiments.ENDPOINTS + runs.ENDPOINTS + metrics.ENDPOINTS + registry.ENDPOINTS + artifacts.ENDPOINTS
    endpoints += transfer.ENDPOINTS + permission_routes.ENDPOINTS
    try:
        from . import logged_models
    except ImportError:
        return endpoints
    return endpoints + logged_models.ENDPOINTS


def _server_info(request: Request) -> JSONResponse:
    return JSONResponse({"store_type": "SqlStore", "workspaces_enabled": False, "trace_archival_enabled": False,
                         "multipart_uploads_enabled": True, "multipart_downloads_enabled": False,
                         "server": "autolog", "version": __version__})


def _not_served(request: Request):
    _log.warning("not served: %s %s", request.method, request.url.path)
    return error_response("ENDPOINT_NOT_FOUND", f"No endpoint {request.method} {request.url.path} on this server")


def _fallback_home(request: Request) -> HTMLResponse:
    state = request.app.state
    return HTMLResponse(
        "<!doctype html><title>autolog tracking server</title><h1>autolog tracking server</h1>"
        f"<p>Serving the MLflow REST API at <code>/api/2.0/mlflow/</code> and artifacts at "
        f"<code>/api/2.0/mlflow-artifacts/</code> (autolog {__version__}).</p>"
        f"<p>Point a client at this address: <code>set_tracking_uri(\"{request.base_url}\")</code>.</p>"
        f"<p>{'Tokens are required.' if state.auth_enabled else 'Authentication is off.'}</p>")


def _basic_routes() -> list:
    return [
        Route("/health", lambda request: PlainTextResponse("OK"), methods=["GET"]),
        Route("/version", lambda request: PlainTextResponse(__version__), methods=["GET"]),
        Route("/api/3.0/mlflow/server-info", _server_info, methods=["GET"]),
        Route("/ajax-api/3.0/mlflow/server-info", _server_info, methods=["GET"]),
    ]


def _page_routes() -> list:
    try:
        from .. import ui
    except ImportError:
        return [Route("/", _fallback_home, methods=["GET"])]
    return list(ui.routes())


def create_app(store_uri=None, artifacts_destination=None, auth: bool = False,
               max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES):
    """The tracking server as a Starlette application (see the package docstring for what it serves).

    ``store_uri`` defaults to the tracking URI in effect (./mlruns); ``artifacts_destination`` to the
    store's artifact root; ``auth`` turns token checks on. Raises InvalidInputError or StoreError
    when the store cannot be opened.
    """
    from ..tracking.tracking_uri import get_tracking_uri

    store_uri = store_uri or get_tracking_uri()
    if "://" not in store_uri:
        store_uri = os.path.abspath(store_uri)
    store, destination = open_server_store(store_uri, artifacts_destination)
    catch_all = [Route(prefix + "/{rest:path}", _not_served)
                 for prefix in ("/api", "/ajax-api")]
    routes = (_basic_routes() + api_routes(_all_endpoints()) + proxy_routes() + multipart_routes() + _page_routes()
              + catch_all)
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.store_uri = store_uri
    app.state.artifacts_destination = destination
    app.state.auth_enabled = bool(auth)
    app.state.max_upload_bytes = max_upload_bytes
    app.state.context = ServerContext(store, store_uri, ArtifactLocations(destination))
    app.add_middleware(AuthMiddleware, store=store, enabled=bool(auth))
    return app
