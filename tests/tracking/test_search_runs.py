"""search_runs and search_experiments against a real SQLite store."""

import math

import pytest

import autolog
from autolog.tracking import Client, InvalidInputError, Metric, Param, RunTag, ViewType


@pytest.fixture
def runs():
    """Five finished runs in experiment 'search' with metrics, params and tags; returns {name: run_id}."""
    client = Client()
    experiment_id = client.create_experiment("search")
    spec = {
        "a": ({"rmse": 1.0, "auc": 0.9}, {"alpha": "0.1", "depth": "3"}, {"model": "xgboost"}),
        "b": ({"rmse": 3.0, "auc": 0.7}, {"alpha": "0.5", "depth": "5"}, {"model": "XGBoost-hist"}),
        "c": ({"rmse": 2.0}, {"alpha": "0.1"}, {"model": "lightgbm", "team name": "x"}),
        "d": ({"rmse": float("nan"), "auc": 0.5}, {"depth": "3"}, {}),
        "e": ({}, {"alpha": "1.0"}, {"model": "sklearn"}),
    }
    ids = {}
    for start, (name, (metrics, params, tags)) in enumerate(spec.items()):
        run = client.create_run(experiment_id, start_time=1000 + start, run_name=f"xgb-{name}" if name < "c" else name)
        client.log_batch(run.info.run_id, metrics=[Metric(k, v, 0, 0) for k, v in metrics.items()],
                         params=[Param(k, v) for k, v in params.items()], tags=[RunTag(k, v) for k, v in tags.items()])
        client.set_terminated(run.info.run_id)
        ids[name] = run.info.run_id
    ids["_experiment"] = experiment_id
    return ids


def _names(runs, found):
    by_id = {v: k for k, v in runs.items()}
    return [by_id[run.info.run_id] for run in found]


def _search(runs, filter_string="", order_by=None, **kwargs):
    return _names(runs, Client().search_runs([runs["_experiment"]], filter_string, order_by=order_by, **kwargs))


def test_metric_filter_and_order(runs):
    assert _search(runs, "metrics.rmse < 2.5", ["metrics.rmse ASC"]) == ["a", "c"]
    assert _search(runs, "metrics.rmse >= 2", ["metrics.rmse DESC"]) == ["b", "c"]
    assert _search(runs, "metrics.rmse = 3") == ["b"]


def test_not_equal_on_a_metric_includes_nan_but_not_missing(runs):
    assert sorted(_search(runs, "metrics.rmse != 1")) == ["b", "c", "d"]


def test_param_and_tag_filters(runs):
    assert sorted(_search(runs, "params.alpha = '0.1'")) == ["a", "c"]
    assert sorted(_search(runs, "params.alpha != '0.1'")) == ["b", "e"]
    assert sorted(_search(runs, "params.alpha IN ('0.5', '1.0')")) == ["b", "e"]
    assert sorted(_search(runs, "params.alpha NOT IN ('0.5', '1.0')")) == ["a", "c"]
    assert _search(runs, "tags.`team name` = 'x'") == ["c"]


def test_like_is_case_sensitive_and_ilike_is_not(runs):
    assert _search(runs, "tags.model LIKE 'xgb%'") == ["a"]
    assert sorted(_search(runs, "tags.model ILIKE 'xgb%'")) == ["a", "b"]
    assert _search(runs, "tags.model LIKE '_ightgbm'") == ["c"]


def test_missing_keys_with_is_null(runs):
    assert sorted(_search(runs, "metrics.auc IS NULL")) == ["c", "e"]
    assert sorted(_search(runs, "params.alpha IS NULL")) == ["d"]
    assert sorted(_search(runs, "tags.model IS NOT NULL and metrics.rmse IS NOT NULL")) == ["a", "b", "c"]


def test_attributes(runs):
    assert sorted(_search(runs, "attributes.run_name LIKE 'xgb%'")) == ["a", "b"]
    assert sorted(_search(runs, "run_name = 'c'")) == ["c"]
    assert _search(runs, "attributes.start_time > 1002", ["start_time ASC"]) == ["d", "e"]
    assert len(_search(runs, "status = 'FINISHED' and end_time IS NOT NULL")) == 5
    assert _search(runs, f"run_id = '{runs['b']}'") == ["b"]
    assert _search(runs, f"attributes.user = '{autolog.Client().get_run(runs['a']).info.user_id}'", max_results=1)


