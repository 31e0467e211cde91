"""autolog.xgboost(): what xgb.train, xgb.cv and the sklearn API record, and the shared contract."""

import json
import os
import time

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

import autolog
import flavors
from autolog.testing import IntegrationContract

RNG = np.random.default_rng(0)
X = RNG.random((300, 4))
Y = X[:, 0] * 2 + X[:, 1] + RNG.normal(0, 0.05, 300)
FRAME = pd.DataFrame(X, columns=["age", "income", "rooms", "distance"])


def _train(**kwargs):
    dtrain = xgb.DMatrix(X[:200], label=Y[:200])
    dvalid = xgb.DMatrix(X[200:], label=Y[200:])
    return xgb.train({"max_depth": 2, "seed": 1}, dtrain, 8, evals=[(dvalid, "validation")], verbose_eval=False,
                     **kwargs)


class TestXGBoostContract(IntegrationContract):
    framework = "xgboost"
    train_script = """
        import numpy as np, xgboost as xgb
        X = np.random.default_rng(0).random((100, 3))
        xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=X[:, 0]), 3)
    """

    def enable(self, **options):
        autolog.xgboost(**options)

    def train(self):
        return _train()

    def predict(self, model):
        return model.predict(xgb.DMatrix(X))

    def train_raising(self, error):
        class Raise(xgb.callback.TrainingCallback):
            def after_iteration(self, model, epoch, evals_log):
                raise error

        return _train(callbacks=[Raise()])


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.xgboost(disable=True)


def _only_run():
    (run,) = autolog.search_runs(output_format="list")
    return run


def _artifact_json(run, path):
    local = autolog.Client().download_artifacts(run.info.run_id, path)
    with open(local) as handle:
        return json.load(handle)


def test_train_logs_params_metrics_and_early_stopping():
    autolog.xgboost(log_models=False)
    booster = xgb.train({"max_depth": 2, "eval_metric": ["rmse", "mae"]}, xgb.DMatrix(X[:200], label=Y[:200]), 200,
                        evals=[(xgb.DMatrix(X[:200], label=Y[:200]), "train"),
                               (xgb.DMatrix(X[200:], label=Y[200:]), "validation")],
                        early_stopping_rounds=5, verbose_eval=False)
    run = _only_run()
    params = run.data.params
    assert params["max_depth"] == "2" and params["num_boost_round"] == "200"
    assert params["early_stopping_rounds"] == "5" and params["eval_metric"] == "['rmse', 'mae']"
    stopped = booster.num_boosted_rounds() - 1
    assert run.data.metrics["best_iteration"] == booster.best_iteration
    assert run.data.metrics["stopped_iteration"] == stopped < 199
    history = autolog.Client().get_metric_history(run.info.run_id, "validation-rmse")
    assert [m.step for m in history] == list(range(stopped + 1)) + [stopped + 1]
    assert run.data.metrics["validation-rmse"] == pytest.approx(history[booster.best_iteration].value)
    assert {"train-rmse", "train-mae", "validation-mae"} <= set(run.data.metrics)


def test_custom_objective_and_metric_are_named():
    autolog.xgboost(log_models=False)

    def squared_error(predt, dtrain):
        return predt - dtrain.get_label(), np.ones_like(predt)

    def max_error(predt, dtrain):
        return "max_error", float(np.max(np.abs(predt - dtrain.get_label())))

    _train(obj=squared_error, custom_metric=max_error)
    run = _only_run()
    assert run.data.params["custom_objective"] == "squared_error"
    assert run.data.params["custom_metric"] == "max_error"
    assert "validation-max_error" in run.data.metrics


def test_params_as_a_list_of_pairs_and_ranking_metric_names():
    autolog.xgboost(log_models=False)
    groups = [10] * 20
    dtrain = xgb.DMatrix(X[:200], label=(Y[:200] > 1.5).astype(int))
    dtrain.set_group(groups)
    xgb.train([("objective", "rank:ndcg"), ("eval_metric", "ndcg@5"), ("eval_metric", "map")], dtrain, 3,
              evals=[(dtrain, "train")], verbose_eval=False)
    run = _only_run()
    assert run.data.params["eval_metric"] == "['ndcg@5', 'map']"
    assert {"train-ndcg_at_5", "train-map"} <= set(run.data.metrics)


