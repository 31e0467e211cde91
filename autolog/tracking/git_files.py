"""The commit, branch and origin URL of a git work tree, read from its files rather than by running git.

Starting git costs a process per question (tens of milliseconds of CPU that a script's
training would otherwise have); these three answers sit in small text files. Whatever
this reader does not understand (a reference database other than files, an included
config, ``$GIT_DIR``) makes it answer None, and the caller asks git itself.
"""

from __future__ import annotations

import os
import re

__all__ = ["HeadState", "find_git_dir", "read_head"]

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_SECTION = re.compile(r'\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$')
_ENTRY = re.compile(r"\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$")


class HeadState:
    """What HEAD points at: ``commit`` (hex), ``branch`` (None when detached) and the ``remote_url`` of origin."""

    __slots__ = ("commit", "branch", "remote_url")

    def __init__(self, commit: str, branch, remote_url):
        self.commit, self.branch, self.remote_url = commit, branch, remote_url


def find_git_dir(directory: str):
    """The git directory of the work tree holding ``directory`` (its ``.git`` folder, or where a ``.git`` file
    points), or None outside one."""
    current = os.path.abspath(directory)
    while True:
        dot_git = os.path.join(current, ".git")
        if os.path.isdir(dot_git):
            return dot_git
        if os.path.isfile(dot_git):
            text = _read(dot_git)
            if text is None or not text.startswith("gitdir:"):
                return None
            return os.path.normpath(os.path.join(current, text[len("gitdir:"):].strip()))
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def read_head(git_dir: str):
    """The HeadState of the work tree whose git directory is ``git_dir``; None when its files cannot say
    (an unborn branch, a reference format other than files, a config with includes)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return None
    common = _common_dir(git_dir)
    head = _read(os.path.join(git_dir, "HEAD"))
    if head is None:
        return None
    head = head.strip()
    branch = None
    if head.startswith("ref:"):
        reference = head[len("ref:"):].strip()
        branch = reference[len("refs/heads/"):] if reference.startswith("refs/heads/") else None
        commit = _resolve(reference, git_dir, common)
    else:
        commit = head
    if commit is None or not _SHA.fullmatch(commit):
        return None
    config = _read(os.path.join(common, "config"))
    if config is None or re.search(r"^\s*\[\s*include", config, re.IGNORECASE | re.MULTILINE):
        return None
    return HeadState(commit, branch, _origin_url(config))


def _common_dir(git_dir: str) -> str:
    """Where a linked work tree's shared refs and config live (the git directory itself otherwise)."""
    text = _read(os.path.join(git_dir, "commondir"))
    return os.path.normpath(os.path.join(git_dir, text.strip())) if text else git_dir


def _resolve(reference: str, git_dir: str, common: str, depth: int = 0):
    """The commit a reference names: its loose file (which may point at another reference), else packed-refs."""
    if depth > 5 or ".." in reference.split("/"):
        return None
    for base in (git_dir, common):
        text = _read(os.path.join(base, *reference.split("/")))
        if text is not None:
            text = text.strip()
            if text.startswith("ref:"):
                return _resolve(text[len("ref:"):].strip(), git_dir, common, depth + 1)
            return text
    packed = _read(os.path.join(common, "packed-refs"))
    for line in (packed or "").splitlines():
        commit, _, name = line.partition(" ")
        if name == reference and _SHA.fullmatch(commit):
            return commit
    return None


def _origin_url(config: str):
    """``remote.origin.url`` of a git config text (its last value, as git reports), or None."""
    url, in_origin = None, False
    for line in config.splitlines():
        section = _SECTION.match(line)
        if section:
            in_origin = section.group(1).lower() == "remote" and section.group(2) == "origin"
            line = section.group(3)
        if not in_origin or not line.strip():
            continue
        entry = _ENTRY.match(line)
        if entry and entry.group(1).lower() == "url" and entry.group(2) is not None:
            url = _config_value(entry.group(2))
    return url or None


def _config_value(raw: str) -> str:
    """A config value without its comment, quotes and escapes."""
    out, quoted, index = [], False, 0
    while index < len(raw):
        char = raw[index]
        if char == '"':
            quoted = not quoted
        elif char == "\\" and index + 1 < len(raw):
            index += 1
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(raw[index], raw[index]))
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
        index += 1
    return "".join(out).strip()


def _read(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None
