"""A forest's training predictions are made, and its trees pickled, tree by tree during its fit; the run is
complete when fit returns."""

import glob
import logging
import os
import pickle
import threading

import numpy as np
import pytest
from sklearn import metrics
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.ensemble import _forest

import autolog
import flavors
from autolog.integrations import _sklearn_forest
from flavors import _pickle_ahead

RNG = np.random.default_rng(3)
X = RNG.random((2_000, 4))
Y = X[:, 0] * 3 + X[:, 1] + RNG.normal(0, 0.1, 2_000)
LABELS = np.digitize(Y, [1.5, 2.5])  # three classes


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.sklearn(disable=True)


@pytest.fixture()
def forest_predictions(monkeypatch):
    """The trees a forest's own predict ran over every training row (the signature's few rows not counted)."""
    calls = []
    original = _forest._accumulate_prediction

    def counted(predict, features, *rest):
        if len(features) == len(X):
            calls.append(1)
        return original(predict, features, *rest)

    monkeypatch.setattr(_forest, "_accumulate_prediction", counted)
    return calls


def _predict_threads() -> list:
    return [thread for thread in threading.enumerate() if thread.name == "autolog-forest-predict"]


def _pickle_threads() -> list:
    return [thread for thread in threading.enumerate() if thread.name == "autolog-pickle-ahead"]


def _partial_files(run) -> list:
    root = autolog.Client()._repository(run.info.run_id).local_path("")
    return glob.glob(os.path.join(os.path.dirname(root), "**", ".autolog-partial-*"), recursive=True)


@pytest.fixture()
def finished_ahead(monkeypatch):
    """What each PickleAhead.finish returned (a (path, modules) pair when the pickle written ahead was used)."""
    results = []
    original = _pickle_ahead.PickleAhead.finish

    def recorded(self, obj, parts):
        results.append(original(self, obj, parts))
        return results[-1]

    monkeypatch.setattr(_pickle_ahead.PickleAhead, "finish", recorded)
    return results


def test_regressor_metrics_come_from_the_trees_grown_during_fit_and_the_run_is_complete(forest_predictions):
    autolog.sklearn()
    model = RandomForestRegressor(n_estimators=8, random_state=0).fit(X, Y)
    assert forest_predictions == []  # the training metrics did not predict with the fitted forest
    run = autolog.last_active_run()
    assert run.info.status == "FINISHED"
    predicted = model.predict(X)
    logged = run.data.metrics
    assert logged["training_mean_squared_error"] == metrics.mean_squared_error(Y, predicted)
    assert logged["training_mean_absolute_error"] == metrics.mean_absolute_error(Y, predicted)
    assert logged["training_r2_score"] == logged["training_score"] == metrics.r2_score(Y, predicted)
    loaded = flavors.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X[:50]), predicted[:50])
    (logged_model,) = autolog.search_logged_models(output_format="list")
    assert logged_model.status == "READY"
    client = autolog.Client()
    assert "model" in {item.path for item in client.list_artifacts(run.info.run_id)}
    assert [item.path for item in client.list_artifacts(run.info.run_id, "datasets")] == ["datasets/train.json"]
    assert _predict_threads() == []


@pytest.mark.parametrize("forest_class", [RandomForestClassifier, ExtraTreesClassifier])
def test_classifier_labels_and_probabilities_match_the_forest(forest_class, forest_predictions):
    autolog.sklearn()
    model = forest_class(n_estimators=6, max_depth=6, random_state=0).fit(X, LABELS)
    assert forest_predictions == []
    logged = autolog.last_active_run().data.metrics
    probabilities = model.predict_proba(X)
    assert logged["training_accuracy_score"] == metrics.accuracy_score(LABELS, model.predict(X))
    assert logged["training_log_loss"] == pytest.approx(metrics.log_loss(LABELS, probabilities), rel=1e-12)
    assert logged["training_roc_auc"] == pytest.approx(
        metrics.roc_auc_score(LABELS, probabilities, multi_class="ovr", average="weighted"), rel=1e-12)


