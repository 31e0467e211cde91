"""The fluent API: ``start_run``, ``log_param``, ``log_metric``... on the run active in this thread or task.

The active run lives in a context variable, so runs started in parallel threads or
asyncio tasks never receive each other's data. Metric points are buffered and
written in batches; every read through this module or ``Client`` sees them.
"""

from __future__ import annotations

import atexit
import contextvars
import os
import threading
import time

from .client import Client
from .entities import Param, RunStatus, RunTag, ViewType
from .exceptions import InvalidInputError, NotFoundError, StoreError
from .metric_buffer import MetricBuffer
from .run_arguments import check_start_run_arguments, log_linked_metrics, take_run_id_from_environment
from .run_context import DIFF_ARTIFACT, PARENT_RUN_ID, RUN_NAME, git_state, system_tags
from .tracking_uri import get_tracking_uri, on_tracking_uri_change, set_tracking_uri
from .validation import validate_key, validate_metric_value, validate_step, validate_timestamp

__all__ = [
    "set_tracking_uri", "get_tracking_uri", "set_experiment", "get_experiment_id", "start_run", "end_run",
    "active_run", "last_active_run", "log_param", "log_params", "log_metric", "log_metrics", "set_tag",
    "set_tags", "delete_tag", "log_artifact", "log_artifacts", "log_dict", "log_text", "log_figure",
    "get_artifact_uri", "search_runs", "flush", "ActiveRun",
]

EXPERIMENT_NAME_ENV = "AUTOLOG_EXPERIMENT_NAME"

_run_stack: contextvars.ContextVar = contextvars.ContextVar("autolog_active_runs", default=())
_state_lock = threading.Lock()
_active_experiment_id = None
_last_run = threading.local()  # per thread, as MLflow keeps it: a new thread has no last run
_client = None
_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def _reset_store_state() -> None:
    global _active_experiment_id, _client
    if _client is not None:
        buffer = getattr(_client._store, "metric_buffer", None)
        if buffer is not None:
            buffer.flush()
    _active_experiment_id, _client = None, None


on_tracking_uri_change(_reset_store_state)


def _get_client() -> Client:
    """The client of the store in effect; set_tracking_uri drops it, so the fast path is one global read."""
    global _client
    client = _client
    if client is None:
        with _state_lock:
            from .offline import tracking_uri_for_runs

            runs_uri, offline_target = tracking_uri_for_runs(get_tracking_uri())
            client = Client(runs_uri)
            client.offline_target = offline_target
            if getattr(client._store, "metric_buffer", None) is None:
                client._store.metric_buffer = MetricBuffer(client._store)
            _client = client
    return client


def _buffer() -> MetricBuffer:
    return _get_client()._store.metric_buffer


class ActiveRun:
    """The run a ``start_run`` opened; a context manager that ends it (FAILED if the block raised)."""

    def __init__(self, run, git_tags_pending: bool):
        self._run = run
        self._git_tags_pending = git_tags_pending

    @property
    def info(self):
        """The run's RunInfo."""
        return self._run.info

    @property
    def data(self):
        """The run's RunData as it was when the run started."""
        return self._run.data

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            status = RunStatus.FINISHED
        elif issubclass(exc_type, KeyboardInterrupt):
            status = RunStatus.KILLED
        else:
            status = RunStatus.FAILED
        if any(run.info.run_id == self.info.run_id for run in _run_stack.get()):
            _end_runs_down_to(self.info.run_id, status)
        return False

    def __repr__(self):
        return f"<ActiveRun run_id={self.info.run_id!r} name={self.info.run_name!r}>"


def set_experiment(experiment_name=None, experiment_id=None):
    """Make an experiment active for new runs, creating it by name if needed; return it.

    Raises NotFoundError for an unknown id and InvalidInputError for a deleted experiment.
    """
    global _active_experiment_id
    client = _get_client()
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidInputError("set_experiment needs exactly one of experiment_name or experiment_id")
    if experiment_id is not None:
        experiment = client.get_experiment(experiment_id)
    else:
        experiment = client.get_experiment_by_name(experiment_name)
        if experiment is None:
            try:
                client.create_experiment(experiment_name)
            except Exception:  # another process created it first
                pass
            experiment = client.get_experiment_by_name(experiment_name)
    if experiment.lifecycle_stage != "active":
        raise InvalidInputError(f"Experiment {experiment.name!r} is deleted; restore it before using it")
    _active_experiment_id = experiment.experiment_id
    return experiment


