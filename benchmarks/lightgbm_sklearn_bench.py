"""Time added by ``autolog.lightgbm()`` and ``autolog.sklearn()`` over plain training, beside MLflow's.

lightgbm (on one thread, for stable timings): ``lgb.train`` 20 rounds on 10,000
rows, and 200 rounds on 200,000 x 20 rows (in the full run also with ``log_models=False``), both with a
validation set. scikit-learn: a 4-candidate ``GridSearchCV`` of a
10-tree random forest over ``max_depth`` with cv=3 on 5,000 rows, and
``RandomForestRegressor(n_estimators=50)`` on 50,000 x 10 rows. The short
trainings run once untimed first, in the same mode and process.
"""

from __future__ import annotations

from benchmarks._common import make_regression
from benchmarks._overhead import Case, time_cases
from benchmarks._spec import Measure, Scenario, Target


def _lgb_trainer(rows: int, rounds: int):
    import lightgbm as lgb

    features, target = make_regression(rows, 20)
    split = int(rows * 0.8)
    # One thread: OpenMP's spinning threads make multi-threaded timings swing several-fold on a shared machine.
    params = {"objective": "regression", "learning_rate": 0.1, "num_leaves": 63, "verbose": -1, "seed": 0,
              "num_threads": 1}

    def train():
        dtrain = lgb.Dataset(features[:split], label=target[:split])
        dvalid = lgb.Dataset(features[split:], label=target[split:], reference=dtrain)
        lgb.train(params, dtrain, rounds, valid_sets=[dvalid], valid_names=["validation"])

    return train


def run_lightgbm(mode: str, params: dict, workdir: str) -> dict:
    """Time the lightgbm cases named in ``params["cases"]``."""
    warm = params.get("warmup", True)
    cases = {"short": lambda: Case("short", _lgb_trainer(10_000, 20), warm),
             "long": lambda: Case("long", _lgb_trainer(params["long_rows"], params["long_rounds"])),
             "long-nomodel": lambda: Case("long-nomodel", _lgb_trainer(params["long_rows"], params["long_rounds"]),
                                          False, {"log_models": False})}
    return time_cases("lightgbm", mode, [cases[name]() for name in params["cases"]], workdir)


def run_sklearn(mode: str, params: dict, workdir: str) -> dict:
    """Time the scikit-learn cases named in ``params["cases"]``."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import GridSearchCV

    grid_x, grid_y = make_regression(params["grid_rows"], 10)
    forest_x, forest_y = make_regression(params["forest_rows"], 10)
    grid = GridSearchCV(RandomForestRegressor(n_estimators=10, random_state=0), {"max_depth": [2, 4, 6, 8]}, cv=3)

    def forest():
        RandomForestRegressor(n_estimators=50, random_state=0).fit(forest_x, forest_y)

    cases = {"grid": Case("grid", lambda: grid.fit(grid_x, grid_y), params.get("warmup", True)),
             "forest": Case("forest", forest),
             "forest-nomodel": Case("forest-nomodel", forest, False, {"log_models": False})}
    return time_cases("sklearn", mode, [cases[name] for name in params["cases"]], workdir)


SCENARIOS = [
    Scenario(
        name="lightgbm-autolog", group="lightgbm", title="lightgbm autologging", run=run_lightgbm,
        measures=(
            Measure("short", "`lgb.train` 20 rounds on 10,000 rows", target=Target("added_ms", 50)),
            Measure("long", "`lgb.train` {long_rounds} rounds on {long_rows:,} × 20 rows",
                    target=Target("added_pct", 1)),
            Measure("long-nomodel", "the same, `log_models=False`", target=Target("added_pct", 0.5)),
        ),
        params={"full": {"cases": ["short", "long", "long-nomodel"], "long_rows": 200_000, "long_rounds": 200,
                         "mlflow": {"cases": ["short", "long"], "warmup": False}},
                "quick": {"cases": ["short", "long"], "long_rows": 20_000, "long_rounds": 100},
                "smoke": {"cases": ["short"], "long_rows": 2_000, "long_rounds": 5}},
        repeats={"full": (4, 1), "quick": (2, 0)},
        notes={"mlflow": "MLflow's trainings run without the warm-up (its seconds of overhead dwarf any first-call "
                         "cost); in the full run its long training without the model is skipped for time.",
               "quick": "the long training is 100 rounds on 20,000 rows; MLflow skipped (one autologged training "
                        "takes it ~6 s)"}),
    Scenario(
        name="sklearn-autolog", group="sklearn", title="scikit-learn autologging", run=run_sklearn,
        measures=(
            Measure("grid", "`GridSearchCV`, 4 candidates × cv=3, 10-tree forests, {grid_rows:,} rows",
                    target=Target("added_ms", 300)),
            Measure("forest", "`RandomForestRegressor(n_estimators=50)` on {forest_rows:,} × 10 rows",
                    target=Target("added_pct", 1)),
            Measure("forest-nomodel", "the same forest, `log_models=False`", target=Target("added_pct", 0.5)),
        ),
        params={"full": {"cases": ["grid", "forest", "forest-nomodel"], "grid_rows": 5_000, "forest_rows": 50_000,
                         "mlflow": {"cases": ["grid", "forest"], "warmup": False}},
                "quick": {"cases": ["grid", "forest"], "grid_rows": 1_000, "forest_rows": 2_000},
                "smoke": {"cases": ["forest"], "grid_rows": 300, "forest_rows": 300}},
        repeats={"full": (3, 1), "quick": (2, 0)},
        notes={"mlflow": "MLflow's grid search runs without the warm-up (its seconds of overhead dwarf any "
                         "first-call cost).",
               "quick": "smaller data (grid on 1,000 rows, forest on 2,000); MLflow skipped (one grid search "
                        "alone takes it ~18 s)"}),
]
