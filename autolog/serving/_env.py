"""Virtual environments built from a model's ``requirements.txt`` and ``python_env.yaml``.

``build_env`` creates (once; later calls reuse it) a virtualenv holding exactly the
model's pinned requirements plus autolog's scoring extras, keyed by a hash of those
requirements, the Python version and autolog's version. ``--env-manager virtualenv``
on ``models predict``/``serve`` re-runs the same command inside it, so a model scores
with the library versions it was trained with. Environments live under
``$AUTOLOG_ENV_ROOT`` (default ``~/.autolog/envs``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys

from ..tracking.exceptions import InvalidInputError, NotFoundError

__all__ = ["build_env", "env_dir_for", "env_python", "run_in_env", "ENV_ROOT_VARIABLE"]

ENV_ROOT_VARIABLE = "AUTOLOG_ENV_ROOT"
_READY_MARKER = ".autolog-env-ready"
_EXTRAS = "scoring,server"


def _env_root() -> str:
    return os.environ.get(ENV_ROOT_VARIABLE) or os.path.join(os.path.expanduser("~"), ".autolog", "envs")


def _python_version(model_dir: str) -> str:
    """``major.minor`` from python_env.yaml (the running interpreter's when the file is missing)."""
    path = os.path.join(model_dir, "python_env.yaml")
    if os.path.isfile(path):
        import yaml

        with open(path, encoding="utf-8") as handle:
            version = str((yaml.safe_load(handle) or {}).get("python") or "")
        if version:
            return ".".join(version.split(".")[:2])
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def _interpreter(version: str) -> str:
    if version == f"{sys.version_info[0]}.{sys.version_info[1]}":
        return sys.executable
    found = shutil.which(f"python{version}")
    if found is None:
        raise InvalidInputError(f"The model needs Python {version} (python_env.yaml), and no python{version} "
                                "is on PATH: install it, or score with --env-manager local")
    return found


def autolog_requirement() -> str:
    """What pip installs for autolog in a new environment: this source tree when run from one, else the release."""
    from importlib import metadata

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.isfile(os.path.join(root, "pyproject.toml")) and os.path.isdir(os.path.join(root, "flavors")):
        return f"{root}[{_EXTRAS}]"
    return f"autolog[{_EXTRAS}]=={metadata.version('autolog')}"


def _requirements(model_dir: str) -> list:
    path = os.path.join(model_dir, "requirements.txt")
    if not os.path.isfile(path):
        raise NotFoundError(f"The model at {model_dir} has no requirements.txt to build an environment from")
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]
    # autolog itself is installed from autolog_requirement(), matching the scorer that re-enters the env.
    return [line for line in lines if re.split(r"[\s<>=!~;\[@]", line, maxsplit=1)[0].lower() != "autolog"]


def env_python(env_dir: str) -> str:
    """The interpreter of the environment at ``env_dir``."""
    return os.path.join(env_dir, "Scripts" if os.name == "nt" else "bin", "python")


def env_dir_for(model_dir: str, env_root=None) -> str:
    """Where the environment of the model at ``model_dir`` lives (whether or not it is built yet)."""
    key = "\n".join([_python_version(model_dir), autolog_requirement(), *sorted(_requirements(model_dir))])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return os.path.join(env_root or _env_root(), f"py{_python_version(model_dir)}-{digest}")


def build_env(model_uri, env_root=None, log=None) -> str:
    """Create (or reuse) the virtualenv for the model at ``model_uri``; return its directory.

    ``log(text)`` hears each step. Raises NotFoundError when the model or its
    requirements.txt is missing, InvalidInputError when its Python version is not
    available, and AutologError naming pip's last line when an install fails.
    """
    from flavors._paths import resolve_model_dir

    model_dir = resolve_model_dir(model_uri)
    env_dir = env_dir_for(model_dir, env_root)
    if os.path.isfile(os.path.join(env_dir, _READY_MARKER)):
        return env_dir
    requirements, version = _requirements(model_dir), _python_version(model_dir)
    log = log or (lambda text: None)
    shutil.rmtree(env_dir, ignore_errors=True)
    os.makedirs(os.path.dirname(env_dir), exist_ok=True)
    log(f"creating {env_dir} (Python {version})")
    _run([_interpreter(version), "-m", "venv", env_dir], "create the virtualenv")
    log(f"installing {len(requirements)} requirement(s) and autolog")
    _run([env_python(env_dir), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          *requirements, autolog_requirement()], "install the model's requirements")
    with open(os.path.join(env_dir, _READY_MARKER), "w", encoding="utf-8") as handle:
        handle.write("\n".join(requirements) + "\n")
    return env_dir


def _run(command: list, what: str) -> None:
    from ..tracking.exceptions import AutologError

    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines()
                 if line.strip() and not line.startswith("WARNING:")]
        errors = [line for line in lines if "error" in line.lower() and "originates from a subprocess" not in line]
        detail = "\n".join((errors or lines)[-5:]) or f"exit status {done.returncode}"
        raise AutologError(f"Could not {what}: {detail}")


def run_in_env(model_uri, cli_arguments: list, log=None) -> None:
    """Build the model's environment and replace this process with ``python -m autolog.cli ARGS`` inside it."""
    env_dir = build_env(model_uri, log=log)
    python = env_python(env_dir)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(python, [python, "-m", "autolog.cli", *cli_arguments])
