"""``build-env`` and ``--env-manager virtualenv``: an environment per set of requirements, reused, re-entered."""

import os
import subprocess
import sys

import pytest

from autolog.serving._env import ENV_ROOT_VARIABLE, _READY_MARKER, build_env, env_dir_for, env_python

from .conftest import make_frame

pd = pytest.importorskip("pandas")


def _fake_ready_env(env_dir: str) -> None:
    """An environment marked as built whose interpreter is this one (no packages to download)."""
    python = env_python(env_dir)
    os.makedirs(os.path.dirname(python), exist_ok=True)
    with open(python, "w") as script:
        script.write(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    os.chmod(python, 0o755)
    open(os.path.join(env_dir, _READY_MARKER), "w").close()


def test_env_is_keyed_by_requirements_and_reused(models, tmp_path):
    first = env_dir_for(models["xgboost"], str(tmp_path))
    assert first == env_dir_for(models["xgboost"], str(tmp_path))
    assert first != env_dir_for(models["sklearn"], str(tmp_path))
    assert os.path.basename(first).startswith(f"py{sys.version_info[0]}.{sys.version_info[1]}-")
    _fake_ready_env(first)
    assert build_env(models["xgboost"], env_root=str(tmp_path)) == first


def test_predict_with_env_manager_virtualenv_runs_inside_the_env(models, tmp_path):
    env_root = tmp_path / "envs"
    _fake_ready_env(env_dir_for(models["lightgbm"], str(env_root)))
    make_frame(30).to_parquet(tmp_path / "in.parquet")
    env = dict(os.environ, **{ENV_ROOT_VARIABLE: str(env_root)})
    done = subprocess.run([sys.executable, "-m", "autolog.cli", "models", "predict", "-m", models["lightgbm"],
                           "-i", "in.parquet", "-o", "out.csv", "--env-manager", "virtualenv", "--keep-columns"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "scored 30 rows" in done.stdout
    assert list(pd.read_csv(tmp_path / "out.csv").columns) == ["a", "b", "c", "id", "prediction"]


def test_missing_requirements_file_is_a_clear_error(models, tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(models["sklearn"], model)
    os.remove(model / "requirements.txt")
    with pytest.raises(LookupError, match="has no requirements.txt"):
        build_env(str(model), env_root=str(tmp_path / "envs"))


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("AUTOLOG_TEST_BUILD_ENV") != "1",
                    reason="builds a virtualenv from the package index (minutes); set AUTOLOG_TEST_BUILD_ENV=1")
def test_build_env_installs_the_pinned_requirements(models, tmp_path):
    env_dir = build_env(models["custom"], env_root=str(tmp_path))
    code = "import autolog, flavors, pandas, pyarrow, starlette, uvicorn; print('ok')"
    done = subprocess.run([env_python(env_dir), "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
