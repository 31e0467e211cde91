"""Limits of a search, set below the databases' own so a search past them is our clear error, not theirs.

SQLite joins at most 64 tables, nests expressions about 1,000 deep, binds a bounded number
of parameters and refuses LIKE patterns over 50,000 characters; PostgreSQL has limits of
its own. A filter or order past ours is refused with an InvalidInputError naming the limit.
"""

from __future__ import annotations

from ..._containment import check_text
from ..exceptions import InvalidInputError
from .nodes import ATTRIBUTE

__all__ = ["check_search_text", "check_search_limits", "MAX_FILTER_LENGTH", "MAX_CLAUSES", "MAX_KEYS",
           "MAX_IN_VALUES", "MAX_PATTERN_LENGTH"]

MAX_FILTER_LENGTH = 100_000
MAX_CLAUSES = 100
MAX_KEYS = 30
MAX_IN_VALUES = 1_000
MAX_PATTERN_LENGTH = 10_000


def check_search_text(text, what: str) -> str:
    """Return a filter string or order key; raise InvalidInputError when it is not storable text or too long."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidInputError(f"Invalid {what} {text!r}: expected a string")
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidInputError(f"The {what} is {len(text)} characters long; the limit is {MAX_FILTER_LENGTH}")
    return check_text(text, what)


def check_search_limits(conjunction, order_keys) -> None:
    """Raise InvalidInputError when a parsed filter and order keys go past the limits above."""
    clauses = conjunction.clauses if conjunction is not None else ()
    if len(clauses) > MAX_CLAUSES:
        raise InvalidInputError(f"The filter has {len(clauses)} comparisons; the limit is {MAX_CLAUSES}")
    keys = {(c.kind, c.key) for c in clauses if c.kind != ATTRIBUTE}
    keys |= {(k.kind, k.key) for k in order_keys or () if k.kind != ATTRIBUTE}
    if len(keys) > MAX_KEYS:
        raise InvalidInputError(f"The search names {len(keys)} different metric, param and tag keys; "
                                f"the limit is {MAX_KEYS}")
    values = sum(len(c.value) for c in clauses if isinstance(c.value, tuple))
    if values > MAX_IN_VALUES:
        raise InvalidInputError(f"The filter's IN lists hold {values} values; the limit is {MAX_IN_VALUES}")
    for clause in clauses:
        if isinstance(clause.value, str) and len(clause.value) > MAX_PATTERN_LENGTH:
            raise InvalidInputError(f"A value in the filter is {len(clause.value)} characters long; "
                                    f"the limit is {MAX_PATTERN_LENGTH}")
