"""The generic model interface: load any flavor's model and ``predict`` on DataFrames, arrays or records.

``load_model(uri)`` reads the MLmodel, finds the loader through the registry of known
flavors (never importing a module just because the YAML names it) and wraps it in a
PyFuncModel that enforces the signature. ``PythonModel`` packages custom models.
"""

from __future__ import annotations

from ._enforce import array_dtype, enforce_schema
from ._errors import invalid_input
from ._lazy import lazy_attribute
from ._registry import register_loader

__all__ = ["load_model", "PyFuncModel", "PythonModel", "PythonModelContext", "save_model", "log_model",
           "register_loader", "FLAVOR_NAME", "spark_udf", "dask_predict"]

# Scoring on a cluster engine, imported on first use (the engines themselves only when called).
_ENGINES = {"spark_udf": "flavors._spark", "dask_predict": "flavors._dask"}


def __getattr__(name: str):
    return lazy_attribute(globals(), _ENGINES, name)


FLAVOR_NAME = "python_function"


class PyFuncModel:
    """A loaded model with ``predict(data, params=None)``, its descriptor as ``metadata`` and its directory."""

    def __init__(self, metadata, implementation, model_dir: str, loader_module: str):
        self.metadata = metadata
        self.model_dir = model_dir
        self.loader_module = loader_module
        self._implementation = implementation
        self._input_schema = metadata.get_input_schema()
        accepts_arrays = getattr(implementation, "accepts_arrays", False)
        #: the numpy dtype of a 2-D array (columns in signature order) the model scores without a DataFrame
        self.array_dtype = array_dtype(self._input_schema) if accepts_arrays else None
        self._array_width = len(self._input_schema.inputs) if self.array_dtype else 0

    def predict(self, data, params=None):
        """Score ``data`` (DataFrame, ndarray, sparse matrix, dict or list of records) after checking it
        against the input signature. Raises InvalidInputError naming the column that does not fit.

        A 2-D ndarray of ``array_dtype`` with the signature's columns in order goes to the model as it is
        (no DataFrame is built) where the flavor scores arrays as it scores frames."""
        if self._conforming_array(data):
            return self._implementation.predict(data, params=params)
        return self._implementation.predict(enforce_schema(data, self._input_schema), params=params)

    def _conforming_array(self, data) -> bool:
        return (self.array_dtype is not None and type(data).__name__ == "ndarray" and data.ndim == 2
                and data.shape[1] == self._array_width and data.dtype == self.array_dtype)

    @property
    def input_example(self):
        """The input example saved with the model, or None."""
        return self.metadata.load_input_example(self.model_dir)

    def get_raw_model(self):
        """The framework object (Booster, estimator) or the PythonModel behind this wrapper."""
        return self._implementation.get_raw_model()

    def unwrap_python_model(self):
        """The PythonModel instance of a custom model; raises InvalidInputError for other flavors."""
        python_model = getattr(self._implementation, "python_model", None)
        if python_model is None:
            raise invalid_input(f"The model at {self.model_dir} is not a custom PythonModel")
        return python_model

    def __repr__(self):
        return f"<PyFuncModel loader={self.loader_module!r} dir={self.model_dir!r}>"


def load_model(model_uri, suppress_warnings: bool = False, allow_custom_loader: bool = False,
               allow_pickle=None) -> PyFuncModel:
    """Load the model at ``model_uri`` (path, ``file://``, ``runs:/``, ``models:/``) as a PyFuncModel.

    Warns when the installed packages differ from the model's pinned requirements (unless
    ``suppress_warnings``). ``allow_pickle=False`` refuses pickle-based models (loading a pickle
    runs the code it holds); None defers to $AUTOLOG_ALLOW_PICKLE (allowed unless it is 0).
    Raises NotFoundError when there is no model there, and InvalidInputError for a corrupt MLmodel,
    a model without a python_function flavor, a refused pickle, a symbolic link leaving the model
    directory, or an unknown loader module (``allow_custom_loader=True`` imports it: only for trusted models).
    """
    from ._pickle_policy import pickle_policy

    with pickle_policy(allow_pickle):
        return _load(model_uri, suppress_warnings, allow_custom_loader)


def _load(model_uri, suppress_warnings: bool, allow_custom_loader: bool) -> PyFuncModel:
    from ._paths import resolve_model_dir
    from ._registry import get_loader
    from .model import Model

    model_dir = resolve_model_dir(model_uri)
    metadata = Model.load(model_dir)
    conf = metadata.flavors.get(FLAVOR_NAME)
    if conf is None:
        raise invalid_input(f"The model at {model_dir} has no python_function flavor "
                            f"(it has {sorted(metadata.flavors)}): load it with its own flavor's load_model")
    loader_module = conf.get("loader_module")
    loader = get_loader(loader_module, model_dir, allow_custom_loader)
    if not suppress_warnings:
        from .requirements import check_environment

        check_environment(model_dir)
    return PyFuncModel(metadata, loader(model_dir, metadata), model_dir, loader_module)


class PythonModelContext:
    """What ``PythonModel.load_context`` receives: ``artifacts`` (name → local path) and ``model_config``."""

    def __init__(self, artifacts: dict, model_config=None):
        self.artifacts = artifacts
        self.model_config = model_config or {}


class PythonModel:
    """Base class of custom models: override ``predict(self, context, model_input, params=None)`` and,
    to load artifacts once, ``load_context(self, context)``."""

    def load_context(self, context: PythonModelContext) -> None:
        """Called once when the model is loaded, before any predict."""

    def predict(self, context, model_input, params=None):
        """Return predictions for ``model_input``."""
        raise NotImplementedError("PythonModel subclasses must implement predict(context, model_input, params)")


def save_model(path, python_model=None, artifacts=None, code_paths=None, signature=None, input_example=None,
               pip_requirements=None, extra_pip_requirements=None, metadata=None, model_config=None, **logged):
    """Save a custom model: ``python_model`` (a PythonModel) pickled with cloudpickle, ``artifacts``
    (name → local path or model URI, copied under ``artifacts/``) and ``code_paths`` (copied under ``code/``
    and put on ``sys.path`` at load). Returns the Model descriptor.

    Raises InvalidInputError for a missing python_model, artifact or code path, or an existing ``path``.
    """
    from ._python_model import write_python_model
    from ._save import save_model_dir

    if not isinstance(python_model, PythonModel):
        raise invalid_input(f"python_model must be a flavors.pyfunc.PythonModel, got {type(python_model).__name__}")
    return save_model_dir(
        path, FLAVOR_NAME, lambda model_dir: write_python_model(model_dir, python_model, artifacts, code_paths,
                                                                model_config),
        signature=signature, input_example=input_example, pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements, metadata=metadata, **logged)


def log_model(artifact_path=None, python_model=None, artifacts=None, code_paths=None,
              registered_model_name=None, **kwargs):
    """Log a custom model (see save_model) to the active run; return its ModelInfo."""
    from ._save import log_model as log

    return log(save_model, artifact_path, registered_model_name, python_model=python_model,
               artifacts=artifacts, code_paths=code_paths, **kwargs)
