"""``autolog demo``: the whole workflow on the embedded default store, offline, in well under a minute.

It generates a taxi-trip-like data set, runs a small hyperparameter search with manual
logging, retrains the best candidate with ``autolog.xgboost()``, trains lightgbm and
scikit-learn competitors with autologging, registers the best model, promotes it to
Production with the alias ``champion`` and batch-scores a held-out file through
``models:/<name>@champion``, keeping the predictions as an artifact of a scoring run.
"""

from __future__ import annotations

import itertools
import os
import time

__all__ = ["main", "make_trips", "check_requirements"]

_NEEDED = {"numpy": "numpy", "pandas": "pandas", "xgboost": "xgboost", "lightgbm": "lightgbm",
           "sklearn": "scikit-learn"}

EXPERIMENT = "nyc-taxi-demo"
MODEL_NAME = "nyc-taxi-regressor"
FEATURES = ["trip_distance", "pickup_hour", "weekday", "passenger_count", "pu_zone", "do_zone"]


def make_trips(rows: int, seed: int):
    """A DataFrame of synthetic taxi trips with a ``duration`` (minutes) target; deterministic per seed."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    distance = rng.gamma(2.0, 1.6, rows)
    hour = rng.integers(0, 24, rows)
    weekday = rng.integers(0, 7, rows)
    rush = ((hour >= 7) & (hour <= 9)) | ((hour >= 16) & (hour <= 19))
    pu_zone = rng.integers(1, 60, rows)
    do_zone = rng.integers(1, 60, rows)
    duration = (3 + 3.2 * distance * np.where(rush & (weekday < 5), 1.45, 1.0)
                + 0.08 * np.abs(pu_zone - do_zone) + rng.normal(0, 2.0, rows))
    return pd.DataFrame({
        "trip_distance": distance.round(2), "pickup_hour": hour, "weekday": weekday,
        "passenger_count": rng.integers(1, 5, rows), "pu_zone": pu_zone, "do_zone": do_zone,
        "duration": np.clip(duration, 1, 60).round(2),
    })


def check_requirements() -> None:
    """Raise AutologError naming the extra to install when a framework the demo trains is missing."""
    import importlib.util

    from .tracking.exceptions import AutologError

    def installed(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            return False

    missing = [name for module, name in _NEEDED.items() if not installed(module)]
    if missing:
        raise AutologError(f"the demo needs {', '.join(missing)}: pip install 'autolog[xgboost,lightgbm,sklearn]'")


def _rmse(y_true, y_pred) -> float:
    import numpy as np

    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


class _Progress:
    def __init__(self, steps: int):
        self.steps, self.step, self.started = steps, 0, time.perf_counter()

    def __call__(self, message: str) -> None:
        self.step += 1
        print(f"[{self.step}/{self.steps}] {message}  ({time.perf_counter() - self.started:.1f}s)", flush=True)


def _search_xgboost(train, valid, progress) -> dict:
    """A small grid with manual logging, as one would write it by hand; returns the best params."""
    import xgboost as xgb

    import autolog

    dtrain = xgb.DMatrix(train[FEATURES], label=train["duration"])
    dvalid = xgb.DMatrix(valid[FEATURES], label=valid["duration"])
    grid = itertools.product([4, 6], [0.1, 0.3])
    for max_depth, learning_rate in grid:
        params = {"max_depth": max_depth, "learning_rate": learning_rate, "objective": "reg:squarederror",
                  "seed": 42}
        with autolog.start_run(run_name=f"search-d{max_depth}-lr{learning_rate}"):
            autolog.set_tag("model", "xgboost")
            autolog.set_tag("stage", "search")
            autolog.log_params(params)
            booster = xgb.train(params, dtrain, num_boost_round=200, evals=[(dvalid, "validation")],
                                early_stopping_rounds=20, verbose_eval=False)
            autolog.log_metric("rmse", _rmse(valid["duration"], booster.predict(dvalid)))
    best = autolog.Client().search_runs(
        autolog.get_experiment_id(), "tags.model = 'xgboost' and tags.stage = 'search'",
        max_results=1, order_by=["metrics.rmse ASC"])[0]
    progress(f"searched 4 xgboost candidates by hand; best rmse {best.data.metrics['rmse']:.3f} "
             f"({best.info.run_name})")
    return {key: (float(v) if "." in v else int(v)) if key != "objective" else v
            for key, v in best.data.params.items()}


def _log_validation_rmse(model_predict, valid) -> float:
    import autolog

    rmse = _rmse(valid["duration"], model_predict(valid[FEATURES]))
    run = autolog.last_active_run()
    autolog.Client().log_metric(run.info.run_id, "val_rmse", rmse)
    return rmse


def _train_competitors(best_params: dict, train, valid, progress) -> None:
    import lightgbm as lgb
    import xgboost as xgb
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import GridSearchCV

    import autolog

    autolog.xgboost()
    dtrain = xgb.DMatrix(train[FEATURES], label=train["duration"])
    dvalid = xgb.DMatrix(valid[FEATURES], label=valid["duration"])
    booster = xgb.train(best_params, dtrain, num_boost_round=400, evals=[(dvalid, "validation")],
                        early_stopping_rounds=30, verbose_eval=False)
    rmse = _log_validation_rmse(lambda frame: booster.predict(xgb.DMatrix(frame)), valid)
    progress(f"retrained the best xgboost with autolog.xgboost(): val rmse {rmse:.3f}")

    autolog.lightgbm()
    lgb_train = lgb.Dataset(train[FEATURES], label=train["duration"])
    lgb_valid = lgb.Dataset(valid[FEATURES], label=valid["duration"], reference=lgb_train)
    gbm = lgb.train({"objective": "regression", "learning_rate": 0.1, "num_leaves": 31, "verbose": -1},
                    lgb_train, num_boost_round=300, valid_sets=[lgb_valid], valid_names=["validation"],
                    callbacks=[lgb.early_stopping(30, verbose=False)])
    rmse = _log_validation_rmse(gbm.predict, valid)
    progress(f"trained lightgbm with autolog.lightgbm(): val rmse {rmse:.3f}")

    autolog.sklearn()
    search = GridSearchCV(RandomForestRegressor(n_estimators=30, random_state=0, n_jobs=1),
                          {"max_depth": [6, 10]}, cv=3, scoring="neg_root_mean_squared_error")
    search.fit(train[FEATURES], train["duration"])
    rmse = _log_validation_rmse(search.predict, valid)
    progress(f"grid-searched a random forest with autolog.sklearn(): val rmse {rmse:.3f}")
    autolog.disable()


def _register_best(progress):
    import autolog

    client = autolog.Client()
    best = client.search_runs(autolog.get_experiment_id(), "metrics.val_rmse > 0", max_results=1,
                              order_by=["metrics.val_rmse ASC"])[0]
    version = autolog.register_model(f"runs:/{best.info.run_id}/model", MODEL_NAME)
    client.transition_model_version_stage(MODEL_NAME, version.version, "Production",
                                          archive_existing_versions=True)
    client.set_registered_model_alias(MODEL_NAME, "champion", version.version)
    client.update_model_version(MODEL_NAME, version.version,
                                description=f"Promoted by the demo from run {best.info.run_name}")
    progress(f"registered {MODEL_NAME} version {version.version} from run {best.info.run_name} "
             f"({best.data.tags.get('mlflow.autologging', 'manual')}), promoted it to Production "
             f"and named it @champion")
    return best, version


def _batch_score(progress) -> tuple:
    """Score a held-out CSV through the champion; the predictions become an artifact of a scoring run
    (nothing is left in the current directory)."""
    import tempfile

    import pandas as pd

    import autolog
    import flavors

    held_out = make_trips(5_000, seed=7)
    model = flavors.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")
    with tempfile.TemporaryDirectory(prefix="autolog-demo-") as workdir, \
            autolog.start_run(run_name="batch-score") as run:
        source = os.path.join(workdir, "held_out_trips.csv")
        held_out.drop(columns=["duration"]).to_csv(source, index=False)
        frame = pd.read_csv(source)
        predictions = model.predict(frame)
        target = os.path.join(workdir, "held_out_predictions.csv")
        frame.assign(predicted_duration=predictions).to_csv(target, index=False)
        autolog.log_artifact(target)
        rmse = _rmse(held_out["duration"], predictions)
        autolog.log_metric("rmse", rmse)
    uri = f"runs:/{run.info.run_id}/held_out_predictions.csv"
    progress(f"batch-scored {len(frame):,} held-out trips through models:/{MODEL_NAME}@champion "
             f"(rmse {rmse:.3f}) -> {uri}")
    return uri, rmse


def _print_summary() -> None:
    import autolog

    runs = autolog.Client().search_runs(autolog.get_experiment_id(), "metrics.val_rmse > 0",
                                        order_by=["metrics.val_rmse ASC"])
    print(f"\n{'run':<28}{'autologged by':<16}{'val rmse':>10}  model URI")
    for run in runs:
        print(f"{run.info.run_name:<28}{run.data.tags.get('mlflow.autologging', '-'):<16}"
              f"{run.data.metrics['val_rmse']:>10.3f}  runs:/{run.info.run_id}/model")


def main(argv=None) -> int:
    """Run the demo in the current directory's default store (./mlruns); return the exit status."""
    import autolog

    progress = _Progress(7)
    print(f"autolog demo: tracking store {autolog.get_tracking_uri()}", flush=True)
    autolog.set_experiment(EXPERIMENT)
    trips = make_trips(20_000, seed=1)
    train, valid = trips.iloc[:16_000], trips.iloc[16_000:]
    progress(f"generated {len(trips):,} synthetic taxi trips")
    best_params = _search_xgboost(train, valid, progress)
    _train_competitors(best_params, train, valid, progress)
    _register_best(progress)
    _batch_score(progress)
    _print_summary()
    print(f"\nExplore: autolog runs list --experiment {EXPERIMENT}   |   autolog models list")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
