"""What a scikit-learn fit's logging needs from the training data, taken before ``fit`` runs.

An estimator may change its input in place during ``fit`` (scaling columns, filling
gaps); the training metrics, the input example and the signature must describe the
data the user passed, not what ``fit`` left behind. The example rows, the labels and
the sample weights are copied (they are small); the features are copied up to
``COPY_LIMIT_BYTES``. Larger features are not copied: a fingerprint of a row sample
taken before is compared after, and when it changed the training metrics are skipped
rather than computed on altered data.
"""

from __future__ import annotations

import sys

from ._xgboost_data import rows_example

__all__ = ["COPY_LIMIT_BYTES", "snapshot", "data_unchanged"]

COPY_LIMIT_BYTES = 64 * 1024 * 1024


def _copy(value):
    """A copy of an array-like, or the value itself when it cannot be copied cheaply."""
    if value is None:
        return None
    copy = getattr(value, "copy", None)
    if callable(copy):
        try:
            return copy()
        except TypeError:
            return value
    if isinstance(value, list):
        return list(value)
    return value


def _nbytes(data) -> int:
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, (pandas.DataFrame, pandas.Series)):
        return int(data.memory_usage(index=False, deep=False).sum()) if hasattr(data, "columns") \
            else int(data.memory_usage(index=False, deep=False))
    return int(getattr(data, "nbytes", 0) or getattr(getattr(data, "data", None), "nbytes", 0) or 0)


def snapshot(data, labels, sample_weight, with_example: bool) -> dict:
    """Call-state entries holding copies of what logging reads after ``fit``.

    Raises nothing the caller must handle beyond what copying the user's objects may raise.
    """
    state = {"labels": _copy(labels), "sample_weight": _copy(sample_weight)}
    if with_example:
        example = rows_example(data)
        state["example"] = _copy(example)
    if data is not None:
        if _nbytes(data) <= COPY_LIMIT_BYTES:
            state["data"] = _copy(data)
        else:
            from ._datasets import fingerprint

            state["data_digest"] = fingerprint(data)["digest"]
    return state


def data_unchanged(state: dict) -> bool:
    """False when features too large to copy were changed in place by ``fit`` (their digest moved)."""
    digest = state.get("data_digest")
    if digest is None:
        return True
    from ._datasets import fingerprint

    return fingerprint(state["data"])["digest"] == digest
