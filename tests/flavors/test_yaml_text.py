"""Model files' YAML written without PyYAML reads back, with PyYAML, as exactly the data written."""

import math

import pytest
import yaml

from flavors._yaml_text import dump
from flavors.model import Model

_AWKWARD_STRINGS = [
    "", " lead", "trail ", "yes", "No", "null", "~", "true", "1", "1.0", "0x1f", "1e3", ".inf", "-1", "2.1.1",
    "2026-11-27 18:50:00.1", "x==1,<2", "a!=b;c", "a: b", "a:b", "#x", "x #c", "- x", "-", "*alias", "&anchor",
    "!tag", "%d", "@x", "`x",
    '"q"', "'q'", "{", "[a]", "? k", "|", ">", "é", "😀", "\x7f", "\x85", "\u2028", "\ufeff", "tab\there",
    "multi\nline\n", "back\\slash", "<<", "=", "_x", "model.xgb", "a/b/c", "x-y", "~/p", "\x00\x1b", "\ud800",
]


def _round_trip(data, sort_keys=False):
    text = dump(data, sort_keys=sort_keys)
    assert text is not None
    return yaml.load(text, Loader=yaml.SafeLoader), text


@pytest.mark.parametrize("value", _AWKWARD_STRINGS)
def test_strings_keys_and_list_items_read_back_unchanged(value):
    data = {value: value, "list": [value, {value: [value]}], "nested": {"k": value}}
    assert _round_trip(data)[0] == data


def test_numbers_booleans_nulls_and_empty_containers_read_back_unchanged():
    floats = [0.1, -0.0, 1e17, 1.5e-07, 123456789.123, 1e300, -2.5]
    data = {"ints": [0, -7, 2 ** 70], "floats": floats, "flags": [True, False], "none": None, "empty": {},
            "nothing": [], "deep": [[1, [2, []]], [{"a": {}}], {"b": [{"c": None}]}]}
    loaded, _text = _round_trip(data)
    assert loaded == data
    special, _text = _round_trip({"nan": math.nan, "inf": math.inf, "ninf": -math.inf})
    assert math.isnan(special["nan"]) and special["inf"] == math.inf and special["ninf"] == -math.inf


def test_keys_are_sorted_on_request_and_the_layout_is_pyyamls_for_plain_data():
    data = {"name": "model-env", "channels": ["conda-forge"],
            "dependencies": ["pip", {"pip": ["xgboost==2.1.1", "numpy<3"]}]}
    loaded, text = _round_trip(data, sort_keys=True)
    assert loaded == data and list(yaml.safe_load(text)) == sorted(data)
    assert text == yaml.safe_dump(data, default_flow_style=False, sort_keys=True)


@pytest.mark.parametrize("data", [{"t": (1, 2)}, {1: "int key"}, {"s": {1, 2}}, {"b": b"x"}, ["not a mapping"]])
def test_anything_else_is_left_to_pyyaml(data):
    assert dump(data) is None


def test_an_mlmodel_file_reads_back_as_its_descriptor(tmp_path):
    model = Model(artifact_path="model", run_id="abc", metadata={"note": "yes: really", "n": 3})
    model.add_flavor("python_function", loader_module="flavors.xgboost", env={"conda": "conda.yaml"})
    model.add_flavor("xgboost", xgb_version="2.1.1", data="model.xgb", model_class="xgboost.core.Booster")
    model.save(str(tmp_path / "MLmodel"))
    assert yaml.safe_load((tmp_path / "MLmodel").read_text()) == model.to_dict()