def test_model_signature_example_importance_and_dataset_from_a_dmatrix():
    autolog.xgboost(log_input_examples=True)
    dtrain = xgb.DMatrix(FRAME, label=Y)
    booster = xgb.train({"max_depth": 2}, dtrain, 4)
    run = _only_run()
    model_uri = f"runs:/{run.info.run_id}/model"
    loaded = flavors.pyfunc.load_model(model_uri)
    np.testing.assert_allclose(loaded.predict(FRAME[:5]), booster.predict(xgb.DMatrix(FRAME[:5])))
    inputs = loaded.metadata.get_input_schema().input_names()
    assert inputs == ["age", "income", "rooms", "distance"]
    names = {info.path for info in autolog.Client().list_artifacts(run.info.run_id)}
    for kind in ("weight", "gain", "cover", "total_gain", "total_cover"):
        assert f"feature_importance_{kind}.json" in names and f"feature_importance_{kind}.svg" in names
    assert _artifact_json(run, "feature_importance_gain.json") == pytest.approx(
        booster.get_score(importance_type="gain"))
    dataset = _artifact_json(run, "datasets/train.json")
    assert dataset["shape"] == [300, 4] and [f["name"] for f in dataset["features"]] == list(FRAME.columns)
    assert run.data.tags["autolog.dataset.digest"] == dataset["digest"]
    assert "model/input_example.json" in {i.path for i in autolog.Client().list_artifacts(run.info.run_id, "model")}


def test_dataset_digest_follows_the_data():
    autolog.xgboost(log_models=False)
    xgb.train({}, xgb.DMatrix(X, label=Y), 2)
    xgb.train({}, xgb.DMatrix(X, label=Y), 2)
    changed = X.copy()
    changed[150, 2] += 1
    xgb.train({}, xgb.DMatrix(changed, label=Y), 2)
    digests = [r.data.tags["autolog.dataset.digest"] for r in
               autolog.search_runs(output_format="list", order_by=["attributes.start_time ASC"])]
    assert len(digests) == 3 and len(set(digests)) == 2


@pytest.mark.parametrize("estimator, labels", [
    (xgb.XGBRegressor, Y), (xgb.XGBClassifier, (Y > 1.5).astype(int)), (xgb.XGBRFRegressor, Y),
])
def test_sklearn_api_logs_one_run_with_the_estimator_as_model(estimator, labels):
    autolog.xgboost()
    model = estimator(n_estimators=6, max_depth=2, early_stopping_rounds=2 if estimator is not xgb.XGBRFRegressor
                      else None)
    model.fit(FRAME[:200], labels[:200], eval_set=[(FRAME[200:], labels[200:])], verbose=False)
    run = _only_run()
    assert run.data.params["max_depth"] == "2" and run.data.params["n_estimators"] == "6"
    assert any(key.startswith("validation_0-") for key in run.data.metrics)
    loaded = flavors.xgboost.load_model(f"runs:/{run.info.run_id}/model")
    assert type(loaded) is estimator
    np.testing.assert_allclose(loaded.predict(FRAME[:5]), model.predict(FRAME[:5]))
    assert run.data.tags["autolog.dataset.source"] == "pandas"


def test_ranker_fit():
    autolog.xgboost(log_models=False)
    ranker = xgb.XGBRanker(n_estimators=3)
    ranker.fit(X[:200], (Y[:200] > 1.5).astype(int), qid=np.repeat(np.arange(20), 10))
    assert _only_run().data.params["n_estimators"] == "3"


def test_cv_logs_mean_and_std_per_iteration():
    autolog.xgboost()
    results = xgb.cv({"max_depth": 2}, xgb.DMatrix(X, label=Y), 4, nfold=3)
    run = _only_run()
    assert run.data.params["nfold"] == "3"
    assert run.data.metrics["test-rmse-mean"] == pytest.approx(results["test-rmse-mean"].iloc[-1])
    assert len(autolog.Client().get_metric_history(run.info.run_id, "train-rmse-std")) == 4


