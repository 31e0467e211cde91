"""What ``autolog integrations list`` shows: each integration, its version range and the installed framework."""

from __future__ import annotations

import functools
import sys

from .._integration import version_in_range
from . import _registry

__all__ = ["describe_all", "installed_version"]


def installed_version(module: str):
    """The installed version of the distribution providing ``module`` (read from metadata, without importing
    it), or None when it is not installed."""
    loaded = sys.modules.get(module)
    if loaded is not None and getattr(loaded, "__version__", None):
        return str(loaded.__version__)
    from importlib import metadata

    top = module.split(".")[0]
    for name in (top, top.replace("_", "-")):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    for name in _distributions_of(top):  # the import name differs from the distribution's (sklearn)
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


@functools.lru_cache(maxsize=None)
def _distributions_of(top: str) -> tuple:
    """The distributions providing the top-level module ``top`` (one scan of all metadata, cached)."""
    try:
        return tuple(_all_distributions().get(top, ()))
    except Exception:  # noqa: BLE001 - broken metadata of some other distribution
        return ()


@functools.lru_cache(maxsize=1)
def _all_distributions() -> dict:
    from importlib import metadata

    return metadata.packages_distributions()


def _row(name: str, source: str) -> dict:
    row = {"name": name, "source": source, "supported_versions": "", "installed_version": None,
           "in_range": None, "enabled": False, "error": None}
    try:
        integration = _registry.get_integration(name)
    except _registry.PluginError as exc:
        row["error"] = str(exc)
        return row
    version = installed_version(integration.module)
    row.update(supported_versions=integration.supported_versions, installed_version=version,
               enabled=integration.enabled, module=integration.module)
    if version is not None and integration.supported_versions:
        row["in_range"] = version_in_range(version, integration.supported_versions)
    return row


def describe_all() -> list:
    """One dict per integration, built-in first: name, source, supported_versions, installed_version,
    in_range, enabled, error (the load error of a broken plugin, else None)."""
    sources = _registry.plugin_sources()
    return [_row(name, sources.get(name, "built-in")) for name in _registry.names()]
