"""MLflow's scoring protocol: request bodies to model input, predictions to the JSON answer.

Accepted, as ``mlflow models serve`` accepts them (``POST /invocations``):

- ``application/json`` with exactly one of ``dataframe_split`` (``{"columns", "data"[, "index"]}``),
  ``dataframe_records`` (a list of row objects), ``instances`` (rows: objects or lists) or
  ``inputs`` (columns as ``{name: [values]}``, or rows), and optionally ``params``;
- ``text/csv`` with a header line; ``application/vnd.apache.parquet``.

The answer is ``{"predictions": ...}``; an error is ``{"error_code": ..., "message": ...}``
with the HTTP status MLflow uses for that code.

JSON goes through orjson when it is installed (the ``[server]`` extra): parsing the numbers of a
1,000-row request is most of its cost. Whatever orjson refuses (``NaN``, integers beyond 64 bits)
is parsed again by the standard library, so both accept the same bodies. A ``dataframe_split``
whose columns are the signature's, in order, becomes one numpy array (no DataFrame) when the model
scores arrays (``PyFuncModel.array_dtype``).
"""

from __future__ import annotations

import io
import json

try:
    import orjson
except ImportError:  # the standard library alone, a little slower
    orjson = None

__all__ = ["RequestError", "parse_request", "predictions_json", "FORMATS", "CONTENT_TYPES"]

FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
CONTENT_TYPES = ("application/json", "text/csv", "application/vnd.apache.parquet")
_STATUS = {"BAD_REQUEST": 400, "INVALID_PARAMETER_VALUE": 400, "RESOURCE_EXHAUSTED": 413,
           "UNSUPPORTED_MEDIA_TYPE": 415, "INTERNAL_ERROR": 500}


class RequestError(Exception):
    """A request the server answers with an error: ``status``, and MLflow's ``error_code`` and message."""

    def __init__(self, message: str, error_code: str = "BAD_REQUEST", error_class=None, status=None):
        super().__init__(message)
        self.message, self.error_code, self.error_class = message, error_code, error_class
        self.status = status or _STATUS.get(error_code, 500)

    def body(self) -> bytes:
        """The JSON error body MLflow's scoring server sends."""
        payload = {"error_code": self.error_code, "message": self.message}
        if self.error_class:
            payload["error_class"] = self.error_class
        return json.dumps(payload).encode()


def parse_request(body: bytes, content_type, input_schema=None, array_dtype=None) -> tuple:
    """``(model input, params)`` for a request body of ``content_type``; numeric ``dataframe_split`` rows in
    signature order become an ndarray of ``array_dtype`` when it is given (the model's ``array_dtype``).

    Raises RequestError: 415 for an unsupported content type or charset, 400 for a body
    that is not valid in its format.
    """
    mime, parameters = _split_content_type(content_type or "")
    if parameters.get("charset", "utf-8").lower() != "utf-8":
        raise RequestError("The scoring server only supports UTF-8", "UNSUPPORTED_MEDIA_TYPE")
    if mime == "application/json":
        return _parse_json(body, input_schema, array_dtype)
    if mime == "text/csv":
        return _cast_to_schema(_read_table(lambda pd: pd.read_csv(io.BytesIO(body)), "CSV"), input_schema), None
    if mime == "application/vnd.apache.parquet":
        return _read_table(lambda pd: pd.read_parquet(io.BytesIO(body)), "Parquet"), None
    raise RequestError(f"This predictor only supports the following content types: {list(CONTENT_TYPES)}. "
                       f"Got {content_type!r}.", "UNSUPPORTED_MEDIA_TYPE")


def _split_content_type(content_type: str) -> tuple:
    mime, *pairs = [part.strip() for part in content_type.split(";")]
    parameters = {key.strip().lower(): value.strip() for key, _, value in (p.partition("=") for p in pairs if p)}
    return mime.lower(), parameters


def _read_table(read, label: str):
    import pandas as pd

    try:
        return read(pd)
    except Exception as error:  # noqa: BLE001 - any parse failure is the client's bad body
        raise RequestError(f"Failed to parse input as a {label} table: {error}") from None


def _loads(body: bytes):
    if orjson is not None:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # the standard library accepts a little more (NaN, Infinity, huge integers) or words the error
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(f"Ensure that input is a valid JSON formatted string. Error: {error}") from None


def _parse_json(body: bytes, input_schema, array_dtype=None) -> tuple:
    document = _loads(body)
    if not isinstance(document, dict):
        raise RequestError(f"The input must be a JSON dictionary with exactly one of the input fields "
                           f"{list(FORMATS)}. Received a {type(document).__name__}.")
    keys = [key for key in FORMATS if key in document]
    if len(keys) != 1:
        raise RequestError(f"The input must be a JSON dictionary with exactly one of the input fields "
                           f"{list(FORMATS)}. Received dictionary with input fields: {list(document)}.")
    params = document.get("params")
    if params is not None and not isinstance(params, dict):
        raise RequestError(f"'params' must be a JSON object, got {type(params).__name__}")
    if keys[0] == "dataframe_split" and array_dtype is not None:
        array = _split_array(document[keys[0]], input_schema, array_dtype)
        if array is not None:
            return array, params
    return _cast_to_schema(_decode(keys[0], document[keys[0]], input_schema), input_schema), params