def test_user_callbacks_are_kept_and_not_mutated():
    autolog.xgboost(log_models=False)
    seen = []

    class Record(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            seen.append(epoch)
            return False

    callbacks = [Record()]
    _train(callbacks=callbacks)
    assert seen == list(range(8)) and len(callbacks) == 1


def test_registered_model_name_and_extra_tags():
    autolog.xgboost(registered_model_name="house-prices", extra_tags={"team": "pricing"})
    _train()
    run = _only_run()
    assert run.data.tags["team"] == "pricing"
    version = autolog.Client().get_model_version("house-prices", "1")
    assert version.run_id == run.info.run_id


def test_log_models_false_and_log_datasets_false():
    autolog.xgboost(log_models=False, log_datasets=False)
    _train()
    run = _only_run()
    names = {info.path for info in autolog.Client().list_artifacts(run.info.run_id)}
    assert "model" not in names and "datasets" not in names
    assert not any(key.startswith("autolog.dataset") for key in run.data.tags)


def test_gblinear_logs_weight_importance_only():
    autolog.xgboost(log_models=False)
    xgb.train({"booster": "gblinear"}, xgb.DMatrix(X, label=Y), 3)
    names = {info.path for info in autolog.Client().list_artifacts(_only_run().info.run_id)}
    assert "feature_importance_weight.json" in names and "feature_importance_gain.json" not in names


def test_enable_turns_on_xgboost_and_disable_turns_it_off():
    from autolog.integrations import enable_all

    assert "xgboost" in enable_all(log_models=False)
    _train()
    autolog.disable()
    _train()
    assert len(autolog.search_runs(output_format="list")) == 1


def test_import_autolog_imports_no_framework():
    import subprocess
    import sys

    code = ("import sys, autolog, autolog.integrations.xgboost; autolog.xgboost(); "
            "print(sorted(m for m in ('xgboost', 'pandas', 'numpy', 'sklearn', 'lightgbm') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "AUTOLOG_TRACKING_URI": "unused"})
    assert done.stdout.strip() == "[]", done.stderr


def test_importance_files_written_into_a_local_store_leave_nothing_partial():
    autolog.xgboost(log_models=False)
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(X[:200], label=Y[:200]), 3)
    run = _only_run()
    root = autolog.Client()._repository(run.info.run_id).local_path("")
    on_disk = sorted(os.listdir(root))
    assert "feature_importance_weight.svg" in on_disk and "datasets" in on_disk
    assert not [name for name in on_disk if name.startswith(".autolog-partial-")]
    assert _artifact_json(run, "feature_importance_weight.json") == pytest.approx(
        booster.get_score(importance_type="weight"))


def test_each_iteration_is_logged_with_its_value_and_its_own_time():
    autolog.xgboost(log_models=False)
    evals_result = {}

    class Slow(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            time.sleep(0.03)
            return False

    _train(callbacks=[Slow()], evals_result=evals_result)
    history = autolog.Client().get_metric_history(_only_run().info.run_id, "validation-rmse")
    assert [m.step for m in history] == list(range(8))
    assert [m.value for m in history] == pytest.approx(evals_result["validation"]["rmse"], rel=1e-12)
    stamps = [m.timestamp for m in history]
    assert all(later - earlier >= 25 for earlier, later in zip(stamps, stamps[1:]))  # not one time per batch


def test_a_training_that_raises_keeps_the_metrics_of_the_iterations_before():
    autolog.xgboost(log_models=False)
    seen = {}

    class RaiseAtFour(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            seen[epoch] = evals_log["validation"]["rmse"][-1]
            if epoch == 4:
                raise RuntimeError("stop at four")
            return False

    with pytest.raises(RuntimeError, match="stop at four"):
        _train(callbacks=[RaiseAtFour()])
    run = _only_run()
    assert run.info.status == "FAILED"
    history = autolog.Client().get_metric_history(run.info.run_id, "validation-rmse")
    assert [m.step for m in history] == [0, 1, 2, 3]  # iteration 4's callbacks stopped at the user's
    assert [m.value for m in history] == pytest.approx([seen[step] for step in range(4)], rel=1e-12)


@pytest.mark.parametrize("params, labels, kinds", [
    ({"max_depth": 3, "seed": 1}, Y, None),
    ({"max_depth": 2, "objective": "multi:softprob", "num_class": 3}, (Y * 3 / Y.max()).astype(int) % 3, None),
    ({"max_depth": 4, "tree_method": "exact"}, Y, ("cover", "gain")),
])
def test_importance_files_hold_xgboost_s_own_scores_to_the_bit(params, labels, kinds):
    autolog.xgboost(log_models=False, importance_types=kinds)
    booster = xgb.train(params, xgb.DMatrix(X, label=labels), 12)
    run = _only_run()
    names = {info.path for info in autolog.Client().list_artifacts(run.info.run_id)}
    for kind in kinds or ("weight", "gain", "cover", "total_gain", "total_cover"):
        assert _artifact_json(run, f"feature_importance_{kind}.json") == booster.get_score(importance_type=kind)
    assert kinds is None or not {"feature_importance_weight.json", "feature_importance_total_gain.json"} & names


def test_importance_files_are_written_under_their_names_in_a_new_folder_and_renamed_over_old_ones(tmp_path):
    from autolog.integrations._common import _write_in_place

    fresh = tmp_path / "run" / "artifacts"
    _write_in_place(str(fresh), {"datasets/train.json": "{}", "a.json": "[1]"})
    assert (fresh / "a.json").read_text() == "[1]" and (fresh / "datasets" / "train.json").read_text() == "{}"
    _write_in_place(str(fresh), {"a.json": "[2]", "b.json": "[3]"})
    assert (fresh / "a.json").read_text() == "[2]" and (fresh / "b.json").read_text() == "[3]"
    assert sorted(os.listdir(fresh)) == ["a.json", "b.json", "datasets"]
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "sub").write_text("a file where a folder must go")
    with pytest.raises(OSError):
        _write_in_place(str(blocked), {"sub/x.json": "{}"})


def test_metric_rows_are_queued_together_and_a_bad_value_queues_none_of_them():
    from autolog.integrations._common import IterationMetrics

    class Call:
        failures = []

        def __init__(self, run_id):
            self.run_id = run_id

        def record(self, what, exc):
            self.failures.append((what, exc))

    with autolog.start_run() as run:
        good = IterationMetrics(Call(run.info.run_id))
        good.log_rows([({"validation-rmse": 0.5, "train@1": np.float32(0.25)}, 0, 1000),
                       ({"validation-rmse": 0.4}, 1, 2000)])
        bad = IterationMetrics(Call(run.info.run_id))
        bad.log_rows([({"other": 1.0}, 0, 1000), ({"other": "high"}, 1, 2000)])
    history = autolog.Client().get_metric_history(run.info.run_id, "validation-rmse")
    assert [(m.step, m.value, m.timestamp) for m in history] == [(0, 0.5, 1000), (1, 0.4, 2000)]
    assert autolog.Client().get_metric_history(run.info.run_id, "train_at_1")[0].value == 0.25
    assert "other" not in autolog.Client().get_run(run.info.run_id).data.metrics
    assert len(Call.failures) == 1 and "step 1" in Call.failures[0][0]


def _objective_cases():
    from autolog.integrations.xgboost import _ONE_VALUE_OBJECTIVES

    return sorted(_ONE_VALUE_OBJECTIVES)


@pytest.mark.parametrize("objective", _objective_cases())
def test_each_objective_of_the_output_table_gives_the_schema_predict_gives(objective):
    from autolog.integrations.xgboost import _known_outputs

    labels = {"binary": (Y > 1.5).astype(int), "count": np.round(np.abs(Y)), "reg:logistic": (Y > 1.5) * 1.0,
              "rank": (Y > 1.5).astype(int)}
    target = next((value for prefix, value in labels.items() if objective.startswith(prefix)), np.abs(Y) + 0.1)
    dtrain = xgb.DMatrix(X, label=target)
    if objective.startswith("rank"):
        dtrain.set_group([10] * (len(X) // 10))
    if objective == "survival:aft":
        dtrain.set_float_info("label_lower_bound", target)
        dtrain.set_float_info("label_upper_bound", target + 1)
    extra = {"quantile_alpha": 0.5} if objective == "reg:quantileerror" else {}
    booster = xgb.train({"objective": objective, "max_depth": 2, **extra}, dtrain, 2)
    outputs = _known_outputs(booster, {})
    assert outputs is not None
    rows = X[:5]
    assert flavors.infer_signature(rows, outputs) == flavors.infer_signature(rows, booster.predict(xgb.DMatrix(rows)))


def test_models_outside_the_table_are_scored_for_their_signature():
    from autolog.integrations.xgboost import _known_outputs

    labels = (Y * 2).astype(int) % 3
    softprob = xgb.train({"objective": "multi:softprob", "num_class": 3}, xgb.DMatrix(X, label=labels), 2)
    two_targets = xgb.train({"tree_method": "hist"}, xgb.DMatrix(X, label=np.column_stack([Y, -Y])), 2)
    two_quantiles = xgb.train({"objective": "reg:quantileerror", "quantile_alpha": [0.1, 0.9]},
                              xgb.DMatrix(X, label=Y), 2)
    assert _known_outputs(two_quantiles, {}) is None
    plain = xgb.train({}, xgb.DMatrix(X, label=Y), 2)
    assert _known_outputs(softprob, {}) is None and _known_outputs(two_targets, {}) is None
    assert _known_outputs(plain, {"custom_objective": "squared_error"}) is None
    assert _known_outputs(plain, {}) is not None
    autolog.xgboost()
    xgb.train({"objective": "multi:softprob", "num_class": 3}, xgb.DMatrix(X, label=labels), 2)
    model_uri = f"runs:/{autolog.last_active_run().info.run_id}/model"
    outputs = json.loads(flavors.pyfunc.load_model(model_uri).metadata.signature.outputs.to_json())
    assert outputs == [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]


def test_a_signature_from_the_objective_matches_one_from_scored_rows():
    autolog.xgboost()
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=Y), 3)
    scored = flavors.infer_signature(X[:5], booster.predict(xgb.DMatrix(X[:5])))
    logged = flavors.pyfunc.load_model(f"runs:/{autolog.last_active_run().info.run_id}/model").metadata.signature
    assert logged.to_dict() == scored.to_dict()
