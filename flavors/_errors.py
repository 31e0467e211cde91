"""Error constructors that import autolog's exception types only when an error is raised.

Importing ``autolog.tracking`` costs tens of milliseconds, which a cold
``pyfunc.load_model`` of a local model must not pay; errors are rare, so the
import happens at raise time. Raised types are ``InvalidInputError`` (also a
ValueError) and ``NotFoundError`` (also a LookupError).
"""

from __future__ import annotations

__all__ = ["invalid_input", "not_found"]


def invalid_input(message: str) -> Exception:
    """Return an ``autolog.tracking.exceptions.InvalidInputError`` carrying ``message``."""
    from autolog.tracking.exceptions import InvalidInputError

    return InvalidInputError(message)


def not_found(message: str) -> Exception:
    """Return an ``autolog.tracking.exceptions.NotFoundError`` carrying ``message``."""
    from autolog.tracking.exceptions import NotFoundError

    return NotFoundError(message)
