"""Store-interface methods the REST store does not carry yet (MLflow 3 logged models, run inputs/outputs).

They raise StoreError naming what is missing, so the REST store stays usable for everything
else; a REST implementation of these methods replaces this mixin.
"""

from __future__ import annotations

from ..exceptions import StoreError

__all__ = ["RestStoreGaps"]


def _missing(name: str):
    def method(self, *args, **kwargs):
        raise StoreError(f"{name} is not available through the tracking server's REST API in this release")

    method.__name__ = name
    method.__doc__ = f"Not available over REST yet: raises StoreError ({name})."
    return method


class RestStoreGaps:
    """Placeholders for the logged-model and input/output methods of the store interface."""


for _name in ("create_logged_model", "get_logged_model", "finalize_logged_model", "set_logged_model_tags",
              "delete_logged_model_tag", "log_logged_model_params", "delete_logged_model", "search_logged_models",
              "log_model_metrics", "log_inputs", "log_outputs"):
    setattr(RestStoreGaps, _name, _missing(_name))
