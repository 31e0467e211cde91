"""Tracking throughput: log_metric calls/s, log_batch points/s, runs/s, and the time to open a fresh store.

    python benchmarks/bench_tracking.py [--quick]

Prints one table: our figure, MLflow's when it is importable here (the [bench] extra),
and the target from the project's issue.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGETS = {"log_metric calls/s": 200_000, "log_batch points/s": 1_000_000, "runs created/s": 2_000,
           "fresh store (ms)": 20}


def _autolog_throughput(root: str, metric_calls: int, batch_points: int, runs: int) -> dict:
    import autolog
    from autolog.tracking import Metric

    autolog.set_tracking_uri(os.path.join(root, "autolog"))
    autolog.set_experiment("bench")
    results = {}
    with autolog.start_run() as run:
        start = time.perf_counter()
        for i in range(metric_calls):
            autolog.log_metric("loss", 0.5, step=i)
        calls = time.perf_counter() - start
        autolog.flush()
        results["log_metric calls/s"] = metric_calls / calls
        results["log_metric incl. flush/s"] = metric_calls / (time.perf_counter() - start)
        points = [Metric(f"m{i % 10}", float(i), 1_700_000_000_000 + i, i // 10) for i in range(batch_points)]
        start = time.perf_counter()
        autolog.Client().log_batch(run.info.run_id, metrics=points)
        results["log_batch points/s"] = batch_points / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(runs):
        with autolog.start_run():
            autolog.log_param("p", 1)
            autolog.log_metric("m", 1.0)
    results["runs created/s"] = runs / (time.perf_counter() - start)
    return results


def _mlflow_throughput(root: str, metric_calls: int, batch_points: int, runs: int):
    try:
        import mlflow
        from mlflow.entities import Metric
    except ImportError:
        return None
    mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
    mlflow.set_experiment("bench")
    results = {}
    with mlflow.start_run() as run:
        start = time.perf_counter()
        for i in range(metric_calls):
            mlflow.log_metric("loss", 0.5, step=i)
        results["log_metric calls/s"] = metric_calls / (time.perf_counter() - start)
        results["log_metric incl. flush/s"] = results["log_metric calls/s"]
        points = [Metric(f"m{i % 10}", float(i), 1_700_000_000_000 + i, i // 10) for i in range(batch_points)]
        start = time.perf_counter()
        client = mlflow.MlflowClient()
        for chunk in range(0, batch_points, 1000):  # MLflow caps a batch at 1000 metrics
            client.log_batch(run.info.run_id, metrics=points[chunk:chunk + 1000])
        results["log_batch points/s"] = batch_points / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(runs):
        with mlflow.start_run():
            mlflow.log_param("p", 1)
            mlflow.log_metric("m", 1.0)
    results["runs created/s"] = runs / (time.perf_counter() - start)
    return results


_OPEN_SCRIPT = """
import sys, time
{imports}
start = time.perf_counter()
{open_store}
print((time.perf_counter() - start) * 1000)
"""


def _fresh_store_ms(kind: str, repeats: int):
    if kind == "autolog":
        imports, open_store = "import autolog", "autolog.set_tracking_uri(sys.argv[1]); autolog.set_experiment('x')"
    else:
        imports = "import mlflow"
        open_store = "mlflow.set_tracking_uri('sqlite:///' + sys.argv[1] + '.db'); mlflow.set_experiment('x')"
    # Byte-compiled modules, as an installed package has them: compile once, time the rest.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for attempt in range(repeats + 1):
        with tempfile.TemporaryDirectory() as tmp:
            completed = subprocess.run(
                [sys.executable, "-c", _OPEN_SCRIPT.format(imports=imports, open_store=open_store),
                 os.path.join(tmp, "store")], capture_output=True, text=True, env=env)
            if completed.returncode != 0:
                return None
            if attempt:
                times.append(float(completed.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    """Run the tracking benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, about 10 seconds")
    args = parser.parse_args()
    calls, points, runs, repeats = (50_000, 200_000, 200, 3) if args.quick else (300_000, 1_000_000, 1_000, 5)
    with tempfile.TemporaryDirectory() as root:
        ours = _autolog_throughput(root, calls, points, runs)
        theirs = _mlflow_throughput(root, min(calls, 2_000), min(points, 20_000), min(runs, 100))
    ours["fresh store (ms)"] = _fresh_store_ms("autolog", repeats)
    if theirs is not None:
        theirs["fresh store (ms)"] = _fresh_store_ms("mlflow", repeats)
    print(f"{'measure':<26}{'autolog':>14}{'mlflow':>14}{'ratio':>10}{'target':>12}  met")
    for key, value in ours.items():
        other = theirs.get(key) if theirs else None
        ratio = "" if not other else (f"{other / value:.0f}x" if "ms" in key else f"{value / other:.0f}x")
        target = TARGETS.get(key)
        met = "" if target is None else ("yes" if (value <= target if "ms" in key else value >= target) else "NO")
        print(f"{key:<26}{value:>14,.1f}{(f'{other:,.1f}' if other else 'n/a'):>14}{ratio:>10}"
              f"{(f'{target:,}' if target else ''):>12}  {met}")
    if theirs is None:
        print("mlflow: not installed in this interpreter (pip install -e '.[bench]' to compare)")


if __name__ == "__main__":
    main()
