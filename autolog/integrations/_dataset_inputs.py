"""The training and evaluation sets of an autologged call, recorded as the run's dataset inputs.

Each set becomes a Dataset (name, the fingerprint's digest, the running code as source,
schema and profile in MLflow's JSON forms) with context ``train`` or ``eval``, as MLflow's
autologgers record them. All sets of one call go to the store in one write.
"""

from __future__ import annotations

import json

__all__ = ["dataset_input", "log_dataset_inputs", "TRAIN", "EVAL"]

TRAIN = "train"
EVAL = "eval"
# pandas/numpy dtype names -> MLflow column types
_COLUMN_TYPES = {"float64": "double", "float32": "float", "float16": "float", "int64": "long", "int32": "integer",
                 "int16": "integer", "int8": "integer", "uint8": "integer", "uint16": "integer", "bool": "boolean",
                 "object": "string", "category": "string", "string": "string", "str": "string",
                 "float": "double", "int": "long", "i": "boolean", "q": "double", "c": "string"}
_source = None


def _code_source() -> str:
    global _source
    if _source is None:
        from ..tracking.run_context import system_tags

        tags = system_tags()
        _source = json.dumps({"tags": {key: tags[key] for key in
                                       ("mlflow.user", "mlflow.source.name", "mlflow.source.type")}})
    return _source


def _schema(info: dict) -> str:
    features = info.get("features")
    if info.get("source") == "pandas" and features:
        return json.dumps({"mlflow_colspec": [
            {"type": _COLUMN_TYPES.get(feature["type"], "string"), "name": feature["name"], "required": True}
            for feature in features]})
    shape = info.get("shape") or []
    dtype = features[0]["type"] if features else "float64"
    return json.dumps({"mlflow_tensorspec": {"features": json.dumps(
        [{"type": "tensor", "tensor-spec": {"dtype": dtype, "shape": [-1, *shape[1:]]}}])}})


def _profile(info: dict) -> str:
    shape = list(info.get("shape") or [])
    if not shape:
        return json.dumps({})
    elements = 1
    for size in shape:
        elements *= int(size)
    return json.dumps({"num_rows": int(shape[0]), "num_elements": elements})


def dataset_input(info: dict, name: str, context: str):
    """The DatasetInput for a fingerprint dict (see ``_datasets``) named ``name`` in ``context``."""
    from ..tracking.entities import Dataset, DatasetInput, InputTag

    dataset = Dataset(str(name)[:500], info["digest"][:36], "code", _code_source(), _schema(info), _profile(info))
    return DatasetInput(dataset, [InputTag("mlflow.data.context", context)])


def log_dataset_inputs(call, inputs) -> None:
    """Record ``inputs`` (DatasetInputs) on the call's run in one write (with the run itself, when the call
    started it and has not written it yet); nothing when empty.

    Raises NotFoundError / StoreError from the store.
    """
    if inputs:
        starting = call.starting_run
        if starting is not None and starting.hold({}, {}, inputs):
            return  # written with the run, when the call creates it
        from ..tracking import Client

        Client().log_inputs(call.run_id, list(inputs))
