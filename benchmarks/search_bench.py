"""Search speed: ``Client.search_runs`` over 100,000 runs (5 params, 3 metrics each), 100 results a page.

The store is filled once, before the repetitions, through the store's own
database with batched inserts; each repetition opens it in a fresh process and
times every search several times (median). MLflow is not compared: filling its
store through its API would take about half an hour.
"""

from __future__ import annotations

import os
import random
import time
import uuid

from benchmarks._spec import Measure, Scenario, Target
from benchmarks._common import median_seconds

SEARCHES = [
    ("metric", "metric filter + metric order", "metrics.rmse < 0.5", ["metrics.rmse ASC"]),
    ("metric-param", "metric filter + param order", "metrics.rmse < 0.5", ["params.max_depth DESC"]),
    ("param", "param filter + metric order", "params.max_depth = '3'", ["metrics.auc DESC"]),
    ("tag", "tag LIKE + attribute order", "tags.model LIKE 'xgb%'", ["attributes.start_time DESC"]),
    ("all", "no filter, metric order", "", ["metrics.logloss ASC"]),
]


def _rows(first: int, last: int, rng: random.Random) -> tuple:
    start_time = 1_700_000_000_000
    runs, params, tags, metrics = [], [], [], []
    for i in range(first, last):
        run_id, started = uuid.UUID(int=rng.getrandbits(128)).hex, start_time + i
        runs.append((run_id, f"run-{i}", started, started + 1000))
        params += [(run_id, "max_depth", str(rng.randint(2, 9)), started), (run_id, "eta", str(rng.random()), started),
                   (run_id, "subsample", "0.8", started), (run_id, "seed", str(i), started),
                   (run_id, "objective", "binary", started)]
        tags += [(run_id, "mlflow.runName", f"run-{i}", started),
                 (run_id, "model", rng.choice(["xgboost", "lgbm"]), started)]
        metrics += [(run_id, key, rng.random(), 0, started, 99, started) for key in ("rmse", "auc", "logloss")]
    return runs, params, tags, metrics


def fill_runs(client, experiment_id: int, count: int) -> None:
    """Insert ``count`` finished runs (5 params, 2 tags, 3 metrics each) into ``experiment_id`` through
    the store's own database, 10,000 runs a transaction (the same runs for the same count)."""
    rng = random.Random(0)
    for first in range(0, count, 10_000):
        runs, run_params, tags, metrics = _rows(first, min(first + 10_000, count), rng)
        with client._store.db.write() as cur:
            cur.executemany("INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time,"
                            " end_time, lifecycle_stage) VALUES (?, ?, ?, 'bench', 'FINISHED', ?, ?, 'active')",
                            [(r[0], experiment_id) + r[1:] for r in runs])
            cur.executemany("INSERT INTO params (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)", run_params)
            cur.executemany("INSERT INTO tags (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)", tags)
            cur.executemany("INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, start_time)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", metrics)


def build_store(params: dict, workdir: str, with_mlflow: bool = False) -> None:
    """Fill a fresh store under ``workdir`` with ``params["runs"]`` runs in one experiment."""
    import autolog

    client = autolog.Client(os.path.join(workdir, "mlruns"))
    fill_runs(client, int(client.create_experiment("bench")), params["runs"])
    client._store.close()


def run(mode: str, params: dict, workdir: str) -> dict:
    """Open the store and time each search (median of ``params["repeat"]`` calls)."""
    import autolog

    start = time.perf_counter()
    client = autolog.Client(os.path.join(workdir, "mlruns"))
    experiment_id = client.get_experiment_by_name("bench").experiment_id
    client.search_runs([experiment_id], SEARCHES[0][2], max_results=100, order_by=SEARCHES[0][3])
    result = {"first": time.perf_counter() - start}
    result.update(time_searches(client, experiment_id, SEARCHES, params["repeat"]))
    return result


def time_searches(client, experiment_id, searches, repeat: int, prefix: str = "") -> dict:
    """``{prefix + key: median seconds}`` of ``client.search_runs`` (100 results) for each search."""
    timings = {}
    for key, _label, filter_string, order_by in searches:
        timings[prefix + key] = median_seconds(
            lambda: client.search_runs([experiment_id], filter_string, max_results=100, order_by=order_by), repeat)
    return timings


SCENARIOS = [
    Scenario(
        name="search", group="search", title="search_runs, 100 results a page", run=run, prepare=build_store,
        measures=(Measure("first", "open the store of {runs:,} runs + first search (fresh process)"),)
        + tuple(Measure(key, f"{label} (`{f}`)" if f else label,
                        target=Target("max_ms", 100) if key == "metric" else None)
                for key, label, f, _ in SEARCHES),
        params={"full": {"runs": 100_000, "repeat": 7}, "quick": {"runs": 20_000, "repeat": 5},
                "smoke": {"runs": 100, "repeat": 1}},
        repeats={"full": (5, 0), "quick": (2, 0)}, modes=("autolog",),
        notes={"quick": "20,000 runs instead of 100,000",
               "mlflow": "MLflow not compared: filling its store through its API would take about half an hour."}),
]
