"""``dask_predict``: score a Dask DataFrame partition by partition with any model.

The model directory is packed once and put in the graph as one delayed value, so each
worker receives it once, loads it once (see ``_shipping``) and scores every partition
it holds with it. dask is imported only when ``dask_predict`` is called.
"""

from __future__ import annotations

from ._errors import invalid_input

__all__ = ["dask_predict"]


def _score_partition(partition, key: str, archive, columns, params, output_names):
    import pandas as pd

    from ._outputs import prediction_columns
    from ._shipping import load_shipped_model

    model = load_shipped_model(key, archive)
    frame = partition[list(columns)] if columns else partition
    outputs = prediction_columns(model.predict(frame, params=params), output_names)
    if len(outputs) == 1:
        name, values = next(iter(outputs.items()))
        return pd.Series(values, index=partition.index, name=name)
    return pd.DataFrame(outputs, index=partition.index)


def _meta(model_dir: str, sample, columns, params, output_names):
    """An empty Series/DataFrame with the dtypes the model's predictions have, from scoring a sample."""
    import pandas as pd

    from ._shipping import pack_model_dir

    key, archive = pack_model_dir(model_dir)
    scored = _score_partition(sample, key, archive, columns, params, output_names)
    return scored.iloc[:0] if isinstance(scored, (pd.Series, pd.DataFrame)) else scored


def dask_predict(ddf, model_uri, columns=None, params=None, meta=None):
    """Predictions for every row of the Dask DataFrame ``ddf``, computed partition by partition.

    Returns a Dask Series named ``prediction`` (a Dask DataFrame, one column per output, for a
    multi-output model) aligned with ``ddf``'s index, so ``ddf.assign(prediction=...)`` works.
    ``columns`` picks the input columns (default: all, checked against the signature);
    ``meta`` describes the result when a sample of fake rows cannot be scored. Raises
    NotFoundError for a missing model and InvalidInputError for input the model rejects.
    """
    import dask

    from ._outputs import output_names
    from ._paths import resolve_model_dir
    from ._shipping import pack_model_dir
    from .model import Model

    if not hasattr(ddf, "map_partitions"):
        raise invalid_input(f"dask_predict scores a Dask DataFrame, got {type(ddf).__name__}")
    model_dir = resolve_model_dir(model_uri)
    outputs = output_names(type("Loaded", (), {"metadata": Model.load(model_dir)})())
    key, archive = pack_model_dir(model_dir)
    if meta is None:
        meta = _meta(model_dir, ddf._meta_nonempty, columns, params, outputs)
    shipped = dask.delayed(archive, pure=True)
    return ddf.map_partitions(_score_partition, key, shipped, columns, params, outputs, meta=meta)
