"""The store-level tests run against every SQL store: SQLite, and PostgreSQL when a server can be started.

``tracking_dir`` is the store of the test: the ``mlruns`` directory (a Path) on SQLite, or the
URI of an empty PostgreSQL schema (a str, artifacts under ``tmp_path/artifacts``). Tests of
SQLite's own files, API behaviour above the store, and tests that bring their own store are
marked ``single_store``.
"""

import pytest

STORE_KINDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "single_store: the test runs once, not once per store (SQLite files, no store, its own store)")


def pytest_generate_tests(metafunc):
    if "tracking_dir" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("single_store"):
        metafunc.parametrize("tracking_dir", STORE_KINDS, indirect=True)


@pytest.fixture(autouse=True)
def tracking_dir(request, tracking_dir, tmp_path, monkeypatch):
    """The parent fixture's directory store, or a fresh PostgreSQL schema as the tracking URI."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield tracking_dir
        return
    import autolog.tracking.fluent as fluent
    from autolog.tracking import stores, tracking_uri

    uri = request.getfixturevalue("postgres_server").new_uri()
    monkeypatch.setenv("AUTOLOG_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    monkeypatch.setenv("AUTOLOG_TRACKING_URI", uri)  # for the subprocesses some tests start
    tracking_uri.set_tracking_uri(uri)
    yield uri
    while fluent.active_run() is not None:
        fluent.end_run()
    tracking_uri.set_tracking_uri(None)
    for key in [key for key in stores._stores if key[0] == uri]:
        stores._stores.pop(key).close()


@pytest.fixture
def artifact_root(tracking_dir, tmp_path) -> str:
    """Where the test's store puts experiments' artifact folders."""
    return str(tracking_dir / "artifacts") if not isinstance(tracking_dir, str) else str(tmp_path / "artifacts")
