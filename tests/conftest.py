"""Every test gets its own tracking store in a temporary directory, and autolog runs in strict mode."""

import os

import pytest

os.environ["AUTOLOG_STRICT"] = "1"  # hook errors raise instead of warning (see autolog._patching)
# Runs record the git state of the code they start from; the test runner's own checkout (dirty or not)
# must not leak into the tests: git stops looking for a repository at this project's root.
os.environ["GIT_CEILING_DIRECTORIES"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from autolog.testing import isolated_tracking_store  # noqa: E402  (after the variables above)

pytest_plugins = ["tests.fixtures_postgres", "tests.fixtures_s3"]


@pytest.fixture(autouse=True)
def tracking_dir(tmp_path, monkeypatch):
    """Run the test inside ``tmp_path`` with ``tmp_path/mlruns`` as the tracking store; yield that directory."""
    yield from isolated_tracking_store(tmp_path, monkeypatch)
