"""Cheap fingerprints of training data: shape, a digest of a row sample, feature names and types.

The digest hashes at most ``SAMPLE_ROWS`` evenly spaced rows plus the shape, so it
costs about the same for a thousand rows or a hundred million, and never converts
the data to another library's type. Frameworks with their own data containers
(xgboost's DMatrix, lightgbm's Dataset) build the parts themselves and call
:func:`fingerprint_from_parts`.
"""

from __future__ import annotations

import hashlib
import sys

__all__ = ["SAMPLE_ROWS", "fingerprint", "fingerprint_from_parts", "row_sample_indices", "dataset_tags"]

SAMPLE_ROWS = 10_000


def row_sample_indices(n_rows: int, limit: int = SAMPLE_ROWS):
    """Evenly spaced row positions (a range) covering ``n_rows`` with at most ``limit`` of them."""
    step = max(1, -(-n_rows // limit))
    return range(0, n_rows, step)


def fingerprint_from_parts(source: str, shape: tuple, parts, features=None) -> dict:
    """The fingerprint dict from already sampled byte ``parts`` (bytes or buffer objects).

    ``features`` is a list of {"name", "type"} dicts or None.
    """
    digest = hashlib.sha256()  # hardware-accelerated on current x86 and Arm CPUs: twice blake2b's speed there
    digest.update(repr(tuple(shape)).encode())
    for part in parts:
        if part is not None:
            digest.update(memoryview(part).cast("B") if not isinstance(part, bytes) else part)
    result = {"source": source, "shape": list(shape), "digest": digest.hexdigest()[:32]}
    if features is not None:
        result["features"] = features
    return result


def fingerprint(data, labels=None) -> dict:
    """Fingerprint numpy arrays, pandas DataFrames/Series, scipy sparse matrices or lists.

    Raises TypeError for data of another kind.
    """
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, (pandas.DataFrame, pandas.Series)):
        return _pandas_fingerprint(pandas, data, labels)
    scipy_sparse = sys.modules.get("scipy.sparse")
    if scipy_sparse is not None and scipy_sparse.issparse(data):
        csr = data.tocsr()
        rows = csr[list(row_sample_indices(csr.shape[0]))]
        return fingerprint_from_parts("scipy.sparse", csr.shape, [rows.data, rows.indices, rows.indptr,
                                                                  *_label_parts(labels)])
    import numpy as np

    array = np.asarray(data)
    if array.dtype == object:
        raise TypeError(f"Cannot fingerprint data of type {type(data).__name__} with object values")
    sample = np.ascontiguousarray(array[::max(1, -(-len(array) // SAMPLE_ROWS))]) if array.ndim else array
    type_name = str(array.dtype)  # numpy's dtype.__str__ is Python code: once, not once per column
    features = [{"name": f"f{i}", "type": type_name} for i in range(array.shape[1])] if array.ndim == 2 else None
    return fingerprint_from_parts("numpy", array.shape, [type_name.encode(), sample, *_label_parts(labels)],
                                  features)


def _pandas_fingerprint(pandas, data, labels) -> dict:
    positions = list(row_sample_indices(len(data)))
    sample = data.iloc[positions]
    hashed = pandas.util.hash_pandas_object(sample, index=False).to_numpy()
    frame = data.to_frame() if isinstance(data, pandas.Series) else data
    features = [{"name": str(name), "type": str(dtype)} for name, dtype in frame.dtypes.items()]
    return fingerprint_from_parts("pandas", data.shape, [hashed, *_label_parts(labels)], features)


def _label_parts(labels) -> list:
    if labels is None:
        return []
    import numpy as np

    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(labels, (pandas.DataFrame, pandas.Series)):
        sample = labels.iloc[list(row_sample_indices(len(labels)))]
        return [pandas.util.hash_pandas_object(sample, index=False).to_numpy()]
    array = np.asarray(labels)
    if array.ndim:
        array = array[::max(1, -(-len(array) // SAMPLE_ROWS))]
    if array.dtype == object:
        return [repr(array.tolist()).encode()]
    return [np.ascontiguousarray(array)]


def dataset_tags(info: dict, prefix: str = "autolog.dataset") -> dict:
    """Searchable run tags (digest, shape, source) for a fingerprint dict."""
    return {f"{prefix}.digest": info["digest"], f"{prefix}.shape": "x".join(map(str, info["shape"])),
            f"{prefix}.source": info["source"]}
