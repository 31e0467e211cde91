"""HEAD, branch and origin read from a work tree's files agree with what git itself says."""

import shutil
import subprocess

import pytest

from autolog.tracking.git_files import find_git_dir, read_head
from autolog.tracking.run_context import GIT_BRANCH, GIT_COMMIT, GIT_DIRTY, GIT_REPO_URL, _read_git

pytestmark = [pytest.mark.single_store,  # no store involved
              pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")]


def _git(cwd, *args) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    _git(path, "config", "user.email", "t@example.com")
    _git(path, "config", "user.name", "t")
    (path / "train.py").write_text("print(1)\n")
    _git(path, "add", "train.py")
    _git(path, "commit", "-q", "-m", "first")
    return path


def _head(directory):
    return read_head(find_git_dir(str(directory)))


def test_branch_commit_and_origin_match_git(repo):
    (repo / "src").mkdir()
    _git(repo, "remote", "add", "origin", "git@example.com:team/project.git")
    with open(repo / ".git" / "config", "a") as config:  # a second value, a comment: git reports the last one
        config.write('[remote "origin"]\n\turl = "https://example.com/team/project.git" ; moved\n')
    head = _head(repo / "src")
    assert head.commit == _git(repo, "rev-parse", "HEAD") and head.branch == "main"
    assert head.remote_url == _git(repo, "config", "--get", "remote.origin.url") == \
        "https://example.com/team/project.git"


def test_packed_refs_detached_heads_and_linked_work_trees(repo, tmp_path):
    _git(repo, "checkout", "-q", "-b", "feature/x")
    _git(repo, "pack-refs", "--all")
    head = _head(repo)
    assert (head.commit, head.branch, head.remote_url) == (_git(repo, "rev-parse", "HEAD"), "feature/x", None)
    _git(repo, "checkout", "-q", "--detach")
    assert _head(repo).branch is None and _head(repo).commit == _git(repo, "rev-parse", "HEAD")
    _git(repo, "worktree", "add", "-q", "-b", "other", str(tmp_path / "linked"))
    linked = _head(tmp_path / "linked")
    assert (linked.commit, linked.branch) == (_git(tmp_path / "linked", "rev-parse", "HEAD"), "other")


def test_what_the_files_cannot_say_is_left_to_git(repo, tmp_path):
    with open(repo / ".git" / "config", "a") as config:
        config.write("[include]\n\tpath = elsewhere\n")
    assert _head(repo) is None
    tags, _diff = _read_git(str(repo))  # asked of git instead
    assert tags[GIT_COMMIT] == _git(repo, "rev-parse", "HEAD") and tags[GIT_BRANCH] == "main"
    unborn = tmp_path / "unborn"
    unborn.mkdir()
    _git(unborn, "init", "-q")
    assert _head(unborn) is None


def test_the_probe_asks_git_only_for_the_changes(repo):
    _git(repo, "remote", "add", "origin", "https://example.com/p.git")
    tags, diff = _read_git(str(repo))
    assert tags == {GIT_COMMIT: _git(repo, "rev-parse", "HEAD"), GIT_BRANCH: "main",
                    GIT_REPO_URL: "https://example.com/p.git", GIT_DIRTY: "false"} and diff is None
    (repo / "train.py").write_text("print(2)\n")
    tags, diff = _read_git(str(repo))
    assert tags[GIT_DIRTY] == "true" and b"+print(2)" in diff
