"""A small HTTP client for the tracking server: stdlib ``http.client``, keep-alive, retries with back-off.

One connection per thread (and process), reused across calls. Connection errors and
429/5xx answers are retried with exponential back-off; MLflow's error bodies become
autolog's exceptions. Credentials come from the environment: ``AUTOLOG_TRACKING_TOKEN``
or ``MLFLOW_TRACKING_TOKEN`` (Bearer), or ``MLFLOW_TRACKING_USERNAME``/``PASSWORD`` (Basic).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import random
import shutil
import threading
import time
from urllib.parse import urlencode, urlparse

from .exceptions import AlreadyExistsError, InvalidInputError, NotFoundError, StoreError

__all__ = ["HttpSession", "RETRY_STATUSES"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRIES = int(os.environ.get("AUTOLOG_HTTP_MAX_RETRIES", "6"))
_BACKOFF_SECONDS = float(os.environ.get("AUTOLOG_HTTP_BACKOFF", "0.25"))
_TIMEOUT_SECONDS = float(os.environ.get("AUTOLOG_HTTP_TIMEOUT", "120"))
_CHUNK = 1024 * 1024
_CONNECTION_ERRORS = (ConnectionError, http.client.HTTPException, TimeoutError, OSError)


def _auth_header():
    token = os.environ.get("AUTOLOG_TRACKING_TOKEN") or os.environ.get("MLFLOW_TRACKING_TOKEN")
    if token:
        return "Bearer " + token
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if user or password:
        return "Basic " + base64.b64encode(f"{user or ''}:{password or ''}".encode()).decode()
    return None


def _error_from(status: int, body: bytes, what: str) -> Exception:
    try:
        payload = json.loads(body or b"{}")
        code, message = payload.get("error_code", ""), payload.get("message", "")
    except ValueError:
        code, message = "", body[:200].decode("utf-8", "replace")
    message = message or f"HTTP {status}"
    if status == 404 or code == "RESOURCE_DOES_NOT_EXIST":
        return NotFoundError(message)
    if code == "RESOURCE_ALREADY_EXISTS":
        return AlreadyExistsError(message)
    if status in (401, 403):
        return StoreError(f"{what}: {message} (HTTP {status}; set AUTOLOG_TRACKING_TOKEN to a token "
                          "with the right role)")
    if status == 400 or code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"):
        return InvalidInputError(message)
    return StoreError(f"{what}: {message} (HTTP {status})")


class HttpSession:
    """Requests to one server (``base_url`` = scheme://host:port[/prefix])."""

    def __init__(self, base_url: str):
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise InvalidInputError(f"Invalid server URL {base_url!r}: expected http(s)://host[:port]")
        self.base_url = base_url.rstrip("/")
        self._scheme, self._netloc, self._prefix = parsed.scheme, parsed.netloc, parsed.path.rstrip("/")
        self._local = threading.local()

    def _connection(self, fresh: bool = False):
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or fresh or local.pid != os.getpid():
            if conn is not None and local.pid == os.getpid():
                conn.close()
            cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
            conn = cls(self._netloc, timeout=_TIMEOUT_SECONDS)
            local.conn, local.pid = conn, os.getpid()
        return conn

    def _headers(self, extra=None) -> dict:
        headers = {"User-Agent": "autolog"}
        auth = _auth_header()
        if auth:
            headers["Authorization"] = auth
        headers.update(extra or {})
        return headers

    def _send(self, method: str, path: str, body, headers: dict, sink=None) -> tuple:
        """One attempt: (status, body bytes); with ``sink`` a 200 body is copied into it instead."""
        conn = self._connection()
        if hasattr(body, "seek"):
            body.seek(0)
        conn.request(method, self._prefix + path, body=body, headers=headers)
        response = conn.getresponse()
        if sink is not None and response.status == 200:
            shutil.copyfileobj(response, sink, _CHUNK)
            return 200, b""
        return response.status, response.read()

    def request(self, method: str, path: str, body=None, headers=None, sink=None, what: str = "") -> bytes:
        """Send a request, retrying connection errors and 429/5xx; return the body of a 2xx answer.

        Raises NotFoundError, AlreadyExistsError, InvalidInputError, or StoreError (auth, server or
        connection failures after the retries), each naming the call.
        """
        headers = self._headers(headers)
        what = what or f"{method} {path.split('?')[0]}"
        for attempt in range(_RETRIES + 1):
            try:
                status, data = self._send(method, path, body, headers, sink)
            except _CONNECTION_ERRORS as exc:
                self._connection(fresh=True)
                if attempt == _RETRIES or sink is not None and sink.tell():
                    raise StoreError(f"{what}: cannot reach the tracking server at {self.base_url}: {exc}") from exc
            else:
                if 200 <= status < 300:
                    return data
                if status not in RETRY_STATUSES or attempt == _RETRIES:
                    raise _error_from(status, data, what)
            time.sleep(_BACKOFF_SECONDS * (2 ** attempt) * random.uniform(0.5, 1.0))
        raise StoreError(f"{what}: no answer")  # not reached

    def call(self, method: str, endpoint: str, payload=None) -> dict:
        """Call a JSON endpoint (``endpoint`` below the server root): GET payloads go in the query string."""
        path = endpoint
        body = None
        headers = {}
        if method == "GET":
            if payload:
                path += "?" + urlencode({k: v for k, v in payload.items() if v is not None}, doseq=True)
        elif payload is not None:
            body = json.dumps(payload, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        data = self.request(method, path, body, headers)
        return json.loads(data) if data.strip() else {}

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
