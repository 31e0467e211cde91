"""Time added by ``autolog.xgboost()`` over plain ``xgb.train``, beside ``mlflow.xgboost.autolog()``.

    python benchmarks/bench_xgboost_autolog.py [--quick] [--device cpu|cuda]

Scenarios: (a) 200 rounds on 200,000 x 20 rows with an eval set and early stopping;
(b) 20 rounds on 10,000 rows. Baseline and autologged trainings alternate; the
table shows medians, the added time and the ratio. MLflow runs in this interpreter
when ``import mlflow`` works, else in the interpreter named by $AUTOLOG_MLFLOW_PYTHON
(with ``--mlflow-only``), else its column says it is not installed. Last, fresh
processes time ``import autolog; autolog.xgboost()`` against ``import xgboost``.
Targets: (a) under 3 % added; (b) under 50 ms added with the model; import + enable
under 30 ms over importing xgboost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

MLFLOW_PYTHON_ENV = "AUTOLOG_MLFLOW_PYTHON"
SCENARIOS = {"a": dict(rows=200_000, rounds=200, early_stopping=50), "b": dict(rows=10_000, rounds=20,
                                                                                  early_stopping=None)}


def make_data(rows: int, device: str):
    import numpy as np
    import xgboost as xgb

    rng = np.random.default_rng(42)
    features = rng.normal(size=(rows, 20)).astype(np.float32)
    target = features[:, :5].sum(axis=1) + np.sin(features[:, 5] * 3) + rng.normal(0, 0.3, rows)
    split = int(rows * 0.8)
    dtrain = xgb.DMatrix(features[:split], label=target[:split])
    dvalid = xgb.DMatrix(features[split:], label=target[split:])
    params = {"max_depth": 6, "eta": 0.1, "tree_method": "hist", "device": device, "seed": 0}
    return params, dtrain, dvalid


def train_once(scenario: str, data) -> float:
    import xgboost as xgb

    params, dtrain, dvalid = data
    spec = SCENARIOS[scenario]
    start = time.perf_counter()
    xgb.train(params, dtrain, spec["rounds"], evals=[(dvalid, "validation")],
              early_stopping_rounds=spec["early_stopping"], verbose_eval=False)
    return time.perf_counter() - start


def measure(modes: dict, scenario: str, data, repeats: int) -> dict:
    """Alternate the modes ({name: (enable, disable)}) ``repeats`` times after one warm-up; return median seconds."""
    times: dict = {name: [] for name in modes}
    for round_index in range(repeats + 1):
        for name, (enable, disable) in modes.items():
            enable()
            try:
                elapsed = train_once(scenario, data)
            finally:
                disable()
            if round_index:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def autolog_modes() -> dict:
    import autolog

    nothing = lambda: None  # noqa: E731
    return {
        "baseline": (nothing, nothing),
        "autolog": (lambda: autolog.xgboost(), lambda: autolog.xgboost(disable=True)),
        "autolog, no model": (lambda: autolog.xgboost(log_models=False), lambda: autolog.xgboost(disable=True)),
    }


def mlflow_modes() -> dict:
    import mlflow

    nothing = lambda: None  # noqa: E731
    return {
        "mlflow baseline": (nothing, nothing),
        "mlflow": (lambda: mlflow.xgboost.autolog(silent=True), lambda: mlflow.xgboost.autolog(disable=True)),
        "mlflow, no model": (lambda: mlflow.xgboost.autolog(log_models=False, silent=True),
                             lambda: mlflow.xgboost.autolog(disable=True)),
    }


def run_mlflow(args) -> dict | str:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        python = os.environ.get(MLFLOW_PYTHON_ENV)
        if not python:
            return f"not installed (pip install 'autolog[bench]' or set ${MLFLOW_PYTHON_ENV})"
        command = [python, os.path.abspath(__file__), "--mlflow-only", "--device", args.device]
        done = subprocess.run(command + (["--quick"] if args.quick else []), capture_output=True, text=True)
        if done.returncode != 0:
            return f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
        return json.loads(done.stdout.strip().splitlines()[-1])
    return mlflow_results(args)


def mlflow_results(args) -> dict:
    import mlflow

    with tempfile.TemporaryDirectory() as tmp:
        mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
        started = time.perf_counter()
        import mlflow.xgboost  # noqa: F401
        results = {"import_s": time.perf_counter() - started}
        for scenario in SCENARIOS:
            results[scenario] = measure(mlflow_modes(), scenario, make_data(SCENARIOS[scenario]["rows"], args.device),
                                        repeats(args, scenario))
    return results


def repeats(args, scenario: str) -> int:
    return (2 if scenario == "a" else 5) if args.quick else (5 if scenario == "a" else 15)


def fresh_process_seconds(code: str, count: int) -> float:
    timer = "import time; _t = time.perf_counter(); {}; print(time.perf_counter() - _t)"
    values = []
    for _ in range(count):
        done = subprocess.run([sys.executable, "-c", timer.format(code)], capture_output=True, text=True,
                              check=True, env={**os.environ, "AUTOLOG_TRACKING_URI": tempfile.gettempdir()})
        values.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(values)


def row(label: str, base: float, value: float) -> str:
    added = value - base
    return f"| {label:<22} | {base * 1000:10.1f} | {value * 1000:10.1f} | {added * 1000:+10.1f} | " \
           f"{added / base * 100:+8.1f}% | {value / base:6.2f}x |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--device", default="cpu", help="xgboost device: cpu or cuda")
    parser.add_argument("--mlflow-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mlflow_only:
        print(json.dumps(mlflow_results(args)))
        return
    import autolog

    with tempfile.TemporaryDirectory() as tmp:
        autolog.set_tracking_uri(os.path.join(tmp, "mlruns"))
        ours = {scenario: measure(autolog_modes(), scenario, make_data(SCENARIOS[scenario]["rows"], args.device),
                                  repeats(args, scenario)) for scenario in SCENARIOS}
    theirs = run_mlflow(args)
    print(f"\nmedian seconds per training, device={args.device}\n")
    print("| scenario / mode        |  base (ms) |  with (ms) | added (ms) |   added |  ratio |")
    print("|------------------------|------------|------------|------------|---------|--------|")
    for scenario in SCENARIOS:
        base = ours[scenario]["baseline"]
        for mode in ("autolog", "autolog, no model"):
            print(row(f"({scenario}) {mode}", base, ours[scenario][mode]))
        if isinstance(theirs, dict):
            for mode in ("mlflow", "mlflow, no model"):
                print(row(f"({scenario}) {mode}", theirs[scenario]["mlflow baseline"], theirs[scenario][mode]))
    if not isinstance(theirs, dict):
        print(f"\nMLflow: {theirs}")
    count = 3 if args.quick else 7
    plain = fresh_process_seconds("import xgboost", count)
    before = fresh_process_seconds("import autolog; autolog.xgboost(); import xgboost", count)
    after = fresh_process_seconds("import xgboost; import autolog; autolog.xgboost()", count)
    print(f"\nimport xgboost: {plain * 1000:.0f} ms; enabling before the import adds {(before - plain) * 1000:+.1f} ms,"
          f" after it {(after - plain) * 1000:+.1f} ms (median of {count} fresh processes)")
    if isinstance(theirs, dict):
        print(f"import mlflow.xgboost: {theirs['import_s'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
