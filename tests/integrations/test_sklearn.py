"""autolog.sklearn(): params, training metrics, models, nested fits and the shared contract."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.ensemble import BaggingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import autolog
import flavors
from tests.integrations._contract import IntegrationContract

RNG = np.random.default_rng(0)
X = RNG.random((300, 4))
Y = X[:, 0] * 2 + X[:, 1] + RNG.normal(0, 0.05, 300)
LABELS = (Y > 1.5).astype(int)
FRAME = pd.DataFrame(X, columns=["age", "income", "rooms", "distance"])


class TestSklearnContract(IntegrationContract):
    framework = "sklearn"
    train_script = """
        import numpy as np
        from sklearn.linear_model import LinearRegression
        X = np.random.default_rng(0).random((100, 3))
        LinearRegression().fit(X, X[:, 0])
    """

    def enable(self, **options):
        autolog.sklearn(**options)

    def train(self):
        return LinearRegression().fit(X, Y)

    def predict(self, model):
        return model.predict(X)

    def train_raising(self, error):
        def raise_it(data):
            raise error

        return Pipeline([("boom", FunctionTransformer(raise_it)), ("model", LinearRegression())]).fit(X, Y)


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.sklearn(disable=True)


def _runs():
    return autolog.search_runs(output_format="list")


def _only_run():
    (run,) = _runs()
    return run


def test_regressor_params_metrics_dataset_and_model():
    autolog.sklearn()
    model = LinearRegression(fit_intercept=False).fit(FRAME, Y)
    run = _only_run()
    assert run.data.params["fit_intercept"] == "False"
    predicted = model.predict(FRAME)
    mse = float(np.mean((predicted - Y) ** 2))
    metrics = run.data.metrics
    assert metrics["training_mean_squared_error"] == pytest.approx(mse)
    assert metrics["training_root_mean_squared_error"] == pytest.approx(np.sqrt(mse))
    assert metrics["training_mean_absolute_error"] == pytest.approx(np.mean(np.abs(predicted - Y)))
    assert 0.9 < metrics["training_r2_score"] <= 1
    loaded = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(FRAME[:5]), predicted[:5])
    assert loaded.metadata.get_input_schema().input_names() == list(FRAME.columns)
    assert run.data.tags["autolog.dataset.shape"] == "300x4" and run.data.tags["autolog.dataset.source"] == "pandas"
    assert type(flavors.sklearn.load_model(f"runs:/{run.info.run_id}/model")) is LinearRegression


def test_classifier_metrics_with_probabilities_and_sample_weight():
    autolog.sklearn(log_models=False)
    weights = np.where(LABELS == 1, 2.0, 1.0)
    model = LogisticRegression().fit(X, LABELS, sample_weight=weights)
    metrics = _only_run().data.metrics
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    assert metrics["training_accuracy_score"] == pytest.approx(
        accuracy_score(LABELS, model.predict(X), sample_weight=weights))
    assert metrics["training_log_loss"] == pytest.approx(log_loss(LABELS, model.predict_proba(X),
                                                                  sample_weight=weights))
    assert metrics["training_roc_auc"] == pytest.approx(
        roc_auc_score(LABELS, model.predict_proba(X)[:, 1], sample_weight=weights))
    assert {"training_precision_score", "training_recall_score", "training_f1_score"} <= set(metrics)


def test_multiclass_classifier_without_predict_proba():
    from sklearn.svm import LinearSVC

    autolog.sklearn(log_models=False)
    LinearSVC().fit(X, np.digitize(Y, [1.0, 2.0]))
    metrics = _only_run().data.metrics
    assert "training_f1_score" in metrics and "training_log_loss" not in metrics


@pytest.mark.parametrize("method", ["fit", "fit_predict"])
def test_clusterer_logs_silhouette(method):
    from sklearn.metrics import silhouette_score

    autolog.sklearn(log_models=False)
    model = KMeans(n_clusters=3, n_init=2, random_state=0)
    getattr(model, method)(X)
    assert _only_run().data.metrics["training_silhouette_score"] == pytest.approx(silhouette_score(X, model.labels_))


def test_pipeline_logs_once_with_steps_as_mlflow_writes_them():
    autolog.sklearn()
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LinearRegression())]).fit(X, Y)
    run = _only_run()
    assert run.data.params["steps"] == "[('scale', StandardScaler()), ('model', LinearRegression())]"
    assert run.data.params["scale__with_mean"] == "True" and run.data.params["model"] == "LinearRegression()"
    assert "training_r2_score" in run.data.metrics
    loaded = flavors.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(X[:5]), pipeline.predict(X[:5]))


def test_meta_estimator_inner_fits_log_nothing_of_their_own():
    autolog.sklearn(log_models=False)
    BaggingRegressor(LinearRegression(), n_estimators=4, random_state=0).fit(X, Y)
    run = _only_run()
    assert run.data.params["estimator"] == "LinearRegression()" and run.data.params["n_estimators"] == "4"


def test_transformer_fit_transform_logs_params_and_a_transform_model():
    autolog.sklearn()
    StandardScaler(with_std=False).fit_transform(X)
    run = _only_run()
    assert run.data.params["with_std"] == "False" and not run.data.metrics
    loaded = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(X[:3]), X[:3] - X.mean(axis=0))


def test_long_param_values_are_truncated_with_a_marker():
    autolog.sklearn(log_models=False)
    FunctionTransformer(kw_args={"table": list(range(5000))}).fit(X)
    value = _only_run().data.params["kw_args"]
    assert len(value) == 6000 and value.endswith("...[truncated]")


class _ThirdPartyRegressor(RegressorMixin, BaseEstimator):
    """An estimator defined outside sklearn before autologging was enabled."""

    def __init__(self, shift=1.0):
        self.shift = shift

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_ + self.shift)


def test_third_party_estimators_defined_before_and_after_enabling():
    autolog.sklearn(log_models=False)
    _ThirdPartyRegressor(shift=0.5).fit(X, Y)

    class LateTransformer(TransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return X * 2

        def fit_transform(self, X, y=None):
            return self.fit(X).transform(X)

    ours = LateTransformer.__dict__["fit_transform"]
    LateTransformer().fit_transform(X)
    runs = _runs()
    assert len(runs) == 2
    by_class = {run.data.params.get("shift", "late"): run for run in runs}
    assert by_class["0.5"].data.metrics["training_r2_score"] <= 0
    autolog.sklearn(disable=True)
    # sklearn re-wraps a transformer's own fit_transform at class creation; ours went outside it and is gone
    restored = LateTransformer.__dict__["fit_transform"]
    assert restored is ours.__wrapped__ and type(restored).__name__ == "function"
    assert restored.__wrapped__.__qualname__.endswith("LateTransformer.fit_transform")
    assert "__init_subclass__" not in BaseEstimator.__dict__
    LateTransformer().fit_transform(X)
    assert len(_runs()) == 2


def test_signature_input_example_and_registered_model():
    autolog.sklearn(log_input_examples=True, registered_model_name="prices", extra_tags={"team": "pricing"})
    LinearRegression().fit(FRAME, Y)
    run = _only_run()
    assert run.data.tags["team"] == "pricing"
    assert autolog.Client().get_model_version("prices", "1").run_id == run.info.run_id
    assert "model/input_example.json" in {i.path for i in autolog.Client().list_artifacts(run.info.run_id, "model")}
    dataset_file = autolog.Client().download_artifacts(run.info.run_id, "datasets/train.json")
    with open(dataset_file) as handle:
        assert json.load(handle)["digest"] == run.data.tags["autolog.dataset.digest"]


def test_enabling_does_not_import_sklearn():
    import os
    import subprocess
    import sys

    code = "import sys, autolog; autolog.sklearn(); autolog.lightgbm(); print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "AUTOLOG_TRACKING_URI": "unused"})
    assert done.stdout.strip() == "False", done.stderr


def test_training_metrics_of_a_forest_on_many_rows_match_a_plain_predict():
    from sklearn import metrics
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(5)
    features = rng.random((12_000, 4))
    labels = (features[:, 0] + rng.normal(0, 0.2, 12_000) > 0.5).astype(int)
    autolog.sklearn()
    model = RandomForestClassifier(n_estimators=3, max_depth=4, random_state=0).fit(features, labels)
    logged = autolog.last_active_run().data.metrics
    assert logged["training_accuracy_score"] == pytest.approx(metrics.accuracy_score(labels, model.predict(features)))
    expected_loss = metrics.log_loss(labels, model.predict_proba(features))
    assert logged["training_log_loss"] == pytest.approx(expected_loss)
