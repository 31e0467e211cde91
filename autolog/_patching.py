"""Safe patching: wrap a framework function so logging around it can never hurt the call.

The rules every hook follows:

- the original function is called exactly once, with the user's arguments (plus
  what a hook adds, such as a callback); its result and its exceptions reach the
  user unchanged;
- any failure inside logging is collected, and the call ends with one warning on
  the ``autolog`` logger (raised instead when ``AUTOLOG_STRICT=1``, as in the test
  suite, so bugs cannot hide);
- inside a user's active run the hook logs into it; otherwise it opens a run for
  the call and ends it FINISHED, or FAILED (KILLED on Ctrl-C) when the call raised;
- nested patched calls (a framework calling itself) log once, at the outer call;
- ``unpatch`` restores the original attribute only while it is still our wrapper.

Tracking is imported lazily, at the first patched call, so enabling stays cheap. A plain Python
function (a module's function, a method defined with ``def`` in a class body) is replaced by a
plain wrapper function; anything else (a classmethod, a descriptor, a compiled method) is wrapped
with ``wrapt``, whose import alone costs about as much as the rest of enabling.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import sys
import threading
import types
import warnings

__all__ = [
    "STRICT_ENV", "AUTOLOG_TAG", "logger", "is_strict", "capture_internal_exceptions", "Hook", "AutologCall",
    "Patch", "safe_patch", "in_patched_call", "outside_patched_call", "suspended", "is_suspended",
]

STRICT_ENV = "AUTOLOG_STRICT"
AUTOLOG_TAG = "mlflow.autologging"

logger = logging.getLogger("autolog")

_in_call: contextvars.ContextVar = contextvars.ContextVar("autolog_in_patched_call", default=False)


def is_strict() -> bool:
    """True when hook errors must be raised instead of warned ($AUTOLOG_STRICT set to 1/true/yes)."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes")


def in_patched_call() -> bool:
    """True while this thread or task is inside a patched call that is logging."""
    return _in_call.get()


_suspensions = [0]
_suspensions_lock = threading.Lock()


@contextlib.contextmanager
def suspended():
    """Autologging off, in every thread, for the duration of the block (as MLflow's
    ``disable_autologging``): the fits cross-validation helpers make internally log nothing."""
    with _suspensions_lock:
        _suspensions[0] += 1
    try:
        yield
    finally:
        with _suspensions_lock:
            _suspensions[0] -= 1


def is_suspended() -> bool:
    """True inside a ``suspended()`` block (of any thread)."""
    return _suspensions[0] > 0


@contextlib.contextmanager
def outside_patched_call():
    """Run user code called back by a patched call (a search's objective) as if outside it, so the
    trainings it makes are autologged themselves rather than taken for the framework's own nested calls."""
    token = _in_call.set(False)
    try:
        yield
    finally:
        _in_call.reset(token)


@contextlib.contextmanager
def capture_internal_exceptions(what: str, on_error=None):
    """Run a block of autolog's own code; an Exception inside it is reported, never propagated.

    ``on_error(what, exc)`` receives the error; without it the error is one warning on
    the ``autolog`` logger. In strict mode the error is raised instead.
    """
    try:
        yield
    except Exception as exc:
        if on_error is not None:
            on_error(what, exc)
        elif is_strict():
            raise
        else:
            logger.warning("autolog: failed while %s: %r", what, exc)
            logger.debug("autolog: traceback of the failure while %s", what, exc_info=exc)


class Hook:
    """What a patched function logs: ``before`` may return new (args, kwargs); ``after`` sees the result.

    Both run inside the call's logging guard: whatever they raise becomes the call's warning.
    """

    def before(self, call: "AutologCall", instance, args: tuple, kwargs: dict):
        """Log what is known before training; return (args, kwargs) to call the original with, or None."""
        return None

    def after(self, call: "AutologCall", instance, args: tuple, kwargs: dict, result) -> None:
        """Log what training produced (metrics at the end, the model...)."""


