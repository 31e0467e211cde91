"""autolog.sklearn(): hyperparameter searches, post-training metrics, and living beside the other integrations."""

import csv

import lightgbm as lgb
import numpy as np
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401 - makes HalvingGridSearchCV importable
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import autolog
import flavors
from autolog.integrations import get_integration

RNG = np.random.default_rng(1)
X = RNG.random((240, 4))
Y = X[:, 0] * 2 + X[:, 1] + RNG.normal(0, 0.05, 240)
LABELS = (Y > 1.5).astype(int)
GRID = {"alpha": [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]}


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.sklearn(disable=True)
    autolog.lightgbm(disable=True)


def _runs():
    return autolog.search_runs(output_format="list")


def _split(runs):
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    return parents, children


def test_grid_search_parent_and_top_five_children():
    autolog.sklearn()
    search = GridSearchCV(Ridge(), GRID, cv=3).fit(X, Y)
    (parent,), children = _split(_runs())
    assert parent.data.params["best_alpha"] == str(search.best_params_["alpha"])
    assert parent.data.params["estimator"] == "Ridge()" and parent.data.params["cv"] == "3"
    assert parent.data.params["param_grid"] == str(GRID)
    assert not [key for key in parent.data.params if key.startswith("estimator__")]  # the search's own params
    assert parent.data.metrics["best_cv_score"] == pytest.approx(search.best_score_)
    assert "training_r2_score" in parent.data.metrics
    local = autolog.Client().download_artifacts(parent.info.run_id, "cv_results.csv")
    with open(local, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and [float(r["mean_test_score"]) for r in rows] == pytest.approx(
        list(search.cv_results_["mean_test_score"]))
    assert len(children) == 5
    results = search.cv_results_
    for child in children:
        index = int(child.data.tags["autolog.search.candidate_index"])
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.data.params == {"alpha": str(results["params"][index]["alpha"])}
        assert child.data.metrics["mean_test_score"] == pytest.approx(results["mean_test_score"][index])
        assert child.data.metrics["std_test_score"] == pytest.approx(results["std_test_score"][index])
        assert child.info.status == "FINISHED"
    assert sorted(int(c.data.metrics["rank_test_score"]) for c in children) == [1, 2, 3, 4, 5]
    best = flavors.sklearn.load_model(f"runs:/{parent.info.run_id}/model")
    assert type(best) is Ridge and best.alpha == search.best_params_["alpha"]


def test_max_tuning_runs_and_a_search_inside_a_user_run():
    autolog.sklearn(max_tuning_runs=2, log_models=False)
    with autolog.start_run() as run:
        RandomizedSearchCV(Ridge(), GRID, n_iter=4, cv=3, random_state=0).fit(X, Y)
    (parent,), children = _split(_runs())
    assert parent.info.run_id == run.info.run_id and "best_alpha" in parent.data.params
    assert len(children) == 2 and all(c.data.tags["mlflow.parentRunId"] == run.info.run_id for c in children)


def test_halving_search_on_a_pipeline_logs_once_with_multimetric_refit():
    autolog.sklearn(log_models=False, max_tuning_runs=None)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    HalvingGridSearchCV(pipeline, {"model__C": [0.1, 1.0, 10.0, 100.0]}, cv=3, factor=2,
                        random_state=0).fit(X, LABELS)
    (parent,), children = _split(_runs())
    assert "best_model__C" in parent.data.params and "training_accuracy_score" in parent.data.metrics
    assert children and all(set(c.data.params) == {"model__C"} for c in children)
    autolog.sklearn(disable=True)
    autolog.sklearn(log_models=False)
    GridSearchCV(LogisticRegression(), {"C": [0.1, 10.0]}, cv=3, scoring=["accuracy", "f1"],
                 refit="f1").fit(X, LABELS)
    newest = autolog.last_active_run()
    children = [r for r in _runs() if r.data.tags.get("mlflow.parentRunId") == newest.info.run_id]
    assert len(children) == 2 and {"mean_test_f1", "std_test_accuracy"} <= set(children[0].data.metrics)


def test_post_training_metrics_are_named_after_the_function_and_the_data():
    autolog.sklearn(log_models=False)
    from sklearn.metrics import mean_squared_error, r2_score  # imported after enabling, as names bound before are not

    model = LinearRegression().fit(X[:200], Y[:200])
    X_val, y_val = X[200:], Y[200:]
    value = mean_squared_error(y_val, model.predict(X_val))
    again = mean_squared_error(y_val, model.predict(X_val))
    predictions = model.predict(X_val)
    r2 = r2_score(y_val, predictions)
    metrics = autolog.Client().get_run(_runs()[0].info.run_id).data.metrics
    assert metrics["mean_squared_error_X_val"] == pytest.approx(value) == pytest.approx(again)
    assert metrics["mean_squared_error_X_val-2"] == pytest.approx(again)
    assert metrics["r2_score_X_val"] == pytest.approx(r2)
    plain = LinearRegression()
    autolog.sklearn(disable=True)
    plain.fit(X, Y)
    autolog.sklearn(log_models=False)
    mean_squared_error(Y, plain.predict(X))  # a model fitted without autologging: nothing logged anywhere
    assert len(_runs()) == 1


def test_post_training_metrics_go_to_the_search_run_and_can_be_turned_off():
    from sklearn import metrics as sk_metrics

    autolog.sklearn(log_models=False, max_tuning_runs=0)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3).fit(X[:200], LABELS[:200])
    X_test = X[200:]
    accuracy = sk_metrics.accuracy_score(LABELS[200:], search.predict(X_test))
    run = autolog.Client().get_run(autolog.last_active_run().info.run_id)
    assert run.data.metrics["accuracy_score_X_test"] == pytest.approx(accuracy)
    autolog.sklearn(log_models=False, log_post_training_metrics=False)
    sk_metrics.f1_score(LABELS[200:], search.predict(X_test))
    assert "f1_score_X_test" not in autolog.Client().get_run(run.info.run_id).data.metrics


def test_lightgbm_estimators_are_logged_by_lightgbm_only():
    autolog.sklearn()
    autolog.lightgbm(log_models=False)
    lgb.LGBMRegressor(n_estimators=5, verbose=-1, n_jobs=1).fit(X, Y)
    (run,) = _runs()
    assert run.data.tags["mlflow.autologging"] == "lightgbm" and "training_r2_score" not in run.data.metrics
    sklearn_integration = get_integration("sklearn")
    assert not any(isinstance(patch.owner, type) and patch.owner.__module__.startswith("lightgbm")
                   for patch in sklearn_integration.patches)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", lgb.LGBMRegressor(n_estimators=5, verbose=-1,
                                                                                   n_jobs=1))])
    pipeline.fit(X, Y)
    newest = autolog.last_active_run()
    assert newest.data.tags["mlflow.autologging"] == "sklearn" and len(_runs()) == 2
    assert newest.data.params["model__n_estimators"] == "5"
