"""Buffers metric points logged through the fluent API and writes them in batches off the caller's thread."""

from __future__ import annotations

import atexit
import os
import threading
import weakref

__all__ = ["MetricBuffer"]

_FLUSH_EVERY_POINTS = 20_000
_FLUSH_EVERY_SECONDS = 1.0
_buffers: "weakref.WeakSet[MetricBuffer]" = weakref.WeakSet()


class MetricBuffer:
    """Pending (run_id, key, value, timestamp, step) points for one store.

    A daemon thread writes them once a second or once 20,000 are pending; ``flush``
    writes everything now. A write error is kept and raised by the next ``flush``
    so it is never silently lost.
    """

    def __init__(self, store):
        self._store = store
        self._points: list = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._error = None
        self._thread = None
        _buffers.add(self)

    def add(self, run_id: str, key: str, value: float, timestamp: int, step: int) -> None:
        """Queue one point; cheap enough for a training loop."""
        with self._lock:
            self._points.append((run_id, key, value, timestamp, step))
            pending = len(self._points)
        if self._thread is None:
            self._start()
        if pending >= _FLUSH_EVERY_POINTS:
            self._wake.set()

    def take(self, run_id: str) -> list:
        """Remove and return the pending (key, value, timestamp, step) points of one run.

        Waits for a write in progress, so points taken come after every point already written.
        """
        with self._flush_lock, self._lock:
            taken = [point[1:] for point in self._points if point[0] == run_id]
            if taken:
                self._points = [point for point in self._points if point[0] != run_id]
        return taken

    def pending(self) -> int:
        """Number of points not yet written."""
        return len(self._points)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="autolog-metric-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(_FLUSH_EVERY_SECONDS)
            self._wake.clear()
            try:
                self._write()
            except Exception as exc:  # kept for the next foreground flush
                self._error = exc

    def _write(self) -> None:
        with self._flush_lock:
            with self._lock:
                points, self._points = self._points, []
            if not points:
                return
            by_run: dict = {}
            for run_id, key, value, timestamp, step in points:
                by_run.setdefault(run_id, []).append((key, value, timestamp, step))
            failed = []
            error = None
            for run_id, run_points in by_run.items():
                try:
                    self._store.log_metric_points(run_id, run_points)
                except Exception as exc:
                    error = exc
                    if not _is_permanent(exc):
                        failed.extend((run_id, *point) for point in run_points)
            if failed:
                with self._lock:
                    self._points[:0] = failed
            if error is not None:
                raise error

    def flush(self) -> None:
        """Write every pending point now; raise the first error a write met since the last flush."""
        try:
            self._write()
        finally:
            error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """Flush and stop the writer thread."""
        self._closed = True
        self._wake.set()
        self.flush()


def _is_permanent(exc: Exception) -> bool:
    from .exceptions import InvalidInputError, NotFoundError

    return isinstance(exc, (InvalidInputError, NotFoundError))


def _forget_writers_after_fork() -> None:
    # A forked child has none of the parent's threads: each buffer starts its writer again on first use.
    for buffer in list(_buffers):
        buffer._thread = None
        buffer._lock = threading.Lock()
        buffer._flush_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_writers_after_fork)


@atexit.register
def _flush_all_at_exit() -> None:
    for buffer in list(_buffers):
        try:
            buffer.close()
        except Exception:
            pass
