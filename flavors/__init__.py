"""flavors: the portable model format (MLflow's MLmodel layout) and one module per framework.

``flavors.xgboost``, ``flavors.lightgbm`` and ``flavors.sklearn`` save, log and load native
models; ``flavors.pyfunc.load_model`` loads any of them for batch scoring. Submodules are
imported on first use, so ``import flavors`` imports no framework.
"""

from __future__ import annotations

import importlib

__all__ = ["Model", "ModelInfo", "ModelSignature", "infer_signature", "pyfunc", "xgboost", "lightgbm", "sklearn"]
__all__ += ["catboost", "statsmodels"]

_LAZY = {
    "Model": ("flavors.model", "Model"),
    "ModelInfo": ("flavors.model", "ModelInfo"),
    "ModelSignature": ("flavors.signature", "ModelSignature"),
    "infer_signature": ("flavors.signature", "infer_signature"),
    "pyfunc": ("flavors.pyfunc", None),
    "xgboost": ("flavors.xgboost", None),
    "lightgbm": ("flavors.lightgbm", None),
    "sklearn": ("flavors.sklearn", None),
    "catboost": ("flavors.catboost", None),
    "statsmodels": ("flavors.statsmodels", None),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'flavors' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
