"""xgboost's own data container, the DMatrix: its fingerprint and a few rows as an input example."""

from __future__ import annotations

import sys

from ._datasets import _label_parts, fingerprint, fingerprint_from_parts, row_sample_indices

__all__ = ["training_fingerprint", "dmatrix_example", "rows_example"]

_SAMPLE_ROWS = 1_000
_EXAMPLE_ROWS = 5
_INTEGER_TYPES = frozenset({"int", "i"})


def _is_dmatrix(data) -> bool:
    xgboost = sys.modules.get("xgboost")
    return xgboost is not None and isinstance(data, xgboost.DMatrix)


def _features(dmatrix):
    names = dmatrix.feature_names
    if names is None:
        return None
    types = dmatrix.feature_types or ["float"] * len(names)
    return [{"name": name, "type": kind} for name, kind in zip(names, types)]


def _can_slice(dmatrix) -> bool:
    xgboost = sys.modules["xgboost"]
    return not isinstance(dmatrix, getattr(xgboost, "QuantileDMatrix", ())) and not isinstance(
        dmatrix, getattr(xgboost, "DataIter", ()))


def _rows(dmatrix, positions):
    """The CSR rows at ``positions``; a DMatrix with query groups cannot be sliced, so it is read whole."""
    if len(dmatrix.get_uint_info("group_ptr")):
        return dmatrix.get_data()[positions]
    return dmatrix.slice(positions).get_data()


def training_fingerprint(data, labels=None) -> dict:
    """Fingerprint of the training data: a DMatrix (labels and a row sample) or raw arrays/frames."""
    if not _is_dmatrix(data):
        return fingerprint(data, labels)
    import numpy as np

    shape, features = (data.num_row(), data.num_col()), _features(data)
    parts = [*_label_parts(data.get_label()), repr(features).encode()]  # labels sampled as for arrays
    if _can_slice(data):
        sample = row_sample_indices(shape[0], _SAMPLE_ROWS)  # as int32 positions: xgboost reads them in place
        rows = _rows(data, np.arange(sample.start, sample.stop, sample.step, dtype=np.int32))
        parts += [rows.data, rows.indices, rows.indptr]
    return fingerprint_from_parts("xgboost.DMatrix", shape, parts, features)


def dmatrix_example(dmatrix, schema_only: bool = False):
    """The first rows of a DMatrix as a DataFrame (named features) or float array, missing cells NaN; or None.

    None when the container cannot give its rows back (QuantileDMatrix, external memory). ``schema_only``:
    the example only describes a signature's inputs, so a DMatrix without feature names gives a zero-row
    float array of its width (the schema its rows would give) without reading them.
    """
    if not _can_slice(dmatrix) or dmatrix.num_row() == 0:
        return None
    import numpy as np

    if schema_only and dmatrix.feature_names is None:
        return np.empty((0, dmatrix.num_col()))

    count = min(_EXAMPLE_ROWS, dmatrix.num_row())
    csr = _rows(dmatrix, list(range(count)))
    dense = np.full(csr.shape, np.nan, dtype=np.float64)
    for row in range(count):
        start, end = csr.indptr[row], csr.indptr[row + 1]
        dense[row, csr.indices[start:end]] = csr.data[start:end]
    features = _features(dmatrix)
    if features is None:
        return dense
    import pandas

    frame = pandas.DataFrame(dense, columns=[feature["name"] for feature in features])
    for feature in features:
        column = frame[feature["name"]]
        if feature["type"] in _INTEGER_TYPES and not column.isna().any():
            frame[feature["name"]] = column.astype("int64")
    return frame


def rows_example(data):
    """The first rows of raw training data (numpy, pandas, scipy sparse), or None for other kinds."""
    if _is_dmatrix(data):
        return dmatrix_example(data)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return data.iloc[:_EXAMPLE_ROWS].copy()
    scipy_sparse = sys.modules.get("scipy.sparse")
    if scipy_sparse is not None and scipy_sparse.issparse(data):
        return data.tocsr()[:_EXAMPLE_ROWS].toarray()
    if hasattr(data, "shape") and hasattr(data, "__getitem__") and len(getattr(data, "shape", ())) == 2:
        import numpy as np

        return np.asarray(data[:_EXAMPLE_ROWS])
    return None