@pytest.mark.parametrize("options", [{"warm_start": True}, {"n_jobs": 2}])
def test_forests_whose_trees_were_not_all_seen_are_predicted_and_saved_as_usual(options):
    autolog.sklearn()
    model = RandomForestRegressor(n_estimators=4, random_state=0, **options).fit(X, Y)
    if options.get("warm_start"):
        model.set_params(n_estimators=7).fit(X, Y)  # 4 old trees the second fit did not grow
    run = autolog.last_active_run()
    logged = run.data.metrics
    assert logged["training_mean_squared_error"] == pytest.approx(metrics.mean_squared_error(Y, model.predict(X)))
    # nor were they all pickled ahead: the model is saved whole
    loaded = flavors.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    assert len(loaded.estimators_) == len(model.estimators_)
    np.testing.assert_allclose(loaded.predict(X[:100]), model.predict(X[:100]), rtol=1e-12)  # threads: sum order
    assert _partial_files(run) == []


def test_a_failing_tree_prediction_falls_back_to_the_forest_predict(monkeypatch, forest_predictions):
    def broken(self, tree):
        raise MemoryError("no room for the sum")

    monkeypatch.setattr(_sklearn_forest.ForestPredictions, "_accumulate", broken)
    autolog.sklearn()  # strict mode: a failure recorded on the call would raise here
    model = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, Y)
    assert len(forest_predictions) == 3  # predicted after the fit instead
    logged = autolog.last_active_run().data.metrics
    assert logged["training_r2_score"] == metrics.r2_score(Y, model.predict(X))


def test_a_failing_model_save_stays_inside_the_hook(monkeypatch, caplog):
    monkeypatch.setenv("AUTOLOG_STRICT", "0")

    def failing_save(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(flavors.sklearn, "log_model", failing_save)
    autolog.sklearn()
    with caplog.at_level(logging.WARNING, logger="autolog"):
        model = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, Y)
    assert model.predict(X[:2]).shape == (2,)
    assert "failed while logging the model" in caplog.text and "disk on fire" in caplog.text
    run = autolog.last_active_run()
    assert run.info.status == "FINISHED" and "training_r2_score" in run.data.metrics
    assert _partial_files(run) == [] and _pickle_threads() == []  # the trees pickled ahead were removed


def test_a_fit_that_raises_midway_leaves_no_prediction_thread(monkeypatch):
    original = _forest._parallel_build_trees
    built = []

    def build_then_fail(*args, **kwargs):
        if len(built) == 2:
            raise RuntimeError("tree three failed")
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(_forest, "_parallel_build_trees", build_then_fail)
    autolog.sklearn()
    with pytest.raises(RuntimeError, match="tree three failed"):
        RandomForestRegressor(n_estimators=5, random_state=0).fit(X, Y)
    for thread in _predict_threads() + _pickle_threads():
        thread.join(timeout=10)
    assert _predict_threads() == [] and _pickle_threads() == []
    assert autolog.last_active_run().info.status == "FAILED"
    assert _partial_files(autolog.last_active_run()) == []  # the two trees pickled ahead were removed
    assert _sklearn_forest._active.get() is None


@pytest.mark.parametrize("forest_class", [RandomForestRegressor, ExtraTreesClassifier])
def test_the_model_file_is_the_pickle_of_trees_written_during_fit(forest_class, finished_ahead):
    autolog.sklearn()
    labels = LABELS if forest_class is ExtraTreesClassifier else Y
    model = forest_class(n_estimators=5, max_depth=8, random_state=0).fit(X, labels)
    assert len(finished_ahead) == 1 and finished_ahead[0] is not None  # the file written ahead was completed
    assert "sklearn.tree._classes" in finished_ahead[0][1]  # the trees' module, recorded while pickling ahead
    run = autolog.last_active_run()
    (logged_model,) = autolog.search_logged_models(output_format="list")
    assert logged_model.status == "READY"
    model_file = os.path.join(autolog.Client()._repository(run.info.run_id).local_path("model"), "model.pkl")
    with open(model_file, "rb") as handle:
        loaded = pickle.load(handle)  # a plain pickle, as MLflow's loader reads it
    assert pickle.dumps(loaded) == pickle.dumps(pickle.loads(pickle.dumps(model)))  # the same as a single dump
    np.testing.assert_array_equal(flavors.sklearn.load_model(f"models:/{logged_model.model_id}").predict(X),
                                  model.predict(X))
    assert _partial_files(run) == [] and _pickle_threads() == []


def test_without_models_no_tree_is_pickled(finished_ahead):
    autolog.sklearn(log_models=False)
    RandomForestRegressor(n_estimators=3, random_state=0).fit(X, Y)
    assert finished_ahead == [] and _pickle_threads() == []
    assert "training_r2_score" in autolog.last_active_run().data.metrics
