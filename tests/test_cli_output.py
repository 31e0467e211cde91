"""The command line shows the columns a user asks about, fits the terminal, prints json/csv for scripts, never
creates a store when it only reads, and fails in one line."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

import autolog
from autolog.cli import main

METRICS = ["a_loss", "b_loss", "c_loss", "d_loss", "e_loss", "f_loss", "g_loss", "rmse", "val_rmse",
           "validation-rmse"]


@pytest.fixture
def store(tracking_dir):
    autolog.set_experiment("demo")
    for index in range(3):
        with autolog.start_run(run_name=f"run-{index}"):
            autolog.log_metrics({key: index + 0.5 for key in METRICS})
            autolog.log_param("max_depth", index + 3)
    return str(tracking_dir)


def _cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_keys_the_filter_and_order_name_are_shown(capsys, store, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = _cli(capsys, "runs", "search", "--tracking-uri", store, "--filter", "params.max_depth != '9'",
                        "--order-by", "metrics.validation-rmse DESC", "--order-by", "metrics.val_rmse ASC")
    header = out.splitlines()[0].split()
    assert code == 0 and header[5:8] == ["params.max_depth", "metrics.validation-rmse", "metrics.val_rmse"]
    assert [line.split()[1] for line in out.splitlines()[2:]] == ["run-2", "run-1", "run-0"]
    assert max(len(line) for line in out.splitlines()) <= 160 and "metrics.g_loss" not in header


def test_a_narrow_terminal_shows_short_run_ids(capsys, store, monkeypatch):
    full_ids = {run.info.run_id for run in autolog.search_runs(experiment_names=["demo"], output_format="list")}
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _cli(capsys, "runs", "list", "--tracking-uri", store)
    ids = [line.split()[0] for line in out.splitlines()[2:]]
    assert code == 0 and len(ids) == 3 and all(len(run_id) == 8 for run_id in ids)
    assert {run_id[:8] for run_id in full_ids} == set(ids)
    monkeypatch.setenv("COLUMNS", "200")
    _, wide, _ = _cli(capsys, "runs", "list", "--tracking-uri", store)
    assert {line.split()[0] for line in wide.splitlines()[2:]} == full_ids


def test_columns_and_machine_readable_output(capsys, store):
    code, out, _ = _cli(capsys, "runs", "list", "--tracking-uri", store, "--columns",
                        "run_name,metrics.rmse,params.max_depth", "--output", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["run_name", "metrics.rmse", "params.max_depth"]
    assert sorted(rows[1:]) == [["run-0", "0.5", "3"], ["run-1", "1.5", "4"], ["run-2", "2.5", "5"]]
    code, out, _ = _cli(capsys, "runs", "list", "--tracking-uri", store, "--output", "json")
    records = json.loads(out)
    assert len(records) == 3 and all(set(METRICS) <= {k[8:] for k in r if k.startswith("metrics.")} for r in records)
    assert {r["params.max_depth"] for r in records} == {"3", "4", "5"}
    code, _, err = _cli(capsys, "runs", "list", "--tracking-uri", store, "--columns", "bogus")
    assert code == 1 and "Unknown column 'bogus'" in err


def test_read_only_commands_never_create_a_store(capsys, tmp_path):
    for args in (["runs", "list"], ["runs", "search"], ["experiments", "list"], ["models", "list"]):
        code, out, err = _cli(capsys, "--tracking-uri", str(tmp_path / "nowhere"), *args)
        assert code == 1 and out == "" and "No tracking store at" in err and err.count("\n") == 1
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "mlruns").exists()


def test_no_arguments_prints_help_and_version_is_there(capsys):
    code, out, _ = _cli(capsys)
    assert code == 0 and "usage: autolog" in out and "runs" in out
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"autolog {autolog.__version__}"


def test_a_filter_that_is_not_utf8_is_a_one_line_error(store):
    done = subprocess.run([sys.executable, "-m", "autolog.cli", "--tracking-uri", store, "runs", "search",
                           "--filter", os.fsdecode(b"tags.city = '\xe9'")], capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.count(b"\n") == 1 and b"not valid Unicode" in done.stderr and b"Traceback" not in done.stderr


def test_the_demo_names_the_extra_it_needs(tmp_path):
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('xgboost', 'lightgbm'):\n"
            "            raise ModuleNotFoundError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "from autolog.cli import main\n"
            "sys.exit(main(['--tracking-uri', sys.argv[1], 'demo']))\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "store")], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "needs xgboost, lightgbm: pip install 'autolog[xgboost,lightgbm,sklearn]'" in done.stderr
