"""The app the UI tests serve: the tracking server's when it is there, else a bare app with the UI routes;
and a uvicorn server on 127.0.0.1 in a background thread."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn


def make_app(tracking_uri: str):
    """An ASGI app serving the UI over the store at ``tracking_uri`` (no authentication)."""
    from autolog.tracking.stores import get_store

    try:
        from autolog.server import create_app
    except ImportError:
        create_app = None
    if create_app is not None:
        return create_app(tracking_uri, None, None)
    from starlette.applications import Starlette

    from autolog.ui import routes

    app = Starlette(routes=routes())
    app.state.store = get_store(tracking_uri)
    return app


class LiveServer:
    """uvicorn serving ``app`` on a free loopback port until ``stop()``."""

    def __init__(self, app):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the UI test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
