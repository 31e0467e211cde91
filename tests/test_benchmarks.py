"""The benchmark suite end to end, on tiny sizes, so that it cannot rot unnoticed."""

from __future__ import annotations

import importlib.util

from benchmarks.__main__ import main
from benchmarks._harness import run_scenario
from benchmarks._report import write_report
from benchmarks._results import rows_of
from benchmarks._spec import Measure, Scenario, Target


def _trivial_run(mode: str, params: dict, workdir: str) -> dict:
    if mode == "autolog" and params.get("fail"):
        raise RuntimeError("boom")
    return {"t": 0.001 if mode == "baseline" else 0.002}


TRIVIAL = Scenario(
    name="tests.test_benchmarks:TRIVIAL", group="test", title="trivial", run=_trivial_run,
    measures=(Measure("t", "a constant", target=Target("added_ms", 5)),),
    params={"quick": {}}, repeats={"quick": (3, 0)}, modes=("baseline", "autolog"))

FAILING = Scenario(
    name="tests.test_benchmarks:FAILING", group="test", title="failing", run=_trivial_run,
    measures=(Measure("t", "a constant"),),
    params={"quick": {"fail": True}}, repeats={"quick": (2, 0)}, modes=("baseline", "autolog"))


def test_harness_alternates_modes_in_fresh_processes(tmp_path):
    result = run_scenario(TRIVIAL, "quick", use_mlflow=False)
    assert result.errors == {}
    assert result.samples == {"baseline": {"t": [0.001] * 3}, "autolog": {"t": [0.002] * 3}}
    [row] = rows_of([result])
    assert row.vs_baseline() == 2.0
    assert row.met() is True
    assert row.mlflow is None and row.mlflow_note == "n/a"
    page = write_report([row], [result], "quick", "python -m benchmarks --quick", str(tmp_path))
    text = open(page, encoding="utf-8").read()
    assert "| a constant | 1.00 ms (1.00–1.00) | 2.00 ms (2.00–2.00) | 2.000× | +1.00 ms (+100.0 %) |" in text
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "img" / "benchmarks.png").stat().st_size > 0


def test_a_failing_worker_is_reported_not_raised():
    result = run_scenario(FAILING, "quick", use_mlflow=False)
    assert result.samples["baseline"] == {"t": [0.001, 0.001]}
    assert "boom" in result.errors["autolog"]
    [row] = rows_of([result])
    assert row.ours is None and "boom" in row.ours_note


def test_suite_writes_markdown_and_chart(tmp_path, capsys):
    assert main(["--smoke", "--only", "tracking", "--no-mlflow", "--output", str(tmp_path)]) == 0
    page = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "| Measure |" in page and "`log_metric` calls/s in one run" in page
    assert "python -m benchmarks --smoke --only tracking --no-mlflow" in page
    assert "## Machine" in page and "| numpy |" in page
    assert "log_metric" in capsys.readouterr().out


def test_a_partial_run_never_overwrites_the_committed_report(capsys):
    import pathlib

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    before = page.read_bytes()
    assert main(["--smoke", "--only", "tracking", "--no-mlflow"]) == 0
    assert page.read_bytes() == before
    assert "not writing docs/benchmarks.md from a partial run" in capsys.readouterr().out