class AutologCall:
    """One patched call: its run, its options, the state its hook keeps, and the errors logging met."""

    def __init__(self, integration):
        self.integration = integration
        self.options = integration.options
        self.state: dict = {}
        self._run_id = None
        self.logging = False
        self._active_run = None
        self._errors: list = []
        self._at_close: list = []

    @property
    def run_id(self):
        """The id of the call's run (creating a run the call started in the store first, when it is not yet);
        None when the call does not log."""
        if self._run_id is None and self._active_run is not None:
            self._run_id = self._active_run.info.run_id
        return self._run_id

    @property
    def starting_run(self):
        """The run this call started while it is not yet in the store (its hook's ``before`` adds to it what
        the run is created with), else None."""
        active = self._active_run
        return active if active is not None and getattr(active, "started", True) is False else None

    @property
    def owns_run(self) -> bool:
        """True when this call started its run (and ends it)."""
        return self._active_run is not None

    def record(self, what: str, exc: BaseException) -> None:
        """Keep a logging failure; the call reports them all as one warning (or raises in strict mode)."""
        self._errors.append((what, exc))

    def guard(self, what: str):
        """A context manager that records any Exception of its block as a failure ``while <what>``."""
        return capture_internal_exceptions(what, self.record)

    def at_close(self, what: str, undo) -> None:
        """Run ``undo()`` when the call closes, whether the original returned or raised (a failure is
        recorded as ``while <what>``)."""
        self._at_close.append((what, undo))

    def open_run(self) -> None:
        """Use the user's active run, or start one for this call; decide whether this call logs at all."""
        from .tracking import fluent

        active = fluent.active_run()
        tags = {AUTOLOG_TAG: self.integration.name, **self._framework_version_tag()}
        if active is not None:
            if self.options.exclusive:
                return
            self._run_id = active.info.run_id
            fluent.set_tags(tags)
        else:
            from ._run_start import start_run_for_call

            self._active_run = start_run_for_call({**tags, **(self.options.extra_tags or {})})
        self.logging = True

    def create_run(self) -> None:
        """Write the run this call started, with what its hook added to it, to the store (nothing when it is
        there already). When that fails, the call logs nothing more and the failure is recorded."""
        starting = self.starting_run
        if starting is None:
            return
        try:
            starting.create()
        except Exception as exc:
            from .tracking.deferred_runs import _remove_from_stack

            _remove_from_stack(starting)
            self._active_run, self.logging = None, False
            self.record("starting the run", exc)

    def _framework_version_tag(self) -> dict:
        module = self.integration.module
        version = getattr(sys.modules.get(module), "__version__", None)
        return {f"autolog.{module}_version": str(version)} if version else {}

    def close(self, exc) -> None:
        """Finish the run (end it if this call started it, else flush its metrics), then report failures.

        ``exc`` is the exception the original raised, or None. Never raises while ``exc`` is set.
        """
        while self._at_close:
            what, undo = self._at_close.pop()
            with self.guard(what):
                undo()
        if self._active_run is not None:
            active, self._active_run = self._active_run, None
            with self.guard("ending the run"):
                active.__exit__(type(exc) if exc is not None else None, exc, None)
        elif self.logging:
            from .tracking import fluent

            with self.guard("writing the buffered metrics"):
                fluent.flush()
        self._report(raise_allowed=exc is None)

    def _report(self, raise_allowed: bool) -> None:
        if not self._errors:
            return
        what, first = self._errors[0]
        if raise_allowed and is_strict():
            raise first
        others = f" (and {len(self._errors) - 1} later failure(s))" if len(self._errors) > 1 else ""
        level = logging.DEBUG if self.options.silent else logging.WARNING
        logger.log(level, "autolog: %s autologging failed while %s: %s%s; training was not affected",
                   self.integration.name, what, _brief(first), others)
        logger.debug("autolog: traceback of the first failure", exc_info=first)


def _brief(exc: BaseException, limit: int = 300) -> str:
    """An error in one short line: a copy that failed file by file (a full disk) can carry kilobytes of paths."""
    text = " ".join(repr(exc).split())
    if "No space left on device" in text or "disk is full" in text:
        return f"{type(exc).__name__}: the disk is full"
    return text if len(text) <= limit else text[:limit] + "..."


