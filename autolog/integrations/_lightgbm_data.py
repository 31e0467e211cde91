"""lightgbm's own data container, the Dataset: its fingerprint and a few rows as an input example.

Both are taken before training: ``lgb.train`` constructs the Dataset and, by default,
frees the raw data it was built from.
"""

from __future__ import annotations

import os

from ._datasets import fingerprint, fingerprint_from_parts
from ._xgboost_data import rows_example

__all__ = ["training_fingerprint", "dataset_example"]


def _features(dataset):
    names = dataset.feature_name
    if isinstance(names, (list, tuple)):
        return [{"name": str(name), "type": "unknown"} for name in names]
    return None


def training_fingerprint(dataset) -> dict:
    """Fingerprint of a lightgbm Dataset: its raw data when still held, else the constructed container.

    A Dataset built from a file is fingerprinted by the file's path, size and modification time.
    Raises TypeError for raw data of a kind the fingerprint does not know.
    """
    data = dataset.data
    if isinstance(data, (str, os.PathLike)):
        stat = os.stat(data)
        return fingerprint_from_parts("lightgbm.Dataset(file)", (),
                                      [os.fspath(data).encode(), repr((stat.st_size, stat.st_mtime_ns)).encode()])
    if data is not None:
        label = dataset.label if dataset.label is not None else None
        return fingerprint(data, label)
    if getattr(dataset, "_handle", None) is None:  # neither raw data nor a constructed container: nothing to hash
        return fingerprint_from_parts("lightgbm.Dataset", (), [])
    shape = (dataset.num_data(), dataset.num_feature())
    label = dataset.get_label()
    parts = [label.tobytes() if label is not None else None, repr(dataset.get_feature_name()).encode()]
    features = [{"name": name, "type": "unknown"} for name in dataset.get_feature_name()]
    return fingerprint_from_parts("lightgbm.Dataset", shape, parts, features)


def dataset_example(dataset):
    """The first rows of the Dataset's raw data (numpy, pandas, scipy sparse), or None when not held."""
    data = dataset.data
    if data is None or isinstance(data, (str, os.PathLike)):
        return None
    example = rows_example(data)
    names = _features(dataset)
    pandas = type(example).__module__.startswith("pandas")
    if example is not None and names and not pandas and getattr(example, "ndim", 0) == 2 \
            and example.shape[1] == len(names):
        import pandas as pd

        example = pd.DataFrame(example, columns=[feature["name"] for feature in names])
    return example
