"""Checks on keys, values and artifact paths, with errors that name what is wrong."""

from __future__ import annotations

import numbers
import re

from .exceptions import InvalidInputError

__all__ = [
    "validate_key", "validate_metric_value", "param_value_to_str", "tag_value_to_str",
    "safe_artifact_path", "validate_step", "validate_timestamp", "validate_run_name", "MAX_KEY_LENGTH",
    "MAX_PARAM_VALUE_LENGTH", "MAX_TAG_VALUE_LENGTH",
]

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
# Letters, digits, and the punctuation tracking tools allow in names (MLflow's set plus space).
_KEY_PATTERN = re.compile(r"^[\w\-./ :]+$")
_valid_keys: set = set()


def validate_key(key, kind: str = "key") -> str:
    """Return ``key`` if it is a usable metric/param/tag name, else raise InvalidInputError naming it."""
    if key.__class__ is str and key in _valid_keys:
        return key
    if not isinstance(key, str):
        raise InvalidInputError(f"Invalid {kind} {key!r}: keys must be strings, not {type(key).__name__}")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"Invalid {kind} {key!r}: length must be between 1 and {MAX_KEY_LENGTH} characters")
    if not _KEY_PATTERN.fullmatch(key):
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
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            raise InvalidInputError(f"Invalid value {value!r} for metric {key!r}: too large for a 64-bit float") \
                from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # numpy scalars and 0-d arrays
            if hasattr(value, "item") and getattr(value, "ndim", 0) == 0 and not isinstance(value.item(), bool):
                return validate_metric_value(key, value.item())
        except (TypeError, ValueError):
            pass
        raise InvalidInputError(
            f"Invalid value {value!r} for metric {key!r}: metric values must be numbers (NaN and inf allowed)")
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError) as error:
        raise InvalidInputError(f"Invalid value {value!r} for metric {key!r}: {error}") from None


_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def _int64(key: str, value, what: str) -> int:
    if value.__class__ is int and _INT64_MIN <= value <= _INT64_MAX:
        return value
    if isinstance(value, bool):
        raise InvalidInputError(f"Invalid {what} {value!r} for metric {key!r}: expected an integer")
    try:
        number = int(value)
        integral = number == value
    except (TypeError, ValueError, OverflowError):
        integral = False
    if not integral:
        raise InvalidInputError(f"Invalid {what} {value!r} for metric {key!r}: expected a whole number")
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise InvalidInputError(
            f"Invalid {what} {value!r} for metric {key!r}: it must fit in 64 bits (below 2**63)")
    return number


def validate_step(key: str, step) -> int:
    """Return ``step`` (None becomes 0) as an int; raise InvalidInputError naming key and value when it is not
    a whole number that fits in 64 bits (``1.5`` and ``2**63`` are refused, ``3.0`` is 3)."""
    return 0 if step is None else _int64(key, step, "step")


def validate_timestamp(key: str, timestamp) -> int:
    """Return ``timestamp`` (epoch ms) as an int; raise InvalidInputError like validate_step."""
    return _int64(key, timestamp, "timestamp")


def _to_text(key: str, value, kind: str) -> str:
    try:
        text = value if value.__class__ is str else str(value)
    except Exception as error:  # noqa: BLE001 - e.g. an int of more digits than str() allows
        raise InvalidInputError(f"Value of {kind} {key!r} cannot be turned into text: {error}") from None
    if not text.isascii():
        from .._containment import check_text

        check_text(text, f"value of {kind} {key!r}")
    elif "\x00" in text:
        raise InvalidInputError(f"Value of {kind} {key!r} contains a NUL character")
    return text


def param_value_to_str(key: str, value) -> str:
    """Stringify a param value, raising InvalidInputError when it is too long to store."""
    text = _to_text(key, value, "param")
    if len(text) > MAX_PARAM_VALUE_LENGTH:
        raise InvalidInputError(
            f"Value of param {key!r} is {len(text)} characters; the limit is {MAX_PARAM_VALUE_LENGTH}")
    return text


def tag_value_to_str(key: str, value) -> str:
    """Stringify a tag value, raising InvalidInputError when it is too long to store."""
    text = _to_text(key, value, "tag")
    if len(text) > MAX_TAG_VALUE_LENGTH:
        raise InvalidInputError(
            f"Value of tag {key!r} is {len(text)} characters; the limit is {MAX_TAG_VALUE_LENGTH}")
    return text


def validate_run_name(run_name):
    """Return ``run_name`` (None allowed); raise InvalidInputError for a non-string or one longer than a tag."""
    if run_name is None:
        return None
    if not isinstance(run_name, str):
        raise InvalidInputError(f"Invalid run name {run_name!r}: expected a string")
    if len(run_name) > MAX_TAG_VALUE_LENGTH:
        raise InvalidInputError(f"Run name is {len(run_name)} characters; the limit is {MAX_TAG_VALUE_LENGTH}")
    from .._containment import check_text

    return check_text(run_name, "run name")


def safe_artifact_path(path) -> str:
    """Normalise a relative artifact path; raise InvalidInputError if it is absolute or leaves the root.

    Returns "" for the root itself (None, "", "."); ``dir/../file`` that stays inside is ``file``.
    """
    from .._containment import contained_path

    return contained_path(path, "artifact path")
