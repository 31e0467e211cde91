"""What a custom model's artifacts and code need, found without loading or running any of them.

- a model directory among the artifacts needs its flavors' frameworks and what its own
  ``requirements.txt`` lists;
- a file is recognised by its format: ``.ubj``/``.xgb`` xgboost, ``.lgb`` lightgbm, a
  skops archive by the modules of its schema, a pickle (or joblib file) by the modules its
  opcodes import (read with ``pickletools``, never unpickled);
- the ``code_paths`` files by their ``import`` statements (read with ``ast``).

Every function returns top-level module names; ``requirements.infer_requirements`` maps
them to installed distributions (standard library and local modules drop out).
"""

from __future__ import annotations

import ast
import os

__all__ = ["artifact_modules", "code_imports", "pickle_file_modules"]

_MAX_FILES = 2000
_EXTENSIONS = {".ubj": {"xgboost"}, ".xgb": {"xgboost"}, ".lgb": {"lightgbm"}, ".cbm": {"catboost"},
               ".onnx": {"onnxruntime"}, ".joblib": {"joblib"}}
_PICKLE_EXTENSIONS = (".pkl", ".pickle", ".joblib", ".cloudpickle", ".bin", ".pt", ".pth")
_FLAVOR_MODULES = {"xgboost": "xgboost", "lightgbm": "lightgbm", "sklearn": "sklearn", "catboost": "catboost"}


def _files(path: str) -> list:
    if os.path.isfile(path):
        return [path]
    found = []
    for parent, _dirs, names in os.walk(path):
        found.extend(os.path.join(parent, name) for name in names)
        if len(found) >= _MAX_FILES:
            break
    return found[:_MAX_FILES]


def artifact_modules(path: str) -> set:
    """Top-level modules needed to read the artifact (file or directory) at ``path``."""
    modules: set = set()
    for file_path in _files(path):
        name = os.path.basename(file_path)
        extension = os.path.splitext(name)[1].lower()
        if name == "MLmodel":
            modules |= _model_dir_modules(os.path.dirname(file_path))
        modules |= _EXTENSIONS.get(extension, set())
        if extension == ".skops":
            modules |= _skops_file_modules(file_path)
        elif extension in _PICKLE_EXTENSIONS or _looks_like_pickle(file_path):
            modules |= pickle_file_modules(file_path)
    return modules


def _model_dir_modules(model_dir: str) -> set:
    import yaml

    modules = set()
    try:
        with open(os.path.join(model_dir, "MLmodel"), "rb") as handle:
            descriptor = yaml.safe_load(handle)
        flavors = descriptor.get("flavors") if isinstance(descriptor, dict) else None
        modules |= {_FLAVOR_MODULES[name] for name in flavors or () if name in _FLAVOR_MODULES}
        with open(os.path.join(model_dir, "requirements.txt"), encoding="utf-8") as handle:
            for line in handle:
                name = line.split("#")[0].split(";")[0].strip()
                for separator in ("==", ">=", "<=", "~=", "!=", ">", "<", "["):
                    name = name.split(separator)[0]
                if name and not name.startswith("-"):
                    modules.add("sklearn" if name.strip().lower() == "scikit-learn" else name.strip())
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        pass
    return modules


def _looks_like_pickle(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(2)
    except OSError:
        return False
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def pickle_file_modules(path: str) -> set:
    """Top-level modules a pickle file imports, read from its GLOBAL/STACK_GLOBAL opcodes."""
    import pickletools

    modules, strings = set(), []
    try:
        with open(path, "rb") as handle:
            for opcode, argument, _position in pickletools.genops(handle):
                if opcode.name == "GLOBAL" and isinstance(argument, str):
                    modules.add(argument.split(" ")[0].split(".")[0])
                elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                    modules.add(str(strings[-2]).split(".")[0])
                elif "UNICODE" in opcode.name or opcode.name.endswith("STRING"):
                    strings.append(argument)
                if opcode.name == "STOP":
                    break
    except Exception:  # noqa: BLE001 - a joblib array block or a truncated file: keep what was read
        pass
    return {module for module in modules if module and module.isidentifier()}


def _skops_file_modules(path: str) -> set:
    try:
        from ._serialization import skops_modules

        with open(path, "rb") as handle:
            return skops_modules(handle.read()) | {"skops"}
    except Exception:  # noqa: BLE001 - not a readable skops archive
        return {"skops"}


def code_imports(path: str) -> set:
    """Top-level modules imported by the Python files at ``path`` (a file or a directory)."""
    modules = set()
    for file_path in _files(path):
        if not file_path.endswith(".py"):
            continue
        try:
            with open(file_path, "rb") as handle:
                tree = ast.parse(handle.read(), filename=file_path)
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    return modules
