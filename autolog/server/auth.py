"""Token authentication: who may call the server, and with which role.

A token arrives as ``Authorization: Bearer <token>``, as HTTP Basic with the token as the
password (what MLflow's ``MLFLOW_TRACKING_USERNAME/PASSWORD`` send), or as the
``autolog_token`` cookie (the web pages). Tokens are checked against their hashes in the
store; ``request.state.role`` is set to "read", "write" or "admin" ("admin" with auth off).
Without a valid token, a browser's page request is redirected to ``/login?next=...`` and an
API call gets 401 with MLflow's error body.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from urllib.parse import quote

from starlette.requests import HTTPConnection

__all__ = ["AuthMiddleware", "OPEN_PATHS", "token_from"]

OPEN_PATHS = frozenset({"/health", "/version", "/login", "/api/3.0/mlflow/server-info",
                        "/ajax-api/3.0/mlflow/server-info", "/favicon.ico",
                        # multipart parts carry their upload's own key (see multipart.py)
                        "/api/2.0/mlflow-artifacts/mpu/part", "/ajax-api/2.0/mlflow-artifacts/mpu/part"})
_OPEN_PREFIXES = ("/static/",)
COOKIE_NAME = "autolog_token"
_CACHE_SECONDS = 1.0
_CACHE_SIZE = 1024


def token_from(connection: HTTPConnection):
    """The token a request carries (Bearer, Basic password, or cookie), or None."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return connection.cookies.get(COOKIE_NAME) or None


class _TokenCache:
    """Recent token checks, kept a second so a burst of requests costs one lookup; revocation
    takes effect within that second."""

    def __init__(self, store):
        self._store = store
        self._entries: dict = {}
        self._lock = threading.Lock()

    def lookup(self, token):
        if not token:
            return None
        now = time.monotonic()
        entry = self._entries.get(token)
        if entry is not None and entry[1] > now:
            return entry[0]
        found = self._store.check_access_token(token)
        with self._lock:
            if len(self._entries) >= _CACHE_SIZE:
                self._entries.clear()
            self._entries[token] = (found, now + _CACHE_SECONDS)
        return found


class AuthMiddleware:
    """ASGI middleware enforcing tokens (when ``enabled``) and setting ``state.role`` and ``state.user``."""

    def __init__(self, app, store, enabled: bool):
        self.app = app
        self.enabled = enabled
        self._tokens = _TokenCache(store) if enabled else None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if not self.enabled:
            state["role"], state["user"] = "admin", None
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        found = self._tokens.lookup(token_from(connection))
        state["user"], state["role"] = found if found else (None, None)
        path = scope.get("path", "")
        if found or path in OPEN_PATHS or path.startswith(_OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        await _refuse(scope, connection, send)


async def _refuse(scope, connection: HTTPConnection, send) -> None:
    accept = connection.headers.get("accept", "")
    if scope.get("method") == "GET" and "text/html" in accept:
        target = scope.get("path", "/")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        headers = [(b"location", ("/login?next=" + quote(target, safe="")).encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body = json.dumps({"error_code": "UNAUTHENTICATED",
                       "message": "A valid token is required: send 'Authorization: Bearer <token>' "
                                  "(AUTOLOG_TRACKING_TOKEN or MLFLOW_TRACKING_TOKEN)"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"www-authenticate", b'Bearer realm="autolog"')]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
