"""Time added by ``autolog.xgboost()`` over plain ``xgb.train``, beside ``mlflow.xgboost.autolog()``.

(a) 200 rounds on 200,000 x 20 rows with an eval set and early stopping;
(b) 20 rounds on 10,000 rows with an eval set. Each with the model logged (the
default) and, in the full run, without. (b) runs once untimed first, in the same
mode and process, so the figure is the steady state a training loop sees.
"""

from __future__ import annotations

from benchmarks._common import make_regression
from benchmarks._overhead import Case, time_cases
from benchmarks._spec import Measure, Scenario, Target


def _trainer(rows: int, rounds: int, early_stopping):
    import xgboost as xgb

    features, target = make_regression(rows, 20)
    split = int(rows * 0.8)
    dtrain = xgb.DMatrix(features[:split], label=target[:split])
    dvalid = xgb.DMatrix(features[split:], label=target[split:])
    params = {"max_depth": 6, "eta": 0.1, "tree_method": "hist", "seed": 0}
    return lambda: xgb.train(params, dtrain, rounds, evals=[(dvalid, "validation")],
                             early_stopping_rounds=early_stopping, verbose_eval=False)


def run(mode: str, params: dict, workdir: str) -> dict:
    """Time the cases named in ``params["cases"]`` in this process."""
    short = _trainer(10_000, 20, None)
    long = _trainer(params["long_rows"], params["long_rounds"], 50)
    warm = params.get("warmup", True)
    cases = {"short": Case("short", short, warm), "short-nomodel": Case("short-nomodel", short, warm,
                                                                        {"log_models": False}),
             "long": Case("long", long), "long-nomodel": Case("long-nomodel", long, False, {"log_models": False})}
    return time_cases("xgboost", mode, [cases[name] for name in params["cases"]], workdir)


SCENARIOS = [
    Scenario(
        name="xgboost-autolog", group="xgboost", title="xgboost autologging", run=run,
        measures=(
            Measure("short", "(b) `xgb.train` 20 rounds on 10,000 rows, model logged", target=Target("added_ms", 50)),
            Measure("short-nomodel", "(b) the same, `log_models=False`"),
            Measure("long", "(a) `xgb.train` {long_rounds} rounds on {long_rows:,} × 20 rows, early stopping, "
                    "model logged", target=Target("added_pct", 1)),
            Measure("long-nomodel", "(a) the same, `log_models=False`", target=Target("added_pct", 0.5)),
        ),
        params={
            "full": {"cases": ["short", "short-nomodel", "long", "long-nomodel"], "long_rows": 200_000,
                     "long_rounds": 200,
                     "mlflow": {"cases": ["short", "short-nomodel", "long"], "warmup": False}},
            "quick": {"cases": ["short", "long"], "long_rows": 30_000, "long_rounds": 50,
                      "mlflow": {"cases": ["short"], "warmup": False}},
            "smoke": {"cases": ["short"], "long_rows": 2_000, "long_rounds": 5},
        },
        repeats={"full": (4, 1), "quick": (2, 1)},
        notes={"mlflow": "MLflow's trainings run without the warm-up (its seconds of overhead dwarf any first-call "
                         "cost); in the full run its (a) without the model is skipped for time.",
               "quick": "(a) on 30,000 rows and 50 rounds; no `log_models=False` variants; MLflow: (b) only, "
                        "without its warm-up training"}),
]
