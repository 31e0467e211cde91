"""Small models of every flavor, saved once per session with a signature, and the data they score."""

import numpy as np
import pytest

import flavors

COLUMNS = ["a", "b", "c"]


def make_frame(rows: int, seed: int = 0):
    """``rows`` rows of three float features plus an ``id`` column."""
    import pandas as pd

    frame = pd.DataFrame(np.random.default_rng(seed).random((rows, 3)), columns=COLUMNS)
    frame["id"] = np.arange(rows)
    return frame


class ScaledSum(flavors.pyfunc.PythonModel):
    """A custom model taking ``params``: returns two columns, ``low`` and ``high``."""

    def predict(self, context, model_input, params=None):
        import pandas as pd

        scale = (params or {}).get("scale", 1.0)
        total = model_input[COLUMNS].sum(axis=1) * scale
        return pd.DataFrame({"low": total - 1, "high": total + 1})


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    """``{flavor: model directory}`` for xgboost, lightgbm, sklearn and a two-output custom model."""
    xgb = pytest.importorskip("xgboost")
    lgb = pytest.importorskip("lightgbm")
    pytest.importorskip("sklearn")
    from sklearn.ensemble import RandomForestRegressor

    root = tmp_path_factory.mktemp("models")
    data = make_frame(300)[COLUMNS]
    label = data["a"] * 3 + data["b"] ** 2
    signature = flavors.infer_signature(data)
    trained = {
        "xgboost": xgb.train({"max_depth": 3, "nthread": 1}, xgb.DMatrix(data, label), 10),
        "lightgbm": lgb.LGBMRegressor(n_estimators=10, num_leaves=7, verbose=-1, n_jobs=1).fit(data, label),
        "sklearn": RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(data, label),
    }
    paths = {}
    for name, model in trained.items():
        paths[name] = str(root / name)
        getattr(flavors, name).save_model(model, paths[name], signature=signature)
    paths["custom"] = str(root / "custom")
    flavors.pyfunc.save_model(paths["custom"], python_model=ScaledSum(), signature=signature)
    return paths


def expected(model_dir: str, frame):
    """What the in-process pyfunc model predicts for ``frame``."""
    return flavors.pyfunc.load_model(model_dir).predict(frame[COLUMNS])
