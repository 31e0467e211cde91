"""Web UI speed: server time and bytes of the pages a user opens first, on a large store.

The store holds one experiment of 100,000 runs with 50 params and 50 metrics each,
plus a run whose ``loss`` has 1,000,000 points. It is filled once, before the
repetitions, through the store's own database with batched inserts (indexes built
after the rows). Filling 100,000 runs takes minutes, so a filled store of 10,000
runs or more is kept in a cache folder and copied from there on later runs:
``$AUTOLOG_BENCH_CACHE`` (default ``autolog-bench-cache`` in the system's temporary
folder), one sub-folder per fill (sizes, fill version, schema version); delete it
to fill afresh. Each repetition opens it in a fresh process, builds the app, and
times each page through the ASGI interface in-process (the server's own time, no
network): the runs table (first page, then sorted by a metric), the run page and
its chart data (the 1,000,000 points downsampled on the server), a zoom into the
chart, and the compare view of the first 1,000 runs (the page, whose table is its
first paint, and the plot data it fetches after). Bytes are the HTML (or JSON) the
browser needs; the CSS and vendored scripts are cached.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import tempfile
import time
import uuid

from benchmarks._spec import Measure, Scenario, Target

PARAMS, METRICS = 50, 50
FILL_VERSION = 1  # raise when _rows or build_store fill a different store
CACHE_ENV = "AUTOLOG_BENCH_CACHE"
CACHED_FROM_RUNS = 10_000  # smaller stores fill in seconds: not worth a copy on disk


def _rows(first: int, last: int, experiment_id: int, rng: random.Random) -> tuple:
    start_time = 1_700_000_000_000
    runs, params, tags, metrics = [], [], [], []
    for i in range(first, last):
        run_id = uuid.UUID(int=rng.getrandbits(128)).hex
        started = start_time + i * 1000
        runs.append((run_id, experiment_id, f"run-{i}", started, started + 60_000))
        params += [(run_id, f"p{j:02d}", str(rng.randint(1, 9)), started) for j in range(PARAMS)]
        tags += [(run_id, "mlflow.runName", f"run-{i}", started), (run_id, "mlflow.source.name", "train.py", started),
                 (run_id, "mlflow.source.git.commit", run_id, started)]
        metrics += [(run_id, f"m{j:02d}", rng.random(), 0, start_time + i, 99, started) for j in range(METRICS)]
    return runs, params, tags, metrics


_KEY_TABLES = ("params", "tags", "latest_metrics")


def cache_path(params: dict) -> str:
    """The cache folder of the filled store for ``params``: its sizes, the fill and the schema version."""
    from autolog.tracking.stores.schema import SCHEMA_VERSION

    root = os.environ.get(CACHE_ENV) or os.path.join(tempfile.gettempdir(), "autolog-bench-cache")
    name = (f"ui-{params['runs']}runs-{PARAMS}p{METRICS}m-{params['points']}points"
            f"-fill{FILL_VERSION}-schema{SCHEMA_VERSION}")
    return os.path.join(root, name)


def build_store(params: dict, workdir: str, with_mlflow: bool = False) -> None:
    """Copy the filled store for ``params`` into ``workdir/mlruns``, filling it in the cache first when absent
    (a store of fewer than ``CACHED_FROM_RUNS`` runs is filled in place, uncached)."""
    if params["runs"] < CACHED_FROM_RUNS:
        fill_store(params, workdir)
        return
    cached = cache_path(params)
    if not os.path.isdir(cached):
        building = f"{cached}.building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        fill_store(params, building)
        os.replace(building, cached)
    shutil.copytree(os.path.join(cached, "mlruns"), os.path.join(workdir, "mlruns"))


def fill_store(params: dict, workdir: str) -> None:
    """Fill a fresh store under ``workdir``: ``params["runs"]`` runs and one ``params["points"]``-point metric."""
    import autolog

    client = autolog.Client(os.path.join(workdir, "mlruns"))
    experiment_id = int(client.create_experiment("bench"))
    store = client._store
    rng = random.Random(0)
    store.db.connection.execute("PRAGMA synchronous = OFF")  # a scratch store: no need to wait for the disk
    indexes = store.db.query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                             f" AND tbl_name IN {_KEY_TABLES}")
    with store.db.write() as cur:  # inserting first and indexing after is several times faster
        for name, _sql in indexes:
            cur.execute(f"DROP INDEX {name}")
    for first in range(0, params["runs"], 5_000):
        runs, run_params, tags, metrics = _rows(first, min(first + 5_000, params["runs"]), experiment_id, rng)
        with store.db.write() as cur:
            cur.executemany("INSERT INTO runs (run_uuid, experiment_id, run_name, user_id, status, start_time,"
                            " end_time, lifecycle_stage) VALUES (?, ?, ?, 'bench', 'FINISHED', ?, ?, 'active')", runs)
            cur.executemany("INSERT INTO params (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)", run_params)
            cur.executemany("INSERT INTO tags (run_uuid, key, value, start_time) VALUES (?, ?, ?, ?)", tags)
            cur.executemany("INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, start_time)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", metrics)
    with store.db.write() as cur:
        for _name, sql in indexes:
            cur.execute(sql)
        cur.execute("ANALYZE")
    run = client.create_run(str(experiment_id), run_name="long-history", start_time=1_600_000_000_000)
    points = params["points"]
    steps = list(range(points))
    values = [1.0 / (1 + step * 0.001) + rng.random() * 0.01 for step in steps]
    store.log_batch(run.info.run_id, [["loss"] * points, values, [1_700_000_000_000 + s for s in steps], steps])
    client.set_terminated(run.info.run_id)
    store.checkpoint()
    store.close()


async def _call(app, path: str) -> tuple:
    """(status, body bytes) of a GET of ``path`` through the ASGI app."""
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"accept", b"text/html")], "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80)}
    status, chunks = [0], []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], b"".join(chunks)


def _timed(app, path: str, repeat: int) -> tuple:
    """(median seconds, bytes) of GET ``path``; raises when the page does not answer 200."""
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        status, body = asyncio.run(_call(app, path))
        times.append(time.perf_counter() - start)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        size = len(body)
    times.sort()
    return times[len(times) // 2], size


def run(mode: str, params: dict, workdir: str) -> dict:
    """Open the store, build the app and time each page (median of ``params["repeat"]`` requests)."""
    from autolog.server import create_app

    start = time.perf_counter()
    app = create_app(os.path.join(workdir, "mlruns"), None, False)
    store = app.state.store
    experiment_id = store.get_experiment_by_name("bench").experiment_id
    long_run = store.search_runs([experiment_id], "attributes.run_name = 'long-history'", 1, 1, None, None)[0]
    table = f"/experiments/{experiment_id}"
    result = {"first": _timed(app, table, 1)[0] + time.perf_counter() - start}
    repeat = params["repeat"]
    pages = {
        "table": table,
        "table_sorted": f"{table}?sort=metrics.m07&dir=asc",
        "run": f"/runs/{long_run.info.run_id}",
        "chart": f"/ui/data/metric?run={long_run.info.run_id}&key=loss&points=2000",
        "zoom": f"/ui/data/metric?run={long_run.info.run_id}&key=loss&points=2000&min=250000&max=260000",
        "compare": f"/compare?experiment={experiment_id}",
        "compare_data": f"/compare/data?experiment={experiment_id}",
    }
    for key, path in pages.items():
        result[key], result[f"{key}_bytes"] = _timed(app, path, repeat)
    return result


def _measures() -> tuple:
    pages = [
        ("table", "runs table, first page of 100 runs ({runs:,} runs × 50 params × 50 metrics)", True),
        ("table_sorted", "runs table sorted by a metric", True),
        ("run", "run page of a run with a {points:,}-point metric", True),
        ("chart", "its chart data: {points:,} points downsampled to ~2,000", True),
        ("zoom", "a zoom into 10,000 steps of that chart", False),
        ("compare", "compare view of the first {compare:,} runs", True),
        ("compare_data", "… its plot data, fetched after the first paint", False),
    ]
    measures = [Measure("first", "open the store, build the app, first runs table (fresh process)")]
    for key, label, targeted in pages:
        measures.append(Measure(key, label, target=Target("max_ms", 300) if targeted else None))
        measures.append(Measure(f"{key}_bytes", f"… bytes", kind="bytes",
                                target=Target("max_kb", 500) if key.startswith("table") else None))
    return tuple(measures)


SCENARIOS = [
    Scenario(
        name="ui", group="ui", title="Web UI: server time and bytes per page", run=run, prepare=build_store,
        measures=_measures(),
        params={"full": {"runs": 100_000, "points": 1_000_000, "compare": 1000, "repeat": 5},
                "quick": {"runs": 20_000, "points": 1_000_000, "compare": 1000, "repeat": 3},
                "smoke": {"runs": 300, "points": 20_000, "compare": 300, "repeat": 1}},
        repeats={"full": (3, 0), "quick": (2, 0)}, modes=("autolog",),
        notes={"quick": "20,000 runs instead of 100,000",
               "mlflow": "MLflow's UI not compared here (docs/ui.md has figures of its runs search on a store "
                         "filled directly): filling its store with 100,000 runs of 100 values each "
                         "through its API would take hours."}),
]
