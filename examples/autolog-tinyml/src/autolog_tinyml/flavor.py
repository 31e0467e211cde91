"""The tinyml flavor: a LinearModel as JSON; its MLmodel names this module as the loader."""

import json
import os

FLAVOR_NAME = "tinyml"
LOADER_MODULE = "autolog_tinyml.flavor"


def save_model(model, path, **options):
    """Save a tinyml LinearModel as a model directory at ``path``; return its Model descriptor."""
    import tinyml
    from flavors._save import save_model_dir

    def write(model_dir):
        with open(os.path.join(model_dir, "model.json"), "w") as handle:
            json.dump({"weight": model.weight, "bias": model.bias}, handle)
        flavor = {"data": "model.json", "tinyml_version": tinyml.__version__}
        return flavor, {"loader_module": LOADER_MODULE, "data": "model.json"}, ["tinyml"]

    return save_model_dir(path, FLAVOR_NAME, write, **options)


def log_model(model, artifact_path="model", registered_model_name=None, **kwargs):
    """Log a LinearModel to the active run; return its ModelInfo."""
    from flavors._save import log_model as log

    return log(lambda **kw: save_model(model, **kw), artifact_path, registered_model_name, **kwargs)


def load_model(model_dir):
    """The LinearModel saved in ``model_dir``."""
    import tinyml

    with open(os.path.join(model_dir, "model.json")) as handle:
        return tinyml.LinearModel(**json.load(handle))


class _Wrapper:
    def __init__(self, model):
        self.model = model

    def predict(self, data, params=None):
        column = data.iloc[:, 0] if hasattr(data, "iloc") else data
        return self.model.predict(list(column))

    def get_raw_model(self):
        return self.model


def _load_pyfunc(model_dir, model):
    """What flavors.pyfunc.load_model calls (through the flavors.loaders entry point)."""
    return _Wrapper(load_model(model_dir))
