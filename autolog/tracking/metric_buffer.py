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

    def add_many(self, points: list) -> None:
        """Queue (run_id, key, value, timestamp, step) points at once: one hand-over for a whole history."""
        if not points:
            return
        with self._lock:
            self._points.extend(points)
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
            failed, error = [], None
            for run_id, run_points in by_run.items():
                run_error = self._write_run(run_id, run_points)
                if run_error is not None and _is_transient(run_error):
                    failed.extend((run_id, *point) for point in run_points)
                error = error or run_error
            if failed:
                with self._lock:
                    self._points[:0] = failed
            if error is not None:
                raise error

    def _write_run(self, run_id: str, points: list):
        """Write one run's points; return None, or the error (a transient one means nothing was written)."""
        try:
            self._store.log_metric_points(run_id, points)
            return None
        except Exception as exc:  # noqa: BLE001 - classified below
            if _is_transient(exc):
                return exc
            try:
                return self._isolate(run_id, points, exc)
            except Exception as storage_error:  # noqa: BLE001 - the store failed meanwhile: keep them all
                return storage_error

    def _isolate(self, run_id: str, points: list, exc: Exception):
        """Write the points of a batch that failed for a reason other than storage, dropping only the bad
        ones; return the error to report (None when every point went in after all)."""
        from .exceptions import InvalidInputError

        if not self._run_writable(run_id):
            return exc
        dropped = self._write_halves(run_id, points)
        if not dropped:
            return None
        return InvalidInputError(f"{len(dropped)} metric point(s) of run {run_id} cannot be stored and were "
                                 f"dropped (first: {dropped[0]!r}); {len(points) - len(dropped)} other(s) of "
                                 f"the batch were written. Cause: {type(exc).__name__}: {exc}")

    def _write_halves(self, run_id: str, points: list) -> list:
        """Write points, halving a batch that fails down to single points; return those that fail alone."""
        try:
            self._store.log_metric_points(run_id, points)
            return []
        except Exception as exc:
            if _is_transient(exc):
                raise
            if len(points) == 1:
                return list(points)
        middle = len(points) // 2
        return self._write_halves(run_id, points[:middle]) + self._write_halves(run_id, points[middle:])

    def _run_writable(self, run_id: str) -> bool:
        try:
            return self._store.get_run(run_id).info.lifecycle_stage == "active"
        except Exception:  # noqa: BLE001 - an unknown run, or no store to ask: nothing of it can be written
            return False

    def pending_by_run(self) -> dict:
        """run_id -> number of points not yet written."""
        counts: dict = {}
        for point in list(self._points):
            counts[point[0]] = counts.get(point[0], 0) + 1
        return counts

    def put_back(self, run_id: str, points: list) -> None:
        """Queue (key, value, timestamp, step) points of a run again, ahead of newer ones."""
        with self._lock:
            self._points[:0] = [(run_id, *point) for point in points]

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


def _is_transient(exc: Exception) -> bool:
    """A storage failure (disk full, database locked): the points are kept and written by a later flush."""
    from .exceptions import StoreError

    return isinstance(exc, (StoreError, OSError))


def _forget_writers_after_fork() -> None:
    # A forked child has none of the parent's threads: each buffer starts its writer again on first use.
    for buffer in list(_buffers):
        buffer._thread = None
        buffer._lock = threading.Lock()
        buffer._flush_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_writers_after_fork)


@atexit.register
def _flush_all_at_exit() -> None:
    import sys

    for buffer in list(_buffers):
        pending = buffer.pending_by_run()
        try:
            buffer.close()
        except Exception as exc:  # noqa: BLE001 - reported, never raised at exit
            what = ", ".join(f"{count} pending of run {run_id}" for run_id, count in pending.items())
            print(f"autolog: error: metric points could not be written at exit and are lost ({what}): "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
        checkpoint = getattr(buffer._store, "checkpoint", None)
        if checkpoint is not None:
            try:
                checkpoint()
            except Exception:  # noqa: BLE001 - the database stays valid without it
                pass
