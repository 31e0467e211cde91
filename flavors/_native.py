"""Loading what a framework wrote in its own file format (xgboost's ``.ubj``, CatBoost's ``.cbm``...): the
shared steps of the flavors that keep a model as one native file."""

from __future__ import annotations

from ._errors import invalid_input
from ._paths import resolve_model_dir

__all__ = ["load_native_file", "load_from_uri"]


def load_native_file(framework: str, instance, path: str, **options):
    """``instance.load_model(path, **options)`` (a fresh model object of ``framework``) and return it.

    Raises InvalidInputError naming the file when the framework cannot read it.
    """
    try:
        instance.load_model(path, **options)
    except Exception as error:  # noqa: BLE001 - each framework raises its own error types for bad files
        raise invalid_input(f"Cannot load the {framework} model file {path}: {error}") from error
    return instance


def load_from_uri(model_uri, load):
    """``load(model_dir, Model)`` of the model directory at ``model_uri`` (a path, ``runs:/``, ``models:/``...).

    Raises NotFoundError when there is no model there, and whatever ``load`` raises.
    """
    from .model import Model

    model_dir = resolve_model_dir(model_uri)
    return load(model_dir, Model.load(model_dir))