def test_conjunction_of_many_clauses(runs):
    assert _search(runs, "metrics.rmse < 5 and params.alpha = '0.1' and tags.model ILIKE '%gbm'") == ["c"]
    assert _search(runs, "metrics.rmse > 1 and metrics.rmse < 3") == ["c"]


def test_missing_values_sort_last_in_both_directions(runs):
    assert _search(runs, order_by=["metrics.auc ASC"]) == ["d", "b", "a", "e", "c"]
    assert _search(runs, order_by=["metrics.auc DESC"]) == ["a", "b", "d", "e", "c"]
    assert _search(runs, order_by=["metrics.rmse ASC"])[:3] == ["a", "c", "b"]
    assert _search(runs, order_by=["metrics.rmse ASC"])[3:] == ["d", "e"]  # NaN, then missing (as MLflow)


def test_order_on_several_keys(runs):
    assert _search(runs, order_by=["params.alpha ASC", "metrics.rmse DESC"]) == ["c", "a", "b", "e", "d"]
    assert _search(runs) == ["e", "d", "c", "b", "a"]  # default: newest first


def test_pagination_walks_every_run_once(runs):
    client, seen, token = Client(), [], None
    while True:
        page = client.search_runs([runs["_experiment"]], "", max_results=2, order_by=["metrics.rmse ASC"],
                                  page_token=token)
        seen += _names(runs, page)
        token = page.token
        if token is None:
            break
    assert seen == _search(runs, order_by=["metrics.rmse ASC"]) and len(seen) == 5


@pytest.mark.parametrize("filter_string, order_by, expected", [
    ("params.alpha != '9'", "metrics.auc DESC", ["a", "b", "e", "c"]),  # rows with a value, then without
    ("metrics.rmse < 9", "params.depth ASC", ["a", "b", "c"]),
    ("", "tags.model DESC", ["a", "e", "c", "b", "d"]),  # byte order: upper case first
])
def test_one_run_a_page_crosses_from_present_to_missing_values(runs, filter_string, order_by, expected):
    client, seen, token = Client(), [], None
    for _ in range(10):
        page = client.search_runs([runs["_experiment"]], filter_string, max_results=1, order_by=[order_by],
                                  page_token=token)
        seen += _names(runs, page)
        token = page.token
        if token is None:
            break
    assert seen == expected == _search(runs, filter_string, [order_by])


def test_bad_page_tokens_are_rejected(runs):
    client = Client()
    page = client.search_runs([runs["_experiment"]], max_results=2)
    with pytest.raises(InvalidInputError, match="another search"):
        client.search_runs([runs["_experiment"]], "metrics.rmse < 9", max_results=2, page_token=page.token)
    for token in ("garbage", "eyJvZmZzZXQiOiAtMX0="):
        with pytest.raises(InvalidInputError, match="Invalid page token"):
            client.search_runs([runs["_experiment"]], page_token=token)
    with pytest.raises(InvalidInputError, match="max_results"):
        client.search_runs([runs["_experiment"]], max_results=0)


def test_malformed_filter_and_order_raise_before_sql(runs):
    with pytest.raises(InvalidInputError, match="position 16: expected a quoted string or a number"):
        Client().search_runs([runs["_experiment"]], "metrics.rmse <> ")
    with pytest.raises(InvalidInputError, match="unknown attribute 'rmse'"):
        Client().search_runs([runs["_experiment"]], order_by=["rmse DESC"])


