"""Parse filter strings and order keys into the tree of ``nodes``.

Grammar (keywords are case-insensitive)::

    filter     := comparison (AND comparison)*
    comparison := identifier op value
                | identifier [NOT] IN '(' value (',' value)* ')'
                | identifier [NOT] (LIKE | ILIKE) string
                | identifier IS [NOT] NULL
    identifier := [entity '.'] key      entity: bare or `back-quoted`; key: bare, `back-quoted` or "double-quoted"
    op         := '=' | '!=' | '<' | '<=' | '>' | '>='
    value      := 'string' | "string" | number
    order key  := identifier [ASC | DESC]
"""

from __future__ import annotations

from .errors import SearchSyntaxError
from .lexer import tokenize
from .nodes import ATTRIBUTE, DATASET, METRIC, PARAM, TAG, Comparison, Conjunction, OrderKey

__all__ = ["parse_filter", "parse_order_by", "ENTITY_PREFIXES"]

ENTITY_PREFIXES = {
    "metric": METRIC, "metrics": METRIC,
    "param": PARAM, "params": PARAM, "parameter": PARAM, "parameters": PARAM,
    "tag": TAG, "tags": TAG,
    "attribute": ATTRIBUTE, "attributes": ATTRIBUTE, "attr": ATTRIBUTE, "run": ATTRIBUTE,
    "dataset": DATASET, "datasets": DATASET,
}

_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})


class _Parser:
    def __init__(self, text: str, what: str):
        self.text, self.what = text, what
        self.tokens = tokenize(text, what)
        self.index = 0

    @property
    def peek(self):
        return self.tokens[self.index]

    def take(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, token, problem: str):
        raise SearchSyntaxError(self.what, self.text, token.position, problem)

    def fail_expected(self, token, expected: str):
        found = "the end of the input" if token.kind == "end" else repr(token.text)
        self.fail(token, f"expected {expected}, found {found}")

    def is_keyword(self, *words) -> bool:
        return self.peek.kind == "keyword" and self.peek.value in words

    def identifier(self) -> tuple:
        token = self.take()
        if token.kind != "ident":
            self.fail_expected(token, "a key such as metrics.rmse, params.alpha, tags.model or status")
        prefix, key = token.value
        if prefix is None:
            return ATTRIBUTE, key, token
        kind = ENTITY_PREFIXES.get(prefix.lower())
        if kind is None:
            self.fail(token, f"unknown entity {prefix!r} (expected metrics., params., tags., attributes. or datasets.)")
        if not key:
            self.fail(token, f"empty key after {prefix!r}")
        return kind, key, token

    def value(self):
        token = self.take()
        if token.kind in ("string", "number"):
            return token.value, token
        if token.kind == "ident":
            self.fail(token, f"expected a quoted string or a number, found {token.text!r} (quote it: '{token.text}')")
        self.fail_expected(token, "a quoted string or a number")

    def value_list(self) -> tuple:
        opening = self.take()
        if opening.text != "(":
            self.fail_expected(opening, "'(' after IN")
        values = [self.value()[0]]
        while self.peek.text == ",":
            self.take()
            values.append(self.value()[0])
        closing = self.take()
        if closing.text != ")":
            self.fail_expected(closing, "',' or ')'")
        return tuple(values), opening

    def operator(self) -> str:
        token = self.take()
        if token.kind == "op" and token.value in _COMPARISON_OPS:
            return token.value
        if token.kind == "keyword":
            if token.value in ("IN", "LIKE", "ILIKE"):
                return token.value
            if token.value == "NOT" and self.is_keyword("IN", "LIKE", "ILIKE"):
                return "NOT " + self.take().value
            if token.value == "IS":
                negated = self.is_keyword("NOT")
                if negated:
                    self.take()
                null = self.take()
                if not (null.kind == "keyword" and null.value == "NULL"):
                    self.fail_expected(null, "NULL after IS" + (" NOT" if negated else ""))
                return "IS NOT NULL" if negated else "IS NULL"
        self.fail_expected(token, "an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)")

    def comparison(self) -> Comparison:
        kind, key, ident = self.identifier()
        op = self.operator()
        if op in ("IS NULL", "IS NOT NULL"):
            return Comparison(kind, key, op, None, ident.position, ident.position)
        if op in ("IN", "NOT IN"):
            values, opening = self.value_list()
            return Comparison(kind, key, op, values, ident.position, opening.position)
        value, token = self.value()
        return Comparison(kind, key, op, value, ident.position, token.position)

    def filter(self) -> Conjunction:
        clauses = [self.comparison()]
        while self.is_keyword("AND"):
            self.take()
            clauses.append(self.comparison())
        token = self.peek
        if token.kind == "keyword" and token.value == "OR":
            self.fail(token, "OR is not supported (run one search per alternative, or use IN)")
        if token.kind != "end":
            self.fail_expected(token, "AND or the end of the filter")
        return Conjunction(tuple(clauses))

    def order_key(self) -> OrderKey:
        kind, key, ident = self.identifier()
        ascending = True
        if self.is_keyword("ASC", "DESC"):
            ascending = self.take().value == "ASC"
        token = self.peek
        if token.kind != "end":
            self.fail_expected(token, "ASC, DESC or the end of the order key")
        return OrderKey(kind, key, ascending, self.text, ident.position)


def parse_filter(text) -> Conjunction | None:
    """Parse a filter string into a Conjunction of Comparisons; None for an empty filter.

    Raises SearchSyntaxError (an InvalidInputError) naming the offending token and its position.
    """
    if text is None or not str(text).strip():
        return None
    if not isinstance(text, str):
        raise SearchSyntaxError("filter", str(text), 0, f"expected a string, got {type(text).__name__}")
    return _Parser(text, "filter").filter()


def parse_order_by(order_by) -> list:
    """Parse ``["metrics.rmse ASC", "start_time DESC"]`` into OrderKeys.

    Raises SearchSyntaxError for a malformed key or direction.
    """
    if order_by is None:
        return []
    if isinstance(order_by, str):
        order_by = [order_by]
    keys = []
    for item in order_by:
        if not isinstance(item, str) or not item.strip():
            raise SearchSyntaxError("order key", str(item), 0, "expected a non-empty string like 'metrics.rmse ASC'")
        keys.append(_Parser(item, "order key").order_key())
    return keys
