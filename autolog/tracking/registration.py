"""Safe registration: only model directories are registered, and a registration that died is cleaned up.

A version is created PENDING_REGISTRATION, its files are copied into the registry, then
it becomes READY. While pending it carries the tag ``autolog.registration`` naming the
host and process doing the copy and the folder it copies into. A version whose process
is gone (or that is older than a day) is stale: the next registration of the same model,
or ``autolog models cleanup``, deletes it and its partial folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from .exceptions import InvalidInputError

__all__ = ["require_model_directory", "owner_tag_value", "stale_pending_versions", "remove_partial_copy",
           "REGISTRATION_TAG", "STALE_AFTER_SECONDS"]

REGISTRATION_TAG = "autolog.registration"
STALE_AFTER_SECONDS = 24 * 3600
_UNTAGGED_GRACE_SECONDS = 60


def require_model_directory(local_path: str, source: str) -> None:
    """Raise InvalidInputError naming the path unless ``local_path`` is a directory with a valid MLmodel and
    no symbolic link that leaves it."""
    import yaml

    from .._containment import refuse_escaping_links

    descriptor = os.path.join(local_path, "MLmodel")
    if not os.path.isdir(local_path) or not os.path.isfile(descriptor):
        raise InvalidInputError(
            f"Cannot register {source!r}: {local_path} is not a model directory (it has no MLmodel file). "
            "Register the folder a log_model or save_model call wrote")
    try:
        with open(descriptor, "rb") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInputError(f"Cannot register {source!r}: the MLmodel file {descriptor} is unreadable: "
                                f"{' '.join(str(error).split())[:200]}") from None
    flavors = data.get("flavors") if isinstance(data, dict) else None
    if not isinstance(flavors, dict) or not flavors:
        raise InvalidInputError(f"Cannot register {source!r}: the MLmodel file {descriptor} names no flavors")
    refuse_escaping_links(local_path)


def owner_tag_value(location: str) -> str:
    """The ``autolog.registration`` tag of a version this process is copying into ``location``."""
    return json.dumps({"host": _host(), "pid": os.getpid(), "location": location})


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _owner(version) -> dict:
    try:
        owner = json.loads(version.tags.get(REGISTRATION_TAG) or "null")
    except ValueError:
        owner = None
    return owner if isinstance(owner, dict) else {}


def _is_stale(version, now_ms: int) -> bool:
    age = (now_ms - (version.creation_timestamp or 0)) / 1000
    if age > STALE_AFTER_SECONDS:
        return True
    owner = _owner(version)
    if not owner:
        return age > _UNTAGGED_GRACE_SECONDS  # died between creating the version and tagging it
    if owner.get("host") != _host():
        return False
    pid = owner.get("pid")
    return isinstance(pid, int) and pid != os.getpid() and not _process_alive(pid)


def stale_pending_versions(pending: list) -> list:
    """The versions among ``pending`` (PENDING_REGISTRATION ModelVersions) whose registration died."""
    now_ms = int(time.time() * 1000)
    return [version for version in pending if _is_stale(version, now_ms)]


def remove_partial_copy(version, registry_root: str) -> None:
    """Delete the folder a stale version was being copied into, when it lies inside the registry."""
    location = _owner(version).get("location")
    if not isinstance(location, str) or "://" in location:
        return
    real_root = os.path.realpath(registry_root)
    real = os.path.realpath(location)
    if real.startswith(real_root.rstrip(os.sep) + os.sep) and os.path.isdir(real):
        shutil.rmtree(real, ignore_errors=True)


def _host() -> str:
    import socket  # imported here: the store opens without it

    return socket.gethostname()
