"""The model format: cold ``pyfunc.load_model``, batch ``predict`` and ``log_model``, against native calls.

Models: a 200-round xgboost Booster and a 50-tree scikit-learn random forest,
trained once before the repetitions and saved natively, by us and by MLflow. Each
repetition is a fresh process that first loads the model cold (our imports included,
the framework imported beforehand in every mode),
then scores a large frame, then logs the model several times. The baseline is
the framework's own load, predict and save; our ``log_model`` is also split into
requirements inference (module names to pins; for scikit-learn the names are
recorded while pickling, which counts as the save) and the rest (descriptor,
environment files, run tag).
"""

from __future__ import annotations

import os
import time

from benchmarks._common import median_seconds, seconds
from benchmarks._spec import Measure, Scenario, Target

COLUMNS = [f"f{i}" for i in range(10)]
NATIVE_FILE = {"xgboost": "model.ubj", "sklearn": "model.pkl"}
# Like for like: MLflow 3.x saves scikit-learn models with skops by default; ours (and the baseline) use cloudpickle.
_MLFLOW_OPTIONS = {"xgboost": {}, "sklearn": {"serialization_format": "cloudpickle"}}


def _frame(rows: int, seed: int):
    import numpy as np
    import pandas as pd

    return pd.DataFrame(np.random.default_rng(seed).random((rows, 10)), columns=COLUMNS)


def _native_save(flavor: str, model, directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, NATIVE_FILE[flavor])
    if flavor == "xgboost":
        model.save_model(path)
    else:
        import cloudpickle

        with open(path, "wb") as handle:
            handle.write(cloudpickle.dumps(model))


def _native_load(flavor: str, directory: str):
    path = os.path.join(directory, NATIVE_FILE[flavor])
    if flavor == "xgboost":
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(path)
        return booster
    import cloudpickle

    with open(path, "rb") as handle:
        return cloudpickle.load(handle)


def prepare(flavor: str, params: dict, workdir: str, with_mlflow: bool) -> None:
    """Train the model once and save it natively, in our format and (when asked) in MLflow's."""
    data = _frame(params["train_rows"], 0)
    label = data["f0"] * 3 + data["f1"] ** 2
    if flavor == "xgboost":
        import xgboost as xgb

        model = xgb.train({"max_depth": 6, "nthread": 2}, xgb.DMatrix(data, label), 200)
    else:
        from sklearn.ensemble import RandomForestRegressor

        model = RandomForestRegressor(n_estimators=50, max_depth=10, n_jobs=2, random_state=0).fit(data, label)
    _native_save(flavor, model, os.path.join(workdir, "native"))
    import flavors

    getattr(flavors, flavor).save_model(model, os.path.join(workdir, "autolog"),
                                        signature=flavors.infer_signature(data.head(100)))
    if with_mlflow:
        import mlflow
        import mlflow.models

        getattr(mlflow, flavor).save_model(model, os.path.join(workdir, "mlflow"), **_MLFLOW_OPTIONS[flavor],
                                           signature=mlflow.models.infer_signature(data.head(100)))


def _cold_load(flavor: str, mode: str, workdir: str):
    """(loaded model, seconds): the first load in the process, the library's own imports included.

    The framework is imported before the clock starts, in every mode alike: importing it
    swings by hundreds of milliseconds between fresh processes and would bury the difference.
    """
    import importlib

    importlib.import_module("xgboost" if flavor == "xgboost" else "sklearn.ensemble")
    start = time.perf_counter()
    if mode == "baseline":
        model = _native_load(flavor, os.path.join(workdir, "native"))
    elif mode == "autolog":
        import flavors.pyfunc

        model = flavors.pyfunc.load_model(os.path.join(workdir, "autolog"))
    else:
        import mlflow.pyfunc

        model = mlflow.pyfunc.load_model(os.path.join(workdir, "mlflow"))
    return model, time.perf_counter() - start


def _predictor(flavor: str, mode: str, model):
    if mode != "baseline":
        return model.predict
    return model.inplace_predict if flavor == "xgboost" else model.predict


def _model_modules(flavor: str, model) -> set:
    """The modules ``log_model`` pins from: the framework's, or those recorded while pickling the model."""
    if flavor == "xgboost":
        return {"xgboost", "numpy", "pandas"}
    from flavors._serialization import dump  # the call log_model makes; the recording rides on the pickling

    return dump(model, "cloudpickle")[2] | {"sklearn", "pandas"}


