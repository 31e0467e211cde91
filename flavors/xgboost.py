"""The xgboost flavor: Boosters and the sklearn-API models (XGBRegressor, XGBClassifier...) in xgboost's own
format (``model.ubj`` or ``model.json``), readable by MLflow's ``mlflow.xgboost`` loader."""

from __future__ import annotations

import os

from ._errors import invalid_input
from ._native import load_from_uri, load_native_file
from ._paths import safe_join

__all__ = ["save_model", "log_model", "load_model", "FLAVOR_NAME"]

FLAVOR_NAME = "xgboost"
LOADER_MODULE = "mlflow.xgboost"
_FORMATS = ("ubj", "json")


def save_model(xgb_model, path, signature=None, input_example=None, pip_requirements=None,
               extra_pip_requirements=None, metadata=None, model_format: str = "ubj", **logged):
    """Save a Booster or xgboost sklearn-API model as a model directory at ``path``; return its Model.

    Raises InvalidInputError for another type of model, an unknown ``model_format`` or an existing ``path``.
    """
    import xgboost as xgb

    from ._save import save_model_dir

    if not isinstance(xgb_model, (xgb.Booster, xgb.XGBModel)):
        raise invalid_input(f"flavors.xgboost saves an xgboost Booster or XGBModel, got {type(xgb_model).__name__}")
    if model_format not in _FORMATS:
        raise invalid_input(f"Unknown model_format {model_format!r}: expected one of {_FORMATS}")

    def write(model_dir):
        data = f"model.{model_format}"
        xgb_model.save_model(os.path.join(model_dir, data))
        model_class = f"{type(xgb_model).__module__}.{type(xgb_model).__name__}"
        flavor = {"code": None, "data": data, "model_class": model_class, "model_format": model_format,
                  "xgb_version": xgb.__version__}
        modules = ["xgboost", "numpy"] + ([] if isinstance(xgb_model, xgb.Booster) else ["sklearn"])
        return flavor, {"loader_module": LOADER_MODULE, "data": data}, modules

    return save_model_dir(path, FLAVOR_NAME, write, signature=signature, input_example=input_example,
                          pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                          metadata=metadata, **logged)


def log_model(xgb_model, artifact_path=None, registered_model_name=None, **kwargs):
    """Log an xgboost model to the active run (or a new one); return its ModelInfo.

    ``name=`` (MLflow 3) or ``artifact_path=`` names it; see flavors._save.log_model and save_model.
    """
    from ._save import log_model as log

    return log(lambda **kw: save_model(xgb_model, **kw), artifact_path, registered_model_name, **kwargs)


def _model_class(name: str):
    import xgboost as xgb

    class_name = name.rsplit(".", 1)[-1] if isinstance(name, str) and name.startswith("xgboost.") else None
    cls = getattr(xgb, class_name, None) if class_name else None
    if not (isinstance(cls, type) and issubclass(cls, (xgb.Booster, xgb.XGBModel))):
        raise invalid_input(f"Unsupported xgboost model_class {name!r}: expected xgboost's Booster or an XGBModel")
    return cls


def _load(model_dir: str, model):
    from .model import flavor_config

    conf = flavor_config(model, FLAVOR_NAME, model_dir)
    path = safe_join(model_dir, conf.get("data"))
    return load_native_file("xgboost", _model_class(conf.get("model_class", "xgboost.core.Booster"))(), path)


def load_model(model_uri):
    """Load the native xgboost object (Booster, XGBRegressor...) saved at ``model_uri``.

    Raises NotFoundError when there is no model and InvalidInputError when it has no xgboost flavor
    or its file is unreadable.
    """
    return load_from_uri(model_uri, _load)


class _XGBoostWrapper:
    def __init__(self, model):
        import xgboost as xgb

        self.model = model
        self._is_booster = isinstance(model, xgb.Booster)
        # A Booster scores a numeric array as it scores the same columns in a DataFrame.
        self.accepts_arrays = self._is_booster

    def predict(self, data, params=None):
        kwargs = params or {}
        if not self._is_booster:
            return self.model.predict(data, **kwargs)
        if type(data).__name__ in ("DMatrix", "QuantileDMatrix"):
            return self.model.predict(data, **kwargs)
        return self.model.inplace_predict(data, **kwargs)

    def get_raw_model(self):
        return self.model


def _load_pyfunc(model_dir: str, model):
    return _XGBoostWrapper(_load(model_dir, model))
