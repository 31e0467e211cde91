"""Batch scoring and the scoring server, against a hand-written loop and ``mlflow models serve``.

(a) ``autolog models predict`` (``predict_file``) on a large Parquet file, Parquet out,
against the loop a user writes by hand: pyarrow batches of the same size, ``to_pandas``,
``model.predict``, a ParquetWriter. Both report the process's peak resident memory,
which stays flat when the file grows because neither holds more than a batch.
(b) ``POST /invocations`` requests per second and 99th-percentile latency, one-row and
1,000-row JSON (``dataframe_split``) requests on four keep-alive connections, against
``mlflow models serve --env-manager local`` serving the same model directory, one worker
each. Both are loaded by the same generator (``benchmarks._loadgen``: two processes of two
connections each, raw sockets, no threads), whose own share of the machine's CPU is
reported beside the rates. The generator shares the machine with the server: on a busy
two-core machine the figures swing, so compare the two columns of one run, not runs with
each other.
(c) ``flavors.pyfunc.spark_udf`` against ``mlflow.pyfunc.spark_udf`` on Spark ``local[2]``,
scoring a Parquet file into Spark's no-op sink, after one warm-up pass (Spark's start,
which costs tens of seconds, is not counted).
"""

from __future__ import annotations

import glob
import json
import os
import resource
import socket
import subprocess
import sys
import time

from benchmarks._spec import Measure, Scenario, Target

COLUMNS = [f"f{i}" for i in range(10)]
BATCH = 100_000


def _frame(rows: int, seed: int):
    import numpy as np
    import pandas as pd

    return pd.DataFrame(np.random.default_rng(seed).random((rows, len(COLUMNS))), columns=COLUMNS)


def _train_and_save(workdir: str, rounds: int) -> str:
    import xgboost as xgb

    import flavors

    data = _frame(20_000, 0)
    booster = xgb.train({"max_depth": 6, "nthread": 2}, xgb.DMatrix(data, data["f0"] * 3 + data["f1"] ** 2), rounds)
    path = os.path.join(workdir, "model")
    flavors.xgboost.save_model(booster, path, signature=flavors.infer_signature(data.head(100)))
    return path


def prepare_predict(params: dict, workdir: str, with_mlflow: bool) -> None:
    """The model and the input Parquet file, written in row groups so neither side reads it whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    _train_and_save(workdir, 100)
    rows, written = params["rows"], 0
    schema = pa.schema([(name, pa.float64()) for name in COLUMNS])
    with pq.ParquetWriter(os.path.join(workdir, "input.parquet"), schema) as writer:
        while written < rows:
            count = min(BATCH * 5, rows - written)
            writer.write_table(pa.Table.from_pandas(_frame(count, written), schema=schema, preserve_index=False),
                               row_group_size=BATCH)
            written += count


def _hand_written_loop(model_dir: str, source: str, target: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    import flavors.pyfunc

    model = flavors.pyfunc.load_model(model_dir)
    writer = None
    # Without pre_buffer, as ``models predict`` reads: pyarrow's default keeps every row group read until the
    # file is closed, so the loop's memory would grow with the file (1.3 GB at 10 million rows).
    for batch in pq.ParquetFile(source, pre_buffer=False).iter_batches(batch_size=BATCH):
        predictions = model.predict(batch.to_pandas())
        table = pa.table({"prediction": predictions})
        writer = writer or pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
    writer.close()


def run_predict(mode: str, params: dict, workdir: str) -> dict:
    """Score the whole file once in this fresh process; rows/s, seconds and peak RSS."""
    import pyarrow.parquet  # noqa: F401 - imported before the clock in both modes
    import xgboost  # noqa: F401

    model_dir, source = os.path.join(workdir, "model"), os.path.join(workdir, "input.parquet")
    target = os.path.join(workdir, f"out-{mode}-{os.getpid()}.parquet")
    start = time.perf_counter()
    if mode == "baseline":
        _hand_written_loop(model_dir, source, target)
    else:
        from autolog.serving import predict_file

        predict_file(model_dir, source, target, batch_size=BATCH)
    seconds = time.perf_counter() - start
    os.remove(target)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return {"predict": seconds, "rate": params["rows"] / seconds, "peak_rss": float(peak)}


def prepare_serve(params: dict, workdir: str, with_mlflow: bool) -> None:
    """One model directory; MLflow serves the same one (our format loads there)."""
    _train_and_save(workdir, 100)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(mode: str, model_dir: str, port: int):
    if mode == "mlflow":
        command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_dir, "--env-manager", "local",
                   "-p", str(port), "-h", "127.0.0.1", "-w", "1"]
    else:
        command = [sys.executable, "-m", "autolog.cli", "models", "serve", "-m", model_dir, "--port", str(port)]
    # MLflow starts `uvicorn` by name: put this interpreter's scripts first on PATH.
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{mode} server exited with status {process.returncode}")
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{mode} server did not start in 120 s")


def _tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by process ``pid`` and its descendants (Linux ``/proc``; 0 elsewhere).

    MLflow's CLI serves from a ``uvicorn`` child process, ours from the process itself: both are counted."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        with open(path, encoding="ascii") as handle:
            total += sum(_tree_cpu_seconds(int(child)) for child in handle.read().split())
    return total


def run_serve(mode: str, params: dict, workdir: str) -> dict:
    """Start the server, warm it up, then load it with one-row and 1,000-row requests."""
    from benchmarks._loadgen import run_load

    port = _free_port()
    process = _start_server(mode, os.path.join(workdir, "model"), port)
    result = {}
    try:
        for rows in (1, 1000):
            frame = _frame(rows, 7)
            body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": frame.values.tolist()}}).encode()
            run_load(port, body, 1.0, processes=1, connections=1)  # warm-up: first requests pay for lazy imports
            cpu_before = _tree_cpu_seconds(process.pid)
            load = run_load(port, body, params["seconds"], params["processes"], params["connections"])
            server_cpu = _tree_cpu_seconds(process.pid) - cpu_before
            result[f"rps_{rows}"], result[f"p99_{rows}"] = load["rps"], load["p99"]
            if server_cpu > 0:
                result[f"cpu_{rows}"] = server_cpu / load["requests"]
            result[f"loadgen_cpu_{rows}"] = 100 * load["generator_cpu"] / (load["wall"] * (os.cpu_count() or 1))
    finally:
        process.terminate()
        process.wait(30)
    return result


def run_spark(mode: str, params: dict, workdir: str) -> dict:
    """Rows per second of a UDF scoring the input file on local[2], after a warm-up pass (none without pyspark)."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return {}
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        model_dir = os.path.join(workdir, "model")
        if mode == "mlflow":
            import mlflow.pyfunc

            udf = mlflow.pyfunc.spark_udf(spark, model_dir, result_type="double", env_manager="local")
        else:
            import flavors.pyfunc

            udf = flavors.pyfunc.spark_udf(spark, model_dir, result_type="double")
        data = spark.read.parquet(os.path.join(workdir, "input.parquet")).repartition(2).cache()
        data.count()
        score = lambda frame: frame.select(udf(*COLUMNS).alias("p")).write.mode("overwrite") \
            .format("noop").save()  # noqa: E731
        score(data.limit(10_000))
        start = time.perf_counter()
        score(data)
        return {"spark_rate": params["rows"] / (time.perf_counter() - start)}
    finally:
        spark.stop()


