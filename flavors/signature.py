"""Model signatures: the schema of a model's inputs and outputs, in MLflow's column/tensor spec JSON.

A column-based Schema lists named, typed columns (``{"type": "double", "name": "a",
"required": true}``); a tensor-based one lists arrays (``{"type": "tensor",
"tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}``).
"""

from __future__ import annotations

import json

from ._errors import invalid_input

__all__ = ["ColSpec", "TensorSpec", "Schema", "ModelSignature", "infer_signature", "infer_schema", "COLUMN_TYPES"]

# MLflow's column types and the numpy dtype each one stands for.
COLUMN_TYPES = {"boolean": "bool", "integer": "int32", "long": "int64", "float": "float32", "double": "float64",
                "string": "object", "binary": "object", "datetime": "datetime64[ns]"}
_KIND_TO_TYPE = {"b": "boolean", "U": "string", "S": "binary", "O": "string", "M": "datetime"}


class ColSpec:
    """One named (or unnamed) column of a column-based schema."""

    def __init__(self, type: str, name=None, required: bool = True):
        if type not in COLUMN_TYPES:
            raise invalid_input(f"Unknown column type {type!r}: expected one of {sorted(COLUMN_TYPES)}")
        self.type, self.name, self.required = type, name, required

    def to_dict(self) -> dict:
        result = {"type": self.type}
        if self.name is not None:
            result["name"] = self.name
        result["required"] = self.required
        return result

    def __eq__(self, other):
        return isinstance(other, ColSpec) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"{self.name!r}: {self.type}" if self.name is not None else self.type


class TensorSpec:
    """One array of a tensor-based schema: a numpy dtype name and a shape (-1 for any size)."""

    def __init__(self, dtype: str, shape, name=None):
        self.dtype, self.shape, self.name = str(dtype), tuple(shape), name

    def to_dict(self) -> dict:
        result = {"type": "tensor", "tensor-spec": {"dtype": self.dtype, "shape": list(self.shape)}}
        if self.name is not None:
            result["name"] = self.name
        return result

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"Tensor({self.dtype}, {self.shape})"


