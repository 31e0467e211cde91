import json
import os

import numpy as np
import pytest

import flavors
from autolog.tracking.exceptions import InvalidInputError

xgb = pytest.importorskip("xgboost")


@pytest.fixture()
def booster(frame):
    data, label = frame
    return xgb.train({"max_depth": 2}, xgb.DMatrix(data, label), 5)


def test_booster_round_trip_native_and_pyfunc(tmp_path, frame, booster):
    data, _ = frame
    signature = flavors.infer_signature(data, booster.predict(xgb.DMatrix(data)))
    flavors.xgboost.save_model(booster, tmp_path / "m", signature=signature, input_example=data.head(3))
    assert sorted(os.listdir(tmp_path / "m")) == ["MLmodel", "conda.yaml", "input_example.json", "model.ubj",
                                                  "python_env.yaml", "requirements.txt"]
    native = flavors.xgboost.load_model(str(tmp_path / "m"))
    assert isinstance(native, xgb.Booster)
    expected = booster.predict(xgb.DMatrix(data))
    np.testing.assert_allclose(native.predict(xgb.DMatrix(data)), expected)
    model = flavors.pyfunc.load_model(f"file://{tmp_path / 'm'}")
    np.testing.assert_allclose(model.predict(data), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(data.to_numpy()), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(data.head(2).to_dict(orient="records")), expected[:2], rtol=1e-6)
    assert model.input_example.equals(data.head(3))


def test_requirements_are_only_what_the_model_needs(tmp_path, frame, booster):
    flavors.xgboost.save_model(booster, tmp_path / "bare")
    names = [line.split("==")[0] for line in (tmp_path / "bare" / "requirements.txt").read_text().split()]
    assert names == ["numpy", "xgboost"]
    pinned = dict(line.split("==") for line in (tmp_path / "bare" / "requirements.txt").read_text().split())
    assert pinned["xgboost"] == xgb.__version__
    data, _ = frame
    flavors.xgboost.save_model(booster, tmp_path / "cols", signature=flavors.infer_signature(data))
    assert "pandas" in (tmp_path / "cols" / "requirements.txt").read_text()


def test_sklearn_api_classes_and_json_format(tmp_path, frame):
    data, label = frame
    for cls in (xgb.XGBClassifier, xgb.XGBRegressor):
        estimator = cls(n_estimators=4, max_depth=2).fit(data, label)
        path = tmp_path / cls.__name__
        flavors.xgboost.save_model(estimator, path, model_format="json")
        loaded = flavors.xgboost.load_model(path)
        assert type(loaded) is cls
        np.testing.assert_allclose(loaded.predict(data), estimator.predict(data))
        np.testing.assert_allclose(flavors.pyfunc.load_model(path).predict(data), estimator.predict(data))
        assert "scikit-learn" in (path / "requirements.txt").read_text()
        assert (path / "model.json").exists()


def test_log_model_to_run_and_load_by_runs_uri(frame, booster):
    import autolog

    data, _ = frame
    with autolog.start_run() as run:
        info = flavors.xgboost.log_model(booster, "model")
    assert info.model_uri == f"models:/{info.model_id}" and info.model_id.startswith("m-")
    assert info.run_id == run.info.run_id and info.registered_model_version is None
    assert set(info.flavors) == {"python_function", "xgboost"}
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/model"):
        loaded = flavors.pyfunc.load_model(uri)
        np.testing.assert_allclose(loaded.predict(data), booster.predict(xgb.DMatrix(data)), rtol=1e-6)
    stored = autolog.Client().get_run(run.info.run_id)
    history = json.loads(stored.data.tags["mlflow.log-model.history"])
    assert history[0]["model_uuid"] == info.model_uuid and history[0]["artifact_path"] == "model"
    assert [f.path for f in autolog.Client().list_artifacts(run.info.run_id, "model")][0].startswith("model/")


def test_log_model_without_active_run_starts_and_ends_one(booster):
    import autolog

    info = flavors.xgboost.log_model(booster)
    assert autolog.active_run() is None
    assert autolog.Client().get_run(info.run_id).info.status == "FINISHED"


def test_model_info_compares_and_prints_by_its_fields(booster):
    info = flavors.xgboost.log_model(booster)
    copy = flavors.ModelInfo(**{name: getattr(info, name) for name in (
        "model_uri", "run_id", "artifact_path", "flavors", "model_uuid", "utc_time_created", "signature",
        "saved_input_example_info", "metadata", "registered_model_version", "model_id", "name", "params", "tags",
        "metrics")})
    assert copy == info and copy is not info
    copy.model_id = "m-other"
    assert copy != info and info != "models:/" + str(info.model_id)
    assert repr(info).startswith(f"ModelInfo(model_uri={info.model_uri!r}, run_id={info.run_id!r}")
    with pytest.raises(TypeError):
        hash(info)


def test_each_log_model_in_a_run_is_its_own_logged_model_and_runs_uri_is_the_last(booster):
    import autolog

    with autolog.start_run() as run:
        first = flavors.xgboost.log_model(booster, name="model")
        second = flavors.xgboost.log_model(booster, name="model", params={"rounds": 5})
    assert first.model_id != second.model_id
    assert flavors.Model.load(f"runs:/{run.info.run_id}/model").model_uuid == second.model_uuid
    assert flavors.Model.load(first.model_uri).model_uuid == first.model_uuid
    outputs = autolog.Client().get_run(run.info.run_id).outputs.model_outputs
    assert {output.model_id for output in outputs} == {first.model_id, second.model_id}
    assert autolog.last_logged_model().params == {"rounds": "5"}
    with pytest.raises(InvalidInputError, match="not both"):
        flavors.xgboost.log_model(booster, artifact_path="a", name="b")


def test_registered_model_name(booster):
    info = flavors.xgboost.log_model(booster, registered_model_name="xgb-model")
    assert str(info.registered_model_version) == "1"


def test_rejects_other_objects(tmp_path):
    with pytest.raises(InvalidInputError, match="Booster"):
        flavors.xgboost.save_model(object(), tmp_path / "m")
    assert not (tmp_path / "m").exists()
