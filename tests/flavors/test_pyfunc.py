import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import flavors
from autolog.tracking.exceptions import InvalidInputError, NotFoundError

xgb = pytest.importorskip("xgboost")


@pytest.fixture()
def saved(tmp_path, frame):
    data, label = frame
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(data, label), 3)
    flavors.xgboost.save_model(booster, tmp_path / "m", signature=flavors.infer_signature(data))
    return tmp_path / "m", booster


def test_schema_enforcement_names_the_column(saved, frame):
    path, booster = saved
    data, _ = frame
    model = flavors.pyfunc.load_model(path)
    with pytest.raises(InvalidInputError, match="'b'"):
        model.predict(data.drop(columns=["b"]))
    with pytest.raises(InvalidInputError, match="column 'c'.*double.*got (object|str)"):
        model.predict(data.assign(c="x"))
    expected = booster.predict(xgb.DMatrix(data))
    # safe upcasts, reordering and extra columns are accepted
    np.testing.assert_allclose(model.predict(data.astype("float32")[["c", "a", "b"]].assign(extra=1)), expected,
                               rtol=1e-6)
    ints = data.assign(a=(data["a"] * 10).astype("int32"))
    reference = booster.predict(xgb.DMatrix(ints.astype("float64")))
    np.testing.assert_allclose(model.predict(ints), reference, rtol=1e-6)
    with pytest.raises(InvalidInputError, match="3 columns"):
        model.predict(np.zeros((2, 5)))


def test_tensor_schema(tmp_path, frame):
    data, label = frame
    array = data.to_numpy()
    booster = xgb.train({}, xgb.DMatrix(array, label), 2)
    flavors.xgboost.save_model(booster, tmp_path / "m", signature=flavors.infer_signature(array))
    model = flavors.pyfunc.load_model(tmp_path / "m")
    np.testing.assert_allclose(model.predict(array.astype("float32")), booster.inplace_predict(array), rtol=1e-6)
    np.testing.assert_allclose(model.predict(array.tolist()), booster.inplace_predict(array), rtol=1e-6)
    with pytest.raises(InvalidInputError, match="shape"):
        model.predict(np.zeros((2, 4)))
    with pytest.raises(InvalidInputError, match="dtype"):
        model.predict(np.array([["a", "b", "c"]]))


class Scaled(flavors.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["factor"]) as handle:
            self.factor = float(handle.read())
        self.booster = flavors.xgboost.load_model(context.artifacts["booster"])

    def predict(self, context, model_input, params=None):
        return self.factor * self.booster.inplace_predict(model_input)


def test_python_model_with_artifacts_and_code(tmp_path, saved, frame):
    path, booster = saved
    data, _ = frame
    (tmp_path / "factor.txt").write_text("2.0")
    helper = tmp_path / "helper_mod.py"
    helper.write_text("def double(x):\n    return 2 * x\n")
    info = flavors.pyfunc.log_model("custom", python_model=Scaled(),
                                    artifacts={"factor": str(tmp_path / "factor.txt"), "booster": str(path)},
                                    code_paths=[str(helper)])
    model = flavors.pyfunc.load_model(info.model_uri)
    np.testing.assert_allclose(model.predict(data), 2 * booster.predict(xgb.DMatrix(data)), rtol=1e-6)
    assert isinstance(model.unwrap_python_model(), Scaled)
    model_dir = model.model_dir
    assert os.path.isfile(os.path.join(model_dir, "code", "helper_mod.py"))
    requirements = open(os.path.join(model_dir, "requirements.txt")).read()
    assert "autolog==" in requirements and "cloudpickle==" in requirements and "helper" not in requirements


def test_bad_models_are_clear_errors(tmp_path, saved):
    path, _ = saved
    with pytest.raises(NotFoundError, match="nowhere"):
        flavors.pyfunc.load_model(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFoundError, match="empty"):
        flavors.pyfunc.load_model(tmp_path / "empty")
    (path / "MLmodel").write_text("flavors: [unclosed")
    with pytest.raises(InvalidInputError, match="Corrupt MLmodel.*m"):
        flavors.pyfunc.load_model(path)
    (path / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: os\n")
    with pytest.raises(InvalidInputError, match="Unknown loader_module 'os'"):
        flavors.pyfunc.load_model(path)
    (path / "MLmodel").write_text("just text")
    with pytest.raises(InvalidInputError, match="mapping"):
        flavors.xgboost.load_model(path)
    (path / "MLmodel").write_text("flavors:\n  xgboost:\n    data: ../../etc/passwd\n")
    with pytest.raises(InvalidInputError, match="inside the model directory"):
        flavors.xgboost.load_model(path)
    with pytest.raises(InvalidInputError, match="no python_function flavor"):
        flavors.pyfunc.load_model(path)
    with pytest.raises(InvalidInputError, match="no 'lightgbm' flavor"):
        flavors.lightgbm.load_model(path)


def test_custom_loader_needs_opt_in(tmp_path, saved, frame, monkeypatch):
    path, booster = saved
    data, _ = frame
    (tmp_path / "my_loader.py").write_text(textwrap.dedent("""
        import flavors.xgboost as fx
        class W:
            def __init__(self, b): self.b = b
            def predict(self, data, params=None): return self.b.inplace_predict(data) + 1
        def _load_pyfunc(path):
            import xgboost
            b = xgboost.Booster(); b.load_model(path); return W(b)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    text = (path / "MLmodel").read_text().replace("loader_module: mlflow.xgboost", "loader_module: my_loader")
    (path / "MLmodel").write_text(text)
    with pytest.raises(InvalidInputError, match="allow_custom_loader"):
        flavors.pyfunc.load_model(path)
    assert "my_loader" not in sys.modules
    model = flavors.pyfunc.load_model(path, allow_custom_loader=True)
    np.testing.assert_allclose(model.predict(data), booster.predict(xgb.DMatrix(data)) + 1, rtol=1e-6)


def test_environment_mismatch_warns(saved):
    path, _ = saved
    with open(path / "requirements.txt", "a") as handle:
        handle.write("numpy==0.0.1\n")
    with pytest.warns(UserWarning, match=r"numpy==0\.0\.1"):
        flavors.pyfunc.load_model(path)


def test_import_flavors_stays_light():
    code = ("import sys, autolog, flavors, flavors.pyfunc, flavors.xgboost, flavors.sklearn, flavors.lightgbm; "
            "print([m for m in ('xgboost','lightgbm','sklearn','pandas','numpy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
