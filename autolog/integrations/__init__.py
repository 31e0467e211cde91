"""Framework hooks, one module per framework; ``enable_all`` turns on each whose framework is installed.

Adding an integration: write ``autolog/integrations/<name>.py`` exposing ``INTEGRATION``
(an ``autolog._integration.Integration``) and ``autolog(**options)``, then add its
name to ``INTEGRATIONS`` below.
"""

from __future__ import annotations

import importlib

from .._integration import DidNotEnable

__all__ = ["INTEGRATIONS", "get_integration", "enable_all"]

INTEGRATIONS = ("xgboost", "lightgbm", "sklearn")


def get_integration(name: str):
    """The Integration object of ``name``; raises ValueError for a name not in INTEGRATIONS."""
    if name not in INTEGRATIONS:
        raise ValueError(f"Unknown integration {name!r}; known: {', '.join(INTEGRATIONS)}")
    return importlib.import_module(f"{__name__}.{name}").INTEGRATION


def enable_all(**options) -> list:
    """Enable every integration whose framework is installed (or disable all with ``disable=True``).

    Returns the names enabled. Raises TypeError/ValueError for a bad option.
    """
    enabled = []
    for name in INTEGRATIONS:
        try:
            get_integration(name).enable(**options)
        except DidNotEnable:
            continue
        enabled.append(name)
    return [] if options.get("disable") else enabled
