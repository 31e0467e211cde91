"""The run a patched call starts for itself, written to the store with what its hook logs before training.

Opening the run, then recording the training data as its dataset input, then its params and tags,
costs three store writes for what one holds. A ``StartingRun`` is the active run from the moment
the call opens it (with the start time of that moment); the hook's ``before`` adds its params,
tags and dataset inputs to it, and the call creates it whole, in one write, before the training
starts. Anything that reads the run earlier (its ``info`` or ``data``) creates it at once with
what it holds so far; what is added after that is written as usual.
"""

from __future__ import annotations

from .tracking import fluent
from .tracking.deferred_runs import DeferredRun

__all__ = ["StartingRun", "start_run_for_call"]


class StartingRun(DeferredRun):
    """An active run created in the store with its params, tags and dataset inputs on first use or ``create``."""

    def __init__(self, experiment_id: str, tags: dict):
        super().__init__(experiment_id, None, None, tags)
        self._params: dict = {}
        self._datasets: list = []
        self._held_models: list | None = None  # a list once the call's hook asks for models to wait for the end

    def hold(self, params: dict, tags: dict, datasets=()) -> bool:
        """Keep ``params`` and ``tags`` ({key: value}) and ``datasets`` (DatasetInputs) for the write that creates
        the run; False (nothing kept) once the run exists, when the caller must write them itself.

        Raises InvalidInputError for a bad key or value, or a param that would change; nothing is kept then.
        """
        from .tracking.exceptions import InvalidInputError
        from .tracking.validation import param_value_to_str, tag_value_to_str, validate_key

        checked_params = {validate_key(str(key), "param key"): param_value_to_str(key, value)
                          for key, value in params.items()}
        checked_tags = {validate_key(str(key), "tag key"): tag_value_to_str(key, value) for key, value in tags.items()}
        with self._lock:
            if self._run is not None:
                return False
            for key, value in checked_params.items():
                if self._params.get(key, value) != value:
                    raise InvalidInputError(f"Param {key!r} already has value {self._params[key]!r}; params "
                                            f"cannot change (tried {value!r})")
            self._params.update(checked_params)
            self._tags.update(checked_tags)
            self._datasets.extend(datasets)
        return True

    def hold_models_until_end(self) -> None:
        """From now on, ``hold_logged_model`` keeps the logged models of this run for the write that ends it (for
        a hook that reads nothing of its model in the store before the call returns)."""
        with self._lock:
            if self._held_models is None:
                self._held_models = []

    def hold_logged_model(self, model, status, step: int, history_entry) -> bool:
        """Keep ``model`` (a LoggedModel from ``prepare_logged_model``, its files saved) to be written with
        ``status`` as this run's output at ``step``, appending ``history_entry``, when the run ends; False
        (nothing kept) unless ``hold_models_until_end`` was called."""
        with self._lock:
            if self._held_models is None:
                return False
            self._held_models.append((model, status, step, history_entry))
        return True

    def take_held_models(self) -> list:
        """The models held for the run's end, (model, status, step, history entry) tuples; none are kept after."""
        with self._lock:
            held, self._held_models = self._held_models or [], None
        return held

    @property
    def info(self):
        """The run's RunInfo (creating the run in the store first when it does not exist yet)."""
        run = self._run
        return (run if run is not None else self._materialise()).info

    def create(self) -> None:
        """Write the run with everything held (nothing when it exists already). Raises StoreError,
        NotFoundError or InvalidInputError from the store; the run is not created then."""
        self._materialise()

    def _materialise(self):
        with self._lock:
            if self._run is None:
                client = fluent._get_client()
                tags, probe = fluent._new_run_tags(client, None, None, self._tags, None)
                run = client._create_run_with_data(self._experiment_id, self._start_time, tags, self._params,
                                                   self._datasets)
                if probe is not None:
                    fluent._log_diff_or_discard(client, run, probe.result()[1])
                self._run, self._git_tags_pending = run, probe is None
                self._params, self._datasets = {}, []
        return self._run

    def __repr__(self):
        state = f"run_id={self._run.info.run_id!r}" if self._run is not None else "not created yet"
        return f"<StartingRun {state}>"


def start_run_for_call(tags: dict):
    """Make a StartingRun (in the current experiment, with ``tags``) the active run and return it; or, when
    ``$AUTOLOG_RUN_ID``/``$MLFLOW_RUN_ID`` names a run to resume, resume it as ``start_run`` does and return
    that ActiveRun. Raises InvalidInputError when a run is active already."""
    import os

    if os.environ.get("AUTOLOG_RUN_ID") or os.environ.get("MLFLOW_RUN_ID"):
        return fluent.start_run(tags=tags)
    stack = fluent._run_stack.get()
    if stack:
        return fluent.start_run(tags=tags)  # refuses it, as start_run does
    run = StartingRun(fluent.get_experiment_id(), tags)
    fluent._run_stack.set(stack + (run,))
    return run
