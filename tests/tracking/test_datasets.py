"""autolog.data datasets, log_input, and the fluent face of logged models."""

import json

import numpy as np
import pandas as pd
import pytest

import autolog
import autolog.data
from autolog.entities import Dataset


def test_from_pandas_has_mlflow_fields_and_a_stable_digest(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"], "label": [0, 1, 0]})
    dataset = autolog.data.from_pandas(df, source=str(tmp_path / "train.csv"), targets="label", name="train")
    assert dataset.name == "train" and dataset.targets == "label"
    assert dataset.digest == autolog.data.from_pandas(df.copy()).digest
    assert dataset.digest != autolog.data.from_pandas(df.assign(a=[1.0, 2.0, 4.0])).digest
    entity = dataset.to_entity()
    assert (entity.source_type, json.loads(entity.source)) == ("local", {"uri": str(tmp_path / "train.csv")})
    assert json.loads(entity.schema) == {"mlflow_colspec": [
        {"type": "double", "name": "a", "required": True}, {"type": "string", "name": "b", "required": True},
        {"type": "long", "name": "label", "required": True}]}
    assert json.loads(entity.profile) == {"num_rows": 3, "num_elements": 9}
    assert list(dataset.features.columns) == ["a", "b"]
    with pytest.raises(autolog.InvalidInputError, match="'target'"):
        autolog.data.from_pandas(df, targets="target")


def test_from_numpy_and_sources():
    features, targets = np.arange(12, dtype="float64").reshape(4, 3), np.array([0, 1, 0, 1])
    dataset = autolog.data.from_numpy(features, source="s3://bucket/x.npy", targets=targets)
    entity = dataset.to_entity()
    assert entity.name == "dataset" and entity.source_type == "s3"
    profile = json.loads(entity.profile)
    assert profile["features_shape"] == [4, 3] and profile["targets_size"] == 4
    assert set(json.loads(entity.schema)["mlflow_tensorspec"]) == {"features", "targets"}
    code = autolog.data.from_numpy(features).to_entity()
    assert code.source_type == "code" and "mlflow.user" in json.loads(code.source)["tags"]
    assert autolog.data.from_pandas(pd.DataFrame({"a": [1]}), source="https://x.org/d.csv").source.source_type \
        == "http"


def test_log_input_records_the_dataset_with_its_context():
    df = pd.DataFrame({"a": [1.0, 2.0]})
    with autolog.start_run() as run:
        autolog.log_input(autolog.data.from_pandas(df, name="train"), context="training", tags={"fold": 1})
        autolog.log_input(Dataset("raw", "0a1b2c3d", "local", "{}"))
    (first, second) = autolog.Client().get_run(run.info.run_id).inputs.dataset_inputs
    assert first.dataset.name == "train"
    assert {tag.key: tag.value for tag in first.tags} == {"mlflow.data.context": "training", "fold": "1"}
    assert second.dataset.digest == "0a1b2c3d" and second.tags == []
    with pytest.raises(autolog.InvalidInputError, match="autolog.data"):
        autolog.log_input(df)


def test_fluent_logged_models():
    with autolog.start_run() as run:
        model = autolog.initialize_logged_model(name="manual", params={"k": 3}, model_type="custom")
        autolog.log_model_params({"j": 1})
        autolog.set_logged_model_tags(model.model_id, {"stage": "dev"})
        autolog.finalize_logged_model(model.model_id)
    fetched = autolog.get_logged_model(model.model_id)
    assert fetched.source_run_id == run.info.run_id and fetched.status == "READY"
    assert fetched.params == {"k": "3", "j": "1"} and fetched.tags == {"stage": "dev"}
    assert autolog.last_logged_model() == fetched
    frame = autolog.search_logged_models(filter_string="name = 'manual'")
    assert list(frame["model_id"]) == [model.model_id]
    assert autolog.search_logged_models(output_format="list", max_results=1) == [fetched]


def test_autolog_entities_module_is_mlflow_entities():
    from autolog.entities import LoggedModel, RunStatus, ViewType  # noqa: F401

    assert autolog.entities.ViewType is autolog.ViewType
