"""Split a filter string or order key into tokens that remember their position."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import SearchSyntaxError

__all__ = ["Token", "tokenize", "KEYWORDS"]

KEYWORDS = frozenset({"AND", "OR", "IN", "NOT", "LIKE", "ILIKE", "IS", "NULL", "ASC", "DESC"})

# A key after "<prefix>." is quoted with backticks or double quotes, or runs up to
# whitespace, an operator, a parenthesis, a comma or a quote: "validation-rmse" and
# "mlflow.source.name" are keys.
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<ident>(?:[A-Za-z_][A-Za-z0-9_]*|`[A-Za-z_][A-Za-z0-9_]*`)
        (?:\.(?:`(?:[^`])*`|"(?:[^"\\]|\\.)*"|[^\s=<>!(),'"`]+))?)
  | (?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<op><=|>=|!=|<>|==|=|<|>)
  | (?P<punct>[(),])
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    """``kind`` is ident, keyword, string, number, op, punct or end; ``value`` is the decoded value."""

    kind: str
    text: str
    value: object
    position: int


def _unquote(text: str) -> str:
    quote = text[0]
    body = text[1:-1]
    if quote == "'":
        body = body.replace("''", "'")
    return re.sub(r"\\(.)", r"\1", body)


def _split_ident(text: str) -> tuple:
    """("metrics", "rmse") for ``metrics.rmse``; (None, "status") for ``status``."""
    prefix, dot, key = text.partition(".")
    if prefix.startswith("`"):  # a back-quoted entity: `metrics`.rmse
        prefix = prefix[1:-1]
    if not dot:
        return None, prefix
    if key[:1] in ("`", '"'):
        key = key[1:-1] if key[0] == "`" else _unquote(key)
    return prefix, key


def tokenize(text: str, what: str = "filter") -> list:
    """Return the tokens of ``text`` followed by an ``end`` token.

    Raises SearchSyntaxError at the first character that starts no token (an unclosed quote, say).
    """
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            problem = "unclosed quote" if char in "'\"`" else f"unexpected character {char!r}"
            raise SearchSyntaxError(what, text, position, problem)
        kind, raw = match.lastgroup, match.group()
        if kind == "ident":
            prefix, key = _split_ident(raw)
            if prefix is None and raw.upper() in KEYWORDS:
                tokens.append(Token("keyword", raw, raw.upper(), position))
            else:
                tokens.append(Token("ident", raw, (prefix, key), position))
        elif kind == "string":
            tokens.append(Token("string", raw, _unquote(raw), position))
        elif kind == "number":
            tokens.append(Token("number", raw, float(raw), position))
        elif kind in ("op", "punct"):
            tokens.append(Token(kind, raw, {"==": "=", "<>": "!="}.get(raw, raw), position))
        position = match.end()
    tokens.append(Token("end", "", None, len(text)))
    return tokens
