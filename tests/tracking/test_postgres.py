"""What only the PostgreSQL store has: its URI forms, a schema shared by many processes, masked secrets.

(Everything else the store does is checked by the rest of tests/tracking, which runs on both stores.)
"""

import subprocess
import sys

import pytest

import autolog
from autolog.cli import main as cli_main
from autolog.tracking import stores
from autolog.tracking.stores.schema import SCHEMA_VERSION
from tests.fixtures_postgres import PASSWORD

pytestmark = pytest.mark.single_store


def _forget(uri: str) -> None:
    for key in [key for key in stores._stores if key[0] == uri]:
        stores._stores.pop(key).close()


@pytest.fixture
def database(postgres_server):
    """The URI of a new, empty schema; the stores opened on it are closed afterwards."""
    uri = postgres_server.new_uri()
    yield uri
    for key in [key for key in stores._stores if key[0].endswith(uri.rsplit("?", 1)[1])]:
        stores._stores.pop(key).close()


def test_every_uri_form_opens_the_same_store(database, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOLOG_ARTIFACT_ROOT", str(tmp_path / "art"))
    for scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        autolog.set_tracking_uri(database.replace("postgresql://", f"{scheme}://", 1))
        autolog.set_experiment("taxi")
        with autolog.start_run() as run:
            autolog.log_metric("rmse", 6.5, step=1)
            autolog.log_text("x", "notes.txt")
        reader = autolog.Client(database)
        assert reader.get_run(run.info.run_id).data.metrics == {"rmse": 6.5}
        experiment = reader.get_experiment_by_name("taxi")
        assert experiment.artifact_location == str(tmp_path / "art" / experiment.experiment_id)
        assert (tmp_path / "art" / experiment.experiment_id / run.info.run_id / "notes.txt").read_text() == "x"
    assert len(reader.search_runs([experiment.experiment_id])) == 3


def test_processes_opening_a_new_store_at_once_create_its_tables_once(postgres_server, database):
    uri = database
    script = ("import sys, autolog; autolog.set_tracking_uri(sys.argv[1]); "
              "print(autolog.set_experiment('shared').experiment_id)")
    processes = [subprocess.Popen([sys.executable, "-c", script, uri], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err for _, err in outputs]
    assert len({out.strip() for out, _ in outputs}) == 1  # one experiment, got or created without a race
    rows = postgres_server.admin.execute(
        "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version' AND schemaname = 'public'").fetchone()
    assert rows == (0,)  # the tables went into the store's own schema
    names = [e.name for e in autolog.Client(uri).search_experiments()]
    assert sorted(names) == ["Default", "shared"]


def test_a_newer_schema_is_refused_and_db_upgrade_reports_the_version(database, capsys):
    uri = database
    assert cli_main(["db", "upgrade", uri]) == 0
    out = capsys.readouterr().out
    assert f"schema version {SCHEMA_VERSION}" in out and PASSWORD not in out and "***" in out
    autolog.Client(uri).create_experiment("kept")
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    _forget(uri)
    with pytest.raises(autolog.StoreError, match="999"):
        autolog.Client(uri)
    assert cli_main(["db", "upgrade", uri]) == 1
    assert "999" in capsys.readouterr().err


def test_secrets_never_reach_messages_tags_or_cli_output(postgres_server, database, capsys):
    wrong = postgres_server.uri("postgres", password="not-the-" + PASSWORD)
    with pytest.raises(autolog.StoreError) as raised:
        autolog.Client(wrong)
    assert "password authentication failed" in str(raised.value)
    assert PASSWORD not in str(raised.value) and "***" in str(raised.value)
    missing = postgres_server.uri("no_such_db")
    with pytest.raises(autolog.StoreError) as raised:
        autolog.Client(missing)
    assert "no_such_db" in str(raised.value) and PASSWORD not in str(raised.value)
    assert cli_main(["--tracking-uri", missing, "experiments", "list"]) == 1
    assert PASSWORD not in capsys.readouterr().err

    uri = database
    autolog.set_tracking_uri(uri)
    with autolog.start_run() as run:
        autolog.log_param("a", 1)
    assert PASSWORD not in repr(autolog.Client(uri).get_run(run.info.run_id))
    assert cli_main(["--tracking-uri", uri, "runs", "list"]) == 0
    assert PASSWORD not in capsys.readouterr().out


def test_a_dead_pooled_connection_is_replaced(postgres_server, database):
    client = autolog.Client(database)
    experiment_id = client.create_experiment("before")
    postgres_server.admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'")
    assert client.get_experiment(experiment_id).name == "before"
    client.set_experiment_tag(experiment_id, "after", "restart")
    assert client.get_experiment(experiment_id).tags == {"after": "restart"}


def _messages(store, action) -> list:
    """The messages the client sent to the server while ``action`` ran (libpq's trace of every pooled
    connection): one entry per query message or extended-protocol execution."""
    import tempfile

    import psycopg

    connections = list(store.db.pool._pool)
    with tempfile.TemporaryFile("w+") as trace:
        for conn in connections:
            conn.pgconn.trace(trace.fileno())
            conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            action()
        finally:
            for conn in connections:
                conn.pgconn.untrace()
        trace.seek(0)
        return [line for line in trace.read().splitlines() if line.split("\t")[:1] == ["F"]
                and line.split("\t")[2] in ("Query", "Execute")]


def test_each_write_of_a_run_is_one_message(database):
    client = autolog.Client(database)
    experiment_id = client.create_experiment("trips")
    batch = dict(metrics=[autolog.tracking.Metric(f"m{k}", 0.5, 0, 0) for k in range(3)],
                 params=[autolog.tracking.Param(f"p{k}", "1") for k in range(3)],
                 tags=[autolog.tracking.RunTag("t", "x")])
    store = client._store
    first = []
    for _ in range(6):  # the first time, each pooled session prepares each statement (a message of its own)
        counts = [len(_messages(store, lambda: first.append(client.create_run(experiment_id, tags={"a": "1"}))))]
        run_id = first[-1].info.run_id
        counts.append(len(_messages(store, lambda: client.log_batch(run_id, **batch))))
        counts.append(len(_messages(store, lambda: client.set_terminated(run_id))))
    assert counts == [1, 1, 1] and len(store.db.pool._pool) <= 3
    stored = client.get_run(run_id)
    assert stored.data.params == {"p0": "1", "p1": "1", "p2": "1"} and stored.data.tags["t"] == "x"
    assert stored.data.metrics == {"m0": 0.5, "m1": 0.5, "m2": 0.5} and stored.info.status == "FINISHED"


def test_writes_survive_a_session_that_lost_its_prepared_statements(database):
    client = autolog.Client(database)
    experiment_id = client.create_experiment("forgetful")
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "a", "1")
    with pytest.raises(autolog.InvalidInputError, match="'a'"):  # a failed write on the same session
        client.log_batch(run_id, params=[autolog.tracking.Param("a", "2")],
                         metrics=[autolog.tracking.Metric("lost", 1.0, 0, 0)])
    for conn in list(client._store.db.pool._pool):  # what a pooler's DISCARD ALL does to a session
        conn.execute("DEALLOCATE ALL")
    client.log_metric(run_id, "m", 0.5)
    client.log_param(run_id, "b", "2")
    client.set_terminated(run_id)
    stored = client.get_run(run_id)
    assert stored.data.params == {"a": "1", "b": "2"} and stored.data.metrics == {"m": 0.5}
    assert stored.info.status == "FINISHED"