def get_experiment_id() -> str:
    """The id of the experiment new runs go to: set_experiment, else $AUTOLOG_EXPERIMENT_NAME /
    $MLFLOW_EXPERIMENT_NAME, else $AUTOLOG_EXPERIMENT_ID / $MLFLOW_EXPERIMENT_ID, else Default "0"."""
    from .env import env_value

    if _active_experiment_id is not None:
        return _active_experiment_id
    name = env_value(EXPERIMENT_NAME_ENV)
    if name:
        return set_experiment(name).experiment_id
    experiment_id = env_value("AUTOLOG_EXPERIMENT_ID")
    if experiment_id:
        return set_experiment(experiment_id=experiment_id).experiment_id
    return "0"


def start_run(run_id=None, experiment_id=None, run_name=None, nested=False, parent_run_id=None, tags=None,
              description=None, log_system_metrics=None) -> ActiveRun:
    """Start a new run, or resume ``run_id`` (or ``$AUTOLOG_RUN_ID`` / ``$MLFLOW_RUN_ID``), and make it
    active in this thread or task. The arguments are MLflow's, in MLflow's order, so positional calls
    port unchanged; ``log_system_metrics`` is accepted and ignored (no system metrics are sampled).

    Raises InvalidInputError when a run is already active and ``nested`` is False, when the run to
    resume is deleted, for an empty ``experiment_id`` container, and for a ``description`` together
    with an ``mlflow.note.content`` tag; NotFoundError for an unknown run.
    """
    stack = _run_stack.get()
    if stack and not nested:
        raise InvalidInputError(
            f"Run {stack[-1].info.run_id} is already active. End it with end_run(), or pass nested=True")
    check_start_run_arguments(experiment_id, tags, description)
    client = _get_client()
    if run_id is None and not stack:
        run_id = take_run_id_from_environment()
    if run_id is not None:
        run = client.get_run(run_id)
        if run.info.lifecycle_stage != "active":
            raise InvalidInputError(f"Cannot resume run {run_id}: it is deleted (restore it first)")
        client.update_run(run_id, status=RunStatus.RUNNING, name=run_name)
        resume_tags = dict(tags or {})
        if description is not None:
            resume_tags["mlflow.note.content"] = description
        if resume_tags:
            client.log_batch(run_id, tags=[RunTag(k, v) for k, v in resume_tags.items()])
        active = ActiveRun(client.get_run(run_id), False)
    else:
        parent = parent_run_id or (stack[-1].info.run_id if stack else None)
        active = _create_run(client, experiment_id or get_experiment_id(), run_name, parent, tags, description)
    _run_stack.set(stack + (active,))
    return active


def _new_run_tags(client: Client, run_name, parent_run_id, tags, description) -> tuple:
    """(the tags of a new run, its git probe when the probe has finished, else None)."""
    probe = git_state()
    run_tags = system_tags()
    git_ready = probe.done()
    if git_ready:
        run_tags.update(probe.result()[0])
    if parent_run_id:
        run_tags[PARENT_RUN_ID] = parent_run_id
    if description is not None:
        run_tags["mlflow.note.content"] = description
    run_tags.update(tags or {})
    if getattr(client, "offline_target", None):  # spooled offline (see tracking.offline)
        run_tags["autolog.offline.target"] = client.offline_target
    if run_name:
        run_tags[RUN_NAME] = run_name
    return run_tags, probe if git_ready else None


def _create_run(client: Client, experiment_id, run_name, parent_run_id, tags, description,
                start_time=None) -> ActiveRun:
    """A new RUNNING run with the system, git and parent tags, as an ActiveRun (not yet on the stack)."""
    run_tags, probe = _new_run_tags(client, run_name, parent_run_id, tags, description)
    run = client.create_run(experiment_id, start_time=start_time, tags=run_tags, run_name=run_name)
    if probe is not None:
        _log_diff_or_discard(client, run, probe.result()[1])
    return ActiveRun(run, probe is None)


def _log_diff(client: Client, run_id: str, diff) -> None:
    if diff:
        client._log_bytes(run_id, diff, DIFF_ARTIFACT)


def _log_diff_or_discard(client: Client, run, diff) -> None:
    """Write a new run's git diff; when that fails the run is ended FAILED and deleted (a run starts whole or
    not at all) and StoreError says why."""
    try:
        _log_diff(client, run.info.run_id, diff)
    except Exception as exc:
        for undo in (lambda: client.set_terminated(run.info.run_id, RunStatus.FAILED),
                     lambda: client.delete_run(run.info.run_id)):
            try:
                undo()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
        raise StoreError(f"Could not start a run: writing its git diff ({DIFF_ARTIFACT}) under "
                         f"{run.info.artifact_uri} failed: {exc}") from exc


