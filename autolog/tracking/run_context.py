"""System tags every run gets: user, source, Python version and the git state of the code."""

from __future__ import annotations

import getpass
import os
import platform
import subprocess
import sys
import threading
from concurrent.futures import Future

__all__ = ["system_tags", "git_state", "SOURCE_NAME", "USER", "GIT_COMMIT", "GIT_DIRTY", "RUN_NAME"]

USER = "mlflow.user"
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
RUN_NAME = "mlflow.runName"
PARENT_RUN_ID = "mlflow.parentRunId"
GIT_COMMIT = "mlflow.source.git.commit"
GIT_BRANCH = "mlflow.source.git.branch"
GIT_REPO_URL = "mlflow.source.git.repoURL"
GIT_DIRTY = "autolog.git.dirty"
PYTHON_VERSION = "autolog.python_version"
DIFF_ARTIFACT = "code/uncommitted.diff"

_git_future = None
_git_lock = threading.Lock()


def current_user() -> str:
    """The login name of the user running this process."""
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def source_path() -> str:
    """The entry point of this process: the script path, or '<interactive>'."""
    main = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if main and os.path.isfile(main):
        return os.path.abspath(main)
    return main or "<interactive>"


def system_tags() -> dict:
    """Tags known at once for a new run (git tags come from :func:`git_state`)."""
    entry = source_path()
    return {
        USER: current_user(),
        SOURCE_NAME: entry,
        SOURCE_TYPE: "NOTEBOOK" if "ipykernel" in entry else "LOCAL",
        PYTHON_VERSION: platform.python_version(),
    }


def git_state() -> Future:
    """A future of (tags, diff text or None) for the code's git work tree, computed once per process.

    The work runs in a thread so a run never waits for git; the result is ({}, None)
    outside a work tree or without git.
    """
    global _git_future
    with _git_lock:
        if _git_future is None or _git_future_pid != os.getpid():
            _start_git_probe()
    return _git_future


_git_future_pid = None


def _start_git_probe() -> None:
    global _git_future, _git_future_pid
    future: Future = Future()
    _git_future, _git_future_pid = future, os.getpid()
    entry = source_path()
    directory = os.path.dirname(entry) if os.path.isfile(entry) else os.getcwd()

    def probe():
        try:
            future.set_result(_read_git(directory))
        except Exception:
            future.set_result(({}, None))

    threading.Thread(target=probe, name="autolog-git-probe", daemon=True).start()


def _git(directory: str, *args: str) -> str:
    completed = subprocess.run(("git", "-C", directory, *args), capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr)
    return completed.stdout


def _read_git(directory: str) -> tuple:
    commit = _git(directory, "rev-parse", "HEAD").strip()
    tags = {GIT_COMMIT: commit}
    branch = _git(directory, "rev-parse", "--abbrev-ref", "HEAD").strip()
    if branch and branch != "HEAD":
        tags[GIT_BRANCH] = branch
    try:
        remote = _git(directory, "config", "--get", "remote.origin.url").strip()
        if remote:
            tags[GIT_REPO_URL] = remote
    except RuntimeError:
        pass
    dirty = bool(_git(directory, "status", "--porcelain", "--untracked-files=no").strip())
    tags[GIT_DIRTY] = "true" if dirty else "false"
    diff = _git(directory, "diff", "HEAD") if dirty else None
    return tags, diff
