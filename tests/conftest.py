"""Every test gets its own tracking store in a temporary directory, and autolog runs in strict mode."""

import os

import pytest

os.environ["AUTOLOG_STRICT"] = "1"  # hook errors raise instead of warning (see autolog._patching)
# Runs record the git state of the code they start from; the test runner's own checkout (dirty or not)
# must not leak into the tests: git stops looking for a repository at this project's root.
os.environ["GIT_CEILING_DIRECTORIES"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytest_plugins = ["tests.fixtures_postgres", "tests.fixtures_s3"]


@pytest.fixture(autouse=True)
def tracking_dir(tmp_path, monkeypatch):
    """Run the test inside ``tmp_path`` with ``tmp_path/mlruns`` as the tracking store; yield that directory."""
    import autolog.tracking.fluent as fluent
    from autolog.tracking import tracking_uri

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUTOLOG_TRACKING_URI", raising=False)
    monkeypatch.delenv("AUTOLOG_EXPERIMENT_NAME", raising=False)
    for name in ("AUTOLOG_EXPERIMENT_ID", "AUTOLOG_RUN_ID", "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME",
                 "MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    store_dir = tmp_path / "mlruns"
    tracking_uri.set_tracking_uri(str(store_dir))
    yield store_dir
    while fluent.active_run() is not None:
        fluent.end_run()
    tracking_uri.set_tracking_uri(None)
