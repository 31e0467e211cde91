"""The team stores: PostgreSQL beside SQLite. ``log_batch`` points/s, runs/s, and search latency over
a store of ``runs`` runs (5 params, 3 metrics each), 100 results a page.

``prepare`` creates a throwaway PostgreSQL cluster inside the work directory (initdb and pg_ctl from
PostgreSQL's server binaries; fsync off, as for the tests), fills a database and a SQLite store with
the same runs through the stores' own SQL, and stops the cluster; every repetition starts it, measures
in a fresh process, and stops it again. Where MLflow is installed, a third database holds the same
runs in MLflow's schema, and the MLflow mode measures MLflow's client on it (``_mlflow_pg``).

Both PostgreSQL databases are bulk-loaded and then measured minutes later, so each gets ``VACUUM ANALYZE``
once filled: fresh statistics, and the visibility map that index-only reads consult, set for every row
rather than for whatever part autovacuum had reached by then (the state of a database in use).
"""

from __future__ import annotations

import json
import os
import time

from benchmarks import search_bench
from benchmarks._spec import Measure, Scenario, Target

SEARCHES = search_bench.SEARCHES[:4] + [  # metric, metric-param, param and tag, then:
    ("all-metric", "no filter, metric order", "", ["metrics.logloss ASC"]),
    ("all-param", "no filter, param order", "", ["params.eta ASC"]),
    ("attribute", "attribute filter + order", "attributes.status = 'FINISHED'", ["attributes.start_time ASC"]),
    ("param-param", "param filter + param order", "params.max_depth = '3'", ["params.eta ASC"]),
    ("tag-param", "tag filter + param order (8 values)", "tags.model = 'xgboost'", ["params.max_depth ASC"]),
    ("all-param-few", "no filter, param order (8 values)", "", ["params.max_depth DESC"]),
    ("all-tag", "no filter, tag order (2 values)", "", ["tags.model ASC"]),
]
STORES = ("sqlite", "pg")
MLFLOW_DATABASE = "mlflow_bench"
MLFLOW_SEARCHES = ("metric", "param")  # MLflow takes seconds a search at 100,000 runs: these two only


def _cluster(workdir: str):
    from tests.fixtures_postgres import PostgresCluster, find_binary

    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    config = os.path.join(workdir, "pg.json")
    port = json.load(open(config))["port"] if os.path.exists(config) else None
    root = os.path.join(workdir, "pg")
    os.makedirs(root, exist_ok=True)
    os.chmod(workdir, 0o755)  # the postgres user must reach its directory
    cluster = PostgresCluster(initdb, pg_ctl, root=root, port=port)
    cluster.start()
    with open(config, "w") as handle:
        json.dump({"port": cluster.port}, handle)
    return cluster


def _uris(workdir: str, cluster) -> dict:
    return {"sqlite": os.path.join(workdir, "sqlite-store"), "pg": cluster.uri("autolog_bench")}


