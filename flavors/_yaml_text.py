"""Block-style YAML text of plain data, written without importing PyYAML.

A model save writes only plain data (MLmodel, conda.yaml, python_env.yaml), and importing
PyYAML costs a script some 16 ms of CPU (its reader compiles a pattern spanning all of
Unicode) that it would not pay otherwise. Any YAML reader (PyYAML, MLflow) loads this text
back to the same data; data of any other kind gets None, and the caller uses PyYAML.
"""

from __future__ import annotations

import json
import re

__all__ = ["dump"]

# A string written as it is: no reader takes it for anything but that string.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./=<>!~+,;@()-]*")
_RESOLVED = frozenset("y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF "
                      "null Null NULL".split())
# Characters a YAML reader refuses or takes for a line break unescaped, beyond the control characters JSON
# escapes itself: compiled at the first text beyond ASCII (the pattern costs a script over a millisecond).
_UNPRINTABLE_PATTERN = "[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
_INDENT = "  "


class _NotPlain(Exception):
    """The data holds something this writer leaves to PyYAML."""


def dump(data: dict, sort_keys: bool = False):
    """The YAML text of the mapping ``data`` (dicts with string keys, lists, str, int, float, bool, None),
    keys in order or sorted; None when it holds anything else (tuples, dates, numpy numbers...)."""
    if type(data) is not dict:
        return None
    lines: list = []
    try:
        _mapping(data, "", lines, sort_keys)
    except _NotPlain:
        return None
    return "\n".join(lines) + "\n" if lines else "{}\n"


def _mapping(data: dict, pad: str, lines: list, sort_keys: bool) -> None:
    items = sorted(data.items()) if sort_keys else data.items()
    for key, value in items:
        if type(key) is not str:
            raise _NotPlain
        head = f"{pad}{_scalar(key)}:"
        if type(value) is dict and value:
            lines.append(head)
            _mapping(value, pad + _INDENT, lines, sort_keys)
        elif type(value) is list and value:
            lines.append(head)
            _sequence(value, pad, lines, sort_keys)  # a list under a key sits at the key's indent, as PyYAML writes
        else:
            lines.append(f"{head} {_leaf(value)}")


def _sequence(data: list, pad: str, lines: list, sort_keys: bool) -> None:
    for value in data:
        if (type(value) is dict or type(value) is list) and value:
            nested: list = []
            (_mapping if type(value) is dict else _sequence)(value, pad + _INDENT, nested, sort_keys)
            nested[0] = f"{pad}- {nested[0][len(pad) + len(_INDENT):]}"
            lines.extend(nested)
        else:
            lines.append(f"{pad}- {_leaf(value)}")


def _leaf(value) -> str:
    if type(value) is dict or type(value) is list:  # empty: the only ones that reach here
        return "{}" if type(value) is dict else "[]"
    return _scalar(value)


def _scalar(value) -> str:
    kind = type(value)
    if kind is str:
        if _PLAIN.fullmatch(value) and value not in _RESOLVED:
            return value
        # a JSON string is a YAML double-quoted scalar
        return _escape_unprintable(json.dumps(value, ensure_ascii=False))
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)
    raise _NotPlain


def _escape_unprintable(text: str) -> str:
    if text.isascii():  # DEL is the one such character in ASCII
        return text.replace("\x7f", "\\u007f")
    return re.sub(_UNPRINTABLE_PATTERN, lambda found: f"\\u{ord(found.group()):04x}", text)


def _float(value: float) -> str:
    """A float as PyYAML writes it (``.nan``, ``.inf``, and an exponent always after a decimal point)."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
