"""Work started beside the caller's thread without making the caller wait for it to be scheduled.

``threading.Thread.start`` returns only once the new thread runs, which on a loaded machine costs the
caller milliseconds (the first run of a script starts several such threads); autolog's background
work (syncing a new store, reading the git state, warming up imports) reports through its own
events, so it needs no more than a thread started and left to the scheduler.
"""

from __future__ import annotations

import _thread

__all__ = ["start_in_background"]


def start_in_background(function, *args) -> None:
    """Call ``function(*args)`` in a new daemon thread and return at once; ``function`` must handle its own
    errors (an escaping one is only printed, as in any thread)."""
    _thread.start_new_thread(function, args)
