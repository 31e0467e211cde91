"""What every framework hook logs the same way: params and tags, per-iteration metrics, artifacts, the model.

Each helper takes the ``AutologCall`` of the patched call and logs into its run.
Metric points go through the fluent buffer (written in batches by a background
thread; the call flushes it before returning); params and tags are one batch.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import shutil
import tempfile
import threading
import time

__all__ = [
    "log_params_and_tags", "metric_key", "IterationMetrics", "queue_training_dataset", "start_in_background",
    "log_artifacts", "log_model", "stringify_params", "link_metrics_to_model",
]

_INVALID_KEY_CHARS = re.compile(r"[^\w\-./ :]")
_metric_keys: dict = {}


def stringify_params(params: dict) -> dict:
    """Params as the store keeps them: callables by name, everything else (None too) as ``str``, as MLflow does."""
    result = {}
    for key, value in params.items():
        if callable(value) and hasattr(value, "__name__"):
            value = value.__name__
        result[str(key)] = str(value)
    return result


def log_params_and_tags(call, params: dict, tags: dict) -> None:
    """Log params and tags in one batch on the call's run (with the run itself, when the call started it and
    has not written it yet).

    In a user's run, params the user already logged are left as they are.
    Raises InvalidInputError / StoreError from the store.
    """
    params = stringify_params(params)
    starting = call.starting_run
    if starting is not None and starting.hold(params, tags):
        return  # written with the run, when the call creates it
    from ..tracking import Client, Param, RunTag

    client = Client()
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
    so a framework callback built on it is exception-safe. A training loop calls it
    once per iteration, so each framework name's store key is validated once per call
    and the points go straight onto the buffer of the store in effect at the first call.
    """

    def __init__(self, call):
        self._call = call
        self._failed = False
        self._buffer = None
        self._keys: dict = {}  # framework metric name -> validated store key

    def log(self, metrics: dict, step: int, timestamp: int | None = None) -> None:
        """Queue ``metrics`` ({name: value}) at ``step`` and ``timestamp`` (milliseconds; None: now); names are
        made store-safe, all are validated before any is queued."""
        if metrics:
            self.log_rows([(metrics, step, int(time.time() * 1000) if timestamp is None else timestamp)])

    def log_rows(self, rows) -> None:
        """Queue ``(metrics, step, timestamp)`` rows (as ``log`` takes them, timestamp required) in one hand-over
        to the buffer; all are validated before any is queued."""
        if self._failed or not rows:
            return
        step = None
        try:
            buffer = self._buffer
            if buffer is None:
                from ..tracking import fluent

                buffer = self._buffer = fluent._buffer()
            run_id, points, key = self._call.run_id, [], self._key
            for metrics, step, timestamp in rows:
                step = step if step.__class__ is int else _step(step)
                points += [(run_id, key(name), _metric_value(name, value), timestamp, step)
                           for name, value in metrics.items()]
            buffer.add_many(points)
        except Exception as exc:
            self._failed = True
            self._call.record(f"logging metrics at step {step}", exc)

    def _key(self, name) -> str:
        key = self._keys.get(name)
        if key is None:
            from ..tracking.validation import validate_key

            key = self._keys[name] = validate_key(metric_key(name), "metric key")
        return key


def _metric_value(name, value) -> float:
    if isinstance(value, float):  # a float or numpy.float64 (a float subclass), the frameworks' usual values
        return float(value)
    from ..tracking.validation import validate_metric_value

    return validate_metric_value(metric_key(name), value)


def _step(step) -> int:
    from ..tracking.validation import validate_step

    return validate_step("step", step)


def queue_training_dataset(call, info: dict, evals=()) -> dict:
    """Queue the training data's fingerprint as ``datasets/train.json``, record it and the evaluation sets
    (``(name, fingerprint function)`` pairs) as the run's dataset inputs, and return its searchable tags.

    An evaluation set that cannot be fingerprinted is left out (recorded as the call's failure).
    """
    from ._dataset_inputs import EVAL, TRAIN, dataset_input, log_dataset_inputs
    from ._datasets import dataset_tags

    info = {**info, "name": "train"}
    call.state.setdefault("artifacts", []).append(("datasets/train.json", info))
    inputs = [dataset_input(info, "train", TRAIN)]
    for name, fingerprint_fn in evals:
        with call.guard(f"fingerprinting the evaluation set {name!r}"):
            inputs.append(dataset_input(fingerprint_fn(), name, EVAL))
    with call.guard("recording the dataset inputs"):
        log_dataset_inputs(call, inputs)
    return dataset_tags(info)


def start_in_background(call, what: str, work) -> threading.Thread:
    """Run ``work()`` in a thread that sees this call's active run; a failure is recorded on the call as
    ``what``. Join the thread before the call returns (a run is complete when its call returns)."""
    context = contextvars.copy_context()

    def run():
        with call.guard(what):
            context.run(work)

    thread = threading.Thread(target=run, name="autolog-background", daemon=True)
    thread.start()
    return thread


