"""Packs a run's metric points into compact segments and back (little-endian arrays)."""

from __future__ import annotations

import sys
from array import array

__all__ = ["pack", "unpack"]

_SWAP = sys.byteorder != "little"


def _to_bytes(values: array) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_bytes(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(bytes(blob))
    if _SWAP:
        values.byteswap()
    return values


def _as_array(typecode: str, numbers) -> array:
    if numbers.__class__ is array and numbers.typecode == typecode:
        return numbers  # already packed by the caller (log_batch): no copy
    return array(typecode, numbers)


def pack(steps, timestamps, values) -> tuple:
    """Return (steps, timestamps, values) (sequences or arrays) as three blobs of int64, int64 and float64."""
    return (_to_bytes(_as_array("q", steps)), _to_bytes(_as_array("q", timestamps)),
            _to_bytes(_as_array("d", values)))


def unpack(steps_blob, timestamps_blob, values_blob) -> tuple:
    """Inverse of :func:`pack`: three arrays of equal length."""
    return (_from_bytes("q", steps_blob), _from_bytes("q", timestamps_blob), _from_bytes("d", values_blob))
