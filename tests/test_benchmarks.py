"""The benchmark suite end to end, on tiny sizes, so that it cannot rot unnoticed."""

from __future__ import annotations

import importlib.util

from benchmarks.__main__ import main
from benchmarks._harness import run_scenario
from benchmarks._report import write_report
from benchmarks._results import MET, NOT_MET, NOT_RESOLVED, Row, Stat, rows_of
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
    assert row.verdict() == MET
    assert row.mlflow is None and row.mlflow_note == "n/a"
    page = write_report([row], [result], "quick", "python -m benchmarks --quick", str(tmp_path))
    text = open(page, encoding="utf-8").read()
    assert "| a constant | 1.00 ms (1.00–1.00) | 2.00 ms (2.00–2.00) | 2.000× | +1.00 ms (+100.0 %) |" in text
    assert "| commit |" in text
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


def _row(target, baseline, ours, own=None, kind="time"):
    return Row("g", "s", Measure("m", "a measure", kind, target), "a measure", Stat.of(baseline), Stat.of(ours),
               None, "", "", Stat.of(own))


def test_stat_is_median_and_range_of_unordered_samples():
    stat = Stat.of([3.0, 1.0, 10.0, 2.0])
    assert (stat.median, stat.low, stat.high, stat.count) == (2.5, 1.0, 10.0, 4)
    assert Stat.of([]) is None


def test_added_percent_verdict_needs_ranges_that_resolve_it():
    target = Target("added_pct", 3)
    # Every autolog sample within 3 % of every baseline sample: met.
    assert _row(target, [1.00, 1.01, 1.00], [1.02, 1.015, 1.02]).verdict() == MET
    # Medians say +2 %, but the ranges overlap by more than the target: nothing is resolved.
    overlapping = _row(target, [1.00, 0.95, 1.08], [1.02, 0.97, 1.10])
    assert overlapping.verdict() == NOT_RESOLVED
    # The same totals with autolog's own time accounted: 5-8 ms of a 1 s baseline resolves it.
    assert _row(target, [1.00, 0.95, 1.08], [1.02, 0.97, 1.10], own=[0.005, 0.008, 0.006]).verdict() == MET
    # Own time above the target in every sample resolves a failure.
    assert _row(target, [1.00, 0.95, 1.08], [1.02, 0.97, 1.10], own=[0.05, 0.04, 0.06]).verdict() == NOT_MET
    # Every sample 10 % slower: not met, whatever the medians.
    assert _row(target, [1.00, 1.01], [1.12, 1.15]).verdict() == NOT_MET


def test_added_ms_verdict_and_own_share():
    row = _row(Target("added_ms", 50), [0.200, 0.210], [0.230, 0.300], own=[0.010, 0.012])
    assert row.verdict() == MET  # totals overlap the 50 ms target; the accounted 10-12 ms resolve it
    assert round(row.own_share(), 4) == round(0.011 / 0.205, 4)
    assert _row(Target("added_ms", 50), [0.200, 0.210], [0.230, 0.300]).verdict() == NOT_RESOLVED


def test_absolute_targets_judge_the_worst_sample():
    assert _row(Target("max_ms", 20), None, [0.010, 0.012]).verdict() == MET
    assert _row(Target("max_ms", 20), None, [0.010, 0.030]).verdict() == NOT_RESOLVED
    assert _row(Target("max_ms", 20), None, [0.025, 0.030]).verdict() == NOT_MET
    assert _row(Target("min_rate", 1000), None, [1500, 900], kind="rate").verdict() == NOT_RESOLVED
    assert _row(Target("min_rate", 1000), None, [1500, 1200], kind="rate").verdict() == MET
    assert _row(None, None, [1.0]).verdict() is None


def test_report_shows_own_time_and_unresolved_verdicts(tmp_path):
    from benchmarks._format import cells

    values = cells(_row(Target("added_pct", 3), [1.00, 0.95, 1.08], [1.02, 0.97, 1.10], own=[0.004, 0.006]))
    assert "5.00 ms (4.00–6.00) (0.50 %)" in values
    assert values[-1] == MET
    assert cells(_row(Target("added_pct", 3), [1.0, 1.01], [1.2, 1.3]))[-1] == "**no**"


