"""The runs table and the compare view read only what they show: a page of runs with many params and metrics
reads the chosen columns' values, not every key of every run (counted at the store's database)."""

from __future__ import annotations

import re
from html import unescape

import pytest

RUNS, KEYS = 60, 40


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """(app, experiment id, rows read per request): RUNS runs of KEYS params and KEYS metrics each, served by
    the app; ``rows`` counts the rows the store's database returns."""
    import warnings

    from autolog import Client
    from autolog.tracking.entities import Metric, Param

    from ._server import make_app

    uri = str(tmp_path_factory.mktemp("wide-store") / "mlruns")
    client = Client(uri)
    experiment_id = client.create_experiment("wide")
    for index in range(RUNS):
        run = client.create_run(experiment_id, run_name=f"w{index}")
        client.log_batch(run.info.run_id, metrics=[Metric(f"m{k:02d}", index * k, 0, 0) for k in range(KEYS)],
                         params=[Param(f"p{k:02d}", str(index % 3)) for k in range(KEYS)])
    app = make_app(uri)
    database, rows = app.state.store.db, [0]
    real_query = database.query

    def counting_query(sql, params=()):
        found = real_query(sql, params)
        rows[0] += len(found)
        return found

    database.query = counting_query
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client, experiment_id, rows


def _read(wide, path: str, params=None):
    client, _experiment_id, rows = wide
    rows[0] = 0
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text[:300]
    return answer, rows[0]


def test_the_runs_table_reads_the_chosen_columns_only(wide):
    _client, experiment_id, _rows = wide
    answer, read = _read(wide, f"/experiments/{experiment_id}", [("col", "metrics.m07"), ("col", "params.p03")])
    assert len(re.findall(r'<td class="name">', answer.text)) == RUNS
    assert f">{(RUNS - 1) * 7}<" in answer.text  # m07 of the newest run, first in the table
    # every run's params and metrics would be RUNS * 2 * KEYS = 2,400 rows; the page needs its RUNS runs, the
    # two chosen values and four fixed tags of each, and the names of the keys (for the column chooser)
    assert read < RUNS * 7 + 2 * KEYS + 20, read
    everything, read_all = _read(wide, f"/experiments/{experiment_id}",
                                 [("col", f"metrics.m{k:02d}") for k in range(KEYS)])
    assert read_all > RUNS * KEYS and len(everything.text) > len(answer.text)


def test_the_compare_view_shows_first_and_fetches_the_plot_data_after(wide):
    _client, experiment_id, _rows = wide
    page, read = _read(wide, "/compare", {"experiment": experiment_id})
    assert f"Compare {RUNS} runs" in page.text and "compare-data" in page.text
    # per-key summaries come counted from the database; the values read are those of the 20 runs shown
    assert read < RUNS + 20 * 2 * KEYS + KEYS * 3 + 100 < RUNS * 2 * KEYS, read
    data_url = unescape(re.search(r'id="compare-data" data-src="([^"]+)"', page.text).group(1))
    data, _read_all = _read(wide, data_url)
    plot = data.json()
    assert len(plot["runs"]) == RUNS and plot["columns"]["metrics.m02"][:2] == [(RUNS - 1) * 2.0, (RUNS - 2) * 2.0]
    assert "params.p01" in plot["differing_params"] and b" " not in data.content


def test_compare_rows_say_what_differs_from_the_databases_summaries():
    from autolog.ui.compare import _metric_rows, _param_rows

    params = {row["key"]: row for row in _param_rows({"lr": {"0.1": 2, "0.3": 1}, "opt": {"adam": 3},
                                                      "tag": {"x": 1, "y": 1}}, 3)}
    assert params["lr"]["summary"] == "0.1 … 0.3" and params["lr"]["differs"]
    assert params["opt"]["summary"] == "same" and not params["opt"]["differs"]
    assert params["tag"]["summary"] == "2 distinct (2 of 3 runs)" and params["tag"]["differs"]
    metrics = {row["key"]: row for row in _metric_rows({"rmse": (3, 1, 0.5, 0.5), "acc": (3, 0, 0.9, 0.9),
                                                        "nan": (3, 3, None, None)}, 3)}
    assert metrics["rmse"]["summary"] == "0.5, 1 NaN" and metrics["rmse"]["differs"]
    assert not metrics["acc"]["differs"] and not metrics["nan"]["differs"] and metrics["nan"]["summary"] == "3 NaN"
    assert [row["key"] for row in _metric_rows({"a": (3, 0, 1.0, 1.0), "b": (3, 0, 1.0, 2.0)}, 3)] == ["b", "a"]
