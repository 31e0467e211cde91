"""``autolog import-mlflow``: real MLflow stores in, every run, metric point and model version out."""

import math
import os
import sqlite3
import sys

import pytest

import autolog
import flavors
from autolog.tracking.entities import ViewType
from autolog.tracking.exceptions import StoreError
from benchmarks._mlflow_db import write_mlflow_database


def _same_value(ours: float, theirs: float) -> bool:
    return (math.isnan(ours) and math.isnan(theirs)) or ours == theirs


def _check_runs(client, expected_runs: dict) -> None:
    for run_id, expected in expected_runs.items():
        run = client.get_run(run_id)
        assert run.info.run_name == expected["name"]
        assert (run.info.status, run.info.lifecycle_stage) == (expected["status"], expected["lifecycle_stage"])
        assert (run.info.start_time, run.info.end_time) == (expected["start_time"], expected["end_time"])
        assert client.get_experiment(run.info.experiment_id).name == expected["experiment"]
        assert run.data.params == expected["params"]
        assert run.data.tags == expected["tags"]
        assert set(run.data.metrics) == set(expected["metrics"])
        assert sorted(d.dataset.name for d in run.inputs.dataset_inputs) == sorted(expected["inputs"])
        for key, points in expected["metrics"].items():
            history = client.get_metric_history(run_id, key)
            assert [(m.step, m.timestamp) for m in history] == [(step, stamp) for step, stamp, _ in points]
            assert all(_same_value(m.value, value) for m, (_, _, value) in zip(history, points)), key


def _check_versions(client, expected_versions: dict) -> None:
    for key, expected in expected_versions.items():
        name, number = key.split("/")
        version = client.get_model_version(name, number)
        assert version.current_stage == expected["stage"]
        assert sorted(version.aliases) == expected["aliases"]
        assert version.tags == expected["tags"]
        assert version.description == expected["description"]
        assert (version.run_id, version.source) == (expected["run_id"], expected["source"])


@pytest.mark.mlflow
@pytest.mark.slow
def test_import_of_an_mlflow_database_keeps_every_run_point_and_version(mlflow_stores, tmp_path, run_cli):
    root, report = mlflow_stores
    destination = tmp_path / "imported"
    status, out, _ = run_cli("import-mlflow", f"sqlite:///{root}/mlflow.db", "--to", destination)
    assert status == 0, out
    assert "mlflow" not in sys.modules
    expected = report["database"]
    client = autolog.Client(str(destination))
    _check_runs(client, expected["runs"])
    _check_versions(client, expected["versions"])
    listed = client.search_runs([e.experiment_id for e in client.search_experiments(ViewType.ALL)],
                                run_view_type=ViewType.ALL)
    assert {run.info.run_id for run in listed} == set(expected["runs"])
    manual = next(run_id for run_id, run in expected["runs"].items() if run["name"] == "manual")
    notes = client.download_artifacts(manual, "notes/hello.txt", str(tmp_path / "dl"))
    assert open(notes, encoding="utf-8").read() == "hello"
    data = __import__("pandas").read_csv(root / "data.csv")
    autolog.set_tracking_uri(str(destination))
    for selector, uri in (("Production", "models:/nyc-taxi-regressor/Production"),
                          ("champion", "models:/nyc-taxi-regressor@champion")):
        predictions = flavors.pyfunc.load_model(uri).predict(data)
        assert list(map(float, predictions)) == pytest.approx(expected["predictions"][selector], rel=1e-6)
    production = expected["versions"]["nyc-taxi-regressor/1"]
    logged = client.get_logged_model(production["source"][len("models:/"):])
    assert (logged.source_run_id, logged.status.value) == (production["run_id"], "READY")
    predictions = flavors.pyfunc.load_model(production["source"]).predict(data)
    assert list(map(float, predictions)) == pytest.approx(expected["predictions"]["Production"], rel=1e-6)

    status, out, _ = run_cli("import-mlflow", f"sqlite:///{root}/mlflow.db", "--to", destination)
    assert status == 0 and "Copied: nothing" in out
    assert f"{len(expected['runs'])} runs" in out.split("Already in the destination")[1]
    again = client.search_runs([e.experiment_id for e in client.search_experiments(ViewType.ALL)],
                               run_view_type=ViewType.ALL)
    assert len(again) == len(expected["runs"])
    assert len(client.get_metric_history(manual, "loss")) == 5


