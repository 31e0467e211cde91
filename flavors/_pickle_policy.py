"""Whether this load may unpickle: loading a pickle runs whatever code the pickle holds.

Pickle-based formats (cloudpickle and pickle for scikit-learn and lightgbm models,
every custom ``PythonModel``) are as trustworthy as whoever wrote the file. A service
that loads models others uploaded refuses them with ``allow_pickle=False`` on the load
call, or for the whole process with ``AUTOLOG_ALLOW_PICKLE=0``; the argument wins over
the variable. skops files and the frameworks' own formats (xgboost ``.ubj``, lightgbm
``.lgb``) load either way.
"""

from __future__ import annotations

import contextlib
import contextvars
import os

from ._errors import invalid_input

__all__ = ["ALLOW_PICKLE_ENV", "pickle_policy", "check_pickle_allowed"]

ALLOW_PICKLE_ENV = "AUTOLOG_ALLOW_PICKLE"
_allow_pickle: contextvars.ContextVar = contextvars.ContextVar("autolog_allow_pickle", default=None)


@contextlib.contextmanager
def pickle_policy(allow_pickle):
    """Within this block, ``allow_pickle`` (True/False) decides; None leaves it to $AUTOLOG_ALLOW_PICKLE."""
    token = _allow_pickle.set(allow_pickle)
    try:
        yield
    finally:
        _allow_pickle.reset(token)


def pickle_allowed() -> bool:
    """The policy in effect: the load call's ``allow_pickle``, else $AUTOLOG_ALLOW_PICKLE (default: allowed)."""
    allowed = _allow_pickle.get()
    if allowed is not None:
        return bool(allowed)
    value = os.environ.get(ALLOW_PICKLE_ENV, "").strip().lower()
    return value not in ("0", "false", "no", "off")


def check_pickle_allowed(path: str) -> None:
    """Raise InvalidInputError naming ``path`` when pickles are refused."""
    if not pickle_allowed():
        raise invalid_input(
            f"Refusing to load the pickle {path}: loading a pickle runs any code it holds, and pickles are "
            f"refused here (allow_pickle=False or {ALLOW_PICKLE_ENV}=0). Load models whose author you trust "
            "with allow_pickle=True, or have scikit-learn models saved with serialization_format='skops'")
