"""Input examples: saved as ``input_example.json`` in MLflow's layout, and read back.

DataFrames are written in pandas' ``split`` orient without the index, arrays as
``{"inputs": [...]}``, and dicts or lists of records as JSON objects.
"""

from __future__ import annotations

import json
import os

from ._errors import invalid_input

__all__ = ["save_input_example", "load_input_example", "EXAMPLE_FILE"]

EXAMPLE_FILE = "input_example.json"


def _to_json_value(value):
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        return value.tolist()
    if module == "pandas" and hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def save_input_example(model_dir: str, example) -> dict:
    """Write ``example`` into ``model_dir``; return the ``saved_input_example_info`` section.

    Raises InvalidInputError for an example that cannot be written as JSON.
    """
    module = type(example).__module__.split(".")[0]
    if module == "pandas":
        frame = example.to_frame() if not hasattr(example, "columns") else example
        content = {"columns": [str(c) for c in frame.columns], "data": frame.to_numpy().tolist()}
        info = {"type": "dataframe", "pandas_orient": "split"}
    elif module == "numpy" or (module == "scipy" and hasattr(example, "toarray")):
        array = example.toarray() if hasattr(example, "toarray") else example
        content, info = {"inputs": array.tolist()}, {"type": "ndarray", "format": "tf-serving"}
    elif isinstance(example, (dict, list)):
        content, info = example, {"type": "json_object"}
    else:
        raise invalid_input(f"Unsupported input_example of type {type(example).__name__}: give a DataFrame, "
                            "an ndarray, a dict or a list")
    try:
        text = json.dumps(content, default=_to_json_value)
    except (TypeError, ValueError) as error:
        raise invalid_input(f"input_example cannot be saved as JSON: {error}") from None
    with open(os.path.join(model_dir, EXAMPLE_FILE), "w", encoding="utf-8") as handle:
        handle.write(text)
    return {"artifact_path": EXAMPLE_FILE, **info}


def load_input_example(model_dir: str, info: dict):
    """Read the example described by ``info`` (a ``saved_input_example_info``) from ``model_dir``.

    Raises InvalidInputError when the file is missing or unreadable.
    """
    path = os.path.join(model_dir, info.get("artifact_path", EXAMPLE_FILE))
    try:
        with open(path, encoding="utf-8") as handle:
            content = json.load(handle)
    except (OSError, ValueError) as error:
        raise invalid_input(f"Cannot read the input example at {path}: {error}") from None
    kind = info.get("type")
    if kind == "dataframe":
        import pandas as pd

        if isinstance(content, dict) and "dataframe_split" in content:
            content = content["dataframe_split"]
        return pd.DataFrame(content["data"], columns=content["columns"])
    if kind == "ndarray":
        import numpy as np

        inputs = content.get("inputs", content) if isinstance(content, dict) else content
        return np.asarray(inputs)
    return content
