"""Search DSL details where MLflow's behaviour is the reference."""

import math
import time

import pytest

import autolog
from autolog.entities import Dataset, DatasetInput, InputTag


def _names(**search) -> list:
    return [run.info.run_name for run in autolog.search_runs(output_format="list", **search)]


def test_backticked_entity_prefixes():
    with autolog.start_run(run_name="r"):
        autolog.log_metric("m 1", 2.0)
        autolog.log_param("p", "x")
    assert _names(filter_string="`metrics`.`m 1` > 1 and `params`.p = 'x'") == ["r"]
    assert _names(filter_string="`attributes`.run_name = 'r'") == ["r"]


def test_dataset_keys_in_filters():
    client = autolog.Client()
    for name, dataset, context in (("a", "train-set", "training"), ("b", "eval-set", "eval"), ("c", None, None)):
        run = client.create_run("0", run_name=name)
        if dataset:
            client.log_inputs(run.info.run_id, [DatasetInput(Dataset(dataset, f"d-{name}", "code", "{}"),
                                                             [InputTag("mlflow.data.context", context)])])
    assert _names(filter_string="datasets.name = 'train-set'") == ["a"]
    assert sorted(_names(filter_string="datasets.name IN ('train-set', 'eval-set')")) == ["a", "b"]
    assert _names(filter_string="datasets.digest = 'd-b'") == ["b"]
    assert _names(filter_string="datasets.context = 'training' and run_name LIKE 'a%'") == ["a"]
    with pytest.raises(autolog.InvalidInputError, match="datasets.colour"):
        autolog.search_runs(filter_string="datasets.colour = 'x'")
    with pytest.raises(autolog.InvalidInputError, match="datasets"):
        autolog.search_runs(order_by=["datasets.name"])


def test_nan_sorts_after_values_and_before_missing_in_both_directions():
    for name, value in (("low", 1.0), ("nan", math.nan), ("high", 5.0), ("missing", None)):
        with autolog.start_run(run_name=name):
            if value is not None:
                autolog.log_metric("m", value)
        time.sleep(0.002)
    assert _names(order_by=["metrics.m ASC"]) == ["low", "high", "nan", "missing"]
    assert _names(order_by=["metrics.m DESC"]) == ["high", "low", "nan", "missing"]


def test_max_results_zero_is_refused():
    with pytest.raises(autolog.InvalidInputError, match="max_results"):
        autolog.Client().search_runs(["0"], max_results=0)
    with pytest.raises(autolog.InvalidInputError, match="max_results"):
        autolog.search_runs(max_results=0)


def test_registered_models_order_by_creation_timestamp():
    client = autolog.Client()
    for name in ("b", "a", "c"):
        client.create_registered_model(name)
        time.sleep(0.002)
    ordered = client.search_registered_models(order_by=["creation_timestamp DESC"])
    assert [m.name for m in ordered] == ["c", "a", "b"]
    assert [m.name for m in client.search_registered_models(order_by=["timestamp"])] == ["b", "a", "c"]
