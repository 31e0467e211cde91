"""The guarantees every integration keeps, as a pytest base class a plugin's suite inherits.

An integration's test module subclasses ``IntegrationContract`` in a few lines:

    from autolog.testing import IntegrationContract

    class TestTinyMLContract(IntegrationContract):
        framework = "tinyml"          # the integration's name (autolog.integration("tinyml"))
        def train(self): ...          # a small deterministic training through the patched API
        def predict(self, model): ... # predictions (an array) of what train() returned
        def train_raising(self, error): ...  # a training during which the user's code raises ``error``
        train_script = "..."          # the same training as a script, for the import-order test

The base checks: import before/after enabling, enable twice, disable, re-enable,
never double-wrapped, unchanged results and exceptions, user vs managed runs,
and one warning (never a failed training) for each injected fault. Each test runs
in a fresh tracking store under pytest's ``tmp_path`` with ``AUTOLOG_STRICT=1``
(a bug in a hook raises instead of warning). Set ``flavor = None`` when the
integration logs no model, ``uses_metric_keys = False`` when it logs no metric
through ``autolog.integrations._common.metric_key``, ``logs_artifacts = False`` when
its runs get no files.

Importing this module needs pytest; autolog itself never imports it.
"""

import importlib
import logging
import os
import subprocess
import sys
import textwrap

import pytest

import autolog
from autolog.integrations import get_integration

__all__ = ["IntegrationContract", "isolated_tracking_store"]

_PARENT_TAG = "mlflow.parentRunId"
_STORE_VARIABLES = ("AUTOLOG_TRACKING_URI", "AUTOLOG_EXPERIMENT_NAME", "AUTOLOG_EXPERIMENT_ID", "AUTOLOG_RUN_ID",
                    "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID")


def isolated_tracking_store(tmp_path, monkeypatch):
    """Generator for a pytest fixture: work in ``tmp_path`` with ``tmp_path/mlruns`` as the tracking store.

    Clears the variables that would point runs elsewhere, yields the store directory, and afterwards
    ends every run left active and forgets the tracking URI.
    """
    from autolog.tracking import fluent, tracking_uri

    monkeypatch.chdir(tmp_path)
    for name in _STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    store_dir = tmp_path / "mlruns"
    tracking_uri.set_tracking_uri(str(store_dir))
    yield store_dir
    while fluent.active_run() is not None:
        fluent.end_run()
    tracking_uri.set_tracking_uri(None)


def _warnings(caplog):
    return [r for r in caplog.records if r.name.startswith("autolog") and r.levelno >= logging.WARNING]


