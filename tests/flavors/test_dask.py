"""``flavors.pyfunc.dask_predict`` on a Dask LocalCluster: results equal to in-process predict."""

import numpy as np
import pytest

import flavors
from tests.serving.conftest import COLUMNS, expected, make_frame, models  # noqa: F401 - models: a fixture

dd = pytest.importorskip("dask.dataframe", reason="dask is not installed (the [dask] extra)")
distributed = pytest.importorskip("distributed", reason="distributed is not installed (the [dask] extra)")


@pytest.fixture(scope="module")
def client():
    """A LocalCluster with in-process workers (light), shared by the module."""
    with distributed.LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as connected:
        yield connected


@pytest.mark.parametrize("flavor", ["xgboost", "lightgbm", "sklearn"])
def test_partitions_score_like_in_process_predict(client, models, flavor):
    frame = make_frame(500)
    data = dd.from_pandas(frame, npartitions=4)
    scored = data.assign(prediction=flavors.pyfunc.dask_predict(data, models[flavor])).compute()
    assert scored["id"].tolist() == list(range(500))
    np.testing.assert_allclose(scored["prediction"], expected(models[flavor], frame), rtol=1e-6)


def test_multi_output_model_gives_a_dataframe(client, models):
    frame = make_frame(60)
    result = flavors.pyfunc.dask_predict(dd.from_pandas(frame, npartitions=3), models["custom"],
                                         columns=COLUMNS).compute()
    assert list(result.columns) == ["low", "high"]
    np.testing.assert_allclose(result["high"], expected(models["custom"], frame)["high"])


def test_not_a_dask_dataframe_is_refused(models):
    with pytest.raises(ValueError, match="scores a Dask DataFrame"):
        flavors.pyfunc.dask_predict(make_frame(3), models["xgboost"])
