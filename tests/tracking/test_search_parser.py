"""The filter DSL: parsing into a tree, errors that point at the position, compilation to bound SQL."""

import pytest

from autolog.tracking.exceptions import InvalidInputError
from autolog.tracking.search import (RUNS, Comparison, SearchSyntaxError, compile_search, dialect_for,
                                     parse_filter, parse_order_by)
from autolog.tracking.search.dialect import PostgresDialect

pytestmark = pytest.mark.single_store  # parsing and compiling only: no store


def test_parses_every_operator_into_a_tree():
    tree = parse_filter("metrics.rmse < 6.8 and params.alpha = '0.1' AND tags.`my tag` ILIKE 'x%' "
                        "and run_name LIKE 'xgb%' and tags.mlflow.user IS NULL and status IN ('FINISHED', \"FAILED\")"
                        " and params.seed NOT IN ('1') and metrics.`val rmse` >= -1e-3 and tags.t IS NOT NULL")
    assert tree.clauses[0] == Comparison("metric", "rmse", "<", 6.8, 0, 15)
    assert [(c.kind, c.key, c.op, c.value) for c in tree.clauses[1:]] == [
        ("param", "alpha", "=", "0.1"), ("tag", "my tag", "ILIKE", "x%"), ("attribute", "run_name", "LIKE", "xgb%"),
        ("tag", "mlflow.user", "IS NULL", None), ("attribute", "status", "IN", ("FINISHED", "FAILED")),
        ("param", "seed", "NOT IN", ("1",)), ("metric", "val rmse", ">=", -0.001), ("tag", "t", "IS NOT NULL", None)]


def test_keys_with_dashes_dots_and_quotes():
    tree = parse_filter("metrics.validation-rmse < 1 and tags.\"a b\" = 'it''s' and params.`x.y` != 'z'")
    assert [(c.key, c.value) for c in tree.clauses] == [("validation-rmse", 1.0), ("a b", "it's"), ("x.y", "z")]


@pytest.mark.parametrize("text, position, words", [
    ("metrics.rmse << 5", 14, "found '<'"),
    ("metrics.rmse < 5 or params.a = 'b'", 17, "OR is not supported"),
    ("metrics.rmse < 5 params.a = 'b'", 17, "expected AND"),
    ("foo.bar = 1", 0, "unknown entity 'foo'"),
    ("metrics.x = 'a", 12, "unclosed quote"),
    ("metrics.x IS NOT 5", 17, "expected NULL"),
    ("status = FINISHED", 9, "quote it"),
    ("metrics.rmse <", 14, "end of the input"),
    ("status IN ('a' 'b')", 15, "expected ',' or ')'"),
    ("metrics.a ~ 1", 10, "unexpected character '~'"),
])
def test_malformed_filters_point_at_the_position(text, position, words):
    with pytest.raises(SearchSyntaxError) as info:
        parse_filter(text)
    assert info.value.position == position
    assert words in str(info.value) and f"position {position}" in str(info.value)
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize("text, words", [
    ("params.a < '3'", "params.a is text: < does not apply"),
    ("params.a = 3", "write '3'"),
    ("metrics.m = 'x'", "compares with numbers"),
    ("metrics.m LIKE '1%'", "LIKE does not apply"),
    ("bogus = 'x'", "unknown attribute 'bogus'"),
])
def test_type_and_key_errors_are_reported_at_compile_time(text, words):
    with pytest.raises(SearchSyntaxError, match=words):
        compile_search(RUNS, parse_filter(text), [], dialect_for("sqlite"), text)


def test_values_are_bound_never_pasted_into_sql():
    text = "params.a = 'x''; DROP TABLE runs; --' and tags.`k'--` = 'v'"
    sql, params = compile_search(RUNS, parse_filter(text), [], dialect_for("sqlite"), text).statement("r.run_uuid")
    assert "DROP" not in sql and "--" not in sql
    assert "x'; DROP TABLE runs; --" in params and "k'--" in params


def test_dialects_differ_only_in_like_ilike_and_placeholders():
    text = "tags.m LIKE 'a_%' and tags.n ILIKE 'B%'"
    tree = parse_filter(text)
    sqlite_sql, sqlite_params = compile_search(RUNS, tree, [], dialect_for("sqlite"), text).statement("r.run_uuid")
    pg_sql, pg_params = compile_search(RUNS, tree, [], PostgresDialect(), text).statement("r.run_uuid")
    assert "GLOB ?" in sqlite_sql and "LOWER(k1.value) LIKE LOWER(?)" in sqlite_sql and "a?*" in sqlite_params
    assert "LIKE %s" in pg_sql and "ILIKE %s" in pg_sql and "?" not in pg_sql and "a_%" in pg_params


def test_order_keys_parse_with_directions_and_errors():
    keys = parse_order_by(["metrics.rmse ASC", "attributes.start_time desc", "params.`a b`"])
    assert [(k.kind, k.key, k.ascending) for k in keys] == [
        ("metric", "rmse", True), ("attribute", "start_time", False), ("param", "a b", True)]
    with pytest.raises(SearchSyntaxError, match="position 13: expected ASC, DESC"):
        parse_order_by(["metrics.rmse ASCENDING"])
    with pytest.raises(SearchSyntaxError, match="order key"):
        parse_order_by([""])


def test_empty_filter_is_no_filter():
    assert parse_filter("") is None and parse_filter("   ") is None and parse_filter(None) is None
