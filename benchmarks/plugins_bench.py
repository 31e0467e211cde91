"""Time added by the integrations of the collection beyond the first three: CatBoost, statsmodels,
hyperopt and Optuna, each over the same call with autologging off. MLflow is n/a (it has no
CatBoost or hyperopt autologging, and its statsmodels/Optuna hooks are not compared here).

(a) ``CatBoostRegressor.fit`` 200 iterations on 5,000 × 20 rows with an eval set, model logged;
(b) ``sm.OLS(y, X).fit()`` on 1,000 × 10 rows, model and summary logged;
(c) a 50-trial ``hyperopt.fmin`` (TPE) of a tiny objective; (d) a 50-trial Optuna study of the same.
Each runs once untimed first, in the same mode and process (the steady state a loop sees).
"""

from __future__ import annotations

from benchmarks._common import make_regression
from benchmarks._overhead import Case, time_cases
from benchmarks._spec import Measure, Scenario, Target


def _catboost(rows: int, iterations: int):
    import catboost

    features, target = make_regression(rows, 20)
    split = int(rows * 0.8)
    return lambda: catboost.CatBoostRegressor(iterations=iterations, depth=6, verbose=False, random_seed=0,
                                              allow_writing_files=False, thread_count=2).fit(
        features[:split], target[:split], eval_set=[(features[split:], target[split:])])


def _ols(rows: int):
    import statsmodels.api as sm

    features, target = make_regression(rows, 10)
    exog = sm.add_constant(features)
    return lambda: sm.OLS(target, exog).fit()


def _hyperopt(trials: int):
    import numpy as np
    from hyperopt import fmin, hp, tpe

    space = {"x": hp.uniform("x", -2, 2), "y": hp.uniform("y", -2, 2)}
    return lambda: fmin(lambda p: (p["x"] - 1) ** 2 + p["y"] ** 2, space, algo=tpe.suggest, max_evals=trials,
                        rstate=np.random.default_rng(0), show_progressbar=False)


def _optuna(trials: int):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        return (trial.suggest_float("x", -2, 2) - 1) ** 2 + trial.suggest_float("y", -2, 2) ** 2

    return lambda: optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).optimize(objective,
                                                                                               n_trials=trials)


def _run(framework: str, build):
    def run(mode: str, params: dict, workdir: str) -> dict:
        """Time the scenario's one case in this process."""
        return time_cases(framework, mode, [Case("call", build(params), True)], workdir)

    return run


def _scenario(name: str, framework: str, title: str, label: str, target: Target, build, params: dict) -> Scenario:
    return Scenario(name=name, group="plugins", title=title, run=_run(framework, build),
                    measures=(Measure("call", label, target=target),), params=params,
                    repeats={"full": (4, 0), "quick": (2, 0)}, modes=("baseline", "autolog"),
                    notes={"mlflow": "n/a"})


SCENARIOS = [
    _scenario("catboost-autolog", "catboost", "CatBoost autologging",
              "(a) `CatBoostRegressor.fit` {iterations} iterations on {rows:,} × 20 rows, eval set, model logged",
              Target("added_pct", 1), lambda p: _catboost(p["rows"], p["iterations"]),
              {"full": {"rows": 5_000, "iterations": 200}, "quick": {"rows": 5_000, "iterations": 200},
               "smoke": {"rows": 500, "iterations": 5}}),
    _scenario("statsmodels-autolog", "statsmodels", "statsmodels autologging",
              "(b) `sm.OLS(y, X).fit()` on {rows:,} × 10 rows, summary and model logged",
              Target("added_ms", 5), lambda p: _ols(p["rows"]),
              {"full": {"rows": 1_000}, "quick": {"rows": 1_000}, "smoke": {"rows": 100}}),
    _scenario("hyperopt-autolog", "hyperopt", "hyperopt autologging",
              "(c) `fmin` of a tiny objective, {trials} TPE trials (target: 1 ms per trial)",
              Target("added_ms", 50), lambda p: _hyperopt(p["trials"]),
              {"full": {"trials": 50}, "quick": {"trials": 50}, "smoke": {"trials": 3}}),
    _scenario("optuna-autolog", "optuna", "Optuna autologging",
              "(d) `study.optimize` of a tiny objective, {trials} trials (target: 1 ms per trial)",
              Target("added_ms", 50), lambda p: _optuna(p["trials"]),
              {"full": {"trials": 50}, "quick": {"trials": 50}, "smoke": {"trials": 3}}),
]
