"""The lightgbm flavor: a Booster in lightgbm's text format (``model.lgb``), sklearn-API models (LGBMModel
and subclasses) pickled; readable by MLflow's ``mlflow.lightgbm`` loader, and reads MLflow 3's skops files."""

from __future__ import annotations

import os

from ._errors import invalid_input
from ._paths import resolve_model_dir, safe_join

__all__ = ["save_model", "log_model", "load_model", "FLAVOR_NAME"]

FLAVOR_NAME = "lightgbm"
LOADER_MODULE = "mlflow.lightgbm"
_BOOSTER_CLASS = "lightgbm.basic.Booster"


def save_model(lgb_model, path, signature=None, input_example=None, pip_requirements=None,
               extra_pip_requirements=None, metadata=None, serialization_format: str = "cloudpickle", **logged):
    """Save a lightgbm Booster (text format) or LGBMModel (``serialization_format``: cloudpickle, pickle
    or skops) as a model directory at ``path``; return its Model.

    Raises InvalidInputError for another type of model or an existing ``path``.
    """
    import lightgbm as lgb

    from ._save import save_model_dir

    if not isinstance(lgb_model, (lgb.Booster, lgb.LGBMModel)):
        raise invalid_input(f"flavors.lightgbm saves a lightgbm Booster or LGBMModel, got {type(lgb_model).__name__}")

    def write(model_dir):
        model_class = f"{type(lgb_model).__module__}.{type(lgb_model).__name__}"
        flavor = {"code": None, "lgb_version": lgb.__version__, "model_class": model_class}
        if isinstance(lgb_model, lgb.Booster):
            flavor["data"] = "model.lgb"
            lgb_model.save_model(os.path.join(model_dir, "model.lgb"))
            modules = {"lightgbm", "numpy"}
        else:
            modules = _write_pickled(lgb_model, model_dir, serialization_format, flavor)
        return flavor, {"loader_module": LOADER_MODULE, "data": flavor["data"]}, modules

    return save_model_dir(path, FLAVOR_NAME, write, signature=signature, input_example=input_example,
                          pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                          metadata=metadata, **logged)


def _write_pickled(lgb_model, model_dir: str, serialization_format: str, flavor: dict) -> set:
    from ._serialization import dump

    data, trusted, modules = dump(lgb_model, serialization_format)
    flavor["data"] = "model.skops" if trusted is not None else "model.pkl"
    flavor["serialization_format"] = serialization_format
    if trusted is not None:
        flavor["skops_trusted_types"] = trusted
    with open(os.path.join(model_dir, flavor["data"]), "wb") as handle:
        handle.write(data)
    return modules | {"lightgbm", "sklearn"}


def log_model(lgb_model, artifact_path=None, registered_model_name=None, **kwargs):
    """Log a lightgbm model to the active run (or a new one); return its ModelInfo.

    ``name=`` (MLflow 3) or ``artifact_path=`` names it; see flavors._save.log_model and save_model.
    """
    from ._save import log_model as log

    return log(lambda **kw: save_model(lgb_model, **kw), artifact_path, registered_model_name, **kwargs)


def _load(model_dir: str, model, skops_trusted_types=None):
    from .model import flavor_config

    conf = flavor_config(model, FLAVOR_NAME, model_dir)
    path = safe_join(model_dir, conf.get("data"))
    if conf.get("model_class", _BOOSTER_CLASS) == _BOOSTER_CLASS:
        import lightgbm as lgb

        if not os.path.isfile(path):
            raise invalid_input(f"The lightgbm model file {path} does not exist")
        try:
            return lgb.Booster(model_file=path)
        except Exception as error:  # noqa: BLE001 - lightgbm raises LightGBMError for bad files
            raise invalid_input(f"Cannot load the lightgbm model file {path}: {error}") from error
    from ._serialization import load

    return load(path, conf.get("serialization_format", "cloudpickle"), conf.get("skops_trusted_types"),
                skops_trusted_types)


def load_model(model_uri, skops_trusted_types=None):
    """Load the native lightgbm object (Booster or LGBMModel) saved at ``model_uri``.

    Raises NotFoundError when there is no model and InvalidInputError when it has no lightgbm flavor
    or its file cannot be read.
    """
    from .model import Model

    model_dir = resolve_model_dir(model_uri)
    return _load(model_dir, Model.load(model_dir), skops_trusted_types)


def _load_pyfunc(model_dir: str, model):
    from .sklearn import MethodWrapper

    return MethodWrapper(_load(model_dir, model), "predict")
