"""autolog.catboost(): what fit and catboost.train record, the catboost flavor, and the shared contract."""

import json

import numpy as np
import pytest

import autolog
import flavors
from autolog.testing import IntegrationContract

catboost = pytest.importorskip("catboost")

RNG = np.random.default_rng(0)
X = RNG.random((120, 3))
Y = X[:, 0] * 2 + X[:, 1] + RNG.normal(0, 0.05, 120)


def _fit(**kwargs):
    model = catboost.CatBoostRegressor(iterations=15, depth=2, random_seed=0, verbose=False, thread_count=1)
    return model.fit(X[:90], Y[:90], eval_set=[(X[90:], Y[90:])], **kwargs)


class TestCatBoostContract(IntegrationContract):
    framework = "catboost"
    train_script = """
        import numpy as np, catboost
        X = np.random.default_rng(0).random((60, 3))
        catboost.CatBoostRegressor(iterations=3, verbose=False).fit(X, X[:, 0])
    """

    def train(self):
        return _fit()

    def predict(self, model):
        return model.predict(X)

    def train_raising(self, error):
        class RaisingEvalSet(list):
            """User data that raises while catboost reads it (catboost wraps callback errors in its own)."""

            def __iter__(self, *args):
                raise error

            __len__ = __getitem__ = __iter__

        model = catboost.CatBoostRegressor(iterations=3, verbose=False)
        return model.fit(X, Y, eval_set=RaisingEvalSet())


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.catboost(disable=True)


def _only_run():
    (run,) = autolog.search_runs(output_format="list")
    return run


def test_fit_logs_params_every_iteration_best_iteration_and_importance():
    autolog.catboost()
    model = catboost.CatBoostRegressor(iterations=200, depth=2, learning_rate=0.3, random_seed=0, verbose=False,
                                       eval_metric="MAE", thread_count=1)
    model.fit(X[:90], Y[:90], eval_set=[(X[90:], Y[90:])], early_stopping_rounds=5)
    run = _only_run()
    assert run.data.params["depth"] == "2" and run.data.params["early_stopping_rounds"] == "5"
    history = model.get_evals_result()
    client = autolog.Client()
    steps = client.get_metric_history(run.info.run_id, "validation-MAE")
    rounds = len(history["validation"]["MAE"])
    assert rounds < 200
    assert [m.value for m in steps[:rounds]] == pytest.approx(history["validation"]["MAE"])
    assert "learn-RMSE" in run.data.metrics
    best = model.get_best_iteration()
    assert run.data.metrics["best_iteration"] == best and run.data.metrics["stopped_iteration"] == rounds - 1
    assert run.data.metrics["validation-MAE"] == pytest.approx(history["validation"]["MAE"][best])
    path = client.download_artifacts(run.info.run_id, "feature_importance_PredictionValuesChange.json")
    with open(path) as handle:
        importance = json.load(handle)
    assert set(importance) == {"0", "1", "2"} and importance["0"] > importance["2"]


def test_classifier_with_two_eval_sets_and_the_model_round_trips():
    autolog.catboost()
    labels = (Y > Y.mean()).astype(int)
    model = catboost.CatBoostClassifier(iterations=10, depth=2, random_seed=0, verbose=False, thread_count=1)
    model.fit(X[:80], labels[:80], eval_set=[(X[80:100], labels[80:100]), (X[100:], labels[100:])])
    run = _only_run()
    assert {"validation_0-Logloss", "validation_1-Logloss"} <= set(run.data.metrics)
    native = flavors.catboost.load_model(f"runs:/{run.info.run_id}/model")
    assert type(native).__name__ == "CatBoostClassifier"
    np.testing.assert_array_equal(native.predict(X), model.predict(X))
    loaded = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    conf = loaded.metadata.flavors["catboost"]
    assert conf["model_type"] == "CatBoostClassifier" and conf["save_format"] == "cbm"
    assert conf["catboost_version"] == catboost.__version__ and conf["data"] == "model.cb"


def test_train_and_ranker_are_autologged():
    autolog.catboost(log_models=False)
    pool = catboost.Pool(X, Y)
    catboost.train(pool, {"iterations": 4, "depth": 2, "verbose": False, "thread_count": 1}, eval_set=pool)
    train_run = autolog.last_active_run()
    assert train_run.data.params["iterations"] == "4" and "validation-RMSE" in train_run.data.metrics
    assert train_run.data.tags["autolog.dataset.shape"] == "120x3"
    groups = np.repeat(np.arange(12), 10)
    catboost.CatBoostRanker(iterations=3, verbose=False, thread_count=1).fit(X, Y, group_id=groups)
    ranker_run = autolog.last_active_run()
    assert ranker_run.info.run_id != train_run.info.run_id and ranker_run.info.status == "FINISHED"
    assert len(autolog.search_runs(output_format="list")) == 2


def test_the_saved_model_is_catboosts_own_cbm_file_also_with_categorical_features(tmp_path):
    frame = {"size": list(X[:, 0]), "colour": [("red", "green", "blue")[i % 3] for i in range(len(X))]}
    import pandas as pd

    data = pd.DataFrame(frame)
    model = catboost.CatBoostRegressor(iterations=5, depth=2, random_seed=0, verbose=False, thread_count=1,
                                       cat_features=["colour"]).fit(data, Y)
    flavors.catboost.save_model(model, tmp_path / "saved")
    model.save_model(str(tmp_path / "native.cb"), format="cbm")
    assert (tmp_path / "saved" / "model.cb").read_bytes() == (tmp_path / "native.cb").read_bytes()
    loaded = flavors.catboost.load_model(str(tmp_path / "saved"))
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))


