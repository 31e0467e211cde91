"""Values in MLflow's REST JSON (protobuf's JSON mapping), shared by the REST client and the server."""

from __future__ import annotations

import math

__all__ = ["float_json", "key_values", "pairs"]


def float_json(value: float):
    """A float as protobuf JSON writes it: NaN and the infinities as strings, other values unchanged.

    ``float()`` reads every form back ("NaN", "Infinity", "-Infinity" included).
    """
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def key_values(mapping) -> list:
    """A str->str dict (or None) as a list of ``{"key", "value"}`` objects."""
    return [{"key": key, "value": value} for key, value in (mapping or {}).items()]


def pairs(items) -> dict:
    """A list of ``{"key", "value"}`` objects (or None) as a dict; a missing value reads as ""."""
    return {item["key"]: item.get("value", "") for item in items or []}