def _call_patched(integration, hook: Hook, wrapped, instance, args, kwargs):
    if not integration.enabled or _in_call.get() or _suspensions[0] or integration.skips_call():
        return wrapped(*args, **kwargs)
    token = _in_call.set(True)
    try:
        call = AutologCall(integration)
        with _quiet(call.options.silent):
            call_args, call_kwargs = _prepare(call, hook, instance, args, kwargs)
        try:
            result = wrapped(*call_args, **call_kwargs)
        except BaseException as exc:
            with _quiet(call.options.silent):
                call.close(exc)
            raise
        with _quiet(call.options.silent):
            if call.logging:
                with call.guard("logging the results"):
                    hook.after(call, instance, call_args, call_kwargs, result)
            call.close(None)
        return result
    finally:
        _in_call.reset(token)


def _prepare(call: AutologCall, hook: Hook, instance, args, kwargs) -> tuple:
    with call.guard("starting the run"):
        call.open_run()
    prepared = None
    if call.logging:
        with call.guard("logging the parameters"):
            prepared = hook.before(call, instance, args, kwargs)
        call.create_run()
        if not call.logging:  # the run could not be created: the call runs as the user made it
            return args, kwargs
        if call.options.log_models:
            # Started last, so its imports overlap the training rather than the logging above.
            from .integrations import _warm_up

            _warm_up.start(call.integration.name)
    return prepared if prepared is not None else (args, kwargs)


@contextlib.contextmanager
def _quiet(silent: bool):
    if not silent:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class Patch:
    """One installed wrapper: where it lives and what it replaced, so it can be removed exactly."""

    def __init__(self, owner, name: str, wrapper, original, had_own: bool):
        self.owner, self.name, self.wrapper = owner, name, wrapper
        self.original, self.had_own = original, had_own

    def is_installed(self) -> bool:
        """True while the owner's attribute is still this patch's wrapper."""
        return _own_attribute(self.owner, self.name) is self.wrapper

    def remove(self) -> bool:
        """Restore the original attribute if it is still our wrapper; return whether it was restored."""
        if not self.is_installed():
            logger.debug("autolog: %s.%s was rewrapped by someone else; leaving it", self.owner, self.name)
            return False
        if self.had_own:
            setattr(self.owner, self.name, self.original)
        else:
            delattr(self.owner, self.name)
        return True

    def __repr__(self):
        return f"<Patch {getattr(self.owner, '__name__', self.owner)}.{self.name}>"


_MISSING = object()


def _own_attribute(owner, name: str):
    namespace = getattr(owner, "__dict__", None)
    if namespace is None:
        return getattr(owner, name, _MISSING)
    return namespace.get(name, _MISSING)


def safe_patch(integration, owner, name: str, hook: Hook) -> Patch:
    """Wrap ``owner.name`` (a module function or a class's method) so calls go through ``hook`` safely.

    Returns the Patch to remove later. Raises AttributeError when ``owner`` has no ``name``.
    """
    original = _own_attribute(owner, name)
    had_own = original is not _MISSING
    if not had_own and not hasattr(owner, name):
        raise AttributeError(f"{owner!r} has no attribute {name!r} to patch")
    function = original if had_own else _inherited_attribute(owner, name)
    if isinstance(function, types.FunctionType):
        setattr(owner, name, _function_wrapper(integration, hook, function, isinstance(owner, type)))
    else:
        import wrapt

        def wrapper(wrapped, instance, args, kwargs):
            return _call_patched(integration, hook, wrapped, instance, args, kwargs)

        wrapt.wrap_function_wrapper(owner, name, wrapper)
    return Patch(owner, name, _own_attribute(owner, name), original, had_own)


def _inherited_attribute(owner, name: str):
    """The raw attribute a class inherits (no descriptor bound), else what ``getattr`` gives."""
    for cls in getattr(owner, "__mro__", ())[1:]:
        if name in cls.__dict__:
            return cls.__dict__[name]
    return getattr(owner, name)


def _function_wrapper(integration, hook: Hook, function, is_method: bool):
    """A plain function standing in for ``function`` (its name, docstring and signature, ``__wrapped__``):
    as a method it passes its ``self`` on as the hook's instance, as a module function None."""
    if is_method:
        @functools.wraps(function)
        def method_wrapper(self, *args, **kwargs):
            return _call_patched(integration, hook, function.__get__(self, type(self)), self, args, kwargs)

        return method_wrapper

    @functools.wraps(function)
    def function_wrapper(*args, **kwargs):
        return _call_patched(integration, hook, function, None, args, kwargs)

    return function_wrapper
