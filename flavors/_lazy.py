"""Module attributes imported on first use (a module-level ``__getattr__``), so importing stays cheap."""

from __future__ import annotations

import importlib

__all__ = ["lazy_attribute"]


def lazy_attribute(namespace: dict, lazy: dict, name: str):
    """The attribute ``name`` of the module named ``lazy[name]``, cached in ``namespace`` (the caller's globals).

    Raises AttributeError, as a missing module attribute does, when ``name`` is not in ``lazy``.
    """
    if name not in lazy:
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(lazy[name]), name)
    namespace[name] = value
    return value
