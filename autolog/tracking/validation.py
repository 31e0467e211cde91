"""Checks on keys, values and artifact paths, with errors that name what is wrong."""

from __future__ import annotations

import numbers
import posixpath
import re

from .exceptions import InvalidInputError

__all__ = [
    "validate_key", "validate_metric_value", "param_value_to_str", "tag_value_to_str",
    "safe_artifact_path", "MAX_KEY_LENGTH", "MAX_PARAM_VALUE_LENGTH",
]

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
# Letters, digits, and the punctuation tracking tools allow in names (MLflow's set plus space).
_KEY_PATTERN = re.compile(r"^[\w\-./ :]+$")
_valid_keys: set = set()


def validate_key(key, kind: str = "key") -> str:
    """Return ``key`` if it is a usable metric/param/tag name, else raise InvalidInputError naming it."""
    if key in _valid_keys:
        return key
    if not isinstance(key, str):
        raise InvalidInputError(f"Invalid {kind} {key!r}: keys must be strings, not {type(key).__name__}")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"Invalid {kind} {key!r}: length must be between 1 and {MAX_KEY_LENGTH} characters")
    if not _KEY_PATTERN.match(key):
        raise InvalidInputError(
            f"Invalid {kind} {key!r}: only letters, digits, '_', '-', '.', '/', ':' and spaces are allowed")
    parts = key.split("/")
    if key.startswith("/") or ".." in parts or "." in parts:
        raise InvalidInputError(f"Invalid {kind} {key!r}: it must be a relative name without '.' or '..' parts")
    if len(_valid_keys) < 100_000:
        _valid_keys.add(key)
    return key


def validate_metric_value(key: str, value) -> float:
    """Return ``value`` as a float; NaN and +/-inf are kept. Raise InvalidInputError for non-numbers."""
    if value.__class__ is float:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # numpy scalars and 0-d arrays
            if hasattr(value, "item") and getattr(value, "ndim", 0) == 0 and not isinstance(value.item(), bool):
                return validate_metric_value(key, value.item())
        except (TypeError, ValueError):
            pass
        raise InvalidInputError(
            f"Invalid value {value!r} for metric {key!r}: metric values must be numbers (NaN and inf allowed)")
    return float(value)


def param_value_to_str(key: str, value) -> str:
    """Stringify a param value, raising InvalidInputError when it is too long to store."""
    text = str(value)
    if len(text) > MAX_PARAM_VALUE_LENGTH:
        raise InvalidInputError(
            f"Value of param {key!r} is {len(text)} characters; the limit is {MAX_PARAM_VALUE_LENGTH}")
    return text


def tag_value_to_str(key: str, value) -> str:
    """Stringify a tag value, raising InvalidInputError when it is too long to store."""
    text = str(value)
    if len(text) > MAX_TAG_VALUE_LENGTH:
        raise InvalidInputError(
            f"Value of tag {key!r} is {len(text)} characters; the limit is {MAX_TAG_VALUE_LENGTH}")
    return text


def safe_artifact_path(path) -> str:
    """Normalise a relative artifact path; raise InvalidInputError if it is absolute or escapes the root.

    Returns "" for the root itself (None, "", ".").
    """
    if path is None:
        return ""
    text = str(path).replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise InvalidInputError(f"Invalid artifact path {path!r}: it must be relative to the run's artifact root")
    if ".." in text.split("/"):
        raise InvalidInputError(f"Invalid artifact path {path!r}: '..' would escape the run's artifact root")
    normalised = posixpath.normpath(text)
    return "" if normalised == "." else normalised
