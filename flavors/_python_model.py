"""The custom-model flavor: a pickled PythonModel with its artifacts and code, written with MLflow's
``mlflow.pyfunc.model`` layout (``python_model``, ``artifacts``, ``code`` keys)."""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import sys
import threading

from ._errors import invalid_input
from ._paths import safe_join

__all__ = ["write_python_model", "_load_pyfunc"]

LOADER_MODULE = "mlflow.pyfunc.model"
PICKLE_FILE = "python_model.pkl"


def _local_artifact(uri) -> str:
    from ._paths import resolve_model_dir

    path = resolve_model_dir(uri)
    if not os.path.exists(path):
        raise invalid_input(f"Artifact {uri!r} does not exist")
    return path


def _copy(source: str, target_dir: str) -> str:
    from autolog._containment import refuse_escaping_links

    refuse_escaping_links(source)
    os.makedirs(target_dir, exist_ok=True)
    target = os.path.join(target_dir, os.path.basename(os.path.normpath(source)))
    if os.path.isdir(source):
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copyfile(source, target)
    return target


def write_python_model(model_dir: str, python_model, artifacts, code_paths, model_config):
    """Write the pickle, artifacts and code of a custom model; return (None, python_function config, modules)."""
    from ._serialization import pickle_with_modules
    from .requirements import installed_version

    from ._artifact_requirements import artifact_modules, code_imports

    artifact_conf, needed = {}, set()
    for name, uri in (artifacts or {}).items():
        copied = _copy(_local_artifact(uri), os.path.join(model_dir, "artifacts", str(name)))
        artifact_conf[str(name)] = {"path": os.path.relpath(copied, model_dir).replace(os.sep, "/"), "uri": str(uri)}
        needed |= artifact_modules(copied)
    code_modules = set()
    for code_path in code_paths or ():
        if not os.path.exists(code_path):
            raise invalid_input(f"code_paths entry {os.fspath(code_path)!r} does not exist")
        copied = _copy(os.fspath(code_path), os.path.join(model_dir, "code"))
        code_modules.add(os.path.splitext(os.path.basename(copied))[0])
        needed |= code_imports(copied)
    data, pickled_modules = pickle_with_modules(python_model, use_cloudpickle=True)
    with open(os.path.join(model_dir, PICKLE_FILE), "wb") as handle:
        handle.write(data)
    conf = {"loader_module": LOADER_MODULE, "python_model": PICKLE_FILE,
            "cloudpickle_version": installed_version("cloudpickle"), "code": "code" if code_paths else None,
            "artifacts": artifact_conf or None, "model_config": model_config}
    modules = {m for m in pickled_modules | needed if m.split(".")[0] not in code_modules}
    return None, {key: value for key, value in conf.items() if value is not None}, modules


class _PythonModelWrapper:
    def __init__(self, python_model, context, code_dir=None):
        self.python_model = python_model
        self.context = context
        self._code_dir = code_dir
        parameters = inspect.signature(python_model.predict).parameters
        self._takes_context = "context" in parameters or len(parameters) >= 2 and "params" not in list(parameters)[:2]
        self._takes_params = "params" in parameters

    def predict(self, data, params=None):
        args = (self.context, data) if self._takes_context else (data,)
        with code_on_path(self._code_dir):
            return self.python_model.predict(*args, params=params) if self._takes_params else \
                self.python_model.predict(*args)

    def get_raw_model(self):
        return self.python_model


_path_lock = threading.Lock()
_path_users: dict = {}


@contextlib.contextmanager
def code_on_path(code_dir):
    """Put a model's ``code/`` directory first on sys.path for the duration of the block only, so a later,
    unrelated import never finds the model's files. Nested and concurrent uses share one entry."""
    if code_dir is None:
        yield
        return
    with _path_lock:
        if _path_users.get(code_dir, 0) == 0 and code_dir not in sys.path:
            sys.path.insert(0, code_dir)
            _path_users[code_dir] = 0
        if code_dir in _path_users:
            _path_users[code_dir] += 1
    try:
        yield
    finally:
        with _path_lock:
            if code_dir in _path_users:
                _path_users[code_dir] -= 1
                if _path_users[code_dir] == 0:
                    del _path_users[code_dir]
                    if code_dir in sys.path:
                        sys.path.remove(code_dir)


def _artifact_paths(model_dir: str, conf: dict) -> dict:
    artifacts = conf.get("artifacts") or {}
    if not isinstance(artifacts, dict) or not all(isinstance(spec, dict) for spec in artifacts.values()):
        raise invalid_input(f"Invalid 'artifacts' in the MLmodel of {model_dir}: expected a mapping of name to "
                            "{path: ...}")
    return {str(name): os.path.abspath(safe_join(model_dir, spec.get("path"))) for name, spec in artifacts.items()}


def _load_pyfunc(model_dir: str, model):
    """Unpickle the PythonModel with its code on sys.path, resolve its artifacts and call load_context.

    Raises InvalidInputError naming the file when pickles are refused (see ``_pickle_policy``) or the
    pickle cannot be loaded (a missing module, say), or when the MLmodel's entries are malformed.
    """
    import cloudpickle

    from ._pickle_policy import check_pickle_allowed
    from .pyfunc import PythonModelContext

    conf = model.flavors["python_function"]
    code_dir = os.path.abspath(safe_join(model_dir, conf["code"])) if conf.get("code") else None
    path = safe_join(model_dir, conf.get("python_model", PICKLE_FILE))
    artifacts = _artifact_paths(model_dir, conf)
    check_pickle_allowed(path)
    with code_on_path(code_dir):
        try:
            with open(path, "rb") as handle:
                python_model = cloudpickle.load(handle)
        except Exception as error:  # noqa: BLE001 - any unpickling failure is reported with the path
            raise invalid_input(f"Cannot load the custom model pickled at {path}: {type(error).__name__}: "
                                f"{error}") from error
        context = PythonModelContext(artifacts, conf.get("model_config"))
        if hasattr(python_model, "load_context"):
            python_model.load_context(context)
    return _PythonModelWrapper(python_model, context, code_dir)