def end_run(status: str = RunStatus.FINISHED) -> None:
    """End the innermost active run of this thread or task with ``status``; no-op when none is active."""
    stack = _run_stack.get()
    if stack:
        _end_runs_down_to(stack[-1].info.run_id, status)


def _end_runs_down_to(run_id: str, status: str) -> None:
    stack = list(_run_stack.get())
    client = _get_client()
    while stack:
        active = stack.pop()
        _run_stack.set(tuple(stack))
        ended_id = active.info.run_id
        buffer = _buffer()
        points, tags = buffer.take(ended_id), {}
        models = active.take_held_models() if hasattr(active, "take_held_models") else ()
        try:
            if active._git_tags_pending:
                tags, diff = git_state().result(timeout=5)
                _log_diff(client, ended_id, diff)
        finally:
            try:
                client._finish_run(ended_id, status, points, tags, models)
            except StoreError:
                buffer.put_back(ended_id, points)  # kept for a later flush; the run stays RUNNING, honestly
                raise
            _last_run.run_id = ended_id
        buffer.flush()  # other runs' points, and any error the background writer met
        if ended_id == run_id:
            break


def active_run():
    """The ActiveRun of this thread or task, or None."""
    stack = _run_stack.get()
    return stack[-1] if stack else None


def last_active_run():
    """The Run most recently ended in this process (autologged runs included), or the active one, or None."""
    current = active_run()
    run_id = current.info.run_id if current is not None else getattr(_last_run, "run_id", None)
    return _get_client().get_run(run_id) if run_id else None


def _run_id_for_logging(run_id=None) -> str:
    if run_id is not None:
        return run_id
    stack = _run_stack.get()
    if stack:
        return stack[-1].info.run_id
    return start_run().info.run_id


def log_param(key: str, value, synchronous=None):
    """Log a param on the active run (starting one if none is active); return the value.
    ``synchronous`` is accepted for MLflow code and changes nothing (params are written at once).

    Raises InvalidInputError for a bad key, or when the run already has a different value for it.
    """
    _get_client().log_batch(_run_id_for_logging(), params=[Param(key, value)])
    return value


def log_params(params: dict, synchronous=None, run_id=None) -> None:
    """Log several params at once (all or nothing)."""
    _get_client().log_batch(_run_id_for_logging(run_id), params=[Param(k, v) for k, v in params.items()])


def log_metric(key: str, value, step=None, timestamp=None, run_id=None, synchronous=None, model_id=None,
               dataset=None) -> None:
    """Log one metric point on the active run; buffered, so cheap inside a training loop (MLflow's
    ``synchronous=False``; every read waits for the buffer, so ``synchronous`` changes nothing).
    ``model_id`` and ``dataset`` (MLflow 3) link the point to a logged model and the dataset it was
    computed on; such points are written at once.

    Raises InvalidInputError at once for a bad key, a value that is not a number, or a step or timestamp
    that is not a whole number below 2**63.
    """
    if model_id is not None or dataset is not None:
        log_linked_metrics(_run_id_for_logging(run_id), {key: value}, step, timestamp, model_id, dataset)
        return
    key = validate_key(key, "metric key")
    value = validate_metric_value(key, value)
    if step is None:
        step = 0
    elif step.__class__ is not int or not _INT64_MIN <= step <= _INT64_MAX:
        step = validate_step(key, step)
    timestamp = int(time.time() * 1000) if timestamp is None else validate_timestamp(key, timestamp)
    _buffer().add(_run_id_for_logging(run_id), key, value, timestamp, step)


def log_metrics(metrics: dict, step=None, timestamp=None, run_id=None, synchronous=None, model_id=None,
                dataset=None) -> None:
    """Log several metrics at the same step; validated before any is queued. See log_metric."""
    if model_id is not None or dataset is not None:
        log_linked_metrics(_run_id_for_logging(run_id), metrics, step, timestamp, model_id, dataset)
        return
    points = [(validate_key(k, "metric key"), validate_metric_value(k, v)) for k, v in metrics.items()]
    first = points[0][0] if points else "metrics"
    timestamp = int(time.time() * 1000) if timestamp is None else validate_timestamp(first, timestamp)
    step = validate_step(first, step)
    run_id = _run_id_for_logging(run_id)
    buffer = _buffer()
    for key, value in points:
        buffer.add(run_id, key, value, timestamp, step)


