"""The search DSL: filter strings and order keys parsed into a tree, compiled to parameterised SQL.

    tree = parse_filter("metrics.rmse < 6.8 and params.alpha = '0.1'")
    compiled = compile_search(RUNS, tree, parse_order_by(["metrics.rmse ASC"]), dialect_for("sqlite"))
    sql, params = compiled.statement("r.run_uuid", limit=100)
"""

from .compiler import CompiledSearch, compile_search
from .dialect import Dialect, PostgresDialect, SqliteDialect, dialect_for
from .errors import SearchSyntaxError
from .nodes import Comparison, Conjunction, OrderKey
from .pages import decode_page_token, encode_page_token
from .parser import parse_filter, parse_order_by
from .specs import EXPERIMENTS, LOGGED_MODELS, MODEL_VERSIONS, REGISTERED_MODELS, RUNS, EntitySpec

__all__ = [
    "CompiledSearch", "compile_search", "Dialect", "PostgresDialect", "SqliteDialect", "dialect_for",
    "SearchSyntaxError", "Comparison", "Conjunction", "OrderKey", "decode_page_token", "encode_page_token",
    "parse_filter", "parse_order_by", "EXPERIMENTS", "MODEL_VERSIONS", "REGISTERED_MODELS", "RUNS",
    "EntitySpec", "LOGGED_MODELS",
]
