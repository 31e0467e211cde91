"""The error a malformed filter string or order key raises."""

from __future__ import annotations

from ..exceptions import InvalidInputError

__all__ = ["SearchSyntaxError"]


class SearchSyntaxError(InvalidInputError):
    """A filter string or order key that cannot be parsed or compiled.

    ``text`` is the whole input and ``position`` the 0-based offset of the offending
    token; the message names both, on one line.
    """

    def __init__(self, what: str, text: str, position: int, problem: str):
        self.text = text
        self.position = position
        self.problem = problem
        super().__init__(f"Invalid {what} {text!r} at position {position}: {problem}")
