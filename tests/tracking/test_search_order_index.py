"""Searches ordered by a param, tag or metric read one page from an index, even when many runs share
a value: the key tables carry their run's start time (the tie-breaker), kept in step on every write
path, and a store of the previous schema is migrated when it opens."""

import pytest

import autolog
from autolog.tracking import Metric, Param, RunTag
from autolog.tracking.stores.schema import MIGRATIONS, key_tables_in_run_order
from autolog.transfer import import_mlflow
from benchmarks._mlflow_db import write_mlflow_database

KEY_TABLES = ("params", "tags", "latest_metrics")


def _query(client, sql, params=()):
    return client._store.db.query(sql, params)


def _unsynced(client) -> int:
    """How many key-table rows hold another start time than their run's."""
    return sum(_query(client, f"SELECT count(*) FROM {table} k JOIN runs r ON r.run_uuid = k.run_uuid"
                              " WHERE k.start_time IS NULL OR k.start_time != r.start_time")[0][0]
               for table in KEY_TABLES)


def _log_tied_runs(client, experiment_id, count=12) -> list:
    """Runs whose "depth" param, "family" tag and "score" metric take two values each, logged in
    an order unrelated to their start times; return the run ids."""
    run_ids = []
    for index in range(count):
        start_time = 1_700_000_000_000 + (index * 7919) % count * 1000
        run = client.create_run(experiment_id, start_time=start_time,
                                tags={"family": "ab"[index % 2], "mlflow.note": "ab"[index % 3 == 0]})
        if index % 3 == 0:
            client.log_param(run.info.run_id, "depth", str(index % 2))
            client.log_metric(run.info.run_id, "score", float(index % 2))
        else:
            client.log_batch(run.info.run_id, metrics=[Metric("score", float(index % 2), 0, 0)],
                             params=[Param("depth", str(index % 2))], tags=[RunTag("extra", "x")])
        run_ids.append(run.info.run_id)
    return run_ids


def _expected(client, run_ids, key, value_of, descending) -> list:
    runs = [client.get_run(run_id) for run_id in run_ids]
    runs.sort(key=lambda run: run.info.run_id)
    runs.sort(key=lambda run: run.info.start_time, reverse=True)
    runs.sort(key=lambda run: value_of(run), reverse=descending)
    return [run.info.run_id for run in runs]


@pytest.mark.parametrize("order", ["params.depth", "tags.family", "metrics.score", "tags.mlflow.note"])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_ties_go_by_start_time_then_run_id_page_by_page(tracking_dir, order, descending):
    client = autolog.Client(str(tracking_dir))
    run_ids = _log_tied_runs(client, client.create_experiment("ties"))
    kind, key = order.split(".", 1)
    value_of = {"params": lambda run: run.data.params[key], "tags": lambda run: run.data.tags[key],
                "metrics": lambda run: run.data.metrics[key]}[kind]
    experiment_id = client.get_experiment_by_name("ties").experiment_id
    pages, token = [], None
    while True:
        page = client.search_runs([experiment_id], "", max_results=5, page_token=token,
                                  order_by=[f"{order} {'DESC' if descending else 'ASC'}"])
        pages += [run.info.run_id for run in page]
        token = page.token
        if not token:
            break
    assert pages == _expected(client, run_ids, key, value_of, descending)
    assert _unsynced(client) == 0


def test_every_write_path_copies_the_run_start_time(tracking_dir, tmp_path):
    client = autolog.Client(str(tracking_dir))
    experiment_id = client.create_experiment("writes")
    run_ids = _log_tied_runs(client, experiment_id, count=4)
    client.set_tag(run_ids[0], "later", "yes")
    client.set_tag(run_ids[0], "mlflow.runName", "renamed")
    client.log_metric(run_ids[1], "score", 5.0, step=3)  # the latest point replaces the row
    assert _unsynced(client) == 0
    assert _query(client, "SELECT count(*) FROM params WHERE start_time IS NOT NULL")[0][0] == 4

    database = tmp_path / "mlflow.db"  # the import writes runs of another store through its own path
    written = write_mlflow_database(str(database), runs=3, points=2, artifact_root=str(tmp_path / "mlruns"))
    destination = autolog.Client(str(tmp_path / "imported"))
    import_mlflow(f"sqlite:///{database}", str(tmp_path / "imported"), registry=False)
    assert {run.info.run_id for run in destination.search_runs(["1"])} == set(written["run_ids"])
    assert _unsynced(destination) == 0


