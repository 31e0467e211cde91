"""Only autolog's documented exceptions leave the public API, whatever the input."""

import base64
import json

import pytest

import autolog
from autolog.tracking import AutologError, Client, InvalidInputError


@pytest.fixture()
def run_id():
    with autolog.start_run() as run:
        autolog.log_metric("m", 1.0)
    return run.info.run_id


def _token(offset):
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "search": "x"}).encode()).decode()


BAD_SEARCHES = [
    (" and ".join(f"metrics.m{i} > 0" for i in range(70)), {}, "70 different .* keys; the limit is 30"),
    (" and ".join(f"metrics.m{i} IS NULL" for i in range(201)), {}, "201 comparisons; the limit is 100"),
    (" and ".join(f"metrics.m > {i}" for i in range(1001)), {}, "1001 comparisons"),
    ("tags.x LIKE '" + "a" * 50_001 + "'", {}, "50001 characters long; the limit is 10000"),
    ("tags.x IN (" + ", ".join(f"'{i}'" for i in range(1001)) + ")", {}, "1001 values; the limit is 1000"),
    ("tags.x = '\udc80'", {}, "not valid Unicode"),
    ("tags.x = 'a\x00'", {}, "NUL"),
    ("", {"page_token": _token(2 ** 70)}, "Invalid page token"),
    ("", {"order_by": ["metrics.`\udc80`"]}, "not valid Unicode"),
]


@pytest.mark.parametrize("filter_string, kwargs, message", BAD_SEARCHES)
def test_searches_past_our_limits_are_refused_with_a_message(run_id, filter_string, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        Client().search_runs(["0"], filter_string, **kwargs)


@pytest.mark.parametrize("call, message", [
    (lambda c, r: autolog.log_metric("m", 10 ** 400), "too large"),
    (lambda c, r: c.log_metric(r, "m", 10 ** 400), "too large"),
    (lambda c, r: c.log_param(r, "p", 10 ** 5000), "cannot be turned into text"),
    (lambda c, r: c.log_metric(r, "m", 1.0, step=2 ** 63), "64 bits"),
    (lambda c, r: c.log_param(r, "p2", "x\udc80"), "not valid Unicode"),
    (lambda c, r: c.set_tag(r, "loss\n", 1), "loss"),
    (lambda c, r: autolog.log_metric("loss\n", 1), "loss"),
    (lambda c, r: c.log_text(r, "x", "a\x00b.txt"), "NUL"),
    (lambda c, r: c.list_artifacts(r, "a\x00b"), "NUL"),
    (lambda c, r: c.create_run("0", run_name="x" * 9000), "9000 characters; the limit is 8000"),
    (lambda c, r: c.update_run(r, name="x" * 9000), "9000 characters; the limit is 8000"),
    (lambda c, r: c.get_run("\udc80"), "not valid Unicode"),
    (lambda c, r: c.create_experiment("e\udc80"), "not valid Unicode"),
    (lambda c, r: c.get_experiment_by_name("e\udc80"), "not valid Unicode"),
    (lambda c, r: c.get_metric_history(r, "\udc80"), "not valid Unicode"),
])
def test_bad_values_are_invalid_input(run_id, call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(Client(), run_id)


def test_a_run_name_longer_than_a_tag_is_refused_by_start_run():
    with pytest.raises(InvalidInputError, match="limit is 8000"):
        autolog.start_run(run_name="n" * 8001)
    assert autolog.active_run() is None


def test_errors_are_autolog_errors(run_id):
    with pytest.raises(AutologError):
        Client().search_runs(["0"], "metrics.m > 1e400 and params.x = 'y' and tags.z = '\udc80'")