def _spark_scenario() -> Scenario:
    rows = {"full": 1_000_000, "quick": 200_000, "smoke": 10_000}
    return Scenario(
        name="scoring-spark", group="scoring", title="spark_udf on local[2]",
        run=run_spark, prepare=prepare_predict, modes=("autolog", "mlflow"),
        measures=(Measure("spark_rate", "`spark_udf` rows per second on local[2], {rows:,} rows "
                          "(MLflow: `mlflow.pyfunc.spark_udf`)", kind="rate"),),
        params={profile: {"rows": count} for profile, count in rows.items()},
        repeats={"full": (2, 2), "quick": (1, 1)},
        # Spark's start alone can take a minute or two on a busy machine: more than a quick worker's default.
        timeouts={"full": 1800, "quick": 600, "smoke": 600},
        notes={"quick": "200,000 rows instead of 1,000,000"})


def _predict_scenario() -> Scenario:
    rows = {"full": 10_000_000, "quick": 400_000, "smoke": 20_000}
    return Scenario(
        name="scoring-predict", group="scoring", title="models predict: Parquet in, Parquet out",
        run=run_predict, prepare=prepare_predict, modes=("baseline", "autolog"),
        measures=(
            Measure("predict", "`models predict` on {rows:,} rows × 10, batches of 100,000 "
                    "(baseline: hand-written pyarrow/pandas loop)", target=Target("added_pct", 10)),
            Measure("rate", "… rows per second", kind="rate"),
            Measure("peak_rss", "… peak resident memory of the process (MiB)", kind="mib"),
        ),
        params={profile: {"rows": count} for profile, count in rows.items()},
        repeats={"full": (2, 0), "quick": (2, 0)},
        timeouts={"full": 1800},
        notes={"quick": "400,000 rows instead of 10,000,000"})


def _serve_scenario() -> Scenario:
    return Scenario(
        name="scoring-serve", group="scoring", title="Scoring server: POST /invocations",
        run=run_serve, prepare=prepare_serve, modes=("autolog", "mlflow"),
        measures=(
            Measure("rps_1", "1-row requests per second, 4 connections (MLflow: `mlflow models serve`)",
                    kind="rate"),
            Measure("p99_1", "… p99 latency"),
            Measure("cpu_1", "… server CPU time per request"),
            Measure("loadgen_cpu_1", "… the load generator's share of the machine's CPU (%)", kind="pct"),
            Measure("rps_1000", "1,000-row requests per second, 4 connections", kind="rate"),
            Measure("p99_1000", "… p99 latency"),
            Measure("cpu_1000", "… server CPU time per request"),
            Measure("loadgen_cpu_1000", "… the load generator's share of the machine's CPU (%)", kind="pct"),
        ),
        params={"full": {"seconds": 10, "processes": 2, "connections": 2},
                "quick": {"seconds": 3, "processes": 2, "connections": 2},
                "smoke": {"seconds": 0.5, "processes": 1, "connections": 2}},
        repeats={"full": (3, 3), "quick": (1, 1)},
        notes={"quick": "3 s of load per request size instead of 10, one repetition"})


SCENARIOS = [_predict_scenario(), _serve_scenario(), _spark_scenario()]
