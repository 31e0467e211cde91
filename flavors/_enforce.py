"""Schema enforcement for pyfunc input: check names, types and shapes; upcast only where safe.

Data that already matches the schema is passed through without a copy, so scoring
costs what the framework's own predict costs. Errors name the offending column.
"""

from __future__ import annotations

from ._errors import invalid_input
from .signature import COLUMN_TYPES

__all__ = ["array_dtype", "enforce_schema", "normalize_input"]

_ARRAY_TYPES = ("double", "float", "long", "integer")


def normalize_input(data):
    """Turn records (a dict, a list of dicts) into a DataFrame and plain lists into an ndarray; else as given."""
    if isinstance(data, dict):
        import pandas as pd

        if data and all(isinstance(v, (list, tuple)) or hasattr(v, "shape") for v in data.values()):
            return pd.DataFrame(data)
        return pd.DataFrame.from_records([data])
    if isinstance(data, (list, tuple)):
        if data and all(isinstance(row, dict) for row in data):
            import pandas as pd

            return pd.DataFrame.from_records(list(data))
        import numpy as np

        return np.asarray(data)
    return data


def enforce_schema(data, schema):
    """Return ``data`` checked against ``schema`` (None: only normalized).

    Raises InvalidInputError naming the column for a missing required column or a type
    that cannot be converted safely, and naming the shape or dtype for a tensor mismatch.
    """
    data = normalize_input(data)
    if schema is None or not schema.inputs:
        return data
    if schema.is_tensor_spec():
        return _enforce_tensor(data, schema.inputs[0]) if len(schema.inputs) == 1 else data
    if not schema.has_input_names():
        return data
    return _enforce_columns(data, schema)


def array_dtype(schema):
    """The numpy dtype name shared by every column of ``schema`` when they are all named, required and
    numeric of one type (a 2-D array of that dtype, in signature column order, conforms as it is); else None."""
    if schema is None or not schema.inputs or schema.is_tensor_spec() or not schema.has_input_names():
        return None
    types = {spec.type for spec in schema.inputs}
    if len(types) != 1 or not all(spec.required for spec in schema.inputs):
        return None
    [column_type] = types
    return COLUMN_TYPES[column_type] if column_type in _ARRAY_TYPES else None


def _as_frame(data, names):
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return data.to_frame() if hasattr(data, "to_frame") and not hasattr(data, "columns") else data
    if module == "numpy":
        import pandas as pd

        array = data.reshape(-1, 1) if data.ndim == 1 and len(names) == 1 else data
        if array.ndim != 2 or array.shape[1] != len(names):
            raise invalid_input(f"Model input has shape {data.shape}, but the signature expects "
                                f"{len(names)} columns {names}")
        return pd.DataFrame(array, columns=names, copy=False)
    return None


def _enforce_columns(data, schema):
    specs = schema.inputs
    names = [spec.name for spec in specs]
    frame = _as_frame(data, names)
    if frame is None:  # sparse matrices, DMatrix and other framework types go through as given
        return data
    columns = set(frame.columns)
    missing = [spec.name for spec in specs if spec.required and spec.name not in columns]
    if missing:
        raise invalid_input(f"Model input is missing required column(s) {missing}; "
                            f"the signature expects {names}, got {list(frame.columns)}")
    casts = {}
    for spec in specs:
        if spec.name in columns:
            target = _column_cast(spec, frame[spec.name].dtype)
            if target is not None:
                casts[spec.name] = target
    present = [name for name in names if name in columns]
    if list(frame.columns) != present:
        frame = frame[present]
    return frame.astype(casts) if casts else frame


def _column_cast(spec, dtype):
    """None when ``dtype`` fits ``spec`` as is, else the dtype to upcast to; raises when no safe cast exists."""
    import numpy as np

    expected = spec.type
    name = getattr(dtype, "name", str(dtype))
    actual = _numpy(dtype)
    if expected in ("string", "binary"):
        if name in ("category", "str") or name.startswith("string") or (actual is not None and actual.kind in "OUS"):
            return None
        raise _type_error(spec, name)
    if actual is None:
        raise _type_error(spec, name)
    target = np.dtype(COLUMN_TYPES[expected])
    if actual == target or (expected == "datetime" and actual.kind == "M"):
        return None
    if actual.kind in "biuf" and target.kind in "biuf" and np.can_cast(actual, target, "safe") \
            and not (actual.kind == "b" and target.kind != "b"):
        return target
    raise _type_error(spec, name)


def _numpy(dtype):
    import numpy as np

    try:
        return np.dtype(getattr(dtype, "numpy_dtype", dtype))
    except TypeError:
        return None


def _type_error(spec, actual_name: str):
    return invalid_input(f"Incompatible input type for column {spec.name!r}: the signature expects "
                         f"{spec.type}, got {actual_name} (only safe upcasts are applied)")


def _enforce_tensor(data, spec):
    import numpy as np

    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        data = data.to_numpy()
    elif module != "numpy":
        return data  # sparse matrices and DMatrix: the framework checks them
    expected_shape = spec.shape
    if data.ndim != len(expected_shape) or any(
            want != -1 and want != got for want, got in zip(expected_shape, data.shape)):
        raise invalid_input(f"Model input has shape {data.shape}, but the signature expects {list(expected_shape)}"
                            " (-1: any size)")
    target = np.dtype(spec.dtype)
    if data.dtype == target:
        return data
    if np.can_cast(data.dtype, target, "safe"):
        return data.astype(target)
    raise invalid_input(f"Model input has dtype {data.dtype}, but the signature expects {target} "
                        "(only safe upcasts are applied)")
