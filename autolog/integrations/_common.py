"""What every framework hook logs the same way: params and tags, per-iteration metrics, artifacts, the model.

Each helper takes the ``AutologCall`` of the patched call and logs into its run.
Metric points go through the fluent buffer (written in batches by a background
thread; the call flushes it before returning); params and tags are one batch.
"""

from __future__ import annotations

import re
import shutil
import tempfile

__all__ = [
    "log_params_and_tags", "metric_key", "IterationMetrics", "ArtifactBatch", "log_model", "stringify_params",
]

_INVALID_KEY_CHARS = re.compile(r"[^\w\-./ :]")
_metric_keys: dict = {}


def stringify_params(params: dict) -> dict:
    """Params as the store keeps them: callables by name, everything else as ``str``; None values dropped."""
    result = {}
    for key, value in params.items():
        if value is None:
            continue
        if callable(value) and hasattr(value, "__name__"):
            value = value.__name__
        result[str(key)] = str(value)
    return result


def log_params_and_tags(call, params: dict, tags: dict) -> None:
    """Log params and tags in one batch on the call's run.

    In a user's run, params the user already logged are left as they are.
    Raises InvalidInputError / StoreError from the store.
    """
    from ..tracking import Client, Param, RunTag

    client = Client()
    params = stringify_params(params)
    if not call.owns_run:
        existing = client.get_run(call.run_id).data.params
        params = {key: value for key, value in params.items() if key not in existing}
    client.log_batch(call.run_id, params=[Param(k, v) for k, v in params.items()],
                     tags=[RunTag(k, v) for k, v in tags.items()])


def metric_key(name: str) -> str:
    """A store-safe key for a framework's metric or param name ('ndcg@5' -> 'ndcg_at_5')."""
    key = _metric_keys.get(name)
    if key is None:
        key = _INVALID_KEY_CHARS.sub("_", str(name).replace("@", "_at_")).strip("/") or "_"
        if len(_metric_keys) < 10_000:
            _metric_keys[name] = key
    return key


class IterationMetrics:
    """Per-iteration metric points of one call, queued on the tracking buffer (never written on this thread).

    ``log`` never raises: the first failure is recorded on the call and logging stops,
    so a framework callback built on it is exception-safe.
    """

    def __init__(self, call):
        self._call = call
        self._failed = False

    def log(self, metrics: dict, step: int) -> None:
        """Queue ``metrics`` ({name: value}) at ``step``; names are made store-safe."""
        if self._failed or not metrics:
            return
        try:
            from ..tracking import fluent

            fluent.log_metrics({metric_key(k): v for k, v in metrics.items()}, step=step, run_id=self._call.run_id)
        except Exception as exc:
            self._failed = True
            self._call.record(f"logging metrics at step {step}", exc)


class ArtifactBatch:
    """A temporary directory that hook steps write files into, copied into the run once by ``commit``."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="autolog-")
        self._files = False

    def add(self) -> str:
        """Return the directory to write into (marks the batch as non-empty)."""
        self._files = True
        return self.directory

    def commit(self, run_id: str) -> None:
        """Copy everything written into the run's artifact root; raises StoreError/OSError on failure."""
        try:
            if self._files:
                from ..tracking import Client

                Client().log_artifacts(run_id, self.directory)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def discard(self) -> None:
        """Remove the directory without logging it."""
        shutil.rmtree(self.directory, ignore_errors=True)


def log_model(call, flavor_name: str, model, example=None, predict=None) -> None:
    """Log ``model`` with ``flavors.<flavor_name>.log_model`` under "model", as the call's options ask.

    ``example`` is a few input rows; ``predict(example)`` gives the outputs for the signature.
    Raises whatever the flavor raises (an unserialisable model, an unwritable store).
    """
    options = call.options
    if not options.log_models:
        return
    import importlib

    import flavors

    flavor = importlib.import_module(f"flavors.{flavor_name}")
    signature = None
    if options.log_model_signatures and example is not None and predict is not None:
        signature = flavors.infer_signature(example, predict(example))
    flavor.log_model(model, artifact_path="model", signature=signature,
                     input_example=example if options.log_input_examples else None,
                     registered_model_name=options.registered_model_name)
