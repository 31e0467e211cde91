"""The plumbing every REST handler shares: arguments, roles, limits, and MLflow's error bodies.

A handler is a plain function ``handler(ctx, args) -> dict``; ``api_routes`` wraps each in
a Starlette route under ``/api/2.0/mlflow`` and ``/ajax-api/2.0/mlflow``. It runs in the
thread pool (stores are blocking); its exceptions become ``{"error_code", "message"}``.
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..tracking.exceptions import AlreadyExistsError, InvalidInputError, NotFoundError

__all__ = ["ApiError", "Args", "Endpoint", "api_routes", "error_response", "role_allows", "MAX_JSON_BYTES"]

_log = logging.getLogger("autolog.server")

MAX_JSON_BYTES = 16 * 1024 * 1024
_ROLE_RANK = {"read": 0, "write": 1, "admin": 2}
_STATUS = {"INVALID_PARAMETER_VALUE": 400, "RESOURCE_ALREADY_EXISTS": 400, "BAD_REQUEST": 400,
           "RESOURCE_DOES_NOT_EXIST": 404, "ENDPOINT_NOT_FOUND": 404, "UNAUTHENTICATED": 401,
           "PERMISSION_DENIED": 403, "REQUEST_LIMIT_EXCEEDED": 429, "INTERNAL_ERROR": 500,
           "NOT_IMPLEMENTED": 501, "INVALID_STATE": 400}


class ApiError(Exception):
    """An error with an MLflow error code, raised by handlers to choose the response."""

    def __init__(self, error_code: str, message: str):
        super().__init__(message)
        self.error_code = error_code


def role_allows(role, needed: str) -> bool:
    """Whether a token of ``role`` may call an endpoint that needs ``needed``."""
    return role is not None and _ROLE_RANK.get(role, -1) >= _ROLE_RANK[needed]


def error_response(error_code: str, message: str) -> JSONResponse:
    """MLflow's error body with the HTTP status its code maps to."""
    return JSONResponse({"error_code": error_code, "message": message}, status_code=_STATUS.get(error_code, 400))


def _error_for(exc: Exception) -> tuple:
    code = getattr(exc, "error_code", None)
    if isinstance(code, str) and code in _STATUS:
        return code, str(exc)
    if isinstance(exc, NotFoundError):
        return "RESOURCE_DOES_NOT_EXIST", str(exc)
    if isinstance(exc, AlreadyExistsError):
        return "RESOURCE_ALREADY_EXISTS", str(exc)
    if isinstance(exc, (InvalidInputError, ValueError)):
        return "INVALID_PARAMETER_VALUE", str(exc)
    _log.exception("internal error")
    return "INTERNAL_ERROR", f"Internal error: {type(exc).__name__}"


class Args:
    """A request's arguments: the JSON body, or the query string of a GET (repeated keys are lists)."""

    def __init__(self, body: dict, multi=None):
        self._body = body
        self._multi = multi
        self.user = None  # the token's user name (None with auth off)
        self.role = "admin"  # the token's role

    def get(self, name: str, default=None):
        """One value, or ``default``."""
        value = self._body.get(name)
        return default if value is None or value == "" and default is not None else value

    def require(self, name: str):
        """One value; raises InvalidInputError naming the missing argument."""
        value = self._body.get(name)
        if value is None or value == "":
            raise InvalidInputError(f"Missing value for required parameter '{name}'")
        return value

    def text(self, name: str, default=None):
        """One value as a string (or ``default``)."""
        value = self.get(name, default)
        return value if value is None else str(value)

    def integer(self, name: str, default=None):
        """One value as an int; raises InvalidInputError when it is not one."""
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise InvalidInputError(f"Invalid value {value!r} for parameter '{name}': expected an integer") from None

    def boolean(self, name: str, default=False) -> bool:
        """One value as a bool ("true"/"false" in a query string)."""
        value = self.get(name)
        if value is None or value == "":
            return default
        return value if isinstance(value, bool) else str(value).lower() == "true"

    def items(self, name: str) -> list:
        """A repeated value as a list."""
        if self._multi is not None:
            return self._multi.getlist(name)
        value = self._body.get(name)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    @property
    def raw(self) -> dict:
        """The body as parsed."""
        return self._body


class Endpoint:
    """One REST route: path below the API prefix, HTTP methods, the role it needs and its handler."""

    def __init__(self, path: str, methods, needs: str, handler, prefixes=("/api/2.0/mlflow", "/ajax-api/2.0/mlflow"),
                 guard=None):
        self.path, self.methods, self.needs, self.handler, self.prefixes = path, tuple(methods), needs, handler, prefixes
        self.guard = guard  # guard(ctx, args) raises ApiError when the caller may not touch the resource


async def read_json(request: Request) -> dict:
    """The request's JSON body (empty dict when none); raises ApiError when too big or not an object."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_JSON_BYTES:
        raise ApiError("BAD_REQUEST", f"Request body larger than {MAX_JSON_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise ApiError("BAD_REQUEST", f"Request body larger than {MAX_JSON_BYTES} bytes")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise ApiError("BAD_REQUEST", f"Malformed JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError("BAD_REQUEST", "The JSON body must be an object")
    return body


async def _arguments(request: Request) -> Args:
    if request.method == "GET":
        query = request.query_params
        return Args({key: query.get(key) for key in query.keys()}, query)
    body = await read_json(request)
    if not body and request.query_params:
        query = request.query_params
        return Args({key: query.get(key) for key in query.keys()}, query)
    return Args(body)


def _guarded_call(endpoint: Endpoint, ctx, args):
    if endpoint.guard is not None:
        endpoint.guard(ctx, args)
    return endpoint.handler(ctx, args)


def _wrap(endpoint: Endpoint):
    async def call(request: Request) -> Response:
        role = request.scope.get("state", {}).get("role", "admin")
        if not role_allows(role, endpoint.needs):
            return error_response("PERMISSION_DENIED", f"This token's role ({role}) cannot {endpoint.needs}")
        try:
            args = await _arguments(request)
            args._body.update(request.path_params)
            args.user, args.role = request.scope.get("state", {}).get("user"), role
            result = await run_in_threadpool(_guarded_call, endpoint, request.app.state.context, args)
        except Exception as exc:  # every failure becomes MLflow's error body
            return error_response(*_error_for(exc))
        if isinstance(result, Response):
            return result
        return JSONResponse(result)
    return call


def api_routes(endpoints) -> list:
    """Starlette routes for the endpoints, under each of their prefixes."""
    routes = []
    for endpoint in endpoints:
        call = _wrap(endpoint)
        for prefix in endpoint.prefixes:
            routes.append(Route(prefix + endpoint.path, call, methods=list(endpoint.methods)))
    return routes
