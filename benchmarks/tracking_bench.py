"""Tracking throughput: opening a fresh store, ``log_metric`` calls/s, ``log_batch`` points/s, runs/s.

Each loop stops at its count or its time cap, whichever comes first, so MLflow's
slower loops fit the budget; rates are what was done over the time it took.
"""

from __future__ import annotations

import os
import time

from benchmarks._spec import Measure, Scenario, Target

def _capped(step, count: int, cap_s: float) -> tuple:
    """Call ``step(i)`` for i in 0..count-1 until the cap; return (calls done, seconds).

    The clock is read between chunks only; a chunk doubles (up to 1,000 calls) while
    it takes under 5 ms, so fast loops pay nothing for the cap and slow ones stop on time.
    """
    done, chunk, start = 0, 1, time.perf_counter()
    while done < count:
        chunk_start = time.perf_counter()
        for i in range(done, min(done + chunk, count)):
            step(i)
        done = min(done + chunk, count)
        now = time.perf_counter()
        if now - start > cap_s:
            break
        if now - chunk_start < 0.005 and chunk < 1_000:
            chunk *= 2
    return done, time.perf_counter() - start


def _api(mode: str, workdir: str):
    """(module, Metric class, client, open-store seconds) for autolog or MLflow."""
    if mode == "autolog":
        import autolog as api
        from autolog.tracking import Metric

        uri = os.path.join(workdir, "autolog-store")
    else:
        import mlflow as api
        from mlflow.entities import Metric

        uri = "sqlite:///" + os.path.join(workdir, "mlflow-store.db")
    start = time.perf_counter()
    api.set_tracking_uri(uri)
    api.set_experiment("bench")
    opened = time.perf_counter() - start
    client = api.Client() if mode == "autolog" else api.MlflowClient()
    return api, Metric, client, opened


def run(mode: str, params: dict, workdir: str) -> dict:
    """Measure every tracking figure once in this process."""
    workdir = os.path.join(workdir, f"{mode}-{os.getpid()}")
    os.makedirs(workdir)
    import_start = time.perf_counter()
    api, metric_class, client, opened = _api(mode, workdir)
    result = {"import+open": time.perf_counter() - import_start, "open": opened}
    cap, batch_limit = params["cap_s"], params["batch_limit"]
    with api.start_run() as active:
        calls, elapsed = _capped(lambda i: api.log_metric("loss", 0.5, step=i), params["calls"], cap)
        result["log_metric"] = calls / elapsed
        flush_start = time.perf_counter()
        if mode == "autolog":
            api.flush()
        result["log_metric_flushed"] = calls / (elapsed + time.perf_counter() - flush_start)
        points = [metric_class(f"m{i % 10}", float(i), 1_700_000_000_000 + i, i // 10) for i in range(params["points"])]
        run_id = active.info.run_id
        batches, elapsed = _capped(
            lambda i: client.log_batch(run_id, metrics=points[i * batch_limit:(i + 1) * batch_limit]),
            -(-len(points) // batch_limit), cap)
        result["log_batch"] = min(batches * batch_limit, len(points)) / elapsed

    def one_run(_):
        with api.start_run():
            api.log_param("p", 1)
            api.log_metric("m", 1.0)

    runs, elapsed = _capped(one_run, params["runs"], cap)
    result["runs"] = runs / elapsed
    return result


SCENARIOS = [
    Scenario(
        name="tracking", group="tracking", title="tracking throughput", run=run,
        measures=(
            Measure("open", "open a fresh store (`set_tracking_uri` + `set_experiment`)", target=Target("max_ms", 20)),
            Measure("import+open", "import + open a fresh store"),
            Measure("log_metric", "`log_metric` calls/s in one run", "rate", Target("min_rate", 200_000)),
            Measure("log_metric_flushed", "`log_metric` calls/s, flush included", "rate"),
            Measure("log_batch", "`log_batch` metric points/s", "rate", Target("min_rate", 1_000_000)),
            Measure("runs", "runs created/s (one param, one metric each)", "rate", Target("min_rate", 2_000)),
        ),
        params={
            "full": {"calls": 300_000, "points": 1_000_000, "runs": 1_000, "cap_s": 30.0, "batch_limit": 1_000_000,
                     "mlflow": {"cap_s": 5.0, "batch_limit": 1_000, "points": 100_000}},
            "quick": {"calls": 50_000, "points": 200_000, "runs": 100, "cap_s": 10.0, "batch_limit": 1_000_000,
                      "mlflow": {"cap_s": 0.5, "batch_limit": 1_000, "points": 20_000}},
            "smoke": {"calls": 1_000, "points": 1_000, "runs": 5, "cap_s": 1.0, "batch_limit": 1_000_000},
        },
        repeats={"full": (5, 2), "quick": (3, 1)}, modes=("autolog", "mlflow"),
        notes={"mlflow": "MLflow's loops stop after 0.5 s (--quick) or 5 s; its `log_batch` takes 1,000 metrics "
                         "a call. A fresh autolog store copies its empty tables from the cache the first new store "
                         "of this schema saved (`~/.autolog/cache`), as every new store after a machine's first "
                         "does; that first one builds them (a few ms more)."}),
]
