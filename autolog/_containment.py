"""Paths that stay where they belong, and files that appear whole.

- ``contained_path``: a relative path normalised; ``dir/../file`` is fine, anything that
  leaves the root (``..``, an absolute path, a drive letter) is refused.
- ``refuse_escaping_links``: the symbolic-link policy of every copy and every load: a link
  whose target stays inside the directory is followed, a link that leaves it is refused.
- ``copy_file_atomic`` / ``write_bytes_atomic``: the bytes go to a hidden partial name in
  the target's directory and are renamed into place, so a kill or a full disk never
  leaves a truncated file under the real name. Readers skip ``is_partial`` names.

Stdlib only, and cheap to import: ``flavors`` loads models with it without importing
the tracking layer. Errors are ``autolog.tracking.exceptions.InvalidInputError``.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil

__all__ = ["check_text", "contained_path", "refuse_escaping_links", "is_inside", "copy_file_atomic", "write_bytes_atomic",
           "copy_tree_contained", "is_partial", "PARTIAL_PREFIX"]

PARTIAL_PREFIX = ".autolog-partial-"


def _invalid(message: str) -> Exception:
    from .tracking.exceptions import InvalidInputError

    return InvalidInputError(message)


def check_text(value: str, what: str) -> str:
    """Return ``value``; raise InvalidInputError when it holds a NUL or a lone surrogate (not storable)."""
    if "\x00" in value:
        raise _invalid(f"Invalid {what} {value!r}: it contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid(f"Invalid {what} {value!r}: it is not valid Unicode text (a lone surrogate, or bytes "
                       "decoded with the wrong encoding)") from None
    return value


def contained_path(path, what: str = "artifact path") -> str:
    """Normalise a relative path; raise InvalidInputError if it is absolute or leaves its root.

    Returns "" for the root itself (None, "", "."). ``a/../b`` becomes ``b``.
    """
    if path is None:
        return ""
    text = check_text(os.fspath(path) if not isinstance(path, str) else path, what).replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise _invalid(f"Invalid {what} {path!r}: it must be relative to its root")
    normalised = posixpath.normpath(text)
    if normalised == ".." or normalised.startswith("../"):
        raise _invalid(f"Invalid {what} {path!r}: it leaves its root")
    return "" if normalised == "." else normalised


def is_inside(path: str, root: str) -> bool:
    """True when ``path``, symbolic links resolved, is ``root`` or below it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def refuse_escaping_links(directory: str) -> None:
    """Raise InvalidInputError naming the first symbolic link under ``directory`` whose target lies outside it,
    or a link to a directory that holds the link (a cycle)."""
    if not os.path.isdir(directory):
        return
    for parent, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                continue
            target = os.path.realpath(path)
            if not is_inside(path, directory):
                raise _invalid(f"Refusing the symbolic link {path} -> {os.readlink(path)}: it points outside "
                               f"{directory}. Copy the file itself into the directory instead")
            if os.path.isdir(target) and is_inside(parent, target):
                raise _invalid(f"Refusing the symbolic link {path}: it points at a directory that holds it")


def _partial_name(target: str) -> str:
    return os.path.join(os.path.dirname(target), f"{PARTIAL_PREFIX}{os.urandom(6).hex()}")


def is_partial(name: str) -> bool:
    """True for the hidden name of a file still being written (or left by a write that died)."""
    return name.startswith(PARTIAL_PREFIX)


def copy_file_atomic(source: str, target: str) -> str:
    """Copy ``source`` to ``target`` through a partial name and a rename; return ``target``."""
    partial = _partial_name(target)
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except BaseException:
        _remove_quietly(partial)
        raise
    return target


def write_bytes_atomic(target: str, data: bytes) -> None:
    """Write ``data`` to ``target`` through a partial name and a rename."""
    partial = _partial_name(target)
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, target)
    except BaseException:
        _remove_quietly(partial)
        raise


def copy_tree_contained(source: str, target: str) -> str:
    """Copy a directory's contents into ``target`` (merged), each file atomically; links that leave
    ``source`` are refused before anything is copied. Returns ``target``."""
    refuse_escaping_links(source)
    shutil.copytree(source, target, dirs_exist_ok=True, copy_function=copy_file_atomic,
                    ignore=lambda _dir, names: [name for name in names if is_partial(name)])
    return target


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
