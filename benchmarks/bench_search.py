"""Search speed: ``search_runs`` over 100,000 runs (5 params, 3 metrics each) with a metric
filter, an order key and ``max_results=100``.

    python benchmarks/bench_search.py [--quick] [--runs N] [--repeat N]

Builds the store once through the store's own database (batched inserts), then times
several searches through ``Client.search_runs`` and prints one table with the median
time of each and the target.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

TARGET_MS = 100.0

SEARCHES = [
    ("metric filter + order, 100 results", "metrics.rmse < 0.5", ["metrics.rmse ASC"]),
    ("metric filter + order by param", "metrics.rmse < 0.5", ["params.max_depth DESC"]),
    ("param filter + metric order", "params.max_depth = '3'", ["metrics.auc DESC"]),
    ("tag LIKE + attribute order", "tags.model LIKE 'xgb%'", ["attributes.start_time DESC"]),
    ("no filter, order by metric", "", ["metrics.logloss ASC"]),
]


def build_store(root: str, runs: int, batch: int = 10_000):
    """Fill a fresh store with ``runs`` runs in one experiment; return (client, experiment_id)."""
    import autolog

    client = autolog.Client(root)
    experiment_id = client.create_experiment("bench")
    store = client._store
    rng = random.Random(0)
    start_time = 1_700_000_000_000
    for first in range(0, runs, batch):
        run_rows, params, tags, metrics = [], [], [], []
        for i in range(first, min(first + batch, runs)):
            run_id = uuid.UUID(int=rng.getrandbits(128)).hex
            run_rows.append((run_id, int(experiment_id), f"run-{i}", "bench", "FINISHED", start_time + i,
                             start_time + i + 1000))
            params += [(run_id, "max_depth", str(rng.randint(2, 9))), (run_id, "eta", str(rng.random())),
                       (run_id, "subsample", "0.8"), (run_id, "seed", str(i)), (run_id, "objective", "binary")]
            tags += [(run_id, "mlflow.runName", f"run-{i}"), (run_id, "model", rng.choice(["xgboost", "lgbm"]))]
            metrics += [(run_id, key, rng.random(), 0, start_time + i, 99) for key in ("rmse", "auc", "logloss")]
        with store.db.write() as cur:
            cur.executemany("INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time,"
                            " end_time, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, ?, 'active')", run_rows)
            cur.executemany("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)", params)
            cur.executemany("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)", tags)
            cur.executemany("INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step)"
                            " VALUES (?, ?, ?, ?, ?, ?)", metrics)
    return client, experiment_id


def time_search(client, experiment_id, filter_string, order_by, repeat: int) -> tuple:
    """Median and best wall time (ms) of one search, and how many runs it returned."""
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        page = client.search_runs([experiment_id], filter_string, max_results=100, order_by=order_by)
        times.append((time.perf_counter() - start) * 1000)
        count = len(page)
    return statistics.median(times), min(times), count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 runs and 5 repeats")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args(argv)
    runs = args.runs or (10_000 if args.quick else 100_000)
    repeat = args.repeat or (5 if args.quick else 21)
    with tempfile.TemporaryDirectory() as root:
        start = time.perf_counter()
        client, experiment_id = build_store(os.path.join(root, "mlruns"), runs)
        print(f"built {runs:,} runs in {time.perf_counter() - start:.1f} s")
        rows = [time_search(client, experiment_id, f, o, repeat) + (name,) for name, f, o in SEARCHES]
        client._store.close()
    print(f"\n{'search (' + format(runs, ',') + ' runs)':<40} {'median ms':>10} {'best ms':>9} {'results':>8} "
          f"{'target ms':>10}")
    for median, best, count, name in rows:
        target = f"{TARGET_MS:.0f}" if name == SEARCHES[0][0] else "-"
        print(f"{name:<40} {median:>10.2f} {best:>9.2f} {count:>8} {target:>10}")
    return 0 if rows[0][0] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
