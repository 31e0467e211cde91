"""Fuzzed filters and order keys: only documented exceptions come out, and the database never changes."""

import hashlib
import sqlite3

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autolog.tracking import AutologError, Client  # noqa: E402

KEYS = ["metrics.rmse", "params.alpha", "tags.model", "attributes.status", "run_name", "metrics.`a b`",
        "tags.\"x'y\"", "params.alpha; DROP TABLE runs", "start_time", "metrics", "`", "end_time"]
OPS = ["=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "NOT LIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL",
       "==", "<>", "~"]
VALUES = ["'0.1'", "0.1", "'xgb%'", "('a', 'b')", "(1, 2", "'", "\"", "'; DROP TABLE runs; --'", "1e400", "-",
          "NULL", "'\\'", "''", "'%_'", "1.5.5", "0x10", "'\x00'", "'\udc80'", "(" + "'a'," * 50 + "'b')"]
JOINERS = [" and ", " AND ", " or ", " ", ", ", " and not ", ";"]

comparison = st.builds(lambda k, o, v: f"{k} {o} {v}", st.sampled_from(KEYS), st.sampled_from(OPS),
                       st.sampled_from(VALUES))
valid_comparison = st.builds(  # parses, so its value reaches the database
    lambda k, o, v: f"{k} {o} {v}", st.sampled_from(["metrics.rmse", "params.alpha", "tags.model", "run_name"]),
    st.sampled_from(["=", "!=", "LIKE", "ILIKE"]), st.sampled_from([v for v in VALUES if v.startswith("'")]))
filters = st.one_of(
    valid_comparison,
    st.lists(valid_comparison, min_size=2, max_size=4).map(" and ".join),
    st.lists(st.tuples(comparison, st.sampled_from(JOINERS)), max_size=6).map(
        lambda parts: "".join(c + j for c, j in parts).rstrip()),
    st.text(max_size=60),
    st.builds(lambda c, noise: c + noise, comparison, st.text(max_size=10)),
)
order_keys = st.lists(st.one_of(st.builds(lambda k, d: f"{k} {d}", st.sampled_from(KEYS),
                                          st.sampled_from(["ASC", "DESC", "asc", "UP", ""])),
                                st.text(max_size=20)), max_size=3)


def _fingerprint(database) -> str:
    digest = hashlib.sha256()
    for (table,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in database.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
            digest.update(repr(row).encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    store = tmp_path_factory.mktemp("fuzz") / "store"
    client = Client(str(store))
    for index, model in enumerate(["xgboost", "lightgbm", "sklearn"]):
        run = client.create_run("0", run_name=f"xgb-{index}")
        client.log_param(run.info.run_id, "alpha", str(index / 10))
        client.set_tag(run.info.run_id, "model", model)
        client.log_metric(run.info.run_id, "rmse", 1.0 + index)
    client.create_registered_model("m")
    watcher = sqlite3.connect(store / "tracking.db")  # data_version moves when another connection commits
    before = _fingerprint(watcher)
    yield client, watcher
    assert _fingerprint(watcher) == before


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filter_string=filters, order_by=order_keys)
def test_fuzzed_searches_raise_only_documented_errors_and_change_nothing(populated, filter_string, order_by):
    client, watcher = populated
    version = watcher.execute("PRAGMA data_version").fetchone()[0]
    for search in (lambda: client.search_runs(["0"], filter_string, order_by=order_by),
                   lambda: client.search_experiments(filter_string=filter_string, order_by=order_by),
                   lambda: client.search_registered_models(filter_string, order_by=order_by),
                   lambda: client.search_model_versions(filter_string, order_by=order_by)):
        try:
            search()
        except AutologError:
            pass
    assert watcher.execute("PRAGMA data_version").fetchone()[0] == version, "a search wrote to the database"
