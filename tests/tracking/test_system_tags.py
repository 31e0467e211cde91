"""Tags every run gets without asking: user, source, Python, git state."""

import getpass
import platform
import subprocess
import sys

import pytest

import autolog

pytestmark = pytest.mark.single_store  # each test opens its own store in a subprocess


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _script_in_repo(tmp_path, dirty: bool):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    script = repo / "train.py"
    script.write_text("import sys, autolog\nautolog.set_tracking_uri(sys.argv[1])\n"
                      "with autolog.start_run() as run:\n    print(run.info.run_id)\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-q", "-m", "first")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    if dirty:
        script.write_text(script.read_text() + "# changed\n")
    return repo, script, commit


def _run_script(script, store):
    return subprocess.run([sys.executable, str(script), str(store)], capture_output=True, text=True,
                          check=True, cwd=script.parent).stdout.strip()


def test_every_run_has_user_source_and_python_version():
    with autolog.start_run() as run:
        pass
    tags = autolog.Client().get_run(run.info.run_id).data.tags
    assert tags["mlflow.user"] == getpass.getuser()
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.source.name"]
    assert tags["autolog.python_version"] == platform.python_version()


def test_clean_git_tree_records_commit_and_branch(tmp_path):
    _repo, script, commit = _script_in_repo(tmp_path, dirty=False)
    run_id = _run_script(script, tmp_path / "store")
    client = autolog.Client(str(tmp_path / "store"))
    tags = client.get_run(run_id).data.tags
    assert tags["mlflow.source.git.commit"] == commit
    assert tags["mlflow.source.git.branch"] == "main"
    assert tags["autolog.git.dirty"] == "false"
    assert tags["mlflow.source.name"] == str(script)
    assert client.list_artifacts(run_id) == []


def test_dirty_git_tree_records_the_uncommitted_diff(tmp_path):
    _repo, script, commit = _script_in_repo(tmp_path, dirty=True)
    run_id = _run_script(script, tmp_path / "store")
    client = autolog.Client(str(tmp_path / "store"))
    tags = client.get_run(run_id).data.tags
    assert tags["mlflow.source.git.commit"] == commit
    assert tags["autolog.git.dirty"] == "true"
    diff = open(client.download_artifacts(run_id, "code/uncommitted.diff")).read()
    assert "+# changed" in diff


def test_outside_a_git_tree_there_are_no_git_tags(tmp_path):
    script = tmp_path / "plain.py"
    script.write_text("import sys, autolog\nautolog.set_tracking_uri(sys.argv[1])\n"
                      "with autolog.start_run() as run:\n    print(run.info.run_id)\n")
    run_id = _run_script(script, tmp_path / "store")
    tags = autolog.Client(str(tmp_path / "store")).get_run(run_id).data.tags
    assert not any(key.startswith("mlflow.source.git") for key in tags)
