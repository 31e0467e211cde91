import numpy as np
import pytest

import flavors

lgb = pytest.importorskip("lightgbm")


def test_booster_saved_as_text_and_loaded(tmp_path, frame):
    data, label = frame
    booster = lgb.train({"verbose": -1, "num_leaves": 4}, lgb.Dataset(data, label), 5)
    flavors.lightgbm.save_model(booster, tmp_path / "m")
    assert (tmp_path / "m" / "model.lgb").read_text().startswith("tree")
    loaded = flavors.lightgbm.load_model(tmp_path / "m")
    assert isinstance(loaded, lgb.Booster)
    np.testing.assert_allclose(loaded.predict(data), booster.predict(data))
    np.testing.assert_allclose(flavors.pyfunc.load_model(tmp_path / "m").predict(data), booster.predict(data))
    names = [line.split("==")[0] for line in (tmp_path / "m" / "requirements.txt").read_text().split()]
    assert names == ["lightgbm", "numpy"]


@pytest.mark.parametrize("serialization_format", ["cloudpickle", "skops"])
def test_sklearn_api_model(tmp_path, frame, serialization_format):
    if serialization_format == "skops":
        pytest.importorskip("skops")
    data, label = frame
    classifier = lgb.LGBMClassifier(n_estimators=5, num_leaves=4, verbose=-1).fit(data, label)
    info = flavors.lightgbm.log_model(classifier, "clf", serialization_format=serialization_format)
    loaded = flavors.lightgbm.load_model(info.model_uri)
    assert isinstance(loaded, lgb.LGBMClassifier)
    np.testing.assert_array_equal(loaded.predict(data), classifier.predict(data))
    np.testing.assert_array_equal(flavors.pyfunc.load_model(info.model_uri).predict(data), classifier.predict(data))
