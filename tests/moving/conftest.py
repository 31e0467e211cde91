"""Real MLflow stores, built once per test session by MLflow's own interpreter ($AUTOLOG_MLFLOW_PYTHON)."""

import json
import os
import subprocess
import sys

import pytest

MLFLOW_PYTHON = os.environ.get("AUTOLOG_MLFLOW_PYTHON")
BUILDER = os.path.join(os.path.dirname(__file__), "mlflow_stores.py")


@pytest.fixture(scope="session")
def mlflow_stores(tmp_path_factory):
    """(directory, report): DIRECTORY/mlflow.db with ./mlruns artifacts and DIRECTORY/fstore, built by the
    real MLflow, and MLflow's own account of every run, metric point, version and prediction."""
    if not MLFLOW_PYTHON:
        pytest.skip("AUTOLOG_MLFLOW_PYTHON names no interpreter with MLflow")
    root = tmp_path_factory.mktemp("mlflow-stores")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MLFLOW_TRACKING_URI")}
    result = subprocess.run([MLFLOW_PYTHON, BUILDER, str(root)], capture_output=True, text=True, cwd=root,
                            env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return root, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def run_cli(capsys):
    """Run the ``autolog`` command in this process; return (exit status, stdout, stderr)."""
    from autolog.cli import main

    def run(*argv):
        status = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    assert "mlflow" not in sys.modules
    return run
