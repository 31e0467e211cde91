"""The ``autolog`` command line, run in-process (and once as a real console command)."""

import os
import subprocess
import sys

import pytest

import autolog
from autolog.cli import main
from autolog.tracking import Client


@pytest.fixture
def store(tracking_dir):
    """An experiment 'taxi' with three runs and a registered model 'fares' with two versions."""
    autolog.set_experiment("taxi")
    uris = []
    for rmse, alpha in ((3.0, "0.1"), (1.0, "0.5"), (2.0, "0.1")):
        with autolog.start_run(run_name=f"rmse-{rmse:g}") as run:
            autolog.log_metric("rmse", rmse)
            autolog.log_param("alpha", alpha)
            autolog.log_text("w", "model/model.bin")
            autolog.log_text("flavors:\n  custom: {data: model.bin}\n", "model/MLmodel")
        uris.append(f"runs:/{run.info.run_id}/model")
    autolog.register_model(uris[0], "fares")
    autolog.register_model(uris[1], "fares")
    return str(tracking_dir)


def _cli(capsys, store, *args):
    code = main(["--tracking-uri", store, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_experiments_list(capsys, store):
    code, out, _ = _cli(capsys, store, "experiments", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["experiment_id", "name", "lifecycle"]
    assert any(line.split()[1] == "taxi" for line in lines[2:])


def test_runs_list_and_search(capsys, store):
    code, out, _ = _cli(capsys, store, "runs", "list", "--experiment", "taxi")
    assert code == 0 and len(out.splitlines()) == 5 and "metrics.rmse" in out
    code, out, _ = _cli(capsys, store, "runs", "search", "--experiment", "taxi", "--filter",
                        "metrics.rmse < 2.5 and params.alpha = '0.1'", "--order-by", "metrics.rmse ASC")
    assert code == 0 and [line.split()[1] for line in out.splitlines()[2:]] == ["rmse-2"]
    code, out, _ = _cli(capsys, store, "runs", "search", "--order-by", "metrics.rmse DESC", "--max-results", "2")
    assert [line.split()[1] for line in out.splitlines()[2:]] == ["rmse-3", "rmse-2"]


def test_models_list_and_promote(capsys, store):
    code, out, _ = _cli(capsys, store, "models", "promote", "fares", "1", "--stage", "production")
    assert code == 0 and out.strip() == "fares version 1 -> Production"
    code, out, _ = _cli(capsys, store, "models", "promote", "fares", "2", "--stage", "Production",
                        "--archive-existing")
    assert code == 0 and Client(store).get_model_version("fares", 1).current_stage == "Archived"
    code, out, _ = _cli(capsys, store, "models", "promote", "fares", "2", "--alias", "champion")
    assert code == 0 and Client(store).get_model_version_by_alias("fares", "champion").version == "2"
    code, out, _ = _cli(capsys, store, "models", "list")
    row = out.splitlines()[2]
    assert row.startswith("fares") and "Production: v2" in row and "@champion: v2" in row


def test_errors_are_one_line_without_traceback(capsys, store):
    code, out, err = _cli(capsys, store, "runs", "search", "--filter", "metrics.rmse <<< 1")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("autolog: error: Invalid filter") and "position 14" in err
    code, _, err = _cli(capsys, store, "models", "promote", "nope", "1", "--stage", "Staging")
    assert code == 1 and "No registered model named 'nope'" in err and "Traceback" not in err
    code, _, err = _cli(capsys, store, "runs", "list", "--experiment", "missing")
    assert code == 1 and "No experiment named 'missing'" in err


def test_bad_usage_exits_with_status_2(capsys, store):
    for argv in (["models", "promote", "fares", "1"], ["models", "promote", "fares", "x", "--stage", "Staging"],
                 ["models", "promote", "fares", "1", "--alias", "a", "--archive-existing"], ["bogus"]):
        with pytest.raises(SystemExit) as info:
            main(["--tracking-uri", store, *argv])
        assert info.value.code == 2
    capsys.readouterr()


def test_tracking_uri_comes_from_the_environment(store):
    env = {**os.environ, "AUTOLOG_TRACKING_URI": store}
    done = subprocess.run([sys.executable, "-m", "autolog.cli", "models", "list"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines()[2].startswith("fares")


def test_tracking_uri_after_the_subcommand(capsys, store, tmp_path):
    code = main(["--tracking-uri", str(tmp_path / "empty"), "runs", "list", "--tracking-uri", store,
                 "--experiment", "taxi"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert {"rmse-1", "rmse-2", "rmse-3"} <= {line.split()[1] for line in out.splitlines()[2:]}


def test_output_cut_short_by_a_closed_pipe_ends_quietly(store, monkeypatch):
    import io

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main(["--tracking-uri", store, "experiments", "list"]) == 0
