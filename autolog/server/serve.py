"""Run the tracking server under uvicorn: one process, or several workers sharing the store."""

from __future__ import annotations

import ipaddress
import json
import os

from ..tracking.exceptions import InvalidInputError

__all__ = ["serve", "is_loopback", "app_from_environment", "CONFIG_ENV"]

CONFIG_ENV = "AUTOLOG_SERVER_CONFIG"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_from_environment():
    """The app a uvicorn worker builds from the configuration ``serve`` left in the environment."""
    from .app import create_app

    config = json.loads(os.environ[CONFIG_ENV])
    return create_app(config["store_uri"], config["artifacts_destination"], config["auth"],
                      max_upload_bytes=config["max_upload_bytes"])


def serve(store_uri, artifacts_destination=None, host: str = "127.0.0.1", port: int = 5000, workers: int = 1,
          auth=None, insecure: bool = False, max_upload_bytes=None, log_level: str = "warning") -> None:
    """Serve until interrupted. ``auth`` None means on for a non-loopback host.

    Raises InvalidInputError when asked to listen beyond loopback with auth off and no ``insecure``,
    or when auth is on and the store has no token to log in with.
    """
    import uvicorn

    from .app import open_server_store
    from .artifacts import DEFAULT_MAX_UPLOAD_BYTES

    auth = (not is_loopback(host)) if auth is None else auth
    if not auth and not is_loopback(host) and not insecure:
        raise InvalidInputError(
            f"Refusing to serve on {host} without authentication: anyone who can reach it could read and "
            "change every run. Create a token (autolog server tokens create --name NAME --role admin) and "
            "keep auth on, or pass --insecure to serve without it")
    store_uri = store_uri if "://" in store_uri else os.path.abspath(store_uri)
    store, destination = open_server_store(store_uri, artifacts_destination)
    if auth and not store.list_access_tokens():
        raise InvalidInputError("Authentication is on but the store has no token yet: create one with "
                                "`autolog server tokens create --name NAME --role admin`")
    os.environ[CONFIG_ENV] = json.dumps({"store_uri": store_uri, "artifacts_destination": destination,
                                         "auth": auth, "max_upload_bytes": max_upload_bytes or DEFAULT_MAX_UPLOAD_BYTES})
    from ..tracking.stores.postgres_engine import mask_uri

    print(f"autolog server: {mask_uri(store_uri)} (artifacts in {destination}) at http://{host}:{port}"
          f" with {'token auth' if auth else 'NO authentication'}, {workers} worker(s)", flush=True)
    uvicorn.run("autolog.server.serve:app_from_environment", factory=True, host=host, port=port,
                workers=workers if workers > 1 else None, log_level=log_level, timeout_keep_alive=30,
                access_log=False)
