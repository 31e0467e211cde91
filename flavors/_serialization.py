"""Python-object serialization shared by the sklearn and lightgbm flavors: pickle, cloudpickle and skops.

skops is optional. Loading a skops file trusts only the types of the frameworks'
own packages that the model's MLmodel declares, plus any the caller names; anything
else is refused with the list of types, so a crafted MLmodel cannot whitelist
arbitrary code.
"""

from __future__ import annotations

import re

from ._errors import invalid_input

__all__ = ["FORMATS", "dump", "dump_into", "load", "skops_modules", "pickle_with_modules", "pickle_into",
           "recording_pickler", "referenced_modules"]

FORMATS = ("cloudpickle", "pickle", "skops")
_FRAMEWORK_PREFIXES = ("sklearn.", "lightgbm.", "xgboost.", "numpy.", "scipy.", "collections.OrderedDict",
                       "collections.defaultdict")


def _skops_io():
    try:
        import skops.io
    except ImportError:
        raise invalid_input("This model uses the skops format: install skops (pip install 'autolog[skops]')") \
            from None
    return skops.io


def dump(obj, serialization_format: str):
    """Serialize ``obj``; return (bytes, skops trusted types or None, the modules the bytes reference).

    Raises InvalidInputError for an unknown format.
    """
    if serialization_format in ("cloudpickle", "pickle"):
        data, modules = pickle_with_modules(obj, serialization_format == "cloudpickle")
        return data, None, modules
    if serialization_format == "skops":
        skops_io = _skops_io()
        data = skops_io.dumps(obj)
        return data, sorted(skops_io.get_untrusted_types(data=data)), skops_modules(data) | {"skops"}
    raise invalid_input(f"Unknown serialization_format {serialization_format!r}: expected one of {FORMATS}")


def dump_into(obj, serialization_format: str, handle) -> tuple:
    """Serialize ``obj`` into the binary file ``handle``; return (skops trusted types or None, the modules
    the bytes reference). A pickle streams into the file (a model of hundreds of megabytes is never held
    in memory a second time); a skops file is built in memory first.

    Raises InvalidInputError for an unknown format.
    """
    if serialization_format in ("cloudpickle", "pickle"):
        return None, pickle_into(obj, handle, serialization_format == "cloudpickle")
    data, trusted, modules = dump(obj, serialization_format)
    handle.write(data)
    return trusted, modules


def pickle_with_modules(obj, use_cloudpickle: bool) -> tuple:
    """Pickle ``obj`` (cloudpickle or plain pickle, highest protocol); return (bytes, module names).

    See ``pickle_into`` for the modules.
    """
    import io

    buffer = io.BytesIO()
    modules = pickle_into(obj, buffer, use_cloudpickle)
    return buffer.getvalue(), modules


def pickle_into(obj, handle, use_cloudpickle: bool) -> set:
    """Pickle ``obj`` (cloudpickle or plain pickle, highest protocol) into the binary file ``handle``;
    return the names of the modules it references.

    The modules are recorded while pickling — every class, function and module the
    pickle refers to, and the class of every object in it — so requirements never
    re-read a model that may be hundreds of megabytes.
    """
    pickler, modules = recording_pickler(handle, use_cloudpickle)
    pickler.dump(obj)
    return referenced_modules(modules, use_cloudpickle)


def recording_pickler(handle, use_cloudpickle: bool) -> tuple:
    """(a pickler into ``handle``, the set it adds the modules of what it pickles to): see ``pickle_into``."""
    import pickle
    import types

    if use_cloudpickle:
        import cloudpickle

        base = cloudpickle.CloudPickler
    else:
        base = pickle.Pickler
    modules: set = set()
    delegate = getattr(base, "reducer_override", None)

    class RecordingPickler(base):
        def reducer_override(self, value):
            if isinstance(value, types.ModuleType):
                modules.add(value.__name__)
            elif isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
                modules.add(getattr(value, "__module__", None))
                if isinstance(value, types.FunctionType) and value.__module__ in ("__main__", None):
                    modules.update(_imported_by(value.__code__))  # pickled by value: its imports go along
            else:
                modules.add(type(value).__module__)
            return NotImplemented if delegate is None else delegate(self, value)

    return RecordingPickler(handle, protocol=pickle.HIGHEST_PROTOCOL), modules


def referenced_modules(recorded: set, use_cloudpickle: bool) -> set:
    """The module names a ``recording_pickler`` recorded, as a model's requirements need them."""
    modules = recorded | {"cloudpickle"} if use_cloudpickle else set(recorded)
    return {m for m in modules if isinstance(m, str) and m not in ("builtins", "__main__")}


def _imported_by(code) -> set:
    """Top-level modules that a function's code imports when it runs (``import x`` inside its body)."""
    import dis

    found = set()
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME" and isinstance(instruction.argval, str):
            found.add(instruction.argval.split(".")[0])
    for constant in code.co_consts:
        if hasattr(constant, "co_code"):
            found |= _imported_by(constant)
    return found


def skops_modules(data: bytes) -> set:
    """The top-level modules named in a skops file's schema."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = archive.read("schema.json").decode("utf-8")
    return {module.split(".")[0] for module in re.findall(r'"__module__":\s*"([^"]+)"', schema)}


def load(path: str, serialization_format: str, declared_types=None, trusted_types=None):
    """Load the object stored at ``path`` in ``serialization_format``.

    For skops, a type is trusted when the caller lists it in ``trusted_types`` or when the MLmodel
    declares it (``declared_types``) and it belongs to a supported framework. Raises InvalidInputError
    naming the path for an unknown format, a file that cannot be read, or untrusted types.
    """
    if serialization_format not in FORMATS:
        raise invalid_input(f"Unknown serialization_format {serialization_format!r} for {path}: "
                            f"expected one of {FORMATS}")
    if serialization_format == "skops":
        return _load_skops(path, declared_types, trusted_types)
    from ._pickle_policy import check_pickle_allowed

    check_pickle_allowed(path)
    try:
        with open(path, "rb") as handle:
            if serialization_format == "cloudpickle":
                import cloudpickle

                return cloudpickle.load(handle)
            import pickle

            return pickle.load(handle)
    except Exception as error:  # noqa: BLE001 - any unpickling failure is reported with the path
        raise invalid_input(f"Cannot load the pickled model at {path}: {type(error).__name__}: {error}") from error


def _load_skops(path: str, declared_types, trusted_types):
    skops_io = _skops_io()
    try:
        untrusted = skops_io.get_untrusted_types(file=path)
    except Exception as error:  # noqa: BLE001 - a corrupt zip or schema
        raise invalid_input(f"Cannot read the skops model at {path}: {error}") from error
    declared = {name for name in declared_types or () if isinstance(name, str) and name.startswith(_FRAMEWORK_PREFIXES)}
    allowed = declared | set(trusted_types or ())
    refused = sorted(set(untrusted) - allowed)
    if refused:
        raise invalid_input(f"The skops model at {path} contains types that are not trusted: {refused}. "
                            "If you trust this file, pass skops_trusted_types=[...] naming them")
    return skops_io.load(path, trusted=sorted(set(untrusted)))
