"""Validation of registered-model names, aliases and stage names, shared by client and stores."""

from __future__ import annotations

import re

from .exceptions import InvalidInputError

__all__ = ["STAGES", "canonical_stage", "validate_model_name", "validate_alias", "validate_version"]

STAGES = ("None", "Staging", "Production", "Archived")
_STAGES_BY_LOWER = {stage.lower(): stage for stage in STAGES}
_MAX_NAME_LENGTH = 256
_FORBIDDEN = re.compile(r"[/\\@:\x00-\x1f\x7f]")


def canonical_stage(stage) -> str:
    """The canonical spelling of a stage name given in any case ("production" -> "Production").

    Raises InvalidInputError for anything but None, Staging, Production or Archived.
    """
    canonical = _STAGES_BY_LOWER.get(str(stage).strip().lower()) if stage is not None else "None"
    if canonical is None:
        raise InvalidInputError(f"Invalid stage {stage!r}: expected one of {', '.join(STAGES)}")
    return canonical


def validate_model_name(name) -> str:
    """Return ``name`` if it can name a registered model (and a directory, and a models:/ URI).

    Raises InvalidInputError naming the name when it is empty, too long, '.' or '..', or holds
    '/', '\\', '@', ':' or a control character.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"Invalid model name {name!r}: it must be a non-empty string")
    if len(name) > _MAX_NAME_LENGTH:
        raise InvalidInputError(f"Invalid model name {name[:40]!r}...: longer than {_MAX_NAME_LENGTH} characters")
    bad = _FORBIDDEN.search(name)
    if bad or name in (".", "..") or name != name.strip():
        what = f"it contains {bad.group()!r}" if bad else "it cannot be '.', '..' or start or end with spaces"
        raise InvalidInputError(f"Invalid model name {name!r}: {what}")
    return name


def validate_alias(alias) -> str:
    """Return ``alias`` if it can name a model version (``models:/name@alias``).

    Raises InvalidInputError for an empty alias, one with '/', '@' or ':', 'latest', or 'v<number>'
    (those read as versions).
    """
    if not isinstance(alias, str) or not alias.strip() or _FORBIDDEN.search(alias) or alias != alias.strip():
        raise InvalidInputError(f"Invalid alias {alias!r}: a non-empty name without '/', '@', ':' or spaces around")
    if alias.lower() == "latest" or re.fullmatch(r"[vV]\d+", alias) or alias.isdigit():
        raise InvalidInputError(f"Invalid alias {alias!r}: 'latest', numbers and 'v<number>' are reserved")
    return alias


def validate_version(version) -> int:
    """A model version number as an int; raises InvalidInputError when it is not a positive integer."""
    try:
        number = int(str(version).strip())
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or isinstance(version, bool) or isinstance(version, float) and not version.is_integer():
        raise InvalidInputError(f"Invalid model version {version!r}: expected a positive integer")
    return number
