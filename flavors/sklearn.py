"""The scikit-learn flavor: any fitted estimator or pipeline, pickled with cloudpickle (default), pickle
or skops, readable by MLflow's ``mlflow.sklearn`` loader; reads MLflow 3's skops-format models too."""

from __future__ import annotations

import os

from ._errors import invalid_input
from ._paths import resolve_model_dir, safe_join

__all__ = ["save_model", "log_model", "load_model", "FLAVOR_NAME"]

FLAVOR_NAME = "sklearn"
LOADER_MODULE = "mlflow.sklearn"
_EXTENSIONS = {"cloudpickle": "pkl", "pickle": "pkl", "skops": "skops"}


def save_model(sk_model, path, signature=None, input_example=None, pip_requirements=None,
               extra_pip_requirements=None, metadata=None, serialization_format: str = "cloudpickle",
               pyfunc_predict_fn: str = "predict", **logged):
    """Save a scikit-learn estimator as a model directory at ``path``; return its Model.

    ``pyfunc_predict_fn`` picks the method pyfunc's predict calls (``predict_proba``...). Raises
    InvalidInputError for an object without that method, an unknown format or an existing ``path``.
    """
    from ._save import save_model_dir
    from ._serialization import FORMATS

    if not callable(getattr(sk_model, pyfunc_predict_fn, None)):
        raise invalid_input(f"{type(sk_model).__name__} has no method {pyfunc_predict_fn!r} to use as predict")
    if serialization_format not in FORMATS:
        raise invalid_input(f"Unknown serialization_format {serialization_format!r}: expected one of {FORMATS}")

    def write(model_dir):
        import sklearn

        from ._serialization import dump_into

        file_name = f"model.{_EXTENSIONS[serialization_format]}"
        trusted, modules = None, _finish_offered(sk_model, serialization_format, os.path.join(model_dir, file_name))
        if modules is None:
            with open(os.path.join(model_dir, file_name), "wb") as handle:
                trusted, modules = dump_into(sk_model, serialization_format, handle)
        flavor = {"code": None, "pickled_model": file_name, "serialization_format": serialization_format,
                  "sklearn_version": sklearn.__version__, "skops_trusted_types": trusted}
        pyfunc = {"loader_module": LOADER_MODULE, "model_path": file_name, "predict_fn": pyfunc_predict_fn}
        return flavor, pyfunc, modules | {"sklearn"}

    return save_model_dir(path, FLAVOR_NAME, write, signature=signature, input_example=input_example,
                          pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                          metadata=metadata, **logged)


def _finish_offered(sk_model, serialization_format: str, target: str):
    """Complete the pickle of ``sk_model`` written ahead (a forest's trees pickled while it trained) and move
    it to ``target``; return the modules it references, or None when none was offered or it failed."""
    if serialization_format not in ("cloudpickle", "pickle"):
        return None
    from ._pickle_ahead import offered

    ahead = offered(sk_model, serialization_format == "cloudpickle")
    finished = None if ahead is None else ahead.finish(sk_model, getattr(sk_model, "estimators_", ()))
    if finished is None:
        return None
    path, modules = finished
    try:
        os.replace(path, target)
    except OSError:  # another file system
        import shutil

        try:
            shutil.copyfile(path, target)
        finally:
            os.unlink(path)
    return modules


def log_model(sk_model, artifact_path=None, registered_model_name=None, **kwargs):
    """Log a scikit-learn model to the active run (or a new one); return its ModelInfo.

    ``name=`` (MLflow 3) or ``artifact_path=`` names it; see flavors._save.log_model and save_model.
    """
    from ._save import log_model as log

    return log(lambda **kw: save_model(sk_model, **kw), artifact_path, registered_model_name, **kwargs)


def _load(model_dir: str, model, skops_trusted_types=None):
    from .model import flavor_config
    from ._serialization import load

    conf = flavor_config(model, FLAVOR_NAME, model_dir)
    path = safe_join(model_dir, conf.get("pickled_model"))
    return load(path, conf.get("serialization_format", "pickle"), conf.get("skops_trusted_types"),
                skops_trusted_types)


def load_model(model_uri, skops_trusted_types=None, allow_pickle=None):
    """Load the fitted scikit-learn object saved at ``model_uri``.

    ``skops_trusted_types`` trusts further types of a skops file; ``allow_pickle=False`` refuses a
    pickle-based file (None: $AUTOLOG_ALLOW_PICKLE decides). Raises NotFoundError when there is no model
    and InvalidInputError when it has no sklearn flavor, cannot be read, holds untrusted types or is a
    refused pickle.
    """
    from ._pickle_policy import pickle_policy
    from .model import Model

    model_dir = resolve_model_dir(model_uri)
    with pickle_policy(allow_pickle):
        return _load(model_dir, Model.load(model_dir), skops_trusted_types)


class MethodWrapper:
    """The pyfunc face of a fitted object: ``predict`` calls its method ``predict_fn``."""

    def __init__(self, model, predict_fn: str):
        self.model = model
        self._predict = getattr(model, predict_fn, None)
        if self._predict is None:
            raise invalid_input(f"{type(model).__name__} has no method {predict_fn!r} named as predict_fn")

    def predict(self, data, params=None):
        return self._predict(data, **(params or {}))

    def get_raw_model(self):
        return self.model


def _load_pyfunc(model_dir: str, model):
    conf = model.flavors.get("python_function", {})
    return MethodWrapper(_load(model_dir, model), conf.get("predict_fn", "predict"))
