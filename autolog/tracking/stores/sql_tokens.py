"""Access tokens of the tracking server, stored as SHA-256 hashes (mixed into SqlStore).

A token is 32 random bytes: a plain hash is enough to make a stolen database useless
for logging in, and it keeps the per-request check to one indexed lookup.
"""

from __future__ import annotations

import time

from ..exceptions import AlreadyExistsError, InvalidInputError, NotFoundError

__all__ = ["SqlTokensMixin", "AccessToken", "ROLES", "hash_token"]

ROLES = ("read", "write", "admin")
_PREFIX = "alt_"


def hash_token(secret: str) -> str:
    """The stored form of a token."""
    import hashlib

    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class AccessToken:
    """A token's public record: id, name, role, creation and revocation times (epoch ms)."""

    __slots__ = ("token_id", "name", "role", "created_time", "revoked_time")

    def __init__(self, token_id, name, role, created_time, revoked_time=None):
        self.token_id = token_id
        self.name = name
        self.role = role
        self.created_time = created_time
        self.revoked_time = revoked_time

    def __repr__(self) -> str:
        return f"AccessToken(token_id={self.token_id!r}, name={self.name!r}, role={self.role!r})"


class SqlTokensMixin:
    """Create, list, revoke and check access tokens."""

    def create_access_token(self, name: str, role: str) -> tuple:
        """Create a token; return (AccessToken, secret). The secret is not stored and cannot be shown again.

        Raises InvalidInputError for an empty name or unknown role, AlreadyExistsError when an active
        token already has this name.
        """
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"Invalid token name {name!r}: it must be a non-empty string")
        if role not in ROLES:
            raise InvalidInputError(f"Invalid role {role!r}: expected one of {', '.join(ROLES)}")
        import secrets

        secret = _PREFIX + secrets.token_urlsafe(32)
        record = AccessToken(secrets.token_hex(6), name, role, int(time.time() * 1000))
        with self.db.write() as cur:
            if cur.execute("SELECT 1 FROM access_tokens WHERE name = ? AND revoked_time IS NULL",
                           (name,)).fetchone():
                raise AlreadyExistsError(f"An active token named {name!r} exists; revoke it first")
            cur.execute("INSERT INTO access_tokens (token_id, name, role, token_hash, created_time)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (record.token_id, name, role, hash_token(secret), record.created_time))
        return record, secret

    def list_access_tokens(self, include_revoked: bool = False) -> list:
        """The tokens (never their secrets), oldest first."""
        where = "" if include_revoked else " WHERE revoked_time IS NULL"
        rows = self.db.query("SELECT token_id, name, role, created_time, revoked_time FROM access_tokens"
                             f"{where} ORDER BY created_time, token_id")
        return [AccessToken(*row) for row in rows]

    def revoke_access_token(self, name_or_id: str) -> int:
        """Revoke the active tokens with this name or id; return how many. Raises NotFoundError for none."""
        with self.db.write() as cur:
            cur.execute("UPDATE access_tokens SET revoked_time = ? WHERE (name = ? OR token_id = ?)"
                        " AND revoked_time IS NULL", (int(time.time() * 1000), name_or_id, name_or_id))
            revoked = cur.rowcount
        if not revoked:
            raise NotFoundError(f"No active token named {name_or_id!r}")
        return revoked

    def check_access_token(self, secret: str):
        """The (name, role) of an active token with this secret, or None."""
        if not secret or not secret.startswith(_PREFIX):
            return None
        rows = self.db.query("SELECT name, role FROM access_tokens WHERE token_hash = ? AND revoked_time IS NULL",
                             (hash_token(secret),))
        return tuple(rows[0]) if rows else None
