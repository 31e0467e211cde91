"""The UI's pages over HTTP: what each shows, the filter error, sorting, remembered columns, paging,
artifacts, compare, the registry's two-step promotion, roles and the login cookie."""

from __future__ import annotations

import re
from html import unescape

import pytest


def _rows(html: str) -> list:
    """Run names of the runs table, in order."""
    return re.findall(r'<td class="name">(?:<span[^>]*>[^<]*</span>)?<a href="/runs/\w+">([^<]+)</a>', html)


def test_experiments_list_links_each_experiment(client, seeded):
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/experiments/{seeded[1]["experiment_id"]}">nyc-taxi</a>' in page.text
    assert "nyc-taxi" not in client.get("/?q=zzz").text.split("<tbody>")[1]


def test_filter_typo_answers_400_with_the_dsl_error_next_to_the_box(client, seeded):
    page = client.get(f"/experiments/{seeded[1]['experiment_id']}", params={"filter": "metrics.rmse << 6"})
    assert page.status_code == 400
    assert 'id="filter-error"' in page.text and "position" in page.text
    assert 'value="metrics.rmse &lt;&lt; 6"' in page.text  # the typed filter stays in the box


def test_filter_sort_and_nesting(client, seeded):
    experiment_id = seeded[1]["experiment_id"]
    page = client.get(f"/experiments/{experiment_id}",
                      params={"filter": "params.solver = 'saga'", "sort": "metrics.rmse", "dir": "asc",
                              "col": "metrics.rmse"})
    names = _rows(page.text)
    assert set(names) == {"run-1", "run-3", "run-5", "run-7"}
    values = [float(v) for v in re.findall(r'<td class="num">([0-9.]+)</td>', page.text)]
    assert values == sorted(values) and len(values) == 4
    nested = _rows(client.get(f"/experiments/{experiment_id}").text)
    assert nested.index("fold-0") == nested.index("run-1") + 1 or nested.index("fold-1") == nested.index("run-1") + 1
    flat = client.get(f"/experiments/{experiment_id}", params={"nested": "0", "filter": "tags.model = 'linear'"})
    assert {"fold-0", "fold-1", "run-1"} <= set(_rows(flat.text))


def test_chosen_columns_live_in_the_url_and_are_remembered(client, seeded):
    experiment_id = seeded[1]["experiment_id"]
    page = client.get(f"/experiments/{experiment_id}", params=[("col", ""), ("col", "params.solver")])
    assert "<span class=\"kind\">param</span> solver" in page.text
    assert "<span class=\"kind\">metric</span>" not in page.text
    again = client.get(f"/experiments/{experiment_id}")  # no columns in the URL: the cookie brings them back
    assert "<span class=\"kind\">param</span> solver" in again.text and "kind\">metric" not in again.text
    client.get(f"/experiments/{experiment_id}", params=[("col", "tags.my key"), ("col", "metrics.rmse")])
    spaced = client.get(f"/experiments/{experiment_id}")
    assert "<span class=\"kind\">tag</span> my key" in spaced.text and "title=\"Sort by metrics.rmse\"" in spaced.text


def test_paging_walks_forward_and_back(client, seeded):
    experiment_id = seeded[1]["experiment_id"]
    first = client.get(f"/experiments/{experiment_id}", params={"n": "25", "nested": "0"})
    assert 'rel="next"' not in first.text  # 10 runs fit one page of 25
    small = client.get(f"/experiments/{experiment_id}?nested=0&n=25&sort=run_name&dir=asc")
    assert _rows(small.text)[:3] == ["fold-0", "fold-1", "run-0"]


def test_run_page_shows_params_metrics_tags_diff_and_artifacts(client, seeded):
    run_id = seeded[1]["run_ids"][0]
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200
    for text in ("alpha", "max_depth", "rmse", "mae", "uncommitted changes", "notes/", "config.json",
                 'data-key="rmse"', "mlflow.source.git.commit", "green_tripdata_2021-01", "training"):
        assert text in page.text, text
    assert client.get("/runs/" + "0" * 32).status_code == 404


@pytest.mark.parametrize("path, expected", [
    ("config.json", "&#34;features&#34;: ["),
    ("config.yaml", "model: linear"),
    ("data/sample.csv", "<th>trip_distance</th>"),
    ("plots/residuals.png", 'class="artifact-image"'),
    ("plots/box.svg", 'class="artifact-image"'),
    ("code/uncommitted.diff", '<span class="add">+alpha = 0.5</span>'),
    ("model/MLmodel", "scikit-learn=="),
])
def test_artifact_previews(client, seeded, path, expected):
    page = client.get(f"/runs/{seeded[1]['run_ids'][0]}/artifacts", params={"path": path})
    assert page.status_code == 200 and expected in page.text


