"""One seeded store per session for the UI tests, served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="the UI needs the [server] extra (starlette, jinja2, uvicorn, numpy)")
pytest.importorskip("jinja2", reason="the UI needs the [server] extra (jinja2)")


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """(tracking URI, ids) of a store holding the UI tests' experiment, runs and registered model."""
    from ._seed import seed

    workdir = tmp_path_factory.mktemp("ui-store")
    tracking_uri = str(workdir / "mlruns")
    return tracking_uri, seed(tracking_uri, str(workdir))


@pytest.fixture(scope="session")
def ui_app(seeded):
    """The ASGI app serving the seeded store."""
    from ._server import make_app

    return make_app(seeded[0])


@pytest.fixture(scope="session")
def live_server(ui_app):
    """The app on a real uvicorn server on 127.0.0.1; yields its base URL."""
    from ._server import LiveServer

    server = LiveServer(ui_app).start()
    yield server.url
    server.stop()


@pytest.fixture
def client(ui_app):
    """An HTTP client for the app (Starlette's TestClient over httpx)."""
    import warnings

    with warnings.catch_warnings():  # newer Starlette prefers another client library; httpx still works
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    with TestClient(ui_app, base_url="http://127.0.0.1") as test_client:
        yield test_client
