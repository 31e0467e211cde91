"""A one-line progress display for batch scoring: rows, rows/s and time left, on a terminal only.

Written here rather than taken from a library: it is twenty lines, redraws at most
ten times a second, and stays silent when the stream is not a terminal (a log file,
a pipe, CI), so scripted runs print nothing but their own output.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress", "format_duration"]

_REDRAW_SECONDS = 0.1


def format_duration(seconds: float) -> str:
    """``1:02:03`` or ``2:03`` for a number of seconds."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Call ``update(rows, fraction)`` after each batch and ``close()`` at the end."""

    def __init__(self, stream=None, enabled=None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self.rows = 0
        self._drawn_at = 0.0

    def update(self, rows: int, fraction=None) -> None:
        """Count ``rows`` more rows scored; ``fraction`` of the input read so far (None: unknown)."""
        self.rows += rows
        now = time.perf_counter()
        if self.enabled and now - self._drawn_at >= _REDRAW_SECONDS:
            self._drawn_at = now
            self.stream.write("\r" + self.line(now - self.started, fraction) + "\033[K")
            self.stream.flush()

    def line(self, elapsed: float, fraction=None) -> str:
        """The text shown after ``elapsed`` seconds with ``fraction`` of the input read."""
        rate = self.rows / elapsed if elapsed > 0 else 0.0
        text = f"{self.rows:,} rows  {rate:,.0f} rows/s  {format_duration(elapsed)} elapsed"
        if fraction:
            left = elapsed * (1 - fraction) / fraction
            text = f"{fraction * 100:5.1f}%  " + text + f"  {format_duration(left)} left"
        return text

    def close(self) -> None:
        """Draw the final line and end it."""
        if self.enabled:
            elapsed = time.perf_counter() - self.started
            self.stream.write("\r" + self.line(elapsed, 1.0 if self.rows else None) + "\033[K\n")
            self.stream.flush()