def log_artifacts(call, write=None, texts=None) -> None:
    """Put the call's files into its run at once: the JSON documents queued in ``call.state["artifacts"]``
    ((relative path, content) pairs), ``texts`` ({relative path: text}) and whatever ``write(directory)``
    adds.

    In a local store the files are written in place (see ``_write_in_place``; with ``write``, in a hidden
    directory inside the run's artifacts and renamed into place: nothing is copied); elsewhere they are
    written to a temporary directory and uploaded. Raises OSError or StoreError when the files cannot be
    written or copied.
    """
    from ..tracking import fluent

    files = {relative: _json_text(content) for relative, content in call.state.get("artifacts", ())}
    files.update(texts or {})
    if not files and write is None:
        return
    client = fluent._get_client()  # it knows the artifact location of the runs it started: no store read
    root = client._repository(call.run_id).local_path("")
    if root is not None and write is None:
        _write_in_place(root, files)
        return
    if root is not None:
        from .._containment import PARTIAL_PREFIX

        os.makedirs(root, exist_ok=True)
        directory = tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=root)
    else:
        directory = tempfile.mkdtemp(prefix="autolog-")
    try:
        if write is not None:
            write(directory)
        for relative, text in files.items():
            path = os.path.join(directory, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        if root is not None:
            _move_into(directory, root)
        elif os.listdir(directory):
            client.log_artifacts(call.run_id, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _json_text(content) -> str:
    """``content`` as JSON text, a dict's keys one per line: each value goes through the C encoder (an indented
    document goes through the pure-Python one, many times slower)."""
    if not isinstance(content, dict) or not content:
        return json.dumps(content)
    lines = ",\n".join(f"  {json.dumps(str(key))}: {json.dumps(value)}" for key, value in content.items())
    return "{\n" + lines + "\n}"


def _write_in_place(root: str, files: dict) -> None:
    """Write each of ``files`` ({relative path: text}) under the local ``root``.

    In a directory this call makes (a new run's artifacts), where nothing else can be, a file is created
    under its own name (exclusively; a failed write removes it); elsewhere it goes through a hidden partial
    name beside it and a rename, so that it appears whole.
    """
    from .._containment import write_bytes_atomic

    made: dict = {}  # directory -> whether this call made it
    for relative, text in files.items():
        path = os.path.join(root, relative)
        data = text.encode("utf-8")
        if not (_make_directory(os.path.dirname(path), made) and _write_new(path, data)):
            write_bytes_atomic(path, data)


def _make_directory(path: str, made: dict) -> bool:
    """Make ``path`` and its missing parents; True when this call made it. ``made`` ({directory: made by this
    call}) remembers each directory seen, so each costs one system call."""
    fresh = made.get(path)
    if fresh is None:
        try:
            os.mkdir(path)
            fresh = True
        except FileExistsError:
            fresh = False
        except FileNotFoundError:
            _make_directory(os.path.dirname(path), made)
            return _make_directory(path, made)
        made[path] = fresh
    return fresh


_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _write_new(path: str, data: bytes) -> bool:
    """Create ``path`` holding ``data`` (three system calls); False, with nothing written, when ``path`` exists.
    A failed write removes the file."""
    try:
        handle = os.open(path, _NEW_FILE_FLAGS, 0o666)
    except FileExistsError:
        return False
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    except BaseException:
        os.close(handle)
        os.remove(path)
        raise
    os.close(handle)
    return True


def _move_into(directory: str, root: str) -> None:
    """Rename every file under ``directory`` to the same relative path under ``root`` (same file system)."""
    for parent, _dirs, files in os.walk(directory):
        relative = os.path.relpath(parent, directory)
        target = root if relative == "." else os.path.join(root, relative)
        if files:
            os.makedirs(target, exist_ok=True)
        for name in files:
            os.replace(os.path.join(parent, name), os.path.join(target, name))


def link_metrics_to_model(call, model_id, metrics, fingerprint=None) -> None:
    """Record ``metrics`` ({name: value}, already logged on the run) as metrics of the logged model
    ``model_id``, computed on the training set, as MLflow 3 does; nothing without a model or metrics."""
    if not model_id or not metrics:
        return
    import time

    from ..tracking import Client, Metric

    now = int(time.time() * 1000)
    digest = fingerprint["digest"][:36] if fingerprint else None
    points = [Metric(metric_key(key), float(value), now, 0, model_id, "train" if digest else None, digest)
              for key, value in metrics.items()]
    Client()._store.log_model_metrics(call.run_id, points)


def log_model(call, flavor_name: str, model, example=None, predict=None, at_run_end: bool = False,
              **flavor_options) -> None:
    """Log ``model`` with ``flavors.<flavor_name>.log_model`` under "model", as the call's options ask
    (a dotted ``flavor_name`` names a plugin's flavor module itself; ``flavor_options`` go to the flavor:
    xgboost's ``model_format``...).

    ``example`` is a few input rows; ``predict(example)`` gives the outputs for the signature.
    ``at_run_end``: when the call started its run, the logged model is written to the store with the run's
    end (one write fewer): only for a hook that reads nothing of the model in the store before the call returns.
    Raises whatever the flavor raises (an unserialisable model, an unwritable store).
    """
    options = call.options
    if not options.log_models:
        return
    if at_run_end and call.owns_run:
        from ..tracking import fluent

        hold = getattr(fluent.active_run(), "hold_models_until_end", None)
        if hold is not None:
            hold()
    import importlib

    from . import _warm_up

    _warm_up.wait(flavor_name)
    import flavors

    flavor = importlib.import_module(flavor_name if "." in flavor_name else f"flavors.{flavor_name}")
    signature = False if not options.log_model_signatures else None
    if options.log_model_signatures and example is not None and predict is not None:
        signature = flavors.infer_signature(example, predict(example))
    flavor.log_model(model, artifact_path="model", signature=signature,
                     input_example=example if options.log_input_examples else None,
                     registered_model_name=options.registered_model_name, **flavor_options)
