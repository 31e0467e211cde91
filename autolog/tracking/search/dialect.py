"""What differs between the SQL dialects the search compiler writes for."""

from __future__ import annotations

__all__ = ["Dialect", "SqliteDialect", "PostgresDialect", "dialect_for"]


class Dialect:
    """ANSI behaviour; subclasses override what their database does differently."""

    name = "ansi"
    placeholder = "?"
    driving_join = "JOIN"  # the inner join that keeps its left side as the outer loop, where one exists

    def like(self, column: str, negated: bool = False) -> str:
        """A case-sensitive LIKE test of ``column`` against one placeholder."""
        return f"{column} {'NOT ' if negated else ''}LIKE {self.placeholder}"

    def like_param(self, pattern: str) -> str:
        """The parameter bound to the placeholder of ``like``."""
        return pattern

    def ilike(self, column: str, negated: bool = False) -> str:
        """A case-insensitive LIKE test of ``column`` against one placeholder."""
        return f"LOWER({column}) {'NOT ' if negated else ''}LIKE LOWER({self.placeholder})"

    def index_hint(self, index: str) -> str:
        """Text after a table's alias that makes the database read that table through ``index`` ('' where
        its planner chooses well by itself)."""
        return ""


class SqliteDialect(Dialect):
    """SQLite: LIKE ignores ASCII case, so a case-sensitive LIKE is written as GLOB; CROSS JOIN
    fixes the join order (its planner would otherwise start from a filter's index and sort); without
    statistics its planner prefers a unique index to a covering one, so a key table's value index is named."""

    name = "sqlite"
    driving_join = "CROSS JOIN"

    def like(self, column: str, negated: bool = False) -> str:
        return f"{column} {'NOT ' if negated else ''}GLOB {self.placeholder}"

    def index_hint(self, index: str) -> str:
        return f" INDEXED BY {index}"

    def like_param(self, pattern: str) -> str:
        out = []
        for char in pattern:
            if char == "%":
                out.append("*")
            elif char == "_":
                out.append("?")
            elif char in "*?[":
                out.append(f"[{char}]")
            else:
                out.append(char)
        return "".join(out)


class PostgresDialect(Dialect):
    """PostgreSQL: native ILIKE and ``%s`` placeholders (psycopg)."""

    name = "postgresql"
    placeholder = "%s"

    def ilike(self, column: str, negated: bool = False) -> str:
        return f"{column} {'NOT ' if negated else ''}ILIKE {self.placeholder}"


_DIALECTS = {"sqlite": SqliteDialect(), "postgresql": PostgresDialect()}


def dialect_for(name: str) -> Dialect:
    """The Dialect for a database's ``dialect`` name ("sqlite", "postgresql"); ANSI otherwise."""
    return _DIALECTS.get(name, Dialect())
