"""autolog.statsmodels(): what a model's fit records, the statsmodels flavor, and the shared contract."""

import re

import numpy as np
import pandas as pd
import pytest

import autolog
import flavors
from autolog.testing import IntegrationContract

sm = pytest.importorskip("statsmodels.api")
smf = pytest.importorskip("statsmodels.formula.api")

RNG = np.random.default_rng(0)
FRAME = pd.DataFrame(RNG.random((60, 2)), columns=["a", "b"])
FRAME["y"] = FRAME.a * 2 + FRAME.b + RNG.normal(0, 0.1, 60)
EXOG = sm.add_constant(FRAME[["a", "b"]])


class TestStatsmodelsContract(IntegrationContract):
    framework = "statsmodels"
    train_script = """
        import numpy as np, statsmodels.api as sm
        X = sm.add_constant(np.random.default_rng(0).random((30, 2)))
        sm.OLS(X @ [1.0, 2.0, 3.0], X).fit()
    """

    def train(self):
        return sm.OLS(FRAME.y, EXOG).fit()

    def predict(self, model):
        return np.asarray(model.predict(EXOG))

    def train_raising(self, error):
        def raise_error(*args):
            raise error

        return sm.GLM(FRAME.y, EXOG).fit(method="newton", max_start_irls=0, callback=raise_error)


@pytest.fixture(autouse=True)
def _disable():
    yield
    autolog.statsmodels(disable=True)


def test_ols_logs_statistics_coefficients_summary_and_model():
    autolog.statsmodels()
    results = sm.OLS(FRAME.y, EXOG).fit()
    run = autolog.last_active_run()
    metrics = run.data.metrics
    assert run.data.params["model_class"] == "statsmodels.regression.linear_model.OLS"
    for name in ("aic", "bic", "llf", "rsquared", "rsquared_adj"):
        assert metrics[name] == pytest.approx(getattr(results, name))
    assert metrics["coef.a"] == pytest.approx(results.params["a"])
    client = autolog.Client()
    with open(client.download_artifacts(run.info.run_id, "summary.txt")) as handle:
        summary = handle.read().splitlines()
    assert summary[0].strip() == "OLS results"
    (rsquared,) = re.findall(r"(?:^|\s)rsquared:\s+(\S+)", "\n".join(summary))
    assert float(rsquared) == pytest.approx(results.rsquared, abs=1e-4)
    for name in results.params.index:  # coef, std err, t, P>|t|, [0.025, 0.975] of each coefficient
        (row,) = [line.split() for line in summary if line.split()[:1] == [name]]
        low, high = results.conf_int().loc[name]
        expected = [results.params[name], results.bse[name], results.tvalues[name], results.pvalues[name], low, high]
        assert [float(cell) for cell in row[1:]] == pytest.approx(expected, rel=1e-3, abs=1e-4)
    loaded = flavors.statsmodels.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(loaded.predict(EXOG), results.predict(EXOG))
    pyfunc = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(pyfunc.predict(EXOG.head(5)), results.predict(EXOG.head(5)))
    assert pyfunc.metadata.flavors["statsmodels"]["data"] == "model.statsmodels"


def test_formula_logit_logs_its_formula_and_pseudo_r2_once():
    autolog.statsmodels(log_models=False)
    data = FRAME.assign(label=(FRAME.y > FRAME.y.median()).astype(int))
    results = smf.logit("label ~ a + b", data).fit(disp=0)
    (run,) = autolog.search_runs(output_format="list")
    assert run.data.params["formula"] == "label ~ a + b" and run.data.params["disp"] == "0"
    assert run.data.metrics["prsquared"] == pytest.approx(results.prsquared)
    assert "rsquared" not in run.data.metrics


def test_time_series_model_fits_once_and_loads_with_start_and_end():
    autolog.statsmodels()
    series = np.cumsum(RNG.normal(size=40))
    results = sm.tsa.arima.ARIMA(series, order=(1, 0, 0)).fit()
    (run,) = autolog.search_runs(output_format="list")
    assert run.data.metrics["aic"] == pytest.approx(results.aic)
    pyfunc = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_allclose(pyfunc.predict(pd.DataFrame({"start": [40], "end": [42]})),
                               results.predict(start=40, end=42))