def _split_array(value, input_schema, array_dtype):
    """The ``dataframe_split`` rows as one ndarray of ``array_dtype`` when its columns are the signature's, in
    order, and every value is a number; else None (the DataFrame path then decodes it, or names the problem)."""
    import numpy as np

    if not isinstance(value, dict) or set(value) != {"columns", "data"} \
            or value["columns"] != _column_names(input_schema):
        return None
    try:
        array = np.asarray(value["data"])
    except ValueError:
        return None
    target = np.dtype(array_dtype)
    if array.ndim != 2 or array.shape[1] != len(value["columns"]) or array.dtype.kind not in "iuf" \
            or (array.dtype.kind == "f" and target.kind != "f"):
        return None
    return array if array.dtype == target else array.astype(target)


def _decode(key: str, value, input_schema):
    import pandas as pd

    try:
        if key == "dataframe_split":
            if not isinstance(value, dict) or "data" not in value or set(value) - {"columns", "data", "index"}:
                raise RequestError("Dataframe split format must be a dictionary with a 'data' field and "
                                   f"optionally 'columns' and 'index' fields. Got {_describe(value)}.")
            return _split_frame(value, input_schema)
        if key == "dataframe_records":
            if not isinstance(value, list):
                raise RequestError(f"Dataframe records format must be a list of records. Got {_describe(value)}.")
            return pd.DataFrame(value)
        return _tensor_or_columns(value, input_schema)
    except RequestError:
        raise
    except Exception as error:  # noqa: BLE001 - pandas/numpy reject malformed shapes with various errors
        raise RequestError(f"Provided {key} field is not a valid input: {error}") from None


def _split_frame(value: dict, input_schema):
    """The DataFrame of a ``dataframe_split`` body; all-numeric rows go through one numpy array (fast)."""
    import numpy as np
    import pandas as pd

    columns, index = value.get("columns"), value.get("index")
    try:
        array = np.asarray(value["data"])
    except ValueError:  # ragged rows: let pandas say what is wrong
        array = None
    integer_columns = any(spec.type in ("integer", "long", "boolean") for spec in
                          (input_schema.inputs if _column_names(input_schema) else ()))
    if array is not None and array.ndim == 2 and array.dtype.kind in "iuf" \
            and not (array.dtype.kind == "f" and integer_columns):
        return pd.DataFrame(array, columns=columns, index=index, copy=False)
    return pd.DataFrame(value["data"], columns=columns, index=index)


def _describe(value) -> str:
    return "a dictionary" if isinstance(value, dict) else "a list" if isinstance(value, list) \
        else f"type {type(value).__name__}"


def _tensor_or_columns(value, input_schema):
    """``instances``/``inputs``: rows of objects or a column mapping become a DataFrame, else an array."""
    import numpy as np
    import pandas as pd

    names = _column_names(input_schema)
    if isinstance(value, dict):
        lengths = {len(v) for v in value.values() if isinstance(v, list)}
        if len(lengths) > 1:
            raise RequestError("The length of values for each input/column name are not the same")
        return pd.DataFrame(value) if lengths else pd.DataFrame([value])
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        return pd.DataFrame(value)
    if isinstance(value, list) and len(names) == 1 and not any(isinstance(v, (list, dict)) for v in value):
        return pd.DataFrame({names[0]: value})
    array = np.asarray(value)
    if array.dtype.kind == "O" and array.ndim > 1:
        raise RequestError("The rows of the input have different lengths")
    return array


def _column_names(schema) -> list:
    if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
        return []
    return schema.input_names()


def _cast_to_schema(data, schema):
    """Numeric columns converted to the signature's numeric types (JSON and CSV carry no widths)."""
    if not hasattr(data, "columns") or not _column_names(schema):
        return data
    import numpy as np

    from flavors.signature import COLUMN_TYPES

    casts = {}
    for spec in schema.inputs:
        if spec.name in data.columns and spec.type in ("integer", "long", "float", "double"):
            kind = data[spec.name].dtype.kind
            target = np.dtype(COLUMN_TYPES[spec.type])
            if kind in "fiu" and data[spec.name].dtype != target and not (target.kind == "i" and kind == "f"):
                casts[spec.name] = target
    return data.astype(casts) if casts else data


def jsonable(predictions):
    """``predictions`` as plain lists and dicts, shaped as MLflow's scoring server shapes them."""
    module = type(predictions).__module__.split(".")[0]
    if module == "numpy" and hasattr(predictions, "tolist"):
        return predictions.tolist()
    if module == "pandas":
        import pandas as pd

        frame = predictions if hasattr(predictions, "columns") else pd.DataFrame(predictions)
        return json.loads(frame.to_json(orient="records"))
    if isinstance(predictions, dict):
        return {str(key): jsonable(value) for key, value in predictions.items()}
    if isinstance(predictions, (list, tuple)):
        return [jsonable(value) for value in predictions]
    return predictions.item() if hasattr(predictions, "item") else predictions


def predictions_json(predictions) -> bytes:
    """The body of a successful answer: ``{"predictions": ...}``."""
    array = _finite_array(predictions) if orjson is not None else None
    if array is not None:
        return orjson.dumps({"predictions": array}, option=orjson.OPT_SERIALIZE_NUMPY)
    return json.dumps({"predictions": jsonable(predictions)}, default=_default).encode()


def _finite_array(predictions):
    """A numeric ndarray of finite values as orjson writes it (C order, floats widened exactly to float64, as
    ``tolist`` widens them), else None: orjson writes NaN and infinities as null where MLflow writes them."""
    if type(predictions).__name__ != "ndarray" or predictions.dtype.kind not in "iuf" or predictions.ndim == 0:
        return None
    import numpy as np

    if predictions.dtype.kind == "f":
        if not np.isfinite(predictions).all():
            return None
        predictions = predictions.astype(np.float64, copy=False)
    return np.ascontiguousarray(predictions)


def _default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"Cannot serialize {type(value).__name__} as JSON")
