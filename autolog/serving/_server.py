"""The scoring server: a Starlette app answering MLflow's scoring protocol, served by uvicorn.

Routes: ``POST /invocations`` (see ``_protocol``), ``GET /ping`` and ``/health`` (200 once
the model is loaded), ``GET /version``. The model is loaded once per worker process,
before the first request. Bodies over ``max_request_bytes`` are refused with 413 before
they are read whole; small requests are scored on the event loop (a thread hop costs more
than scoring one row), large ones in a thread so other requests keep flowing.
"""

from __future__ import annotations

import os

from ..tracking.exceptions import AutologError
from ._protocol import RequestError, parse_request, predictions_json

__all__ = ["create_app", "app_from_environment", "serve", "DEFAULT_MAX_REQUEST_BYTES"]

DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024
_INLINE_BODY_BYTES = 16 * 1024
_MODEL_ENV = "AUTOLOG_SERVING_MODEL_URI"
_LIMIT_ENV = "AUTOLOG_SERVING_MAX_REQUEST_BYTES"


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("autolog")
    except metadata.PackageNotFoundError:
        return "unknown"


def _score(model, body: bytes, content_type):
    """The answer body for one request; raises RequestError for bad input."""
    data, params = parse_request(body, content_type, model.metadata.get_input_schema(),
                                 model.array_dtype)
    params = _accepted_params(model, params)
    try:
        predictions = model.predict(data, params=params) if params else model.predict(data)
    except AutologError as error:
        raise RequestError(f"Failed to enforce schema: {error}", "INVALID_PARAMETER_VALUE",
                           "SCHEMA_ENFORCEMENT_FAILED") from None
    except Exception as error:  # noqa: BLE001 - the model's own failure is reported to the client
        raise RequestError("Encountered an unexpected error while evaluating the model. Verify that the input "
                           f"is compatible with the model for inference. Error: {type(error).__name__}: {error}",
                           "BAD_REQUEST") from None
    return predictions_json(predictions)


def _accepted_params(model, params):
    """The request's ``params`` the model takes: those its signature declares, else all of them for a
    custom PythonModel; none for a framework model without a params schema (as MLflow ignores them)."""
    if not params:
        return None
    signature = model.metadata.signature
    declared = signature.params if signature is not None else None
    if isinstance(declared, list):
        names = {item.get("name") for item in declared if isinstance(item, dict)}
        return {key: value for key, value in params.items() if key in names} or None
    try:
        model.unwrap_python_model()
    except AutologError:
        return None
    return params


async def _read_body(request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> RequestError:
    return RequestError(f"The request body is larger than the server's limit of {limit:,} bytes",
                        "RESOURCE_EXHAUSTED", status=413)


def create_app(model=None, model_uri=None, max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES):
    """The scoring app for ``model`` (a loaded PyFuncModel) or the model at ``model_uri``.

    Raises NotFoundError/InvalidInputError when the model cannot be loaded.
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response
    from starlette.routing import Route

    if model is None:
        import flavors.pyfunc

        model = flavors.pyfunc.load_model(model_uri)
    version = _version()

    async def ping(request):
        return Response("\n", media_type="application/json")

    async def version_route(request):
        return Response(version, media_type="application/json")

    async def invocations(request):
        try:
            body = await _read_body(request, max_request_bytes)
            content_type = request.headers.get("content-type")
            if len(body) <= _INLINE_BODY_BYTES:
                answer = _score(model, body, content_type)
            else:
                answer = await run_in_threadpool(_score, model, body, content_type)
        except RequestError as error:
            return Response(error.body(), status_code=error.status, media_type="application/json")
        return Response(answer, media_type="application/json")

    routes = [Route("/ping", ping, methods=["GET"]), Route("/health", ping, methods=["GET"]),
              Route("/version", version_route, methods=["GET"]),
              Route("/invocations", invocations, methods=["POST"])]
    app = Starlette(routes=routes)
    app.state.model = model
    return app


def app_from_environment():
    """The app of a uvicorn worker process: the model named by ``AUTOLOG_SERVING_MODEL_URI``."""
    limit = int(os.environ.get(_LIMIT_ENV) or DEFAULT_MAX_REQUEST_BYTES)
    return create_app(model_uri=os.environ[_MODEL_ENV], max_request_bytes=limit)


def serve(model_uri, host: str = "127.0.0.1", port: int = 5001, workers: int = 1,
          max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES, log_level: str = "warning") -> None:
    """Serve the model at ``model_uri`` until interrupted; ``workers`` processes each load it once.

    The model is resolved (downloaded from the store when needed) once, before any worker starts.
    Raises NotFoundError/InvalidInputError when it cannot be loaded.
    """
    import uvicorn

    from flavors._paths import resolve_model_dir

    model_dir = resolve_model_dir(model_uri)
    if workers <= 1:
        app = create_app(model_uri=model_dir, max_request_bytes=max_request_bytes)
        uvicorn.run(app, host=host, port=port, log_level=log_level)
        return
    os.environ[_MODEL_ENV] = model_dir
    os.environ[_LIMIT_ENV] = str(max_request_bytes)
    uvicorn.run("autolog.serving._server:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level=log_level)