def test_artifact_download_is_an_attachment_with_a_sandbox(client, seeded):
    run_id = seeded[1]["run_ids"][0]
    download = client.get(f"/runs/{run_id}/artifact", params={"path": "plots/box.svg"})
    assert download.status_code == 200 and download.content.startswith(b"<svg")
    assert "attachment" in download.headers["content-disposition"]
    assert "sandbox" in download.headers["content-security-policy"]
    image = client.get(f"/runs/{run_id}/artifact", params={"path": "plots/residuals.png", "inline": "1"})
    assert image.headers["content-type"] == "image/png" and image.content[:4] == b"\x89PNG"
    assert client.get(f"/runs/{run_id}/artifact", params={"path": "../../etc/passwd"}).status_code == 400


def test_metric_data_is_downsampled_json(client, seeded):
    from ._seed import long_metric_run

    run_id = long_metric_run(seeded[0], seeded[1]["experiment_id"], 200_000)
    answer = client.get("/ui/data/metric", params={"run": run_id, "key": "loss", "points": "1000"}).json()
    series = answer["series"][0]
    assert series["total"] == 200_000 and series["shown"] <= 1001
    spike = series["x"].index(50_000)  # the one-point spike survives the downsampling
    assert series["y"][spike] == pytest.approx(1 / 51 + 0.5)
    zoomed = client.get("/ui/data/metric", params={"run": run_id, "key": "loss", "min": "100", "max": "200"}).json()
    assert zoomed["series"][0]["x"][:2] == [99, 100] and zoomed["series"][0]["shown"] == 103
    over_time = client.post("/ui/data/metric", data={"run": run_id, "key": "loss", "x": "time", "points": "100"})
    assert over_time.json()["series"][0]["x"][0] == pytest.approx(1_700_000_000.0)
    assert client.get("/ui/data/metric", params={"run": run_id}).status_code == 400
    assert client.get("/ui/data/metric", params={"run": "nope", "key": "loss"}).status_code == 404
    client.post(f"/experiments/{seeded[1]['experiment_id']}/runs/delete", data={"run": run_id})


def test_compare_marks_differences_and_carries_the_plot_data(client, seeded):
    run_ids = seeded[1]["run_ids"][:3]
    page = client.get("/compare", params=[("experiment", seeded[1]["experiment_id"])] + [("run", r) for r in run_ids])
    assert page.status_code == 200
    assert "Compare 3 runs" in page.text and 'class="num diff"' in page.text
    assert "identical row" not in page.text  # every row differs: no link to show none
    data_url = re.search(r'<div id="compare-data" data-src="([^"]+)"', page.text).group(1)
    plot = client.get(unescape(data_url)).json()
    assert [run["id"] for run in plot["runs"]] == run_ids
    assert plot["columns"]["params.alpha"] == [0.1, 0.05, 0.3] and "metrics.rmse" in plot["metrics"]
    matching = client.get("/compare", params={"experiment": seeded[1]["experiment_id"], "filter": "metrics.rmse < 0.5"})
    assert "Compare" in matching.text and matching.status_code == 200
    assert client.get("/compare").status_code == 400


def test_promotion_takes_a_confirmation_then_changes_the_stage(client, seeded):
    from ._seed import MODEL

    url = f"/models/{MODEL}/versions/2"
    confirm = client.post(f"{url}/stage", data={"stage": "production"})
    assert confirm.status_code == 200 and "Confirm" in confirm.text
    assert ">None</span>" in client.get(url).text  # nothing changed yet
    done = client.post(f"{url}/stage", data={"stage": "Production", "confirmed": "1"}, follow_redirects=True)
    assert 'id="stage">Production<' in done.text
    aliased = client.post(f"{url}/alias", data={"alias": "champion", "confirmed": "1"}, follow_redirects=True)
    assert "@champion" in aliased.text
    assert "@champion" in client.get(f"/models/{MODEL}").text and "v2 · Production" in client.get("/models").text
    described = client.post(f"{url}/description", data={"description": "the taxi model"}, follow_redirects=True)
    assert "the taxi model" in described.text
    bad = client.post(f"{url}/stage", data={"stage": "Prod", "confirmed": "1"})
    assert bad.status_code == 400 and "Invalid stage" in bad.text


