"""``Client`` methods for MLflow 3's logged models and for what runs read and write (datasets, models)."""

from __future__ import annotations

from .entities import LoggedModelOutput
from .validation import param_value_to_str, tag_value_to_str, validate_key

__all__ = ["LoggedModelsClientMixin"]


def _checked(mapping, kind: str, to_str) -> dict:
    return {validate_key(key, f"{kind} key"): to_str(key, value) for key, value in dict(mapping or {}).items()}


def _as_dict(items) -> dict:
    if items is None or isinstance(items, dict):
        return items or {}
    return {item.key: item.value for item in items}


class LoggedModelsClientMixin:
    """Logged models, dataset inputs and model outputs (mixed into Client, which provides ``_store``)."""

    def create_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                            model_type=None):
        """Create a PENDING logged model and return it; its files go under its ``artifact_location``.

        Raises NotFoundError for an unknown experiment or run, InvalidInputError for a bad name or key.
        """
        return self._store.create_logged_model(
            str(experiment_id), name, source_run_id, _checked(_as_dict(tags), "tag", tag_value_to_str),
            _checked(_as_dict(params), "param", param_value_to_str), model_type)

    def _prepare_logged_model(self, experiment_id, name=None, source_run_id=None, tags=None, params=None,
                              model_type=None):
        """A PENDING LoggedModel whose files can be saved before it is written, or None for a store that makes
        its model ids itself (``create_logged_model`` then). ``_complete_logged_model(..., prepared=model)``
        writes it whole. Raises what ``create_logged_model`` raises."""
        prepare = getattr(self._store, "prepare_logged_model", None)
        if prepare is None:
            return None
        return prepare(str(experiment_id), name, source_run_id, _checked(_as_dict(tags), "tag", tag_value_to_str),
                       _checked(_as_dict(params), "param", param_value_to_str), model_type)

    def get_logged_model(self, model_id: str):
        """Return the LoggedModel with this id; raises NotFoundError."""
        return self._store.get_logged_model(model_id)

    def finalize_logged_model(self, model_id: str, status):
        """Mark a logged model READY or FAILED (LoggedModelStatus or its name) and return it."""
        return self._store.finalize_logged_model(model_id, status)

    def _complete_logged_model(self, model_id: str, status, run_id: str, step: int = 0, history_entry=None,
                               prepared=None) -> None:
        """Finalize a logged model, record it as ``run_id``'s output at ``step`` and append ``history_entry`` to
        the run's log-model history, in one store write where the store can (what ``log_model`` does last).
        A ``prepared`` model (``_prepare_logged_model``) is written in that same write; ``run_id`` None: it is
        only written, with ``status`` (a FAILED save)."""
        if prepared is not None:
            self._store.log_prepared_logged_model(prepared, status, run_id, step, history_entry)
            prepared.status = type(prepared.status).from_value(status)
        else:
            self._store.complete_logged_model(model_id, status, run_id, step, history_entry)

    def set_logged_model_tags(self, model_id: str, tags: dict) -> None:
        """Set tags of a logged model."""
        self._store.set_logged_model_tags(model_id, _checked(_as_dict(tags), "tag", tag_value_to_str))

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove a tag of a logged model; raises NotFoundError when it has no such tag."""
        self._store.delete_logged_model_tag(model_id, key)

    def log_model_params(self, model_id: str, params: dict) -> None:
        """Add params to a logged model; raises InvalidInputError when a key already has another value."""
        self._store.log_logged_model_params(model_id, _checked(_as_dict(params), "param", param_value_to_str))

    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model."""
        self._store.delete_logged_model(model_id)

    def search_logged_models(self, experiment_ids, filter_string=None, datasets=None, max_results=None,
                             order_by=None, page_token=None):
        """Return a PagedList of logged models of ``experiment_ids`` (newest first unless ``order_by``).

        Raises InvalidInputError for a malformed filter, order key or page token.
        """
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        self._sync()
        return self._store.search_logged_models([str(e) for e in experiment_ids], filter_string, datasets,
                                                max_results, order_by, page_token)

    def log_inputs(self, run_id: str, datasets=None, models=None) -> None:
        """Record DatasetInputs (and LoggedModelInputs) a run read."""
        self._store.log_inputs(run_id, datasets, models)

    def log_outputs(self, run_id: str, models) -> None:
        """Record LoggedModelOutputs a run wrote."""
        self._store.log_outputs(run_id, [m if isinstance(m, LoggedModelOutput) else LoggedModelOutput(m)
                                         for m in models])
