"""Framework hooks, one module per framework; ``enable_all`` turns on each whose framework is installed.

Adding an integration to the collection: write ``autolog/integrations/<name>.py`` exposing
``INTEGRATION`` (an ``autolog._integration.Integration``) and ``autolog(**options)``, then add
its name to ``BUILTIN`` in ``_registry.py``. Outside this package, a plugin declares an
``autolog.integrations`` entry point instead (docs/plugins.md).
"""

from __future__ import annotations

from .._integration import DidNotEnable
from .._patching import logger

__all__ = ["INTEGRATIONS", "get_integration", "enable_all", "names", "refresh", "describe", "PluginError"]

# The collection's names come from ``_registry`` on first use: ``autolog.xgboost()`` imports this package
# on its way to its own module and needs none of them.
_FROM_REGISTRY = {"BUILTIN": "BUILTIN", "INTEGRATIONS": "BUILTIN", "PluginError": "PluginError",
                  "get_integration": "get_integration", "names": "names", "refresh": "refresh"}


def __getattr__(name: str):
    if name in _FROM_REGISTRY:
        from . import _registry

        value = getattr(_registry, _FROM_REGISTRY[name])
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def enable_all(**options) -> list:
    """Enable every integration whose framework is installed, plugins included (or disable all with
    ``disable=True``). Returns the names enabled.

    Raises TypeError/ValueError for a bad option; a broken plugin is one warning and is skipped.
    """
    from ._registry import BUILTIN, get_integration, load_plugins

    integrations = [(name, get_integration(name)) for name in BUILTIN] + list(load_plugins().items())
    enabled = []
    for name, integration in integrations:
        try:
            integration.enable(**options)
        except DidNotEnable:
            continue
        except Exception as exc:
            if name in BUILTIN or isinstance(exc, (TypeError, ValueError)) and not options.get("disable"):
                raise
            logger.warning("autolog: the %s plugin failed to enable: %r; skipped", name, exc)
            continue
        enabled.append(name)
    return [] if options.get("disable") else enabled


def describe() -> list:
    """One dict per integration (built-in and plugin): name, source, supported versions, installed
    framework version (None when missing), enabled in this process, and the load error of a broken plugin."""
    from ._describe import describe_all

    return describe_all()
