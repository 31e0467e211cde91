"""Loading a model reads nothing outside it, leaves nothing behind on sys.path, and unpickles only when allowed;
a custom model's requirements cover what its artifacts and code need."""

import os
import pickle
import subprocess
import sys
import textwrap

import pytest

import flavors
from autolog.tracking.exceptions import InvalidInputError

sklearn_linear = pytest.importorskip("sklearn.linear_model")


@pytest.fixture()
def sk_model(frame):
    data, label = frame
    return sklearn_linear.LogisticRegression().fit(data, label)


class Echo(flavors.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        import model_helper_mod  # from the model's code/ directory, imported when scoring

        return model_helper_mod.double(len(model_input))


def test_a_link_leaving_the_model_directory_is_refused_at_load(tmp_path, sk_model):
    flavors.sklearn.save_model(sk_model, tmp_path / "m")
    outside = tmp_path / "outside.pkl"
    os.replace(tmp_path / "m" / "model.pkl", outside)
    (tmp_path / "m" / "model.pkl").symlink_to(outside)
    for load in (flavors.sklearn.load_model, flavors.pyfunc.load_model):
        with pytest.raises(InvalidInputError, match="symbolic link.*outside"):
            load(tmp_path / "m")


def test_the_code_directory_is_on_sys_path_only_while_the_model_needs_it(tmp_path):
    helper = tmp_path / "model_helper_mod.py"
    helper.write_text("def double(x):\n    return 2 * x\n")
    flavors.pyfunc.save_model(tmp_path / "m", python_model=Echo(), code_paths=[str(helper)])
    helper.unlink()
    before = list(sys.path)
    model = flavors.pyfunc.load_model(tmp_path / "m")
    assert sys.path == before
    assert model.predict([[1], [2], [3]]) == 6
    assert sys.path == before
    sys.modules.pop("model_helper_mod", None)
    with pytest.raises(ImportError):
        import model_helper_mod  # noqa: F401 - a later, unrelated import must not find the model's file


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_pickles_can_be_refused(tmp_path, sk_model, monkeypatch, how):
    flavors.sklearn.save_model(sk_model, tmp_path / "pickled")
    flavors.pyfunc.save_model(tmp_path / "custom", python_model=Echo())
    kwargs = {"allow_pickle": False} if how == "argument" else {}
    if how == "environment":
        monkeypatch.setenv("AUTOLOG_ALLOW_PICKLE", "0")
    with pytest.raises(InvalidInputError, match="Refusing to load the pickle .*model.pkl"):
        flavors.sklearn.load_model(tmp_path / "pickled", **kwargs)
    with pytest.raises(InvalidInputError, match="Refusing to load the pickle .*model.pkl"):
        flavors.pyfunc.load_model(tmp_path / "pickled", **kwargs)
    with pytest.raises(InvalidInputError, match="Refusing to load the pickle .*python_model.pkl"):
        flavors.pyfunc.load_model(tmp_path / "custom", **kwargs)
    if how == "environment":  # the argument wins over the variable
        assert flavors.sklearn.load_model(tmp_path / "pickled", allow_pickle=True) is not None


def test_skops_models_load_with_pickles_refused(tmp_path, sk_model, frame, monkeypatch):
    pytest.importorskip("skops")
    monkeypatch.setenv("AUTOLOG_ALLOW_PICKLE", "0")
    flavors.sklearn.save_model(sk_model, tmp_path / "safe", serialization_format="skops")
    data, _ = frame
    assert (flavors.pyfunc.load_model(tmp_path / "safe").predict(data) == sk_model.predict(data)).all()


@pytest.mark.parametrize("entry", ["loader_module: [a, b]", "artifacts: [x]", "artifacts: {a: 3}",
                                   "artifacts: {a: {path: ../../outside}}"])
def test_malformed_mlmodel_entries_are_invalid_input(tmp_path, entry):
    flavors.pyfunc.save_model(tmp_path / "m", python_model=Echo())
    text = (tmp_path / "m" / "MLmodel").read_text()
    key = entry.split(":")[0]
    lines = [line for line in text.splitlines() if not line.strip().startswith(f"{key}:")]
    at = next(i for i, line in enumerate(lines) if line.strip() == "python_function:") + 1
    lines.insert(at, "    " + entry)
    (tmp_path / "m" / "MLmodel").write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInputError, match="MLmodel"):
        flavors.pyfunc.load_model(tmp_path / "m")


@pytest.mark.slow
def test_python_model_requirements_cover_artifacts_code_and_imports(tmp_path, sk_model):
    xgb = pytest.importorskip("xgboost")
    import numpy as np

    booster = xgb.train({}, xgb.DMatrix(np.random.rand(20, 2), np.random.rand(20)), 2)
    flavors.xgboost.save_model(booster, tmp_path / "booster")
    with open(tmp_path / "pipeline.pkl", "wb") as handle:
        pickle.dump(sk_model, handle)
    (tmp_path / "features.py").write_text("import lightgbm\n")
    script = tmp_path / "save.py"
    script.write_text(textwrap.dedent(f"""
        import flavors

        class Custom(flavors.pyfunc.PythonModel):
            def load_context(self, context):
                import scipy  # imported by the model's own code when it loads
            def predict(self, context, model_input, params=None):
                return model_input

        flavors.pyfunc.save_model({str(tmp_path / "m")!r}, python_model=Custom(),
                                  artifacts={{"booster": {str(tmp_path / "booster")!r},
                                             "pipeline": {str(tmp_path / "pipeline.pkl")!r}}},
                                  code_paths=[{str(tmp_path / "features.py")!r}])
    """))
    subprocess.run([sys.executable, str(script)], check=True, cwd=tmp_path)
    names = {line.split("==")[0] for line in (tmp_path / "m" / "requirements.txt").read_text().split()}
    assert {"xgboost", "scikit-learn", "lightgbm", "scipy", "cloudpickle", "autolog"} <= names