def test_run_is_complete_when_fit_returns_in_few_store_writes(monkeypatch):
    import json
    import os

    from tests._store_writes import count_write_transactions

    autolog.statsmodels()
    sm.OLS(FRAME.y, EXOG).fit()  # the first fit opens the store
    writes = count_write_transactions(monkeypatch)
    results = sm.OLS(FRAME.y, EXOG).fit()
    # the run with its dataset input and params; its end with its metrics and the logged model, READY, as its
    # output with its log-model history
    assert len(writes) <= 2
    run = autolog.last_active_run()
    assert run.info.status == "FINISHED"
    root = autolog.Client()._repository(run.info.run_id).local_path("")
    found = sorted(os.path.relpath(os.path.join(parent, name), root)
                   for parent, _dirs, files in os.walk(root) for name in files)
    assert {"summary.txt", "datasets/train.json", "model/MLmodel", "model/model.statsmodels",
            "model/requirements.txt", "model/conda.yaml", "model/python_env.yaml"} <= set(found)
    assert not [path for path in found if ".autolog-partial-" in path]
    with open(os.path.join(root, "datasets", "train.json")) as handle:
        assert json.load(handle)["shape"] == list(EXOG.shape)
    (output,) = run.outputs.model_outputs
    logged = autolog.Client().get_logged_model(output.model_id)
    assert logged.status == "READY" and logged.source_run_id == run.info.run_id
    (entry,) = json.loads(run.data.tags["mlflow.log-model.history"])
    assert entry["model_id"] == output.model_id and "signature" not in entry
    np.testing.assert_allclose(flavors.statsmodels.load_model(f"models:/{output.model_id}").params, results.params)


@pytest.mark.parametrize("fit", [
    lambda: sm.OLS(FRAME.y, EXOG).fit(),  # t statistics
    lambda: sm.OLS(FRAME.y, EXOG).fit(cov_type="HC1"),  # z statistics
    lambda: sm.GLM(FRAME.y, EXOG).fit(),
    lambda: sm.Logit((FRAME.y > FRAME.y.mean()).astype(float), EXOG).fit(disp=0),
    lambda: sm.RLM(FRAME.y, EXOG).fit(),  # its own p-values: read from statsmodels
], ids=["ols", "ols-robust", "glm", "logit", "rlm"])
def test_summary_p_values_intervals_and_f_test_are_statsmodels_own(fit):
    from autolog.integrations._statsmodels_summary import coefficient_columns
    from autolog.integrations.statsmodels import summary_metrics

    results = fit()
    columns = coefficient_columns(results)
    interval = np.asarray(results.conf_int())
    expected = [results.params, results.bse, results.tvalues, results.pvalues, interval[:, 0], interval[:, 1]]
    for column, reference in zip(columns, expected):
        np.testing.assert_allclose(column, np.asarray(reference, dtype=float), rtol=1e-12)
    if hasattr(results, "f_pvalue"):
        assert summary_metrics(results)["f_pvalue"] == pytest.approx(results.f_pvalue, rel=1e-12)


def test_model_written_with_the_run_end_is_ready_and_loads_by_model_uri(monkeypatch):
    """The model of a call that started its run goes to the store with the run's end; with a store that cannot
    write it in that transaction (set here on the real store), it is written just before it, the same."""
    import json

    autolog.statsmodels()
    store = autolog.Client()._store
    for combined in (True, False):
        monkeypatch.setattr(store, "finishes_runs_with_models", combined)
        results = sm.OLS(FRAME.y, EXOG).fit()
        run = autolog.last_active_run()
        assert run.info.status == "FINISHED"
        (output,) = run.outputs.model_outputs
        logged = autolog.Client().get_logged_model(output.model_id)
        assert logged.status == "READY" and logged.source_run_id == run.info.run_id
        (entry,) = json.loads(run.data.tags["mlflow.log-model.history"])
        assert entry["model_id"] == output.model_id
        np.testing.assert_allclose(flavors.statsmodels.load_model(f"models:/{output.model_id}").params,
                                   results.params)


def test_model_logged_in_a_user_run_or_registered_is_written_at_once():
    autolog.statsmodels(registered_model_name="ols-model")
    sm.OLS(FRAME.y, EXOG).fit()
    (version,) = autolog.Client().search_model_versions("name='ols-model'")
    (output,) = autolog.Client().get_run(version.run_id).outputs.model_outputs
    assert autolog.Client().get_logged_model(output.model_id).status == "READY"
    assert version.source == f"models:/{output.model_id}"
    autolog.statsmodels()
    with autolog.start_run() as run:
        sm.OLS(FRAME.y, EXOG).fit()
        (output,) = autolog.Client().get_run(run.info.run_id).outputs.model_outputs  # in the store before the end
        assert autolog.Client().get_logged_model(output.model_id).status == "READY"


@pytest.mark.slow
def test_fit_logged_to_a_tracking_server_writes_its_model_as_log_model_does(tmp_path):
    """A REST store has no run-end write for models: the model is written when it is logged, READY."""
    pytest.importorskip("uvicorn")
    from tests.server.conftest import Server

    server = Server(tmp_path / "server-store")
    try:
        autolog.set_tracking_uri(server.url)
        autolog.statsmodels()
        results = sm.OLS(FRAME.y, EXOG).fit()
        run = autolog.last_active_run()
        (output,) = run.outputs.model_outputs
        assert run.info.status == "FINISHED"
        assert autolog.Client().get_logged_model(output.model_id).status == "READY"
        np.testing.assert_allclose(flavors.statsmodels.load_model(f"models:/{output.model_id}").params,
                                   results.params)
    finally:
        server.stop()