def test_search_across_experiments_and_view_types(runs):
    client = Client()
    other = client.create_experiment("other")
    run = client.create_run(other)
    client.log_batch(run.info.run_id, metrics=[Metric("rmse", 0.5, 0, 0)])
    found = client.search_runs([runs["_experiment"], other], "metrics.rmse < 1.5", order_by=["metrics.rmse"])
    assert [r.info.run_id for r in found] == [run.info.run_id, runs["a"]]
    client.delete_run(runs["a"])
    assert _search(runs, "metrics.rmse < 1.5") == []
    assert _names(runs, client.search_runs([runs["_experiment"]], "metrics.rmse < 1.5",
                                           run_view_type=ViewType.DELETED_ONLY)) == ["a"]


def test_runs_come_back_with_their_data(runs):
    (run,) = Client().search_runs([runs["_experiment"]], "params.depth = '3' and metrics.auc > 0.8")
    assert run.data.metrics == {"rmse": 1.0, "auc": 0.9} and run.data.params["alpha"] == "0.1"
    (nan_run,) = Client().search_runs([runs["_experiment"]], "metrics.auc = 0.5")
    assert math.isnan(nan_run.data.metrics["rmse"])


def test_a_page_carries_inputs_and_outputs_of_the_runs_that_have_them(runs):
    from autolog.tracking.entities import Dataset, DatasetInput, InputTag, LoggedModelInput, LoggedModelOutput

    client = Client()
    model = client.create_logged_model(runs["_experiment"])
    dataset = Dataset("train", "d1a2", "local", '{"path": "train.csv"}', None, '{"num_rows": 3}')
    client.log_inputs(runs["b"], [DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])],
                      models=[LoggedModelInput(model.model_id)])
    client.log_outputs(runs["d"], [LoggedModelOutput(model.model_id, 7)])
    found = {run.info.run_id: run for run in client.search_runs([runs["_experiment"]], "")}
    assert found[runs["b"]].inputs.dataset_inputs == [DatasetInput(dataset, [InputTag("mlflow.data.context",
                                                                                       "training")])]
    assert found[runs["b"]].inputs.model_inputs == [LoggedModelInput(model.model_id)]
    assert found[runs["d"]].outputs.model_outputs == [LoggedModelOutput(model.model_id, 7)]
    assert found[runs["b"]].data.params == {"alpha": "0.5", "depth": "5"}
    assert math.isnan(found[runs["d"]].data.metrics["rmse"]) and found[runs["d"]].data.metrics["auc"] == 0.5
    for name in "ace":
        assert found[runs[name]].inputs.dataset_inputs == [] and found[runs[name]].outputs.model_outputs == []
    assert client.get_run(runs["b"]).inputs == found[runs["b"]].inputs


def test_fluent_search_runs_returns_a_dataframe(runs):
    frame = autolog.search_runs(experiment_ids=[runs["_experiment"]], filter_string="metrics.rmse < 2.5",
                                order_by=["metrics.rmse ASC"])
    assert list(frame["metrics.rmse"]) == [1.0, 2.0]
    assert list(frame["params.alpha"]) == ["0.1", "0.1"] and list(frame["tags.model"]) == ["xgboost", "lightgbm"]
    names = autolog.search_runs(experiment_names=["search"], filter_string="params.alpha = '0.1'",
                                output_format="list")
    assert sorted(r.info.run_id for r in names) == sorted([runs["a"], runs["c"]])


def test_search_experiments_by_name_and_tags():
    client = Client()
    client.create_experiment("nyc-taxi", tags={"team": "rides"})
    client.create_experiment("nyc-bikes", tags={"team": "bikes"})
    client.create_experiment("paris")
    names = lambda *args, **kw: [e.name for e in client.search_experiments(*args, **kw)]  # noqa: E731
    assert names(filter_string="name LIKE 'nyc-%'") == ["nyc-taxi", "nyc-bikes"]
    assert names(filter_string="tags.team = 'bikes'") == ["nyc-bikes"]
    assert names(filter_string="attributes.name ILIKE 'PARIS'") == ["paris"]
    assert names(filter_string="tags.team IS NULL", order_by=["name DESC"]) == ["paris", "Default"]
    assert names(order_by=["name ASC"], max_results=2) == ["Default", "nyc-bikes"]
    with pytest.raises(InvalidInputError, match="experiments have no metrics"):
        client.search_experiments(filter_string="metrics.x < 1")
