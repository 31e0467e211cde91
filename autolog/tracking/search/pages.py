"""Opaque page tokens: the offset of the next page, bound to the search that produced it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from ..exceptions import InvalidInputError

__all__ = ["encode_page_token", "decode_page_token"]


def _fingerprint(search_key) -> str:
    return hashlib.sha256(repr(search_key).encode("utf-8")).hexdigest()[:12]


def encode_page_token(offset: int, search_key) -> str:
    """The token for the page starting at ``offset`` of the search identified by ``search_key``."""
    payload = json.dumps({"offset": offset, "search": _fingerprint(search_key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")


def decode_page_token(token, search_key) -> int:
    """The offset a token stands for; 0 for None or "".

    Raises InvalidInputError for a token that is malformed or came from another search.
    """
    if not token:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(token).encode("ascii")))
        offset = payload["offset"]
        search = payload["search"]
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        raise InvalidInputError(f"Invalid page token {token!r}: pass the token a previous page returned") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < 2 ** 62:
        raise InvalidInputError(f"Invalid page token {token!r}: pass the token a previous page returned")
    if search != _fingerprint(search_key):
        raise InvalidInputError(
            f"Page token {token!r} belongs to another search: repeat the same filter and order to page on")
    return offset
