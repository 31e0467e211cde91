"""The statsmodels flavor: a fitted results object (``OLS(...).fit()``, GLM, ARIMA...) pickled as
``model.statsmodels``, with MLflow's statsmodels MLmodel keys (``statsmodels_version``, ``data``)."""

from __future__ import annotations

import os

from ._errors import invalid_input
from ._native import load_from_uri
from ._paths import safe_join

__all__ = ["save_model", "log_model", "load_model", "FLAVOR_NAME"]

FLAVOR_NAME = "statsmodels"
LOADER_MODULE = "mlflow.statsmodels"
_DATA_FILE = "model.statsmodels"


def save_model(statsmodels_model, path, signature=None, input_example=None, pip_requirements=None,
               extra_pip_requirements=None, metadata=None, remove_data: bool = False, **logged):
    """Save a fitted statsmodels results object at ``path``; ``remove_data`` drops the training arrays
    (statsmodels' ``remove_data``) for a smaller file. Returns its Model.

    Raises InvalidInputError for an object that is not statsmodels results, or an existing ``path``.
    """
    import statsmodels

    from ._save import save_model_dir
    from ._serialization import pickle_with_modules

    if not hasattr(statsmodels_model, "model") or not type(statsmodels_model).__module__.startswith("statsmodels"):
        raise invalid_input(f"flavors.statsmodels saves fitted statsmodels results (model.fit()), got "
                            f"{type(statsmodels_model).__name__}")

    def write(model_dir):
        model = statsmodels_model
        if remove_data:
            import copy

            model = copy.deepcopy(statsmodels_model)
            model.remove_data()
        data, modules = pickle_with_modules(model, False)
        with open(os.path.join(model_dir, _DATA_FILE), "wb") as handle:
            handle.write(data)
        flavor = {"statsmodels_version": statsmodels.__version__, "data": _DATA_FILE, "code": None}
        return flavor, {"loader_module": LOADER_MODULE, "data": _DATA_FILE}, set(modules) | {"statsmodels"}

    return save_model_dir(path, FLAVOR_NAME, write, signature=signature, input_example=input_example,
                          pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements,
                          metadata=metadata, **logged)


def log_model(statsmodels_model, artifact_path: str = "model", registered_model_name=None, **kwargs):
    """Log fitted statsmodels results to the active run (or a new one); return its ModelInfo. See save_model."""
    from ._save import log_model as log

    return log(lambda **kw: save_model(statsmodels_model, **kw), artifact_path, registered_model_name, **kwargs)


def _load(model_dir: str, model):
    from ._serialization import load
    from .model import flavor_config

    conf = flavor_config(model, FLAVOR_NAME, model_dir)
    return load(safe_join(model_dir, conf.get("data", _DATA_FILE)), "pickle")


def load_model(model_uri):
    """Load the statsmodels results object saved at ``model_uri``.

    Raises NotFoundError when there is no model and InvalidInputError when it has no statsmodels flavor
    or its file cannot be read.
    """
    return load_from_uri(model_uri, _load)


class _StatsmodelsWrapper:
    """``predict(data)``; a time-series model takes one row with ``start`` and ``end`` columns, as MLflow's."""

    def __init__(self, results):
        self.results = results

    def predict(self, data, params=None):
        from statsmodels.tsa.base.tsa_model import TimeSeriesModel

        if isinstance(self.results.model, TimeSeriesModel):
            columns = getattr(data, "columns", ())
            if len(data) != 1 or "start" not in columns or "end" not in columns:
                raise invalid_input("Predictions of a time-series model take one row with columns start and end")
            return self.results.predict(start=data["start"].iloc[0], end=data["end"].iloc[0], **(params or {}))
        return self.results.predict(data, **(params or {}))

    def get_raw_model(self):
        return self.results


def _load_pyfunc(model_dir: str, model):
    return _StatsmodelsWrapper(_load(model_dir, model))
