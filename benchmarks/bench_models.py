"""Model-format benchmark: log_model, cold pyfunc load and batch predict, against the frameworks' own calls.

    python benchmarks/bench_models.py [--quick]

Models: a 200-round xgboost Booster and a 50-tree scikit-learn random forest. Prints
one table: our time, the native baseline, the overhead, and MLflow's time when
``import mlflow`` works in this interpreter.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def _timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _train(rows):
    import xgboost as xgb
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.random((rows, 10)), columns=[f"f{i}" for i in range(10)])
    label = data["f0"] * 3 + data["f1"] ** 2 + rng.normal(0, 0.1, rows)
    booster = xgb.train({"max_depth": 6, "nthread": 2}, xgb.DMatrix(data, label), 200)
    forest = RandomForestRegressor(n_estimators=50, max_depth=10, n_jobs=2, random_state=0).fit(data, label)
    return data, booster, forest


def _native_save(name, model, directory):
    if name == "xgboost":
        model.save_model(os.path.join(directory, "model.ubj"))
    else:
        import cloudpickle

        with open(os.path.join(directory, "model.pkl"), "wb") as handle:
            handle.write(cloudpickle.dumps(model))


def _requirements(name, model):
    from flavors import requirements

    if name == "xgboost":
        return requirements.infer_requirements(["xgboost", "numpy", "pandas"])
    import cloudpickle

    modules = requirements.pickle_modules(cloudpickle.dumps(model)) | {"sklearn", "cloudpickle", "pandas"}
    return requirements.infer_requirements(modules)


def bench_log(name, model, data, repeat, rows):
    import autolog
    import flavors

    module = getattr(flavors, name)
    signature = flavors.infer_signature(data.head(100))
    tmp = tempfile.mkdtemp(prefix="bench-models-")
    autolog.set_tracking_uri(os.path.join(tmp, "mlruns"))
    counter = iter(range(10_000))
    native = _timed(lambda: _native_save(name, model, tempfile.mkdtemp(dir=tmp)), repeat)
    start = time.perf_counter()
    pins = _requirements(name, model)  # first call in the process: caches cold
    cold_requirements = time.perf_counter() - start
    requirements = _timed(lambda: _requirements(name, model), repeat)
    with autolog.start_run():
        total = _timed(lambda: module.log_model(model, f"m{next(counter)}", signature=signature), repeat)
    rows.append((f"{name} log_model (total)", total, native, None))
    rows.append((f"  {name} native save", native, None, None))
    rows.append((f"  {name} requirements inference (cold caches {cold_requirements * 1000:.1f} ms)",
                 requirements, None, None))
    rows.append((f"  {name} rest (descriptor, env files, run tag)", total - native - requirements, None, None))
    print(f"# {name} requirements: {pins}")
    saved = os.path.join(tmp, "saved")
    module.save_model(model, saved, signature=signature)
    autolog.set_tracking_uri(None)
    return saved, tmp


_NATIVE_LOAD = {
    "xgboost": "import xgboost as xgb; m = xgb.Booster(); m.load_model({path!r} + '/model.ubj')",
    "sklearn": "import cloudpickle, sklearn; m = cloudpickle.load(open({path!r} + '/model.pkl', 'rb'))",
}


def _cold(statement, repeat):
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                   .stdout.split()[-1]) for _ in range(repeat)]
    return statistics.median(times)


def bench_load(name, path, repeat, rows):
    native = _cold(_NATIVE_LOAD[name].format(path=path), repeat)
    ours = _cold(f"import flavors.pyfunc; m = flavors.pyfunc.load_model({path!r})", repeat)
    rows.append((f"{name} cold pyfunc.load_model", ours, native, None))


def bench_predict(name, model, path, data, repeat, rows):
    import flavors

    pyfunc = flavors.pyfunc.load_model(path)
    if name == "xgboost":
        import xgboost as xgb

        inplace = _timed(lambda: model.inplace_predict(data), repeat)
        dmatrix = _timed(lambda: model.predict(xgb.DMatrix(data)), repeat)
        ours = _timed(lambda: pyfunc.predict(data), repeat)
        rows.append((f"xgboost predict {len(data):,} rows (vs inplace_predict)", ours, inplace, None))
        rows.append((f"xgboost predict {len(data):,} rows (vs predict(DMatrix))", ours, dmatrix, None))
    else:
        native = _timed(lambda: model.predict(data), repeat)
        ours = _timed(lambda: pyfunc.predict(data), repeat)
        rows.append((f"forest predict {len(data):,} rows", ours, native, None))


def _print(rows):
    print(f"\n{'measure':<72} {'ours':>10} {'native':>10} {'overhead':>10} {'ratio':>7}")
    for label, ours, native, _ in rows:
        if native is None:
            print(f"{label:<72} {ours * 1000:>8.1f}ms")
        else:
            print(f"{label:<72} {ours * 1000:>8.1f}ms {native * 1000:>8.1f}ms {(ours - native) * 1000:>8.1f}ms "
                  f"{ours / native:>7.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    predict_rows = 200_000 if args.quick else 1_000_000
    data, booster, forest = _train(5_000 if args.quick else 20_000)
    rng = np.random.default_rng(1)
    scoring = pd.DataFrame(rng.random((predict_rows, 10)), columns=data.columns)
    rows = []
    for name, model in (("xgboost", booster), ("sklearn", forest)):
        path, tmp = bench_log(name, model, data, repeat, rows)
        bench_load(name, path, repeat, rows)
        bench_predict(name, model, path, scoring, 3, rows)
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        import mlflow  # noqa: F401
        print("# mlflow is importable here; compare with mlflow.<flavor>.log_model by hand")
    except ImportError:
        print("# mlflow not installed in this interpreter: MLflow columns omitted")
    _print(rows)


if __name__ == "__main__":
    main()
