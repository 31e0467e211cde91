import numpy as np
import pytest

import flavors
from autolog.tracking.exceptions import InvalidInputError

pytest.importorskip("sklearn")


def _pipeline(frame):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data, label = frame
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(data, label)


def test_pipeline_round_trip(tmp_path, frame):
    data, _ = frame
    pipeline = _pipeline(frame)
    flavors.sklearn.save_model(pipeline, tmp_path / "m", input_example=data.head(2))
    loaded = flavors.sklearn.load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict(data), pipeline.predict(data))
    model = flavors.pyfunc.load_model(tmp_path / "m")
    np.testing.assert_array_equal(model.predict(data), pipeline.predict(data))
    names = {line.split("==")[0] for line in (tmp_path / "m" / "requirements.txt").read_text().split()}
    assert names == {"cloudpickle", "numpy", "pandas", "scikit-learn"}


def test_predict_fn_and_forest(tmp_path, frame):
    from sklearn.ensemble import RandomForestClassifier

    data, label = frame
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(data, label)
    flavors.sklearn.save_model(forest, tmp_path / "m", pyfunc_predict_fn="predict_proba",
                               serialization_format="pickle")
    np.testing.assert_allclose(flavors.pyfunc.load_model(tmp_path / "m").predict(data), forest.predict_proba(data))
    with pytest.raises(InvalidInputError, match="predict_nothing"):
        flavors.sklearn.save_model(forest, tmp_path / "x", pyfunc_predict_fn="predict_nothing")


def test_skops_format_and_trusted_types(tmp_path, frame):
    pytest.importorskip("skops")
    from sklearn.ensemble import RandomForestClassifier

    data, label = frame
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(data, label)
    flavors.sklearn.save_model(forest, tmp_path / "m", serialization_format="skops")
    np.testing.assert_array_equal(flavors.sklearn.load_model(tmp_path / "m").predict(data), forest.predict(data))
    # A declared type outside the frameworks' packages is not trusted just because the MLmodel lists it.
    mlmodel = (tmp_path / "m" / "MLmodel").read_text()
    (tmp_path / "m" / "MLmodel").write_text(mlmodel.replace("sklearn.tree._tree.Tree", "evil.Tree"))
    with pytest.raises(InvalidInputError, match="not trusted"):
        flavors.sklearn.load_model(tmp_path / "m")
    loaded = flavors.sklearn.load_model(tmp_path / "m", skops_trusted_types=["sklearn.tree._tree.Tree"])
    np.testing.assert_array_equal(loaded.predict(data), forest.predict(data))


def test_scipy_sparse_input_and_signature(tmp_path, frame):
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    data, label = frame
    sparse = scipy.sparse.csr_matrix(data.to_numpy())
    model = LogisticRegression().fit(sparse, label)
    signature = flavors.infer_signature(sparse, model.predict(sparse))
    assert signature.inputs.to_json() == '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]'
    flavors.sklearn.save_model(model, tmp_path / "m", signature=signature)
    requirements = (tmp_path / "m" / "requirements.txt").read_text()
    assert "pandas" not in requirements
    np.testing.assert_array_equal(flavors.pyfunc.load_model(tmp_path / "m").predict(sparse), model.predict(sparse))
