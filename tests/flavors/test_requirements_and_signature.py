import pickle

import numpy as np
import pytest

import flavors
from autolog.tracking.exceptions import InvalidInputError
from flavors import requirements
from flavors.signature import ModelSignature


def test_pickling_records_the_modules_the_pickle_refers_to():
    import sklearn.preprocessing

    from flavors._serialization import pickle_with_modules

    scaler = sklearn.preprocessing.StandardScaler().fit(np.ones((3, 2)))
    data, modules = pickle_with_modules(scaler, use_cloudpickle=False)
    assert pickle.loads(data).mean_.tolist() == [1.0, 1.0]
    assert {"sklearn", "numpy"} <= {m.split(".")[0] for m in modules}
    namespace = {}
    exec("import json\ndef f(x):\n    return json.dumps(x)\n", namespace)  # a by-value function using a module
    namespace["f"].__module__ = "__main__"
    data, modules = pickle_with_modules(namespace["f"], use_cloudpickle=True)
    assert "json" in modules and "cloudpickle" in modules
    assert requirements.infer_requirements(["sklearn", "json", "os"]) == \
        [f"scikit-learn=={sklearn.__version__}"]


def test_user_requirements_lists_files_and_errors(tmp_path):
    inferred = ["numpy==1.0", "xgboost==2.0"]
    assert requirements.resolve_requirements(inferred, extra_pip_requirements=["xgboost>=3", "rich"]) == \
        ["numpy==1.0", "xgboost>=3", "rich"]
    (tmp_path / "reqs.txt").write_text("# pinned\nfoo==1.2\n")
    assert requirements.resolve_requirements(inferred, pip_requirements=str(tmp_path / "reqs.txt")) == ["foo==1.2"]
    with pytest.raises(InvalidInputError, match="malformed requirement 'not a requirement !!'"):
        requirements.resolve_requirements(inferred, pip_requirements=["ok==1", "not a requirement !!"])
    with pytest.raises(InvalidInputError, match="does not exist"):
        requirements.resolve_requirements(inferred, extra_pip_requirements=str(tmp_path / "missing.txt"))


def test_environment_files_written(tmp_path):
    import yaml

    env = requirements.write_environment(str(tmp_path), ["xgboost==3.0"])
    assert env == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    conda = yaml.safe_load((tmp_path / "conda.yaml").read_text())
    assert {"pip": ["xgboost==3.0"]} in conda["dependencies"]
    assert yaml.safe_load((tmp_path / "python_env.yaml").read_text())["dependencies"] == ["-r requirements.txt"]


def test_infer_signature_kinds(frame):
    data, label = frame
    typed = data.assign(n=np.arange(len(data), dtype="int32"), flag=True, s="x")
    signature = flavors.infer_signature(typed, label)
    assert [(c.name, c.type) for c in signature.inputs.inputs] == [
        ("a", "double"), ("b", "double"), ("c", "double"), ("n", "integer"), ("flag", "boolean"), ("s", "string")]
    assert signature.outputs.inputs[0].type == "long"
    tensor = flavors.infer_signature(data.to_numpy().astype("float32"), np.zeros(3))
    assert tensor.inputs.to_json() == '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]'
    assert ModelSignature.from_dict(signature.to_dict()) == signature
    with pytest.raises(InvalidInputError, match="Malformed schema"):
        ModelSignature.from_dict({"inputs": "[{\"type\": \"nonsense\"}]"})


def test_infer_signature_dmatrix(frame):
    xgb = pytest.importorskip("xgboost")
    data, label = frame
    schema = flavors.infer_signature(xgb.DMatrix(data, label)).inputs
    assert schema.input_names() == ["a", "b", "c"]
    assert flavors.infer_signature(xgb.DMatrix(data.to_numpy())).inputs.is_tensor_spec()


def test_primed_caches_leave_the_first_environment_nothing_to_look_up(tmp_path):
    from flavors import requirements

    requirements.installed_version.cache_clear()
    requirements.distribution_for_module.cache_clear()
    requirements.prime_caches(("xgboost", "numpy"))
    misses = requirements.installed_version.cache_info().misses
    lines = requirements.infer_requirements(["xgboost", "numpy"])
    requirements.write_environment(str(tmp_path), lines)
    assert requirements.installed_version.cache_info().misses == misses
    assert any(line.startswith("xgboost==") for line in lines)
    assert "python=" in (tmp_path / "conda.yaml").read_text()


def test_installed_versions_are_the_metadata_version_headers(tmp_path, monkeypatch):
    from importlib import metadata

    for distribution in ("numpy", "pyyaml", "pip", "xgboost"):
        requirements.installed_version.cache_clear()
        assert requirements.installed_version(distribution) == metadata.version(distribution)
    # a distribution whose long description holds a "Version:" line of its own: only the header counts
    info = tmp_path / "tinydist-1.4.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinydist\nVersion: 1.4.0\n\n"
                                   "Version: 9.9.9 is what the README says\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    requirements.installed_version.cache_clear()
    assert requirements.installed_version("tinydist") == "1.4.0"
    assert requirements.installed_version("no-such-distribution-anywhere") is None
    requirements.installed_version.cache_clear()
