"""The UI in a real browser (Debian's Chromium driven by Playwright) against uvicorn on 127.0.0.1:
the flow a user follows, with a screenshot of each page and no request leaving the machine.

Screenshots go to the test's temporary directory, or to $AUTOLOG_UI_SCREENSHOTS when set
(docs/ui.md shows the ones taken that way).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

pytestmark = pytest.mark.slow

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright ([dev] extra)")

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); .ci/run installs it")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server, tmp_path):
    """A 1280x800 page that records every URL it requests and fails on a script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    opened.requested, opened.errors = [], []
    opened.on("request", lambda request: opened.requested.append(request.url))
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.shots = os.environ.get("AUTOLOG_UI_SCREENSHOTS") or str(tmp_path)
    os.makedirs(opened.shots, exist_ok=True)
    yield opened
    context.close()
    assert not opened.errors, opened.errors
    outside = [url for url in opened.requested if not url.startswith((live_server + "/", "data:", "about:"))]
    assert not outside, f"pages requested other hosts: {outside}"


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join(page.shots, f"{name}.png"))


def _run_names(page) -> list:
    return page.locator("#runs tbody td.name a").all_inner_texts()


def test_runs_table_filter_sort_columns_run_chart_and_artifact(page, live_server, seeded):
    experiment_id = seeded[1]["experiment_id"]
    page.goto(live_server)
    _shot(page, "experiments")
    page.click("text=nyc-taxi")
    assert "run-0" in _run_names(page)
    _shot(page, "runs")

    page.fill("#filter", "metrics.rmse <<< 1")
    page.press("#filter", "Enter")
    sync_api.expect(page.locator("#filter-error")).to_contain_text("position")
    _shot(page, "filter-error")

    page.fill("#filter", "metrics.rmse < 0.6 and params.solver = 'lbfgs'")
    page.press("#filter", "Enter")
    sync_api.expect(page.locator("#filter-error")).to_be_empty()
    assert set(_run_names(page)) == {"run-0", "run-2", "run-6"}

    page.click("#runs thead a[title='Sort by metrics.rmse']")
    sync_api.expect(page.locator("#runs th[aria-sort='ascending']")).to_contain_text("rmse")
    assert _run_names(page) == ["run-6", "run-2", "run-0"]

    page.click("details.chooser summary")
    page.check("input[name=col][value='params.solver']")
    page.uncheck("input[name=col][value='metrics.mae']")
    page.click("text=Apply columns")
    sync_api.expect(page.locator("#runs thead")).to_contain_text("solver")
    assert "mae" not in page.locator("#runs thead").inner_text()
    assert "col=params.solver" in page.url and "sort=metrics.rmse" in page.url

    page.click("#runs >> text=run-0")
    sync_api.expect(page.locator("h1")).to_contain_text("run-0")
    chart = page.locator("figure[data-key='rmse'] .plot")
    sync_api.expect(chart).to_have_attribute("data-ready", "1")
    assert page.locator("figure[data-key='rmse'] canvas").count() == 1
    page.check("[data-control=log]")
    _shot(page, "run")

    page.click("#artifacts-h ~ ul >> text=data/")
    page.click("text=sample.csv")
    sync_api.expect(page.locator(".preview table")).to_contain_text("trip_distance")
    _shot(page, "artifact-csv")
    page.goto(f"{live_server}/runs/{seeded[1]['run_ids'][0]}/artifacts?path=model/MLmodel")
    sync_api.expect(page.locator(".preview")).to_contain_text("Signature: inputs")
    _shot(page, "artifact-mlmodel")


def test_compare_three_runs_in_every_plot_kind(page, live_server, seeded):
    page.goto(f"{live_server}/experiments/{seeded[1]['experiment_id']}?nested=0")
    for name in ("run-0", "run-1", "run-2"):
        page.locator("#runs tr", has_text=re.compile(rf"\b{name}\b")).locator("input[type=checkbox]").check()
    page.click("#compare-button")
    sync_api.expect(page.locator("h1")).to_contain_text("Compare 3 runs")
    plot = page.locator("#plot")
    for kind in ("parallel", "scatter", "contour", "lines"):
        page.click(f".tabs [data-plot={kind}]")
        sync_api.expect(plot).to_have_attribute("data-ready", "1")
        assert plot.locator("canvas").count() >= 1, kind
        assert f"plot={kind}" in page.url
        if kind == "lines":
            assert int(plot.get_attribute("data-points")) == 3 * 300  # three runs' whole histories
        _shot(page, f"compare-{kind}")
    assert page.locator("#compare-table td.diff").count() > 0


def test_promote_a_version_with_confirmation(page, live_server):
    from ._seed import MODEL

    page.goto(f"{live_server}/models")
    _shot(page, "models")
    page.click(f"text={MODEL}")
    page.click("text=Version 1")
    page.select_option("#stage-select", "Staging")
    page.click("#stage-button")
    sync_api.expect(page.locator(".confirm")).to_contain_text("to Staging")
    _shot(page, "promote-confirm")
    page.click("#confirm-button")
    sync_api.expect(page.locator("#stage")).to_have_text("Staging")
    _shot(page, "model-version")