class IntegrationContract:
    """Subclass with ``framework``, ``train``, ``predict``, ``train_raising`` and ``train_script``."""

    framework = ""
    train_script = ""
    flavor = ""  # flavors.<name> saves the model ("" means ``framework``; a dotted name is the module; None: none)
    uses_metric_keys = True
    logs_artifacts = True  # False when a run gets no files (then an unwritable artifact root is no fault)

    def enable(self, **options):
        """Turn the integration on (or off with ``disable=True``)."""
        self.integration.enable(**options)

    def train(self):
        raise NotImplementedError

    def predict(self, model):
        raise NotImplementedError

    def train_raising(self, error):
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _disable_after(self):
        yield
        self.enable(disable=True)

    @pytest.fixture
    def tracking_dir(self, tmp_path, monkeypatch):
        """A fresh store ``tmp_path/mlruns`` for each test, strict mode, and no run left active after it."""
        monkeypatch.setenv("AUTOLOG_STRICT", "1")
        yield from isolated_tracking_store(tmp_path, monkeypatch)

    @pytest.fixture(autouse=True)
    def _isolated_store(self, tracking_dir):
        yield

    @property
    def integration(self):
        return get_integration(self.framework)

    def _runs(self):
        """The top-level runs of the store (a search's trial runs are its children)."""
        runs = autolog.search_runs(output_format="list")
        return [run for run in runs if _PARENT_TAG not in run.data.tags]

    def test_enable_before_import_in_a_fresh_process(self, tmp_path):
        script = textwrap.dedent(f"""
            import sys, autolog
            autolog.integration({self.framework!r}).enable(log_models=False)
            assert {self.integration.module!r} not in sys.modules
            {textwrap.indent(textwrap.dedent(self.train_script), "            ").strip()}
            run = autolog.last_active_run()
            assert run.info.status == "FINISHED", run.info.status
            assert run.data.tags["mlflow.autologging"] == {self.framework!r}
            print("ok", len(run.data.params), len(run.data.metrics))
        """)
        env = {**os.environ, "AUTOLOG_TRACKING_URI": str(tmp_path / "fresh")}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ok")

    def test_enable_after_import_logs_a_finished_run(self):
        self.enable()
        self.train()
        (run,) = self._runs()
        assert run.info.status == "FINISHED" and run.data.params
        assert run.data.tags["mlflow.autologging"] == self.framework
        module = self.integration.module
        version = importlib.import_module(module).__version__
        assert run.data.tags[f"autolog.{module}_version"] == version
        assert autolog.last_active_run().info.run_id == run.info.run_id

    def test_enable_twice_never_double_wraps(self):
        self.enable()
        first = self.integration.patches
        self.enable()
        assert self.integration.patches == first
        for patch in first:
            assert patch.is_installed()
            assert patch.wrapper.__wrapped__ is patch.original
        self.train()
        assert len(self._runs()) == 1

    def test_disable_restores_every_original_exactly(self):
        self.enable()
        patches = self.integration.patches
        assert patches
        self.enable(disable=True)
        self.enable(disable=True)
        for patch in patches:
            current = patch.owner.__dict__.get(patch.name)
            assert current is patch.original
        self.train()
        assert self._runs() == []

    def test_reenable_after_disable(self):
        self.enable()
        self.enable(disable=True)
        self.enable()
        self.train()
        assert len(self._runs()) == 1

    def test_results_are_identical_to_plain_training(self):
        plain = self.predict(self.train())
        self.enable()
        logged = self.predict(self.train())
        assert (plain == logged).all()

    def test_inside_a_user_run_logs_into_it(self):
        self.enable()
        with autolog.start_run() as run:
            self.train()
            assert autolog.active_run().info.run_id == run.info.run_id
        (stored,) = self._runs()
        assert stored.data.params and stored.data.tags["mlflow.autologging"] == self.framework

    def test_each_call_outside_a_run_gets_its_own_run(self):
        self.enable()
        self.train()
        self.train()
        runs = self._runs()
        assert len(runs) == 2 and all(run.info.status == "FINISHED" for run in runs)

    def test_user_exception_propagates_unchanged_and_the_run_fails(self):
        self.enable()
        error = RuntimeError("raised by the user's code")
        with pytest.raises(RuntimeError) as raised:
            self.train_raising(error)
        assert raised.value is error
        assert autolog.last_active_run().info.status == "FAILED"
        assert autolog.active_run() is None

    # -- injected faults: each is one warning and training completes -------------------
    def _assert_one_warning(self, caplog, monkeypatch, **options):
        monkeypatch.setenv("AUTOLOG_STRICT", "0")
        plain = self.predict(self.train())
        self.enable(**options)
        with caplog.at_level(logging.WARNING):
            logged = self.predict(self.train())
        assert (plain == logged).all()
        assert len(_warnings(caplog)) == 1, [r.getMessage() for r in _warnings(caplog)]
        assert autolog.active_run() is None
        return _warnings(caplog)[0].getMessage()

    def test_fault_corrupt_database(self, caplog, monkeypatch, tmp_path):
        store = tmp_path / "corrupt"
        store.mkdir()
        (store / "tracking.db").write_bytes(b"this is not a database" * 100)
        autolog.set_tracking_uri(str(store))
        self._assert_one_warning(caplog, monkeypatch)

    def test_fault_file_where_the_store_folder_should_be(self, caplog, monkeypatch, tmp_path):
        (tmp_path / "blocked").write_text("a file")
        autolog.set_tracking_uri(str(tmp_path / "blocked" / "mlruns"))
        self._assert_one_warning(caplog, monkeypatch)

    def test_fault_artifact_root_is_a_file(self, caplog, monkeypatch, tracking_dir):
        if not self.logs_artifacts:
            pytest.skip("this integration logs no artifact")
        autolog.Client().search_experiments()
        artifacts = tracking_dir / "artifacts"
        if artifacts.exists():
            artifacts.rmdir()
        artifacts.write_text("a file where the artifact folder should be")
        self._assert_one_warning(caplog, monkeypatch)
        (run,) = self._runs()
        assert run.info.status == "FINISHED" and run.data.params and run.data.metrics

    def test_fault_model_cannot_be_serialised(self, caplog, monkeypatch):
        import pickle

        if self.flavor is None:
            pytest.skip("this integration logs no model")
        name = self.flavor or self.framework
        flavor = importlib.import_module(name if "." in name else f"flavors.{name}")

        def refuse(*args, **kwargs):
            raise pickle.PicklingError("cannot serialise this model")

        monkeypatch.setattr(flavor, "save_model", refuse)
        message = self._assert_one_warning(caplog, monkeypatch)
        assert "cannot serialise this model" in message
        assert self._runs()[0].info.status == "FINISHED"

    def test_fault_a_bug_in_the_metric_callback(self, caplog, monkeypatch):
        from autolog.integrations import _common

        if not self.uses_metric_keys:
            pytest.skip("this integration logs no metric through metric_key")

        def broken(name):
            raise KeyError("bug in metric naming")

        monkeypatch.setattr(_common, "metric_key", broken)
        message = self._assert_one_warning(caplog, monkeypatch)
        assert "bug in metric naming" in message

    def test_a_bug_raises_in_strict_mode(self, monkeypatch):
        from autolog.integrations import _common

        def broken(call, params, tags):
            raise KeyError("bug in param logging")

        monkeypatch.setattr(_common, "log_params_and_tags", broken)
        self.enable()
        with pytest.raises(KeyError, match="bug in param logging"):
            self.train()
        assert autolog.active_run() is None
