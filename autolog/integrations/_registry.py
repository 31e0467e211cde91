"""The collection of integrations: the built-in modules and the plugins installed by entry point.

A plugin package declares its integration in its ``pyproject.toml``::

    [project.entry-points."autolog.integrations"]
    tinyml = "autolog_tinyml:INTEGRATION"

The object named is an ``Integration`` instance, an ``Integration`` subclass (instantiated
once) or a module exposing ``INTEGRATION``. Entry points are read on first need (never at
``import autolog``) and a plugin is imported only when it is asked for by name, listed or
enabled. A plugin that cannot be loaded is one warning; it never breaks ``autolog``.
"""

from __future__ import annotations

import importlib
import threading

from .._integration import Integration
from .._patching import logger

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "PluginError", "names", "get_integration", "plugin_sources",
           "refresh", "load_plugins"]

ENTRY_POINT_GROUP = "autolog.integrations"
BUILTIN = ("xgboost", "lightgbm", "sklearn", "catboost", "statsmodels", "hyperopt", "optuna")

_lock = threading.RLock()
_entry_points: dict | None = None
_loaded: dict = {}
_broken: dict = {}


class PluginError(ImportError):
    """An installed plugin's entry point could not be loaded or does not name an Integration."""


def _read_entry_points() -> dict:
    global _entry_points
    with _lock:
        if _entry_points is None:
            from importlib.metadata import entry_points

            found = {}
            for entry in entry_points(group=ENTRY_POINT_GROUP):
                if entry.name in BUILTIN:
                    logger.warning("autolog: plugin %r (%s) shadows a built-in integration; ignored",
                                   entry.name, entry.value)
                    continue
                found.setdefault(entry.name, entry)
            _entry_points = found
        return _entry_points


def refresh() -> None:
    """Forget the entry points read so far (after installing a plugin in a running process)."""
    global _entry_points
    with _lock:
        _entry_points = None
        _broken.clear()


def names() -> list:
    """Every integration name: the built-in ones, then the installed plugins' in name order."""
    return [*BUILTIN, *sorted(_read_entry_points())]


def plugin_sources() -> dict:
    """{plugin name: "distribution version (module:attribute)"} for the installed plugins."""
    sources = {}
    for name, entry in _read_entry_points().items():
        dist = getattr(entry, "dist", None)
        where = f"{dist.name} {dist.version}" if dist is not None else "plugin"
        sources[name] = f"{where} ({entry.value})"
    return sources


def _as_integration(name: str, loaded) -> Integration:
    if isinstance(loaded, type) and issubclass(loaded, Integration):
        loaded = loaded()
    elif not isinstance(loaded, Integration):
        loaded = getattr(loaded, "INTEGRATION", loaded)
    if not isinstance(loaded, Integration):
        raise PluginError(f"The entry point {name!r} names {type(loaded).__name__}, not an autolog Integration")
    if not loaded.name:
        loaded.name = name
    return loaded


def _load_plugin(name: str) -> Integration:
    with _lock:
        if name in _loaded:
            return _loaded[name]
        if name in _broken:
            raise _broken[name]
        entry = _read_entry_points()[name]
        try:
            integration = _as_integration(name, entry.load())
        except Exception as exc:
            error = PluginError(f"The autolog plugin {name!r} ({entry.value}) cannot be loaded: {exc!r}")
            _broken[name] = error
            raise error from exc
        _loaded[name] = integration
        return integration


def get_integration(name: str) -> Integration:
    """The Integration object of ``name``, built in or installed by entry point.

    Raises ValueError for an unknown name and PluginError for a plugin that cannot be loaded.
    """
    if name in BUILTIN:
        return importlib.import_module(f"{__package__}.{name}").INTEGRATION
    if name in _read_entry_points():
        return _load_plugin(name)
    raise ValueError(f"Unknown integration {name!r}; known: {', '.join(names())}")


def load_plugins() -> dict:
    """{name: Integration} of every installed plugin that loads; each broken one is one warning."""
    loaded = {}
    for name in sorted(_read_entry_points()):
        already_broken = name in _broken
        try:
            loaded[name] = _load_plugin(name)
        except PluginError as exc:
            if not already_broken:
                logger.warning("autolog: %s; skipped", exc)
    return loaded
