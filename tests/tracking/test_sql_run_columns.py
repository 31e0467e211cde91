"""The lean run reads the web UI uses: runs without data, then only chosen keys, key names, and summaries."""

from __future__ import annotations

import math

import pytest

from autolog import Client
from autolog.tracking.entities import Metric, Param, RunTag
from autolog.tracking.stores.sql_run_columns import (ALL, metric_summaries, param_value_counts, run_infos,
                                                     run_keys, run_values, search_run_infos)


@pytest.fixture
def logged():
    """(store, experiment id, run ids): three runs with params, metrics (one NaN, one missing) and tags."""
    client = Client()
    experiment_id = client.create_experiment("lean")
    run_ids = []
    rows = [({"alpha": "0.1", "kind": "a"}, {"rmse": 1.5, "loss": 0.3}),
            ({"alpha": "0.1", "kind": "b"}, {"rmse": float("nan"), "loss": 0.1}),
            ({"alpha": "0.5"}, {"loss": 0.2})]
    for index, (params, metrics) in enumerate(rows):
        run = client.create_run(experiment_id, run_name=f"r{index}", start_time=1_000 + index)
        client.log_batch(run.info.run_id, metrics=[Metric(k, v, 5, 0) for k, v in metrics.items()],
                         params=[Param(k, v) for k, v in params.items()], tags=[RunTag("team", f"t{index}")])
        run_ids.append(run.info.run_id)
    return client._store, experiment_id, run_ids


def test_search_run_infos_pages_like_search_runs_but_carries_no_data(logged):
    store, experiment_id, run_ids = logged
    page = search_run_infos(store, [experiment_id], "metrics.loss < 0.25", max_results=1,
                            order_by=["metrics.loss ASC"])
    assert [run.info.run_id for run in page] == [run_ids[1]] and page.token
    assert not page[0].data.params and not page[0].data.metrics and not page[0].data.tags
    second = search_run_infos(store, [experiment_id], "metrics.loss < 0.25", max_results=1,
                              order_by=["metrics.loss ASC"], page_token=page.token)
    assert [run.info.run_id for run in second] == [run_ids[2]] and second.token is None
    assert list(run_infos(store, [run_ids[2], "missing"])) == [run_ids[2]]


def test_run_values_reads_only_the_keys_asked_for(logged):
    store, experiment_id, run_ids = logged
    runs = list(run_infos(store, run_ids).values())
    run_values(store, runs, {"params": ["alpha"], "metrics": ["rmse"], "tags": ["team", "absent"]})
    by_id = {run.info.run_id: run.data for run in runs}
    assert by_id[run_ids[0]].params == {"alpha": "0.1"} and by_id[run_ids[0]].metrics == {"rmse": 1.5}
    assert math.isnan(by_id[run_ids[1]].metrics["rmse"]) and by_id[run_ids[2]].metrics == {}
    assert by_id[run_ids[2]].tags == {"team": "t2"}
    run_values(store, runs, {"params": ALL})
    assert by_id[run_ids[1]].params == {"alpha": "0.1", "kind": "b"}


def test_run_keys_and_summaries_count_in_the_database(logged):
    store, _experiment_id, run_ids = logged
    keys = run_keys(store, run_ids[1:])
    assert keys["params"] == ["alpha", "kind"] and keys["metrics"] == ["loss", "rmse"] and "team" in keys["tags"]
    assert param_value_counts(store, run_ids) == {"alpha": {"0.1": 2, "0.5": 1}, "kind": {"a": 1, "b": 1}}
    summaries = metric_summaries(store, run_ids)
    assert summaries == {"loss": (3, 0, 0.1, 0.3), "rmse": (2, 1, 1.5, 1.5)}  # (present, NaNs, lowest, highest)
    assert metric_summaries(store, []) == {}