@pytest.mark.mlflow
@pytest.mark.slow
def test_import_of_an_mlflow_file_store(mlflow_stores, tmp_path, run_cli):
    root, report = mlflow_stores
    if "files" not in report:
        pytest.skip(f"this MLflow wrote no file store: {report.get('files_error')}")
    destination = tmp_path / "from-files"
    status, out, _ = run_cli("import-mlflow", root / "fstore", "--to", destination)
    assert status == 0, out
    client = autolog.Client(str(destination))
    _check_runs(client, report["files"]["runs"])
    _check_versions(client, report["files"]["versions"])
    assert [f.path for f in client.list_artifacts(report["files"]["by_hand"], "a")] == ["a/b.txt"]
    data = __import__("pandas").read_csv(root / "data.csv")
    autolog.set_tracking_uri(str(destination))
    predictions = flavors.pyfunc.load_model("models:/files-model/Production").predict(data)
    assert list(map(float, predictions)) == pytest.approx(report["files"]["predictions"]["Production"], rel=1e-6)


def test_opening_an_mlflow_database_names_the_import_command(tmp_path):
    database = tmp_path / "mlflow.db"
    write_mlflow_database(str(database), runs=2, points=3, artifact_root=str(tmp_path / "mlruns"))
    before = database.read_bytes()
    with pytest.raises(StoreError, match="autolog import-mlflow sqlite:///"):
        autolog.Client(f"sqlite:///{database}")
    assert database.read_bytes() == before  # nothing written into MLflow's file


@pytest.mark.parametrize("old", [False, True], ids=["mlflow-3.17-schema", "mlflow-1.x-schema"])
def test_import_reads_the_columns_each_schema_has(tmp_path, run_cli, old):
    database = tmp_path / "mlflow.db"
    written = write_mlflow_database(str(database), runs=30, points=20, artifact_root=str(tmp_path / "mlruns"),
                                    old=old)
    first = written["run_ids"][0]
    os.makedirs(tmp_path / "mlruns" / "1" / first / "artifacts")
    (tmp_path / "mlruns" / "1" / first / "artifacts" / "note.txt").write_text("kept")
    status, out, _ = run_cli("import-mlflow", database, "--to", tmp_path / "dest")
    assert status == 0, out
    assert "30 runs, 600 metric points, 1 artifact files" in out
    client = autolog.Client(str(tmp_path / "dest"))
    run = client.get_run(first)
    assert run.info.run_name == "run-0" and run.data.params["optimizer"] == "adam"
    assert [m.step for m in client.get_metric_history(first, "loss")] == list(range(20))
    assert [f.path for f in client.list_artifacts(first)] == ["note.txt"]


def test_import_refuses_what_is_not_an_mlflow_store(tmp_path, run_cli):
    autolog.Client(str(tmp_path / "ours")).create_experiment("x")
    status, _, err = run_cli("import-mlflow", f"sqlite:///{tmp_path}/ours/tracking.db", "--to", tmp_path / "d")
    assert status == 1 and "is not an MLflow tracking database" in err
    status, _, err = run_cli("import-mlflow", tmp_path / "missing", "--to", tmp_path / "d")
    assert status == 1 and "No MLflow store at" in err


def test_interrupted_import_resumes_without_duplicates(tmp_path):
    from autolog.transfer import import_mlflow

    database = tmp_path / "mlflow.db"
    write_mlflow_database(str(database), runs=40, points=5, artifact_root=str(tmp_path / "mlruns"))
    destination = str(tmp_path / "dest")
    autolog.Client(destination).create_experiment("bulk")  # a name that exists already is reused
    with sqlite3.connect(database) as conn:  # a run the first import will not see
        conn.execute("UPDATE runs SET experiment_id = 99 WHERE run_uuid = (SELECT MIN(run_uuid) FROM runs)")
    first = import_mlflow(str(database), destination)
    assert first.copied["runs"] == 39
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE runs SET experiment_id = 1 WHERE experiment_id = 99")
    second = import_mlflow(str(database), destination)
    assert (second.copied["runs"], second.already["runs"]) == (1, 39)
    client = autolog.Client(destination)
    bulk = client.get_experiment_by_name("bulk")
    assert len(client.search_runs([bulk.experiment_id], max_results=1000)) == 40


