"""Plugins by entry point: the example package under examples/ is pip-installed and found; a broken one warns."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "autolog-tinyml"


def _python(code: str, site: Path, cwd: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
           "AUTOLOG_TRACKING_URI": str(cwd / "mlruns"), "AUTOLOG_STRICT": "1"}
    command = [sys.executable, *(args or ("-c", textwrap.dedent(code)))]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    """The example plugin pip-installed (--no-deps) into a directory put on PYTHONPATH."""
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel", reason="building the example plugin needs wheel (in the [dev] extra)")
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = work / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--disable-pip-version-check", "--target", str(site), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return site


def test_the_installed_plugin_is_found_enabled_and_its_models_load(plugin_site, tmp_path):
    done = _python("""
        import json, sys, autolog
        assert "autolog.integrations._registry" not in sys.modules  # entry points are read lazily
        integration = autolog.integration("tinyml")
        enabled = autolog.integrations.enable_all()
        assert "tinyml" not in sys.modules and integration.enabled
        import tinyml, flavors
        tinyml.train([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], epochs=5)
        run = autolog.last_active_run()
        model = flavors.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
        print(json.dumps({"type": type(integration).__name__, "enabled": enabled,
                          "params": run.data.params, "loss": run.data.metrics["loss"],
                          "history": len(autolog.Client().get_metric_history(run.info.run_id, "loss")),
                          "loader": model.loader_module, "prediction": model.predict([3.0])}))
    """, plugin_site, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["type"] == "TinyMLIntegration" and out["enabled"][-1] == "tinyml"
    assert out["params"] == {"epochs": "5", "learning_rate": "0.1"} and out["history"] == 5
    assert out["loader"] == "autolog_tinyml.flavor" and isinstance(out["prediction"][0], float)


def test_integrations_list_shows_the_plugin(plugin_site, tmp_path):
    done = _python("", plugin_site, tmp_path, "-m", "autolog.cli", "integrations", "list")
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("tinyml"))
    assert "autolog-tinyml 0.1.0" in line and ">=0.1, <1" in line and line.split()[-1] == "yes"
    assert any(line.startswith("catboost ") for line in done.stdout.splitlines())


@pytest.mark.slow
def test_the_plugin_suite_inherits_the_contract(plugin_site, tmp_path):
    done = _python("", plugin_site, tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   str(EXAMPLE / "tests"))
    assert done.returncode == 0, done.stdout[-3000:]
    assert "15 passed" in done.stdout or " passed" in done.stdout and "failed" not in done.stdout


def _fake_distribution(site: Path, name: str, entry_points: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


def test_a_broken_plugin_is_one_warning_never_an_import_error(tmp_path):
    site = tmp_path / "site"
    _fake_distribution(site, "autolog-broken", "[autolog.integrations]\nbroken = no_such_module:INTEGRATION\n"
                                               "[flavors.loaders]\nbroken.flavor = no_such_module\n")
    done = _python("""
        import json, logging, autolog, autolog.integrations
        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())

        logging.getLogger("autolog").addHandler(Collect())
        enabled = autolog.integrations.enable_all(log_models=False)
        autolog.integrations.enable_all(log_models=False)
        try:
            autolog.integration("broken")
        except autolog.integrations.PluginError as exc:
            error = str(exc)
        rows = {row["name"]: row for row in autolog.integrations.describe()}
        print(json.dumps({"enabled": enabled, "warnings": records, "error": error,
                          "row": rows["broken"]["error"] is not None}))
    """, site, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert "broken" not in out["enabled"] and "xgboost" in out["enabled"]
    assert len(out["warnings"]) == 1 and "broken" in out["warnings"][0], out["warnings"]
    assert "no_such_module" in out["error"] and out["row"]


def test_a_broken_flavor_plugin_is_a_clear_error_at_load(tmp_path):
    import flavors
    from autolog.tracking.exceptions import InvalidInputError
    from flavors import _registry

    site = tmp_path / "site"
    _fake_distribution(site, "flavor-broken", "[flavors.loaders]\nbroken.flavor = no_such_module\n")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: broken.flavor\n")
    sys.path.insert(0, str(site))
    _registry.refresh_entry_points()
    try:
        assert "broken.flavor" in _registry.known_loaders()
        with pytest.raises(InvalidInputError, match="no_such_module"):
            flavors.pyfunc.load_model(model_dir, suppress_warnings=True)
    finally:
        sys.path.remove(str(site))
        _registry.refresh_entry_points()


def test_unknown_integration_names_the_known_ones():
    import autolog

    with pytest.raises(ValueError, match="catboost"):
        autolog.integration("no-such-framework")