def _requirements(modules: set) -> list:
    """Turn module names into pinned requirements, as ``log_model`` does."""
    from flavors.requirements import infer_requirements

    return infer_requirements(modules)


def _log_model(flavor: str, mode: str, workdir: str, data, repeat: int) -> dict:
    """Median seconds of saving (baseline) or logging the model, and our split of it."""
    model = _native_load(flavor, os.path.join(workdir, "native"))
    out = os.path.join(workdir, f"{mode}-{os.getpid()}")
    counter = iter(range(1_000_000))
    if mode == "baseline":
        return {"log_model": median_seconds(lambda: _native_save(flavor, model, f"{out}/{next(counter)}"), repeat)}
    if mode == "mlflow":
        import mlflow
        import mlflow.models

        api, signature = mlflow, mlflow.models.infer_signature(data.head(100))
        mlflow.set_tracking_uri("sqlite:///" + out + ".db")
        mlflow.set_experiment(experiment_id=mlflow.create_experiment("bench", artifact_location=out + "-artifacts"))
        log = lambda: getattr(mlflow, flavor).log_model(  # noqa: E731
            model, name=f"m{next(counter)}", signature=signature, **_MLFLOW_OPTIONS[flavor])
    else:
        import autolog as api
        import flavors

        signature = flavors.infer_signature(data.head(100))
        api.set_tracking_uri(out)
        log = lambda: getattr(flavors, flavor).log_model(model, f"m{next(counter)}", signature=signature)  # noqa
    result = {}
    if mode == "autolog":
        modules = _model_modules(flavor, model)
        result["requirements_cold"] = seconds(lambda: _requirements(modules))
    with api.start_run():
        result["log_model"] = median_seconds(log, repeat)
    if mode == "autolog":
        native = median_seconds(lambda: _native_save(flavor, model, f"{out}-native/{next(counter)}"), repeat)
        result["requirements"] = median_seconds(lambda: _requirements(modules), repeat)
        result["rest"] = result["log_model"] - native - result["requirements"]
    return result


def run(flavor: str, mode: str, params: dict, workdir: str) -> dict:
    """Cold load, then predict, then log the model, in this fresh process."""
    model, load_s = _cold_load(flavor, mode, workdir)
    scoring = _frame(params["predict_rows"], 1)
    predict = _predictor(flavor, mode, model)
    seconds(lambda: predict(scoring.head(1000)))
    result = {"load": load_s, "predict": median_seconds(lambda: predict(scoring), params["predict_repeat"])}
    result.update(_log_model(flavor, mode, workdir, scoring, params["log_repeat"]))
    return result


def _scenario(flavor: str, title: str) -> Scenario:
    rows = {"full": 1_000_000, "quick": 50_000, "smoke": 1_000}
    return Scenario(
        name=f"model-{flavor}", group="models", title=title,
        run=lambda mode, params, workdir: run(flavor, mode, params, workdir),
        prepare=lambda params, workdir, with_mlflow: prepare(flavor, params, workdir, with_mlflow),
        measures=(
            Measure("load", f"{flavor}: cold `pyfunc.load_model`, framework already imported "
                    "(baseline: native load)", target=Target("added_ms", 50)),
            Measure("predict", f"{flavor}: " + "`predict` on {predict_rows:,} rows (baseline: native predict)",
                    target=Target("added_pct", 2)),
            Measure("log_model", f"{flavor}: `log_model` (baseline: native save)", target=Target("added_ms", 50)),
            Measure("requirements", "… of which requirements inference"),
            Measure("rest", "… of which the rest: `log_model` − native save − requirements"),
            Measure("requirements_cold", "requirements inference, first call in the process"),
        ),
        params={profile: {"train_rows": 20_000 if profile == "full" else 5_000, "predict_rows": count,
                          "predict_repeat": 3, "log_repeat": 7 if profile == "full" else 3,
                          "mlflow": {"log_repeat": 3 if profile == "full" else 1}}
                for profile, count in rows.items()},
        repeats={"full": (3, 1), "quick": (2, 0)},
        notes={"quick": "50,000 rows scored instead of 1,000,000; models trained on 5,000 rows; MLflow skipped "
                        "(saving its model for the load alone takes ~5 s)"})


SCENARIOS = [_scenario("xgboost", "xgboost Booster, 200 rounds"),
             _scenario("sklearn", "RandomForestRegressor, 50 trees")]