def _downgrade_to_previous_schema(client) -> None:
    """Turn a fresh store back into the shape before the run-order indexes (what an older release wrote)."""
    on = (lambda table: f" ON {table}") if client._store.db.dialect == "postgresql" else (lambda table: "")
    with client._store.db.write() as cur:
        for table in KEY_TABLES:
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_start_time{on(table)}")
            cur.execute(f"DROP INDEX {table}_in_order")
            cur.execute(f"DROP INDEX IF EXISTS {table}_in_reverse_order")
            cur.execute(f"ALTER TABLE {table} DROP COLUMN start_time")
        cur.execute(f"DROP TRIGGER runs_start_time{on('runs')}")
        cur.execute("CREATE INDEX params_by_key ON params (key, value)")
        cur.execute("UPDATE schema_version SET version = ?", (_RUN_ORDER_STEP,))
        cur.execute("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (1, 'old', 'active')")
        for index in range(6):
            run_id = f"{index:032x}"
            cur.execute("INSERT INTO runs (run_uuid, experiment_id, status, start_time, lifecycle_stage)"
                        " VALUES (?, 1, 'FINISHED', ?, 'active')", (run_id, 1000 + index))
            cur.execute("INSERT INTO params (run_uuid, key, value) VALUES (?, 'depth', ?)", (run_id, str(index % 2)))
            cur.execute("INSERT INTO tags (run_uuid, key, value) VALUES (?, 'family', 'a')", (run_id,))
            cur.execute("INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step)"
                        " VALUES (?, 'score', 1.0, 0, 0)", (run_id,))


_RUN_ORDER_STEP = next(version for version, step in MIGRATIONS.items() if step is key_tables_in_run_order)


def _forget_open_stores() -> None:
    from autolog.tracking import stores

    for key in list(stores._stores):
        stores._stores.pop(key).close()


def test_a_store_of_the_previous_schema_is_migrated_and_searched_from_the_index(tracking_dir):
    _downgrade_to_previous_schema(autolog.Client(str(tracking_dir)))
    _forget_open_stores()

    client = autolog.Client(str(tracking_dir))  # opening it migrates it
    assert _query(client, "SELECT version FROM schema_version") == [(max(MIGRATIONS) + 1,)]
    assert _unsynced(client) == 0
    found = client.search_runs(["1"], "", order_by=["params.depth DESC"], max_results=3)
    assert [run.info.run_id for run in found] == [f"{index:032x}" for index in (5, 3, 1)]
    if client._store.db.dialect == "sqlite":
        plan = _query(client, "EXPLAIN QUERY PLAN SELECT k.run_uuid FROM params k CROSS JOIN runs r"
                              " ON r.run_uuid = k.run_uuid WHERE k.key = 'depth' AND k.value IS NOT NULL"
                              " ORDER BY k.value DESC, k.start_time DESC, k.run_uuid ASC LIMIT 3")
        details = " ".join(row[-1] for row in plan)
        assert "params_in_reverse_order" in details and "TEMP B-TREE" not in details
    client.log_param(found[0].info.run_id, "new", "1")  # writes state the start time on the migrated store too
    assert _unsynced(client) == 0


def _plan(client, order_by: str) -> str:
    from autolog.tracking.search import compile_search, dialect_for, parse_order_by
    from autolog.tracking.search.specs import RUNS

    compiled = compile_search(RUNS, None, parse_order_by([order_by]), dialect_for("sqlite"))
    sql, params = compiled.statement("r.run_uuid", ["r.experiment_id = ?"], ["1"], 10, 0, part="present")
    return " ".join(row[-1] for row in _query(client, "EXPLAIN QUERY PLAN " + sql, params))


def test_system_tags_stay_out_of_the_descending_index_and_user_tags_are_read_from_both(tracking_dir):
    client = autolog.Client(str(tracking_dir))
    if client._store.db.dialect != "sqlite":
        pytest.skip("query plans are SQLite's")
    _log_tied_runs(client, client.create_experiment("ties"), count=4)
    indexed = _query(client, "SELECT DISTINCT key FROM tags INDEXED BY tags_in_reverse_order"
                             " WHERE key > '' AND substr(key, 1, 7) <> 'mlflow.' AND substr(key, 1, 8) <> 'autolog.'")
    assert {key for (key,) in indexed} == {"family", "extra"}
    for direction, index in (("ASC", "tags_in_order"), ("DESC", "tags_in_reverse_order")):
        plan = _plan(client, f"tags.family {direction}")
        assert index in plan and "TEMP B-TREE" not in plan
    assert "tags_in_order" in _plan(client, "tags.mlflow.note ASC")
    assert "tags_in_order" in _plan(client, "tags.mlflow.note DESC")  # read backwards, ties sorted