def build_stores(params: dict, workdir: str, with_mlflow: bool = False) -> None:
    """Fill a SQLite store and a PostgreSQL database with ``params["runs"]`` runs each."""
    import autolog
    from benchmarks.search_bench import fill_runs

    cluster = _cluster(workdir)
    try:
        cluster.admin.execute("CREATE DATABASE autolog_bench")
        for uri in _uris(workdir, cluster).values():
            client = autolog.Client(uri)
            fill_runs(client, int(client.create_experiment("bench")), params["runs"])
            client._store.close()
        import psycopg

        with psycopg.connect(cluster.uri("autolog_bench"), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # as after any bulk load (MLflow's database too): see the module's notes
        if with_mlflow:
            from benchmarks._mlflow_pg import fill_mlflow_database

            cluster.admin.execute(f"CREATE DATABASE {MLFLOW_DATABASE}")
            fill_mlflow_database(cluster, MLFLOW_DATABASE, params["runs"], os.path.join(workdir, "mlflow-artifacts"))
    finally:
        cluster.stop(remove=False)


def measure_writes(client, metric, param, params: dict) -> dict:
    """log_batch points/s (1,000 points a batch) and runs/s (create, 3 params, 3 metrics, end) through
    ``client`` (autolog's or MLflow's: the same calls), with its ``metric`` and ``param`` classes."""
    experiment_id = client.create_experiment(f"writes-{os.getpid()}-{time.time_ns()}")
    run_id = client.create_run(experiment_id).info.run_id
    batch = [metric(f"m{k}", float(step), 0, step) for step in range(100) for k in range(10)]
    start = time.perf_counter()
    for _ in range(params["batches"]):
        client.log_batch(run_id, metrics=batch)
    points = len(batch) * params["batches"] / (time.perf_counter() - start)
    start = time.perf_counter()
    for index in range(params["runs_logged"]):
        run = client.create_run(experiment_id)
        client.log_batch(run.info.run_id, metrics=[metric(f"m{k}", 0.5, 0, 0) for k in range(3)],
                         params=[param(f"p{k}", str(index)) for k in range(3)])
        client.set_terminated(run.info.run_id)
    return {"log_batch": points, "runs": params["runs_logged"] / (time.perf_counter() - start)}


def run(mode: str, params: dict, workdir: str) -> dict:
    """Measure writes and every search on both stores in this process."""
    import autolog
    from autolog.tracking import Metric, Param
    from benchmarks.search_bench import time_searches

    cluster = _cluster(workdir)
    result = {}
    try:
        if mode == "mlflow":
            from benchmarks._mlflow_pg import mlflow_figures

            return mlflow_figures(cluster, MLFLOW_DATABASE, params, [s for s in SEARCHES if s[0] in MLFLOW_SEARCHES])
        for store, uri in _uris(workdir, cluster).items():
            client = autolog.Client(uri)
            experiment_id = client.get_experiment_by_name("bench").experiment_id
            result.update(time_searches(client, experiment_id, SEARCHES, params["repeat"], f"{store}-"))
            writes = measure_writes(client, Metric, Param, params)
            result.update({f"{store}-{key}": value for key, value in writes.items()})
            client._store.close()
    finally:
        cluster.stop(remove=False)
    return result


def _measures() -> tuple:
    names = {"sqlite": "SQLite", "pg": "PostgreSQL"}
    measures = []
    for store in STORES:
        measures.append(Measure(f"{store}-log_batch", f"{names[store]}: log_batch points/s", kind="rate"))
        measures.append(Measure(f"{store}-runs", f"{names[store]}: runs/s (create, params, metrics, end)",
                                kind="rate"))
        measures += [Measure(f"{store}-{key}", f"{names[store]}: {label} (`{f}`)" if f else f"{names[store]}: {label}",
                             target=Target("max_ms", 100)) for key, label, f, _ in SEARCHES]
    return tuple(measures)


SCENARIOS = [
    Scenario(
        name="stores", group="stores", title="PostgreSQL beside SQLite: writes and search over {runs:,} runs",
        run=run, prepare=build_stores, measures=_measures(),
        params={"full": {"runs": 100_000, "repeat": 5, "batches": 20, "runs_logged": 200},
                "quick": {"runs": 20_000, "repeat": 3, "batches": 10, "runs_logged": 100},
                "smoke": {"runs": 500, "repeat": 1, "batches": 2, "runs_logged": 5}},
        repeats={"full": (3, 1), "quick": (1, 1)}, modes=("autolog", "mlflow"),
        notes={"quick": "20,000 runs instead of 100,000",
               "mlflow": "MLflow 3.17 on a database of the same PostgreSQL server (psycopg2, from the [bench] "
                         "extra), its runs copied into its own schema with COPY (see benchmarks/_mlflow_pg.py); "
                         "MLflow's searches: the metric and param shapes only."}),
]


def _list_s3(mode: str, params: dict, workdir: str) -> dict:
    from benchmarks._s3_listing import list_many_artifacts

    return list_many_artifacts(params["artifacts"], workdir)


SCENARIOS.append(Scenario(
    name="s3-listing", group="stores", title="A run with {artifacts:,} artifacts in S3 (moto), listed",
    run=_list_s3, modes=("autolog",), repeats={"full": (3, 0), "quick": (1, 0)},
    params={"full": {"artifacts": 10_000}, "quick": {"artifacts": 10_000}, "smoke": {"artifacts": 1_500}},
    measures=(Measure("s3-list-server", "list {artifacts:,} artifacts through the server's proxy"),
              Measure("s3-list-direct", "list them directly (S3ArtifactRepository, pages of 1,000 keys)")),
    notes={"mlflow": "MLflow not compared: its listing goes to the same moto server, whose own cost dominates."}))