def set_tag(key: str, value, synchronous=None) -> None:
    """Set a tag on the active run."""
    _get_client().set_tag(_run_id_for_logging(), key, value)


def set_tags(tags: dict, synchronous=None) -> None:
    """Set several tags on the active run at once."""
    _get_client().log_batch(_run_id_for_logging(), tags=[RunTag(k, v) for k, v in tags.items()])


def delete_tag(key: str) -> None:
    """Remove a tag from the active run."""
    _get_client().delete_tag(_run_id_for_logging(), key)


def log_artifact(local_path: str, artifact_path=None) -> None:
    """Copy a local file or directory into the active run's artifacts."""
    _get_client().log_artifact(_run_id_for_logging(), local_path, artifact_path)


def log_artifacts(local_dir: str, artifact_path=None) -> None:
    """Copy a local directory's contents into the active run's artifacts."""
    _get_client().log_artifacts(_run_id_for_logging(), local_dir, artifact_path)


def log_dict(dictionary, artifact_file: str) -> None:
    """Save a dict as a JSON (or YAML) artifact of the active run."""
    _get_client().log_dict(_run_id_for_logging(), dictionary, artifact_file)


def log_text(text: str, artifact_file: str) -> None:
    """Save a string as an artifact of the active run."""
    _get_client().log_text(_run_id_for_logging(), text, artifact_file)


def log_figure(figure, artifact_file: str) -> None:
    """Save a matplotlib figure as an artifact of the active run."""
    _get_client().log_figure(_run_id_for_logging(), figure, artifact_file)


def get_artifact_uri(artifact_path=None) -> str:
    """The artifact location of the active run, or of ``artifact_path`` inside it."""
    from .validation import safe_artifact_path

    root = _get_client().get_run(_run_id_for_logging()).info.artifact_uri
    relative = safe_artifact_path(artifact_path)
    return f"{root}/{relative}" if relative else root


def flush() -> None:
    """Write every buffered metric point now."""
    _buffer().flush()


def search_runs(experiment_ids=None, filter_string="", run_view_type=ViewType.ACTIVE_ONLY, max_results=100000,
                order_by=None, output_format="pandas", experiment_names=None):
    """Search runs; a pandas DataFrame (``metrics.*``, ``params.*``, ``tags.*`` columns) when pandas is
    installed and ``output_format`` is "pandas", else a list of Runs.

    Searches the active experiment when neither ids nor names are given; unknown names match nothing.
    Raises InvalidInputError for a malformed filter.
    """
    client = _get_client()
    ids = list(experiment_ids) if isinstance(experiment_ids, (list, tuple)) else (
        [experiment_ids] if experiment_ids is not None else [])
    for name in experiment_names or []:
        experiment = client.get_experiment_by_name(name)
        if experiment is not None:  # an unknown name matches no runs, as in MLflow
            ids.append(experiment.experiment_id)
    if not ids and not experiment_names:
        ids = [get_experiment_id()]
    runs, token = [], None
    while True:
        page = client.search_runs(ids, filter_string, run_view_type, min(max_results - len(runs), 50000),
                                  order_by, token)
        runs.extend(page)
        token = page.token
        if not token or len(runs) >= max_results:
            break
    if output_format == "list":
        return runs
    try:
        from .runs_frame import runs_to_frame

        return runs_to_frame(runs)
    except ImportError:  # no pandas here: the runs themselves
        return runs


def _end_open_runs_at_exit() -> None:
    import sys

    while _run_stack.get():
        run_id = _run_stack.get()[-1].info.run_id
        pending = _buffer().pending_by_run().get(run_id, 0)
        try:
            end_run()
        except Exception as exc:  # noqa: BLE001 - reported, never raised at exit
            print(f"autolog: error: run {run_id} could not be ended at exit and stays RUNNING; {pending} "
                  f"pending metric point(s) were not written: {type(exc).__name__}: {exc}", file=sys.stderr)


def _forget_runs_after_fork() -> None:
    """A forked child starts with no active or last run, as in MLflow: the parent's runs stay the parent's."""
    global _last_run
    _run_stack.set(())
    _last_run = threading.local()


atexit.register(_end_open_runs_at_exit)
os.register_at_fork(after_in_child=_forget_runs_after_fork)
