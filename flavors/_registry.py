"""The loader registry: which of our modules loads a model whose MLmodel names a ``loader_module``.

Our names and MLflow's built-in ones map to our flavor modules. A name that is not
here is never imported because a YAML file says so: the user opts in with
``register_loader`` or ``load_model(..., allow_custom_loader=True)``.

An installed package registers its flavor's loader by entry point, keyed by the
``loader_module`` name its MLmodel files carry::

    [project.entry-points."flavors.loaders"]
    "tinyml_flavor" = "autolog_tinyml.flavor"

Installing the package is the opt-in: the entry points are read on first need for a
name not known otherwise, and only the object the package declared is imported.
"""

from __future__ import annotations

import importlib

from ._errors import invalid_input

__all__ = ["register_loader", "get_loader", "known_loaders", "ENTRY_POINT_GROUP", "refresh_entry_points"]

ENTRY_POINT_GROUP = "flavors.loaders"

_BUILTIN = {
    "flavors.xgboost": "flavors.xgboost", "mlflow.xgboost": "flavors.xgboost",
    "flavors.lightgbm": "flavors.lightgbm", "mlflow.lightgbm": "flavors.lightgbm",
    "flavors.sklearn": "flavors.sklearn", "mlflow.sklearn": "flavors.sklearn",
    "flavors.pyfunc.model": "flavors._python_model", "mlflow.pyfunc.model": "flavors._python_model",
    "flavors.catboost": "flavors.catboost", "mlflow.catboost": "flavors.catboost",
    "flavors.statsmodels": "flavors.statsmodels", "mlflow.statsmodels": "flavors.statsmodels",
}
_registered: dict = {}
_entry_points: dict | None = None


def _plugin_entry_points() -> dict:
    global _entry_points
    if _entry_points is None:
        from importlib.metadata import entry_points

        _entry_points = {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}
    return _entry_points


def refresh_entry_points() -> None:
    """Forget the plugin loaders read so far (after installing a flavor plugin in a running process)."""
    global _entry_points
    _entry_points = None


def _plugin_loader(loader_module: str, model_dir: str):
    entry = _plugin_entry_points()[loader_module]
    try:
        loaded = entry.load()
    except Exception as error:  # noqa: BLE001 - whatever the plugin's import raises
        raise invalid_input(f"The flavor plugin for {loader_module!r} ({entry.value}) cannot be loaded for the "
                            f"model in {model_dir}: {error!r}") from error
    register_loader(loader_module, loaded)
    return get_loader(loader_module, model_dir)


def register_loader(loader_module: str, loader) -> None:
    """Load models whose ``loader_module`` is ``loader_module`` with ``loader``: a callable
    ``(model_dir, model) -> object with predict(data, params=None)``, or a module with ``_load_pyfunc``."""
    if not callable(loader) and not callable(getattr(loader, "_load_pyfunc", None)):
        raise invalid_input(f"Loader for {loader_module!r} must be callable or have a _load_pyfunc function")
    _registered[loader_module] = loader


def known_loaders() -> list:
    """Every loader module name that loads without an opt-in."""
    return sorted(set(_BUILTIN) | set(_registered) | set(_plugin_entry_points()))


def get_loader(loader_module, model_dir: str, allow_custom: bool = False):
    """The callable ``(model_dir, model)`` that loads ``loader_module``'s models.

    Raises InvalidInputError naming the model directory for a name that is not registered,
    unless ``allow_custom`` lets it be imported (its ``_load_pyfunc(data_path)`` is called as MLflow does).
    """
    if not isinstance(loader_module, str) or not loader_module:
        raise invalid_input(f"The MLmodel in {model_dir} names no python_function loader_module "
                            f"(found {loader_module!r})")
    if loader_module in _registered:
        loader = _registered[loader_module]
        return loader if callable(loader) else lambda path, model: loader._load_pyfunc(path, model)
    if loader_module in _BUILTIN:
        return importlib.import_module(_BUILTIN[loader_module])._load_pyfunc
    if loader_module in _plugin_entry_points():
        return _plugin_loader(loader_module, model_dir)
    if not allow_custom:
        raise invalid_input(
            f"Unknown loader_module {loader_module!r} in the MLmodel of {model_dir}: known are {known_loaders()}. "
            "Register it with flavors.pyfunc.register_loader, or pass allow_custom_loader=True if you trust "
            "this model to import that module")
    return _custom_loader(loader_module)


def _custom_loader(loader_module: str):
    from ._paths import safe_join

    def load(model_dir, model):
        data = model.flavors.get("python_function", {}).get("data")
        module = importlib.import_module(loader_module)
        return module._load_pyfunc(safe_join(model_dir, data) if data else model_dir)

    return load
