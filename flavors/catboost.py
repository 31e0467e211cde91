"""The catboost flavor: CatBoost, CatBoostClassifier, CatBoostRegressor and CatBoostRanker models in
CatBoost's own binary format (``model.cb``, format ``cbm``), with MLflow's catboost MLmodel keys
(``catboost_version``, ``data``, ``model_type``, ``save_format``) so models cross both ways."""

from __future__ import annotations

import os

from ._errors import invalid_input
from ._native import load_from_uri, load_native_file
from ._paths import safe_join

__all__ = ["save_model", "log_model", "load_model", "FLAVOR_NAME"]

FLAVOR_NAME = "catboost"
LOADER_MODULE = "mlflow.catboost"
_DATA_FILE = "model.cb"
_MODEL_TYPES = ("CatBoost", "CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker")


def save_model(cb_model, path, signature=None, input_example=None, pip_requirements=None,
               extra_pip_requirements=None, metadata=None, **logged):
    """Save a fitted CatBoost model as a model directory at ``path`` (``model.cb``, cbm format); return its Model.

    Raises InvalidInputError for another type of model or an existing ``path``.
    """
    import catboost

    from ._save import save_model_dir

    if not isinstance(cb_model, catboost.CatBoost):
        raise invalid_input(f"flavors.catboost saves a CatBoost model, got {type(cb_model).__name__}")

    def write(model_dir):
        _write_cbm(cb_model, os.path.join(model_dir, _DATA_FILE))
        flavor = {"catboost_version": catboost.__version__, "code": None, "model_type": type(cb_model).__name__,
                  "save_format": "cbm", "data": _DATA_FILE}
        return flavor, {"loader_module": LOADER_MODULE, "data": _DATA_FILE}, ["catboost", "numpy"]

    return save_model_dir(path, FLAVOR_NAME, write, signature=signature, input_example=input_example,
                          pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                          metadata=metadata, **logged)


def _write_cbm(cb_model, path: str) -> None:
    """Write the model in CatBoost's cbm format at ``path``: the bytes CatBoost pickles a model with (the same
    bytes ``save_model(path, format="cbm")`` writes, without the file sync that costs more than the rest of
    logging a model), or through ``save_model`` where this CatBoost has no such method."""
    serialize = getattr(cb_model, "_serialize_model", None)
    data = serialize() if callable(serialize) else None
    if not isinstance(data, (bytes, bytearray)) or not data:
        cb_model.save_model(path, format="cbm")
        return
    with open(path, "wb") as handle:
        handle.write(data)


def log_model(cb_model, artifact_path: str = "model", registered_model_name=None, **kwargs):
    """Log a CatBoost model to the active run (or a new one); return its ModelInfo. See save_model."""
    from ._save import log_model as log

    return log(lambda **kw: save_model(cb_model, **kw), artifact_path, registered_model_name, **kwargs)


def _load(model_dir: str, model):
    import catboost

    from .model import flavor_config

    conf = flavor_config(model, FLAVOR_NAME, model_dir)
    model_type = conf.get("model_type", "CatBoost")
    if model_type not in _MODEL_TYPES:
        raise invalid_input(f"Unsupported catboost model_type {model_type!r}: expected one of {_MODEL_TYPES}")
    path = safe_join(model_dir, conf.get("data", _DATA_FILE))
    return load_native_file("catboost", getattr(catboost, model_type)(), path, format=conf.get("save_format", "cbm"))


def load_model(model_uri):
    """Load the native CatBoost model (CatBoostClassifier...) saved at ``model_uri``.

    Raises NotFoundError when there is no model and InvalidInputError when it has no catboost flavor
    or its file is unreadable.
    """
    return load_from_uri(model_uri, _load)


def _load_pyfunc(model_dir: str, model):
    from .sklearn import MethodWrapper

    return MethodWrapper(_load(model_dir, model), "predict")
