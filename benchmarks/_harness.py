"""Run scenarios in fresh worker processes, alternating the modes, and collect the samples.

Every repetition runs each mode in its own ``python -m benchmarks._worker``
process, in the order baseline, autolog, MLflow, so that a slow spell on the
machine hits all of them alike. Children run without ``PYTHONDONTWRITEBYTECODE``
and the project's packages are byte-compiled first, as an installed package is.
"""

from __future__ import annotations

import compileall
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._worker import RESULT_PREFIX

__all__ = ["ScenarioResult", "WorkerError", "byte_compile", "mlflow_available", "run_scenario", "run_worker"]

ROOT = Path(__file__).resolve().parent.parent
WORKER_TIMEOUT_S = {"full": 900, "quick": 120, "smoke": 60}  # per worker process


class WorkerError(RuntimeError):
    """A worker process failed; the message is the last line of its error output."""


@dataclass
class ScenarioResult:
    """The samples of one scenario: ``samples[mode][measure key]`` is a list of values, one per process."""

    scenario: object
    profile: str
    samples: dict = field(default_factory=dict)
    mlflow_status: str = "measured"
    errors: dict = field(default_factory=dict)
    seconds: float = 0.0


def mlflow_available() -> bool:
    """Whether ``import mlflow`` can work in this interpreter (the ``[bench]`` extra)."""
    return importlib.util.find_spec("mlflow") is not None


def byte_compile(packages=("autolog", "flavors", "benchmarks")) -> None:
    """Write the ``.pyc`` files of our packages, as ``pip install`` does, so no child pays for compiling."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=2)


def child_environment(workdir: str) -> dict:
    """The environment of a worker: byte-code writing on, our root importable, no telemetry, passive OpenMP."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["AUTOLOG_TRACKING_URI"] = os.path.join(workdir, "default-mlruns")
    env["MLFLOW_TRACKING_URI"] = "sqlite:///" + os.path.join(workdir, "default-mlflow.db")
    env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true", GIT_PYTHON_REFRESH="quiet")
    # Idle OpenMP threads sleep instead of spinning: on a busy machine spinning teams swing timings several-fold.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def _error_line(stderr: str) -> str:
    """The exception line of a traceback (the last one), else the last line, at most 300 characters."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Interrupt|Exit)\b", line)]
    return (errors or lines or [""])[-1][:300]


def run_worker(scenario_name: str, mode: str, profile: str, workdir: str, with_mlflow: bool = False,
               timeout: float | None = None) -> dict:
    """Run ``python -m benchmarks._worker`` once and return its ``{measure key: value}``; ``timeout`` (seconds)
    replaces the profile's default limit."""
    timeout = timeout or WORKER_TIMEOUT_S[profile]
    command = [sys.executable, "-m", "benchmarks._worker", scenario_name, mode, "--profile", profile,
               "--workdir", workdir] + (["--with-mlflow"] if with_mlflow else [])
    try:
        done = subprocess.run(command, cwd=workdir, env=child_environment(workdir), capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise WorkerError(f"timed out after {timeout:g} s") from error
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode != 0 or not lines:
        raise WorkerError(_error_line(done.stderr) or f"exit status {done.returncode}")
    return json.loads(lines[-1][len(RESULT_PREFIX):])


def _plan(scenario, profile: str, use_mlflow: bool) -> tuple:
    """The modes of each repetition and the MLflow status line."""
    ours, theirs = scenario.repeats_for(profile)
    if "mlflow" not in scenario.modes:
        status, theirs = "not measured", 0
    elif not use_mlflow:
        status, theirs = ("not installed" if not mlflow_available() else "not run"), 0
    elif theirs == 0:
        status = f"skipped in --{profile}"
    else:
        status = "measured"
    plan = [[m for m in scenario.modes if m != "mlflow"] + (["mlflow"] if i < theirs else [])
            for i in range(max(ours, theirs))]
    return plan, status


def run_scenario(scenario, profile: str, use_mlflow: bool, progress=None) -> ScenarioResult:
    """Prepare ``scenario`` once, then run its repetitions, alternating the modes; never raises for a worker."""
    started = time.perf_counter()
    plan, status = _plan(scenario, profile, use_mlflow)
    result = ScenarioResult(scenario, profile, {mode: {} for mode in scenario.modes}, status)
    workdir = tempfile.mkdtemp(prefix=f"bench-{scenario.name.replace(':', '-')}-")
    try:
        if scenario.prepare is not None:
            run_worker(scenario.name, "prepare", profile, workdir, with_mlflow=status == "measured",
                       timeout=scenario.timeouts.get(profile))
        for index, modes in enumerate(plan):
            for mode in modes:
                if mode in result.errors:
                    continue
                if progress:
                    progress(f"{scenario.name} {mode} {index + 1}/{len(plan)}")
                try:
                    values = run_worker(scenario.name, mode, profile, workdir, timeout=scenario.timeouts.get(profile))
                except WorkerError as error:
                    result.errors[mode] = str(error)
                    continue
                for key, value in values.items():
                    result.samples[mode].setdefault(key, []).append(value)
    except WorkerError as error:
        result.errors["prepare"] = str(error)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if "mlflow" in result.errors:
        result.mlflow_status = "failed: " + result.errors["mlflow"]
    result.seconds = time.perf_counter() - started
    return result