def test_description_edit_and_delete_restore(client, seeded):
    run_id, experiment_id = seeded[1]["run_ids"][2], seeded[1]["experiment_id"]
    page = client.post(f"/runs/{run_id}/description?back=/runs/{run_id}", data={"description": "baseline"},
                       follow_redirects=True)
    assert '<div class="description">baseline</div>' in page.text
    back = f"/experiments/{experiment_id}?filter=params.solver+%3D+%27lbfgs%27"
    deleted = client.post(f"/experiments/{experiment_id}/runs/delete", params={"back": back}, data={"run": run_id},
                          follow_redirects=False)
    assert deleted.status_code == 303 and deleted.headers["location"] == back  # the same table, filter kept
    assert "run-2" not in _rows(client.get(f"/experiments/{experiment_id}").text)
    assert _rows(client.get(f"/experiments/{experiment_id}?view=deleted").text)[-1] == "run-2"
    client.post(f"/experiments/{experiment_id}/runs/restore", data={"run": run_id})
    assert "run-2" in _rows(client.get(f"/experiments/{experiment_id}").text)


def test_a_read_token_sees_no_write_actions_and_is_refused_them(seeded):
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.testclient import TestClient

    from autolog.tracking.stores import get_store
    from autolog.ui import routes

    async def read_only(request, call_next):
        request.state.role = "read"
        return await call_next(request)

    app = Starlette(routes=routes(), middleware=[Middleware(BaseHTTPMiddleware, dispatch=read_only)])
    app.state.store = get_store(seeded[0])
    from ._seed import MODEL

    with TestClient(app) as reader:
        version = reader.get(f"/models/{MODEL}/versions/1")
        assert version.status_code == 200 and "Change stage" not in version.text and "read-only" in version.text
        assert "Delete selected" not in reader.get(f"/experiments/{seeded[1]['experiment_id']}").text
        refused = reader.post(f"/models/{MODEL}/versions/1/stage", data={"stage": "Archived", "confirmed": "1"})
        assert refused.status_code == 403
        assert reader.post(f"/runs/{seeded[1]['run_ids'][0]}/description", data={"description": "x"}).status_code == 403
    assert get_store(seeded[0]).get_model_version(MODEL, 1).current_stage != "Archived"


def test_a_change_from_another_site_is_refused(client, seeded):
    answer = client.post(f"/runs/{seeded[1]['run_ids'][0]}/description", data={"description": "pwned"},
                         headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403


def test_login_sets_the_token_cookie_and_only_redirects_locally(client):
    page = client.get("/login?next=/models")
    assert 'name="token"' in page.text and 'value="/models"' in page.text
    answer = client.post("/login", data={"token": "s3cret", "next": "/models"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/models"
    cookie = answer.headers["set-cookie"]
    assert "autolog_token=s3cret" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    elsewhere = client.post("/login", data={"token": "t", "next": "//evil.example/"}, follow_redirects=False)
    assert elsewhere.headers["location"] == "/"
    assert client.post("/login", data={"token": ""}).status_code == 400


def test_static_files_are_served_compressed_and_pages_name_no_other_host(client):
    from pathlib import Path

    script = client.get("/static/vendor/echarts.min.js", headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200 and script.headers["content-encoding"] == "gzip"
    assert client.get("/static/../_render.py").status_code == 404
    ui = Path(__file__).parents[2] / "autolog" / "ui"
    for path in [*ui.glob("templates/*.html"), *ui.glob("static/*.js"), *ui.glob("static/*.css")]:
        text = path.read_text()
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), path.name
        assert "@import" not in text and "fonts.googleapis" not in text, path.name


def test_behind_the_servers_token_auth_the_login_page_lets_a_reader_in(seeded):
    server = pytest.importorskip("autolog.server", reason="the tracking server is not in this build")
    from starlette.testclient import TestClient

    from autolog.tracking.stores import get_store

    from ._seed import MODEL

    _, secret = get_store(seeded[0]).create_access_token("ui-reader", "read")
    app = server.create_app(seeded[0], None, True)
    experiment = f"/experiments/{seeded[1]['experiment_id']}"
    with TestClient(app, base_url="http://127.0.0.1") as browser:
        bounced = browser.get(experiment, headers={"Accept": "text/html"}, follow_redirects=False)
        assert bounced.status_code == 303 and bounced.headers["location"].startswith("/login?next=")
        assert browser.get("/static/app.css").status_code == 200
        logged_in = browser.post("/login", data={"token": secret, "next": experiment})
        assert logged_in.status_code == 200 and "run-0" in logged_in.text and "read-only" in logged_in.text
        assert "Delete selected" not in logged_in.text and "Log out" in logged_in.text
        refused = browser.post(f"/models/{MODEL}/versions/1/stage", data={"stage": "Archived", "confirmed": "1"})
        assert refused.status_code == 403
        browser.cookies.set("autolog_token", "wrong")
        again = browser.get(experiment, headers={"Accept": "text/html"})
        assert "was not accepted" in again.text
