"""A pickle written while its object is still being built: its parts first, the object last, one file.

A 50-tree forest pickles to hundreds of megabytes, and pickling it after the fit
adds that time to the call. When the parts (the trees) are complete long before the
whole (the forest), each part can be pickled as soon as it is complete, on a
background thread, while the fit grows the next one; when the fit returns only the
small rest is left.

How the file stays one ordinary pickle: one pickler writes every part with ``dump``,
and the part's final STOP opcode is replaced by POP (one byte for one byte, so a
protocol-5 frame keeps its length): the part is built, memoized and dropped from the
stack. The whole object is dumped last by the same pickler, whose memo still holds
the parts, so it refers to them instead of pickling them again. ``pickle.load`` and
``cloudpickle.load`` read the file as the whole object, exactly as a single dump
would give it. A part must not change after it is added (a forest's grown trees do
not). Any failure leaves nothing behind and the caller pickles the usual way.

A saver looks up the pickle offered for the object it saves with ``offered``; the
integration that feeds the parts offers it with ``offer`` around its log_model call.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import queue
import tempfile
import threading

__all__ = ["PickleAhead", "offer", "offered"]

_STOP_TO_POP = b"0"  # pickle's POP opcode, written over the STOP that ends each part's dump
_offers: contextvars.ContextVar = contextvars.ContextVar("flavors_pickle_ahead", default=None)


class PickleAhead:
    """Pickles parts of an object in a background thread into a hidden file of ``directory`` (the
    system's temporary directory when None), for ``finish`` to complete with the object itself."""

    def __init__(self, directory=None, prefix: str = ".pickle-ahead-", use_cloudpickle: bool = True):
        self.use_cloudpickle = use_cloudpickle
        self._directory = directory
        self._prefix = prefix
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._closed = False
        self._failed = False
        self._parts: list = []  # the parts pickled, in order
        self._path = None
        self._handle = None
        self._pickler = None
        self._modules: set = set()

    def add(self, part) -> None:
        """Queue ``part`` (complete, never to change again) to be pickled."""
        with self._lock:
            if self._closed or self._failed:
                return
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="autolog-pickle-ahead", daemon=True)
                self._worker.start()
            self._queue.put(part)

    def _work(self) -> None:
        while (part := self._queue.get()) is not None:
            if self._failed:
                continue
            try:
                self._write_part(part)
            except Exception:  # noqa: BLE001 - the caller pickles the usual way instead
                self._failed = True

    def _open(self) -> None:
        from ._serialization import recording_pickler

        if self._directory is not None:
            os.makedirs(self._directory, exist_ok=True)
        descriptor, self._path = tempfile.mkstemp(prefix=self._prefix, dir=self._directory)
        self._handle = os.fdopen(descriptor, "wb")
        self._pickler, self._modules = recording_pickler(self._handle, self.use_cloudpickle)

    def _write_part(self, part) -> None:
        if self._pickler is None:
            self._open()
        self._pickler.dump(part)
        self._handle.seek(-1, os.SEEK_CUR)
        self._handle.write(_STOP_TO_POP)
        self._parts.append(part)

    def _stop(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            worker = self._worker
        if worker is not None:
            self._queue.put(None)
            worker.join()

    def finish(self, obj, parts) -> tuple | None:
        """Pickle ``obj`` after the parts; return (the file's path, the module names it references), or
        None (nothing left behind) when a part failed or a pickled part is not among ``parts`` (the
        object's own, by identity): then pickle ``obj`` the usual way. The caller owns the file."""
        self._stop()
        try:
            if self._failed or self._pickler is None:
                return None
            own = {id(part) for part in parts}
            if any(id(part) not in own for part in self._parts):
                return None
            from ._serialization import referenced_modules

            self._pickler.dump(obj)
            self._handle.close()
            path, self._path = self._path, None
            return path, referenced_modules(self._modules, self.use_cloudpickle)
        finally:
            self.discard()

    def discard(self) -> None:
        """Stop taking parts and remove the file, unless ``finish`` handed it over."""
        self._stop()
        self._pickler = None
        self._parts = []
        if self._handle is not None and not self._handle.closed:
            self._handle.close()
        path, self._path = self._path, None
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


@contextlib.contextmanager
def offer(obj, ahead: PickleAhead | None):
    """Within the block, ``offered(obj, ...)`` hands ``ahead`` to the saver of ``obj``."""
    token = _offers.set(None if ahead is None else (obj, ahead))
    try:
        yield
    finally:
        _offers.reset(token)


def offered(obj, use_cloudpickle: bool) -> PickleAhead | None:
    """The PickleAhead offered for ``obj`` in this context with the same pickler kind, taken (once)."""
    entry = _offers.get()
    if entry is None or entry[0] is not obj or entry[1].use_cloudpickle != use_cloudpickle:
        return None
    _offers.set(None)
    return entry[1]