def test_accounting_counts_the_outermost_frame_once(monkeypatch):
    from benchmarks import _accounting

    ticks = iter(range(0, 1000, 10))
    monkeypatch.setattr(_accounting.time, "perf_counter_ns", lambda: next(ticks))
    accounting = _accounting.Accounting()
    inner = accounting.wrap(lambda: "inner", "run end")
    outer = accounting.wrap(lambda: inner() + "+outer", "outputs and model")
    assert outer() == "inner+outer"
    # one start and one stop, charged to the outer part: the nested frame read no clock
    assert accounting.spent_ns["outputs and model"] == 10 and accounting.spent_ns["run end"] == 0
    assert inner() == "inner"
    assert accounting.spent_ns["run end"] == 10
    assert accounting.breakdown()["run end"] == 1e-8
    accounting.reset()
    assert accounting.seconds() == 0


def test_accounting_sees_an_autologged_training(tmp_path):
    import numpy as np
    import xgboost as xgb

    import autolog
    from benchmarks._overhead import Case, time_cases

    rng = np.random.default_rng(0)
    features = rng.normal(size=(500, 4))
    dtrain = xgb.DMatrix(features, label=features[:, 0])
    case = Case("t", lambda: xgb.train({"max_depth": 2}, dtrain, 5, evals=[(dtrain, "train")], verbose_eval=False))
    from benchmarks._accounting import install

    try:
        result = time_cases("xgboost", "autolog", [case], str(tmp_path))
    finally:
        autolog.xgboost(disable=True)
        install().uninstall()
    assert 0 < result["t:own"] < result["t"]
    from autolog import _patching

    assert not hasattr(_patching._prepare, "__accounted__")


def test_a_partial_run_never_overwrites_the_committed_report(capsys):
    import pathlib

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    before = page.read_bytes()
    assert main(["--smoke", "--only", "tracking", "--no-mlflow"]) == 0
    assert page.read_bytes() == before
    assert "not writing docs/benchmarks.md from a partial run" in capsys.readouterr().out


def _saved_result(name: str, samples: dict, profile: str = "full"):
    from benchmarks._harness import ScenarioResult
    from benchmarks._registry import find_scenario

    return ScenarioResult(find_scenario(name), profile, samples, "not run", {}, 1.5)


def test_page_assembled_from_results_saved_per_group(tmp_path, capsys):
    import json

    from benchmarks._saved import load_results, save_group_results

    saved = tmp_path / "results"
    imports = _saved_result("import", {"autolog": {"import": [0.010, 0.012, 0.011]}, "mlflow": {}})
    xgb = _saved_result("xgboost-autolog", {"baseline": {"long": [1.5, 1.6]},
                                             "autolog": {"long": [1.52, 1.61], "long:own": [0.004, 0.006]},
                                             "mlflow": {}})
    save_group_results([xgb], "full", str(saved))
    save_group_results([imports], "full", str(saved))  # a later run of another group adds its own file
    assert sorted(path.name for path in saved.iterdir()) == ["imports.json", "xgboost.json"]
    assert json.loads((saved / "xgboost.json").read_text())["commit"]
    results, provenance = load_results(str(saved))
    assert [result.scenario.name for result in results] == ["import", "xgboost-autolog"]  # report order
    assert results[1].samples["autolog"]["long:own"] == [0.004, 0.006]
    assert list(provenance) == ["imports", "xgboost"]
    out = tmp_path / "page"
    assert main(["--from-results", str(saved), "--output", str(out)]) == 0
    page = (out / "benchmarks.md").read_text(encoding="utf-8")
    assert "## Where each group's figures came from" in page and "| xgboost |" in page and "| imports |" in page
    assert "python -m benchmarks --from-results DIR" in page and "xgboost autologging" in page
    capsys.readouterr()


def test_results_of_different_profiles_refused(tmp_path):
    import pytest

    from benchmarks._saved import load_results, save_group_results

    save_group_results([_saved_result("import", {"autolog": {"import": [0.01]}, "mlflow": {}})], "full",
                       str(tmp_path))
    save_group_results([_saved_result("xgboost-autolog", {"baseline": {"short": [0.1]}, "autolog": {"short": [0.1]},
                                                          "mlflow": {}}, "quick")], "quick", str(tmp_path))
    with pytest.raises(ValueError, match="different profiles"):
        load_results(str(tmp_path))
    with pytest.raises(ValueError, match="no <group>.json"):
        load_results(str(tmp_path / "missing"))


def test_accounting_counts_each_trial_of_a_search(tmp_path, monkeypatch):
    import optuna

    import autolog
    from benchmarks._accounting import install

    monkeypatch.chdir(tmp_path)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    autolog.optuna()
    accounting = install()
    try:
        accounting.reset()
        optuna.create_study().optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=5)
        trials = accounting.breakdown()["per-iteration callbacks"]
    finally:
        autolog.optuna(disable=True)
        accounting.uninstall()
    assert trials > 0
