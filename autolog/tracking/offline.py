"""Offline mode: log into a local spool store when the tracking server is out of reach.

``AUTOLOG_MODE=offline`` always spools; ``AUTOLOG_OFFLINE_FALLBACK=1`` spools only when
the configured server (http, https or postgresql) cannot be reached as the process
starts logging. The spool is an ordinary autolog store directory
(``$AUTOLOG_SPOOL_DIR``, default ``~/.autolog/spool``); each spooled run carries the
tag ``autolog.offline.target`` naming the server it was meant for, and
``autolog sync --pending`` copies it there later and tags the spool's copy
``autolog.offline.synced``.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

__all__ = ["MODE_ENV", "FALLBACK_ENV", "SPOOL_DIR_ENV", "TARGET_TAG", "SYNCED_TAG", "spool_dir",
           "tracking_uri_for_runs", "server_reachable"]

MODE_ENV = "AUTOLOG_MODE"
FALLBACK_ENV = "AUTOLOG_OFFLINE_FALLBACK"
SPOOL_DIR_ENV = "AUTOLOG_SPOOL_DIR"
TARGET_TAG = "autolog.offline.target"
SYNCED_TAG = "autolog.offline.synced"
_REMOTE_SCHEMES = ("http", "https", "postgresql", "postgres")
_DEFAULT_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "postgres": 5432}
_PROBE_TIMEOUT_S = 2.0



def spool_dir() -> str:
    """The spool store's directory: $AUTOLOG_SPOOL_DIR, else ~/.autolog/spool."""
    return os.path.abspath(os.environ.get(SPOOL_DIR_ENV) or os.path.join(os.path.expanduser("~"), ".autolog",
                                                                          "spool"))


def server_reachable(uri: str, timeout: float = _PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to the host and port of a remote tracking URI opens within ``timeout``."""
    parsed = urlparse(uri)
    try:
        import socket

        port = parsed.port or _DEFAULT_PORTS.get(parsed.scheme.lower(), 80)
        with socket.create_connection((parsed.hostname or "localhost", port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def tracking_uri_for_runs(configured_uri: str) -> tuple:
    """(URI to log runs into, the server they are meant for or None when not spooling).

    Spools under AUTOLOG_MODE=offline, or under AUTOLOG_OFFLINE_FALLBACK=1 when the configured
    remote store cannot be reached; logs one warning saying where the runs go.
    """
    mode = (os.environ.get(MODE_ENV) or "").strip().lower()
    remote = urlparse(configured_uri).scheme.lower() in _REMOTE_SCHEMES
    if mode == "offline":
        reason = f"{MODE_ENV}=offline"
    elif (remote and (os.environ.get(FALLBACK_ENV) or "").strip().lower() in ("1", "true", "yes")
          and not server_reachable(configured_uri)):
        reason = f"the tracking server {configured_uri} cannot be reached"
    else:
        return configured_uri, None
    spool = spool_dir()
    import logging  # imported here: the store opens without it

    logging.getLogger("autolog").warning(
        "autolog is offline (%s): runs are logged into the spool store %s; push them to %s later "
        "with `autolog sync --pending`", reason, spool, configured_uri)
    return spool, configured_uri
