"""System tags every run gets: user, source, Python version and the git state of the code."""

from __future__ import annotations

import os
import sys
import threading

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

_git_probe = None
_git_probe_pid = None
_git_lock = threading.Lock()


_user = None


def current_user() -> str:
    """The login name of the user running this process."""
    global _user
    if _user is None:
        # getpass.getuser's own order, then its own fallback, the password database (getpass itself would
        # import the terminal module too, a millisecond of a fresh process's first run)
        _user = next(filter(None, map(os.environ.get, ("LOGNAME", "USER", "LNAME", "USERNAME"))), None)
    if _user is None:
        try:
            import pwd

            _user = pwd.getpwuid(os.getuid()).pw_name
        except Exception:  # no password database (Windows) or no entry for this uid
            _user = "unknown"
    return _user


_source_paths: dict = {}


def source_path() -> str:
    """The entry point of this process: the script path, or '<interactive>'."""
    main = sys.argv[0] if sys.argv and sys.argv[0] else ""
    key = (main, os.getcwd() if main and not os.path.isabs(main) else "")
    path = _source_paths.get(key)
    if path is None:  # looked up once per script and directory: every new run asks
        path = os.path.abspath(main) if main and os.path.isfile(main) else main or "<interactive>"
        if len(_source_paths) < 100:
            _source_paths[key] = path
    return path


def system_tags() -> dict:
    """Tags known at once for a new run (git tags come from :func:`git_state`)."""
    entry = source_path()
    return {
        USER: current_user(),
        SOURCE_NAME: entry,
        SOURCE_TYPE: "NOTEBOOK" if "ipykernel" in entry else "LOCAL",
        PYTHON_VERSION: "%d.%d.%d" % sys.version_info[:3],
    }


class GitProbe:
    """The git state of the code, read once per process in a background thread."""

    def __init__(self):
        self._done = threading.Event()
        self._result = ({}, None)

    def done(self) -> bool:
        """True once the probe has finished."""
        return self._done.is_set()

    def result(self, timeout=None) -> tuple:
        """(tags, diff as UTF-8 bytes or None); ({}, None) outside a work tree, without git, or after ``timeout``."""
        self._done.wait(timeout)
        return self._result

    def _set(self, result: tuple) -> None:
        self._result = result
        self._done.set()


def git_state() -> GitProbe:
    """The process's GitProbe, started on first use so a run never waits for git."""
    with _git_lock:
        if _git_probe is None or _git_probe_pid != os.getpid():
            _start_git_probe()
    return _git_probe


def _start_git_probe() -> None:
    global _git_probe, _git_probe_pid
    probe = GitProbe()
    _git_probe, _git_probe_pid = probe, os.getpid()
    entry = source_path()
    directory = os.path.dirname(entry) if os.path.isfile(entry) else os.getcwd()

    def read():
        try:
            probe._set(_read_git(directory))
        except Exception:
            probe._set(({}, None))

    from .._background import start_in_background

    start_in_background(read)


def _git(directory: str, *args: str) -> str:
    import subprocess

    completed = subprocess.run(("git", "-C", directory, *args), capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr)
    return completed.stdout


def _read_git(directory: str) -> tuple:
    """(git tags, diff or None): HEAD from the files, the changes from one ``git diff`` (git itself answers
    all when its files say nothing this reader understands)."""
    from .git_files import find_git_dir, read_head

    git_dir = find_git_dir(directory)
    if git_dir is None:
        return {}, None
    head = read_head(git_dir)
    if head is None:
        return _read_git_by_asking(directory)
    tags = {GIT_COMMIT: head.commit}
    if head.branch:
        tags[GIT_BRANCH] = head.branch
    if head.remote_url:
        tags[GIT_REPO_URL] = head.remote_url
    try:
        diff = _git(directory, "diff", "--no-color", "--no-ext-diff", "HEAD")
    except (OSError, RuntimeError, ValueError):  # no git to run, or it refuses this tree: no dirty tag
        return tags, None
    tags[GIT_DIRTY] = "true" if diff else "false"
    return tags, diff.encode("utf-8") if diff else None


def _read_git_by_asking(directory: str) -> tuple:
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
    diff = _git(directory, "diff", "HEAD").encode("utf-8") if dirty else None
    return tags, diff