class Schema:
    """A list of ColSpecs or of TensorSpecs (never both)."""

    def __init__(self, inputs):
        self.inputs = list(inputs)
        kinds = {type(spec) for spec in self.inputs}
        if len(kinds) > 1:
            raise invalid_input("A schema holds either columns or tensors, not both")

    def is_tensor_spec(self) -> bool:
        """True for a tensor-based schema."""
        return bool(self.inputs) and isinstance(self.inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        """True when every column or tensor is named."""
        return bool(self.inputs) and all(spec.name is not None for spec in self.inputs)

    def input_names(self) -> list:
        """The names of the columns (or tensors), None for unnamed ones."""
        return [spec.name for spec in self.inputs]

    def to_json(self) -> str:
        return json.dumps([spec.to_dict() for spec in self.inputs])

    @classmethod
    def from_json(cls, text: str) -> "Schema":
        """Parse MLflow's schema JSON. Raises InvalidInputError when it is malformed."""
        try:
            items = json.loads(text) if isinstance(text, str) else text
            return cls([_spec_from_dict(item) for item in items])
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise invalid_input(f"Malformed schema {str(text)[:200]!r}: {error}") from None

    def __eq__(self, other):
        return isinstance(other, Schema) and self.inputs == other.inputs

    def __repr__(self):
        return f"Schema({self.inputs!r})"


def _spec_from_dict(item: dict):
    if item.get("type") == "tensor":
        spec = item["tensor-spec"]
        return TensorSpec(spec["dtype"], spec["shape"], item.get("name"))
    return ColSpec(item["type"], item.get("name"), item.get("required", True))


class ModelSignature:
    """A model's input Schema, output Schema (either may be None) and params (kept as written)."""

    def __init__(self, inputs=None, outputs=None, params=None):
        self.inputs, self.outputs, self.params = inputs, outputs, params

    def to_dict(self) -> dict:
        """MLflow's form: each schema as a JSON string."""
        return {"inputs": self.inputs.to_json() if self.inputs is not None else None,
                "outputs": self.outputs.to_json() if self.outputs is not None else None,
                "params": self.params}

    @classmethod
    def from_dict(cls, data: dict) -> "ModelSignature":
        """Parse the ``signature`` section of an MLmodel. Raises InvalidInputError when it is malformed."""
        if not isinstance(data, dict):
            raise invalid_input(f"Malformed signature: expected a mapping, got {type(data).__name__}")
        inputs, outputs = data.get("inputs"), data.get("outputs")
        return cls(Schema.from_json(inputs) if inputs else None, Schema.from_json(outputs) if outputs else None,
                   data.get("params"))

    def __eq__(self, other):
        return isinstance(other, ModelSignature) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"ModelSignature(inputs={self.inputs!r}, outputs={self.outputs!r})"


def infer_signature(model_input, model_output=None, params=None) -> ModelSignature:
    """Infer a ModelSignature from example inputs and (optionally) outputs.

    Accepts pandas DataFrames and Series, numpy arrays, scipy sparse matrices, xgboost
    DMatrix, lists and dicts. Raises InvalidInputError for data it cannot describe.
    """
    inputs = infer_schema(model_input) if model_input is not None else None
    outputs = infer_schema(model_output) if model_output is not None else None
    return ModelSignature(inputs, outputs, params)


def infer_schema(data) -> Schema:
    """The Schema describing ``data`` (see infer_signature). Raises InvalidInputError for unsupported data."""
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return _pandas_schema(data)
    if module == "xgboost" and type(data).__name__ in ("DMatrix", "QuantileDMatrix"):
        return _dmatrix_schema(data)
    if module == "scipy" and hasattr(data, "tocsr"):
        return Schema([TensorSpec(data.dtype.name, (-1,) + tuple(data.shape[1:]))])
    if isinstance(data, dict):
        if all(isinstance(v, (list, tuple)) or hasattr(v, "shape") for v in data.values()):
            import pandas as pd

            return _pandas_schema(pd.DataFrame(data))
        return _pandas_schema(_records_frame([data]))
    if isinstance(data, (list, tuple)) and data and all(isinstance(row, dict) for row in data):
        return _pandas_schema(_records_frame(data))
    import numpy as np

    try:
        array = np.asarray(data)
    except Exception as error:  # noqa: BLE001 - any conversion failure means unsupported data
        raise invalid_input(f"Cannot infer a schema from {type(data).__name__}: {error}") from None
    if array.dtype.kind == "O" and array.ndim == 1 and all(isinstance(v, str) for v in array[:100]):
        return Schema([ColSpec("string")])
    if array.dtype.kind == "O":
        raise invalid_input(f"Cannot infer a schema from {type(data).__name__} of mixed Python objects")
    return Schema([TensorSpec(array.dtype.name, (-1,) + array.shape[1:])])


def _records_frame(records):
    import pandas as pd

    return pd.DataFrame.from_records(list(records))


def _dtype_to_type(dtype, column) -> str:
    import numpy as np

    name = getattr(dtype, "name", str(dtype))
    if name in ("category", "str", "string") or name.startswith("string"):
        return "string"
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)  # pandas nullable Int64, Float64, boolean
    try:
        numpy_dtype = np.dtype(numpy_dtype)
    except TypeError:
        raise invalid_input(f"Cannot infer a column type for {column!r} of dtype {name}") from None
    kind = numpy_dtype.kind
    if kind in _KIND_TO_TYPE:
        return _KIND_TO_TYPE[kind]
    if kind in "iu":
        return "integer" if numpy_dtype.itemsize <= 4 and not (kind == "u" and numpy_dtype.itemsize == 4) else "long"
    if kind == "f":
        return "float" if numpy_dtype.itemsize <= 4 else "double"
    raise invalid_input(f"Cannot infer a column type for {column!r} of dtype {name}")


def _pandas_schema(data) -> Schema:
    if hasattr(data, "columns"):
        return Schema([ColSpec(_dtype_to_type(dtype, name), str(name)) for name, dtype in data.dtypes.items()])
    name = data.name if data.name is not None else None
    return Schema([ColSpec(_dtype_to_type(data.dtype, name), None if name is None else str(name))])


def _dmatrix_schema(dmatrix) -> Schema:
    names = dmatrix.feature_names
    if not names:
        return Schema([TensorSpec("float32", (-1, dmatrix.num_col()))])
    types = dmatrix.feature_types or ["float"] * len(names)
    mapping = {"int": "long", "i": "boolean", "c": "string"}
    return Schema([ColSpec(mapping.get(kind, "double"), name) for name, kind in zip(names, types)])