def test_summary_names_what_was_skipped_and_progress_draws_on_a_terminal(tmp_path):
    import io

    from autolog.transfer import import_mlflow
    from autolog.transfer.report import Progress

    database = tmp_path / "mlflow.db"
    written = write_mlflow_database(str(database), runs=3, points=2, artifact_root=str(tmp_path / "mlruns"))
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE runs SET artifact_uri = 'gs://bucket/run' WHERE run_uuid = ?", (written["run_ids"][0],))
    terminal = io.StringIO()
    summary = import_mlflow(str(database), str(tmp_path / "dest"), progress=Progress(terminal, enabled=True))
    assert "runs" in terminal.getvalue() and "3/3" in terminal.getvalue()
    text = "\n".join(summary.lines())
    assert summary.copied["runs"] == 3
    assert f"run {written['run_ids'][0]}: artifacts at gs://bucket/run not copied" in text
    assert Progress(io.StringIO()).enabled is False  # not a terminal: no bar


@pytest.mark.mlflow
@pytest.mark.slow
def test_import_of_a_database_written_by_mlflow_2(tmp_path, run_cli):
    import json
    import subprocess

    interpreter = os.environ.get("AUTOLOG_MLFLOW2_PYTHON")
    if not interpreter:
        pytest.skip("AUTOLOG_MLFLOW2_PYTHON names no interpreter with an MLflow 2.x")
    builder = os.path.join(os.path.dirname(__file__), "mlflow2_store.py")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MLFLOW_TRACKING_URI")}
    built = subprocess.run([interpreter, builder, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path,
                           env=env, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    expected = json.loads(built.stdout.strip().splitlines()[-1])
    assert expected["mlflow"].startswith("2.")
    status, out, _ = run_cli("import-mlflow", tmp_path / "mlflow.db", "--to", tmp_path / "dest")
    assert status == 0 and "1 runs, 6 metric points" in out, out
    client = autolog.Client(str(tmp_path / "dest"))
    run = client.get_run(expected["run_id"])
    assert (run.info.run_name, run.info.start_time, run.data.params) == ("old-run", expected["start_time"],
                                                                         {"alpha": "0.3"})
    assert [[m.step, m.timestamp, m.value] for m in client.get_metric_history(run.info.run_id, "rmse")] \
        == expected["history"]
    version = client.get_model_version_by_alias("legacy-model", "champion")
    assert (version.version, version.current_stage) == ("1", "Production")
    autolog.set_tracking_uri(str(tmp_path / "dest"))
    files = autolog.tracking.uris.download_artifacts("models:/legacy-model/Production")
    assert open(os.path.join(files, "weights.txt"), encoding="utf-8").read() == "w"


def test_opening_an_mlflow_file_store_names_the_import_command(tmp_path):
    store = tmp_path / "mlruns"
    (store / "0").mkdir(parents=True)
    (store / "0" / "meta.yaml").write_text("experiment_id: '0'\nname: Default\n")
    with pytest.raises(StoreError, match=f"autolog import-mlflow {store} --to"):
        autolog.Client(str(store))
    assert sorted(p.name for p in store.iterdir()) == ["0"]  # nothing created inside it


def _copy_into_postgres(sqlite_path, uri: str) -> None:
    """Recreate an MLflow SQLite database's tables and rows in PostgreSQL (the schema MLflow gives both)."""
    psycopg = pytest.importorskip("psycopg")
    lite = sqlite3.connect(sqlite_path)
    with psycopg.connect(uri, autocommit=True) as pg:
        for (statement,) in lite.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"):
            pg.execute(statement.replace("BOOLEAN DEFAULT '0'", "BOOLEAN DEFAULT false"))
        for (table,) in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [(row[1], row[2]) for row in lite.execute(f"PRAGMA table_info({table})")]
            rows = [tuple(bool(value) if kind.startswith("BOOLEAN") else value
                          for (_, kind), value in zip(columns, row))
                    for row in lite.execute(f"SELECT * FROM {table}")]
            names = ", ".join(f'"{name}"' for name, _ in columns)
            with pg.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                                   rows)


def test_import_of_an_mlflow_postgresql_database(tmp_path, run_cli, request):
    try:
        server = request.getfixturevalue("postgres_server")
    except pytest.FixtureLookupError:
        pytest.skip("needs the PostgreSQL test server (postgres_server fixture)")
    database = tmp_path / "mlflow.db"
    written = write_mlflow_database(str(database), runs=12, points=9, artifact_root=str(tmp_path / "mlruns"))
    uri = server.new_uri()
    _copy_into_postgres(database, uri)
    status, out, _ = run_cli("import-mlflow", uri, "--to", tmp_path / "dest")
    assert status == 0 and "12 runs, 108 metric points" in out, out
    client = autolog.Client(str(tmp_path / "dest"))
    run = client.get_run(written["run_ids"][3])
    assert run.info.run_name == "run-3" and run.data.params["depth"] == "3"
    assert [m.step for m in client.get_metric_history(run.info.run_id, "loss")] == list(range(9))
