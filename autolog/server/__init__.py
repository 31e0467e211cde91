"""The tracking server: MLflow's REST API over any autolog store, an artifact proxy and token auth.

``create_app(store_uri, artifacts_destination, auth)`` returns a Starlette application
(served by uvicorn: ``autolog server``). Needs the ``[server]`` extra.

Contract with the web pages (``autolog.ui``) and anything else mounted on the app:

- ``app.state.store`` is the TrackingStore served, ``app.state.store_uri`` its URI and
  ``app.state.artifacts_destination`` the root where artifacts live.
- When ``autolog.ui`` imports, the routes of ``autolog.ui.routes()`` are appended after the
  API routes; otherwise ``/`` returns a small page saying what is served.
- The auth middleware accepts a token as ``Authorization: Bearer <token>``, as HTTP Basic
  (the token as password), or as the cookie ``autolog_token``. ``/health``, ``/version``,
  ``/login``, ``/static/...`` and ``/api/3.0/mlflow/server-info`` need no token. Without a
  valid token a GET that accepts text/html is redirected (303) to ``/login?next=<path>``;
  any other request gets 401 with ``{"error_code": "UNAUTHENTICATED", ...}``.
- ``request.state.role`` is "read", "write" or "admin" ("admin" when auth is off; None on an
  open path without a token) and ``request.state.user`` the token's name: pages check
  ``role in ("write", "admin")`` before changing anything.
- Handlers call the same store interface as the client; the server holds no SQL.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(store_uri=None, artifacts_destination=None, auth: bool = False, **options):
    """Build the tracking server's ASGI app; see the module docstring and ``app.create_app``."""
    from .app import create_app as build

    return build(store_uri, artifacts_destination, auth, **options)
