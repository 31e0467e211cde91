"""What a copy tells its user: a progress line on a terminal and a summary at the end."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress", "Summary"]


class Progress:
    """A one-line counter (``runs 1200/10000  830/s``) redrawn on a terminal, silent elsewhere."""

    def __init__(self, stream=None, enabled=None, interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.interval = interval
        self._label, self._total, self._done = "", 0, 0
        self._started = self._drawn = 0.0

    def start(self, label: str, total: int) -> None:
        """Begin counting ``total`` items of a new kind."""
        self._label, self._total, self._done = label, total, 0
        self._started = self._drawn = time.monotonic()
        self._draw()

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more items done; redraw at most every ``interval`` seconds."""
        self._done += count
        now = time.monotonic()
        if now - self._drawn >= self.interval or self._done >= self._total:
            self._drawn = now
            self._draw()

    def finish(self) -> None:
        """End the line of the current kind."""
        if self.enabled and self._total:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled or not self._total:
            return
        elapsed = max(time.monotonic() - self._started, 1e-9)
        width = 30
        filled = int(width * self._done / self._total)
        self.stream.write(f"\r{self._label:<16} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{self._done}/{self._total}  {self._done / elapsed:,.0f}/s")
        self.stream.flush()


class Summary:
    """Counts of what was copied and what was skipped, with the reasons for the skips."""

    _ORDER = ("experiments", "runs", "metric points", "artifact files", "dataset inputs", "logged models",
              "registered models", "model versions")

    def __init__(self):
        self.copied: dict = dict.fromkeys(self._ORDER, 0)
        self.already: dict = dict.fromkeys(self._ORDER, 0)
        self.skipped: list = []
        self.notes: list = []

    def count(self, kind: str, number: int = 1) -> None:
        """Record ``number`` items of ``kind`` copied."""
        self.copied[kind] = self.copied.get(kind, 0) + number

    def already_there(self, kind: str, number: int = 1) -> None:
        """Record ``number`` items of ``kind`` left alone because the destination has them."""
        self.already[kind] = self.already.get(kind, 0) + number

    def skip(self, what: str, reason: str) -> None:
        """Record one item not copied (or copied in part) and why."""
        self.skipped.append((what, reason))

    def lines(self) -> list:
        """The summary as lines of text."""
        copied = ", ".join(f"{number:,} {kind}" for kind, number in self.copied.items() if number) or "nothing"
        lines = [f"Copied: {copied}"]
        if any(self.already.values()):
            already = ", ".join(f"{number:,} {kind}" for kind, number in self.already.items() if number)
            lines.append(f"Already in the destination (left as they are): {already}")
        if self.skipped:
            lines.append(f"Skipped or incomplete: {len(self.skipped)}")
            lines.extend(f"  {what}: {reason}" for what, reason in self.skipped[:50])
            if len(self.skipped) > 50:
                lines.append(f"  ... and {len(self.skipped) - 50} more")
        lines.extend(self.notes)
        return lines
