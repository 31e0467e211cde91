"""The tree a filter string and order keys parse into."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

__all__ = ["Comparison", "Conjunction", "OrderKey", "METRIC", "PARAM", "TAG", "ATTRIBUTE", "DATASET"]

METRIC = "metric"
PARAM = "param"
TAG = "tag"
ATTRIBUTE = "attribute"
DATASET = "dataset"


@dataclass(frozen=True)
class Comparison:
    """``<kind>.<key> <op> <value>``; ``value`` is a str, a float, a tuple of them (IN) or None (IS NULL).

    ``op`` is one of ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``LIKE``, ``NOT LIKE``, ``ILIKE``,
    ``NOT ILIKE``, ``IN``, ``NOT IN``, ``IS NULL``, ``IS NOT NULL``. Positions index into the filter text.
    """

    kind: str
    key: str
    op: str
    value: Union[str, float, tuple, None]
    position: int
    value_position: int


@dataclass(frozen=True)
class Conjunction:
    """Comparisons joined by AND."""

    clauses: tuple


@dataclass(frozen=True)
class OrderKey:
    """One ``order_by`` entry: ``<kind>.<key> [ASC|DESC]``."""

    kind: str
    key: str
    ascending: bool
    text: str
    position: int
