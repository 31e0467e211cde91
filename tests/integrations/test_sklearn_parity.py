"""scikit-learn autologging where MLflow's documented behaviour is the reference."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
from sklearn import metrics
from sklearn.model_selection import cross_val_predict, cross_val_score, cross_validate
from sklearn.preprocessing import StandardScaler

import autolog
import flavors

RNG = np.random.default_rng(1)
X = RNG.random((120, 3))
Y = X[:, 0] * 3 + X[:, 2] + RNG.normal(0, 0.05, 120)
LABELS = (Y > 2).astype(int)


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.sklearn(disable=True)


def _runs():
    return autolog.search_runs(output_format="list")


def test_none_params_are_logged_as_the_string_none():
    autolog.sklearn(log_models=False)
    LogisticRegression(class_weight=None).fit(X, LABELS)
    (run,) = _runs()
    assert run.data.params["class_weight"] == "None" and run.data.params["n_jobs"] == "None"
    assert autolog.search_runs(filter_string="params.class_weight = 'None'", output_format="list") == [run]


def test_each_fit_in_a_user_run_logs_its_own_model_and_the_run_path_is_the_last():
    autolog.sklearn()
    with autolog.start_run() as run:
        scaled = StandardScaler().fit_transform(X)
        LinearRegression().fit(scaled, Y)
    models = autolog.search_logged_models(output_format="list")
    assert len(models) == 2 and {m.source_run_id for m in models} == {run.info.run_id}
    assert type(flavors.sklearn.load_model(f"runs:/{run.info.run_id}/model")).__name__ == "LinearRegression"
    assert {type(flavors.sklearn.load_model(m.model_uri)).__name__ for m in models} == \
        {"StandardScaler", "LinearRegression"}


@pytest.mark.parametrize("helper", [
    lambda: cross_val_score(LinearRegression(), X, Y, cv=3),
    lambda: cross_validate(LinearRegression(), X, Y, cv=3),
    lambda: cross_val_predict(LinearRegression(), X, Y, cv=3),
])
def test_cross_validation_helpers_do_not_autolog_their_inner_fits(helper):
    autolog.sklearn()
    with autolog.start_run() as run:
        helper()
    (stored,) = _runs()
    assert stored.info.run_id == run.info.run_id
    assert stored.data.params == {} and stored.data.metrics == {}
    helper()  # outside a run: no run per inner fit either
    assert len(_runs()) == 1


def test_score_is_logged_under_the_estimators_name_and_inner_metrics_are_not():
    autolog.sklearn(log_models=False)
    X_test, y_test = X[:40], Y[:40]
    model = LinearRegression().fit(X[40:], Y[40:])
    score = model.score(X_test, y_test)
    r2 = metrics.r2_score(y_test, model.predict(X_test))
    (run,) = _runs()
    assert run.data.metrics["LinearRegression_score_X_test"] == pytest.approx(score)
    assert run.data.metrics["r2_score_X_test"] == pytest.approx(r2)
    assert "r2_score_X_test-2" not in run.data.metrics


@pytest.mark.parametrize("estimator", [LogisticRegression(), SGDClassifier(random_state=0),
                                       LinearDiscriminantAnalysis()])
def test_predictions_from_a_mixin_predict_are_tracked(estimator):
    autolog.sklearn(log_models=False)
    model = estimator.fit(X, LABELS)
    X_eval = X[:30]
    accuracy = metrics.accuracy_score(LABELS[:30], model.predict(X_eval))
    (run,) = _runs()
    assert run.data.metrics["accuracy_score_X_eval"] == pytest.approx(accuracy)


class _MutatingRegressor(RegressorMixin, BaseEstimator):
    """Scales its input in place while fitting, as some estimators do."""

    def fit(self, X, y):
        self.coef_ = np.linalg.lstsq(X, y, rcond=None)[0]
        X *= 1000.0
        return self

    def predict(self, X):
        return X @ self.coef_


def test_data_changed_inside_fit_does_not_leak_into_metrics_or_example():
    autolog.sklearn(log_input_examples=True)
    data = X.copy()
    model = _MutatingRegressor().fit(data, Y)
    (run,) = _runs()
    expected = metrics.r2_score(Y, X @ model.coef_)
    assert run.data.metrics["training_r2_score"] == pytest.approx(expected)
    example = flavors.Model.load(f"runs:/{run.info.run_id}/model").load_input_example(
        autolog.Client().download_artifacts(run.info.run_id, "model"))
    np.testing.assert_allclose(np.asarray(example), X[:len(example)])


def test_log_model_signatures_false_is_honoured_with_input_examples():
    autolog.sklearn(log_model_signatures=False, log_input_examples=True)
    LinearRegression().fit(X, Y)
    (run,) = _runs()
    model = flavors.Model.load(f"runs:/{run.info.run_id}/model")
    assert model.signature is None and model.saved_input_example_info is not None


def test_start_time_and_end_time_zero_are_kept():
    client = autolog.Client()
    run = client.create_run("0", start_time=0)
    client.set_terminated(run.info.run_id, end_time=0)
    stored = client.get_run(run.info.run_id)
    assert (stored.info.start_time, stored.info.end_time) == (0, 0)
