"""A search's trial runs through the REST store: written whole by the store's fallback (create, one batch,
end), complete on the server."""

import numpy as np
import pytest

import autolog


def test_a_hyperopt_search_through_a_server_logs_complete_trial_runs(module_server):
    from tests.integrations._searches import parent_and_children

    hyperopt = pytest.importorskip("hyperopt")
    autolog.set_tracking_uri(module_server.url)
    autolog.set_experiment("rest-trials")
    autolog.hyperopt()
    try:
        hyperopt.fmin(lambda x: (x - 1) ** 2, hyperopt.hp.uniform("x", -2, 2), algo=hyperopt.tpe.suggest,
                      max_evals=3, rstate=np.random.default_rng(0), show_progressbar=False)
        (parent,), children = parent_and_children()
    finally:
        autolog.hyperopt(disable=True)
    assert [child.info.run_name for child in children] == ["trial-0", "trial-1", "trial-2"]
    for child in children:
        assert child.info.status == "FINISHED" and child.info.end_time >= child.info.start_time
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.data.metrics["loss"] == pytest.approx((float(child.data.params["x"]) - 1) ** 2)
    assert parent.data.tags["autolog.best_trial_run_id"] in {child.info.run_id for child in children}
