"""What every handler is given: the store, the artifact locations, and a client for registry copies."""

from __future__ import annotations

__all__ = ["ServerContext"]


class ServerContext:
    """The tracking store the server serves and where its artifacts live.

    ``client`` is an autolog Client on the same store: the registry's file copies (a new
    version's files into the registry, deleting them with the version) run on the server,
    next to the artifacts.
    """

    def __init__(self, store, store_uri: str, locations):
        self.store = store
        self.store_uri = store_uri
        self.locations = locations
        self._client = None

    @property
    def client(self):
        """The server-side Client of the same store (created on first use)."""
        if self._client is None:
            from ..tracking.client import Client

            client = Client.__new__(Client)
            client.tracking_uri = self.store_uri
            client._store = self.store
            client._artifact_uris = {}
            self._client = client
        return self._client