def _logged_importance(run) -> dict:
    path = autolog.Client().download_artifacts(run.info.run_id, "feature_importance_PredictionValuesChange.json")
    with open(path) as handle:
        return json.load(handle)


def test_importance_is_the_one_fit_computed_and_a_groupwise_ranker_gets_a_fresh_one():
    groups = np.repeat(np.arange(12), 10)
    ranker = catboost.CatBoostRanker(iterations=5, depth=2, random_seed=0, verbose=False, thread_count=1)
    ranker.fit(X, Y, group_id=groups)
    stale = ranker.get_feature_importance(type="PredictionValuesChange")  # CatBoost keeps it on the model
    autolog.catboost()
    model = _fit()
    expected = model.get_feature_importance(type="PredictionValuesChange")
    assert list(_logged_importance(_only_run()).values()) == list(map(float, expected))
    # A groupwise loss keeps no importance at fit: it is computed, never an earlier call's leftover.
    ranker.fit(X[:, ::-1].copy(), Y, group_id=groups)
    fresh = ranker.get_feature_importance(type="PredictionValuesChange")
    logged = list(_logged_importance(autolog.last_active_run()).values())
    assert logged == list(map(float, fresh)) and logged != list(map(float, stale))


def test_the_eval_history_lands_in_a_users_own_run_whole():
    autolog.catboost(log_models=False)
    with autolog.start_run() as run:
        model = _fit()
        client = autolog.Client()
        history = model.get_evals_result()
        for data_name, metric in (("learn", "RMSE"), ("validation", "RMSE")):
            points = client.get_metric_history(run.info.run_id, f"{data_name}-{metric}")
            # one step past the last iteration holds the best iteration's value
            assert [point.step for point in points] == list(range(len(history[data_name][metric]) + 1))
            assert [point.value for point in points[:-1]] == history[data_name][metric]


_LOSS_SPELLINGS = {"Expectile": "Expectile:alpha=0.5", "Huber": "Huber:delta=0.5", "Lq": "Lq:q=1.5",
                   "Tweedie": "Tweedie:variance_power=1.5", "StochasticRank": "StochasticRank:metric=NDCG"}


def _table_cases():
    from autolog.integrations.catboost import _ONE_VALUE_LOSSES

    return [(class_name, loss) for class_name, losses in sorted(_ONE_VALUE_LOSSES.items()) for loss in sorted(losses)]


@pytest.mark.parametrize(("class_name", "loss"), _table_cases())
def test_each_loss_of_the_output_table_gives_the_schema_predict_gives(class_name, loss):
    from autolog.integrations.catboost import _known_outputs

    model = getattr(catboost, class_name)(iterations=2, depth=2, verbose=False, thread_count=1,
                                          loss_function=_LOSS_SPELLINGS.get(loss, loss), allow_writing_files=False)
    target = Y - Y.min() + 0.1  # positive, for Poisson, Tweedie and MAPE
    model.fit(X, target, **({"group_id": np.repeat(np.arange(12), 10)} if class_name == "CatBoostRanker" else {}))
    outputs = _known_outputs(model)
    assert outputs is not None
    rows = X[:5]
    assert flavors.infer_signature(rows, outputs) == flavors.infer_signature(rows, model.predict(rows))


def test_models_outside_the_table_are_scored_for_their_signature():
    from autolog.integrations.catboost import _known_outputs

    class MyRegressor(catboost.CatBoostRegressor):
        pass

    uncertain = catboost.CatBoostRegressor(iterations=2, verbose=False, thread_count=1, allow_writing_files=False,
                                           loss_function="RMSEWithUncertainty").fit(X, Y)
    labels = np.where(Y > Y.mean(), "high", "low")
    classifier = catboost.CatBoostClassifier(iterations=2, verbose=False, thread_count=1,
                                             allow_writing_files=False).fit(X, labels)
    subclass = MyRegressor(iterations=2, verbose=False, thread_count=1, allow_writing_files=False).fit(X, Y)
    assert [_known_outputs(model) for model in (uncertain, classifier, subclass)] == [None, None, None]
    autolog.catboost()
    for model, target, expected in ((uncertain, Y, {"dtype": "float64", "shape": [-1, 2]}),
                                    (classifier, labels, None)):
        model.fit(X, target)
        signature = flavors.pyfunc.load_model(f"runs:/{autolog.last_active_run().info.run_id}/model").metadata.signature
        predicted = flavors.infer_signature(X[:5], model.predict(X[:5]))
        assert signature.outputs == predicted.outputs
        if expected is not None:
            assert json.loads(signature.outputs.to_json())[0]["tensor-spec"] == expected


def test_an_autologged_regressor_gets_the_signature_predict_would_give():
    autolog.catboost()
    model = _fit()
    signature = flavors.pyfunc.load_model(f"runs:/{_only_run().info.run_id}/model").metadata.signature
    assert signature == flavors.infer_signature(X[:5], model.predict(X[:5]))
    assert json.loads(signature.outputs.to_json()) == [{"type": "tensor",
                                                         "tensor-spec": {"dtype": "float64", "shape": [-1]}}]


def test_a_fit_is_two_store_writes_and_its_model_is_ready(monkeypatch):
    from tests._store_writes import count_write_transactions

    autolog.catboost()
    _fit()  # the first fit opens the store
    writes = count_write_transactions(monkeypatch)
    model = _fit()
    # the run with its params, tags and dataset input; its end with its metrics and the logged model, READY
    assert len(writes) <= 2
    run = autolog.last_active_run()
    (output,) = run.outputs.model_outputs
    assert run.info.status == "FINISHED" and autolog.Client().get_logged_model(output.model_id).status == "READY"
    loaded = flavors.catboost.load_model(f"models:/{output.model_id}")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
