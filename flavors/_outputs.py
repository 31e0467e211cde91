"""Turn what a model's ``predict`` returned into named columns, the same way for every batch engine.

A 1-D array or a Series is one ``prediction`` column; a 2-D array gets one column per
output (named by the output signature when it names them, else ``prediction_0``...);
a DataFrame keeps its column names; a dict maps names to arrays.
"""

from __future__ import annotations

from ._errors import invalid_input

__all__ = ["prediction_columns", "output_names", "DEFAULT_COLUMN"]

DEFAULT_COLUMN = "prediction"


def prediction_columns(predictions, output_names=None) -> dict:
    """``{column name: 1-D array or Series}`` for ``predictions``; ``output_names`` name 2-D outputs.

    Raises InvalidInputError for predictions that cannot be laid out as columns (3-D arrays, scalars).
    """
    module = type(predictions).__module__.split(".")[0]
    if module == "pandas":
        if hasattr(predictions, "columns"):
            return {_name(name, index): predictions[name].to_numpy() for index, name in
                    enumerate(predictions.columns)}
        return {DEFAULT_COLUMN: predictions.to_numpy()}
    if isinstance(predictions, dict):
        return {str(name): _one_dimensional(values, name) for name, values in predictions.items()}
    import numpy as np

    array = predictions if isinstance(predictions, np.ndarray) else np.asarray(predictions)
    if array.ndim == 1:
        return {DEFAULT_COLUMN: array}
    if array.ndim == 2:
        if array.shape[1] == 1:
            return {DEFAULT_COLUMN: array[:, 0]}
        names = list(output_names or [])
        if len(names) != array.shape[1] or not all(names):
            names = [f"{DEFAULT_COLUMN}_{index}" for index in range(array.shape[1])]
        return {str(name): array[:, index] for index, name in enumerate(names)}
    raise invalid_input(f"Cannot lay out predictions of shape {array.shape} as columns: expected 1-D or 2-D")


def _name(name, index: int) -> str:
    return name if isinstance(name, str) else f"{DEFAULT_COLUMN}_{index}"


def _one_dimensional(values, name):
    import numpy as np

    array = np.asarray(values)
    if array.ndim != 1:
        raise invalid_input(f"Prediction output {name!r} has shape {array.shape}: expected one value per row")
    return array


def output_names(model) -> list:
    """The names of the model's output columns from its signature, or an empty list."""
    schema = model.metadata.get_output_schema() if hasattr(model, "metadata") else None
    if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
        return []
    return schema.input_names()
