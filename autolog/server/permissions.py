"""Per-experiment permissions on the server: who may read, edit or manage an experiment and what is in it.

A user's permission on an experiment is, in order: ``manage`` for an admin token (and with auth
off); the user's grant (capped at ``read`` for a read token); nothing when the experiment is
restricted (it has a grant that is not its creator's); else the token's role (read -> read,
write -> edit), which is the server's behaviour without any grant. ``edit`` allows everything a
write token could do on the experiment, its runs, metrics, artifacts and logged models;
``manage`` adds changing the experiment's permissions.

Each guard below runs before its endpoint's handler and raises ApiError("PERMISSION_DENIED").
"""

from __future__ import annotations

import os
import threading

from ..tracking.exceptions import InvalidInputError, NotFoundError
from ._api import ApiError

__all__ = ["LEVELS", "permission_of", "require_experiment", "readable_ids", "experiment_guard",
           "require_run", "run_guard", "runs_guard", "model_guard", "experiments_guard", "experiment_by_name_guard",
           "record_creator", "proxy_path_experiment"]

LEVELS = {"read": 0, "edit": 1, "manage": 2}
_ROLE_FALLBACK = {"read": "read", "write": "edit", "admin": "manage"}
_RUN_CACHE_SIZE = 4096
_run_experiments: dict = {}
_run_lock = threading.Lock()


def _is_admin(args) -> bool:
    return getattr(args, "role", "admin") == "admin"


def permission_of(role, access):
    """The permission ("read"/"edit"/"manage") a token of ``role`` has given its ExperimentAccess, or None."""
    if role == "admin":
        return "manage"
    if role not in _ROLE_FALLBACK:
        return None
    if access.permission:
        return "read" if role == "read" else access.permission
    return None if access.restricted else _ROLE_FALLBACK[role]


def _deny(args, experiment_id, needed: str):
    return ApiError("PERMISSION_DENIED", f"User {getattr(args, 'user', None)!r} has no {needed} permission "
                                         f"on experiment {experiment_id}")


def require_experiment(ctx, args, experiment_id, needed: str) -> None:
    """Raise ApiError(PERMISSION_DENIED) unless the caller has ``needed`` on the experiment."""
    if _is_admin(args):
        return
    access = ctx.store.experiment_access([experiment_id], args.user)[str(experiment_id)]
    granted = permission_of(args.role, access)
    if granted is None or LEVELS[granted] < LEVELS[needed]:
        raise _deny(args, experiment_id, needed)


def readable_ids(ctx, args, experiment_ids) -> set:
    """The subset of ``experiment_ids`` the caller may read."""
    ids = [str(experiment_id) for experiment_id in experiment_ids]
    if _is_admin(args):
        return set(ids)
    access = ctx.store.experiment_access(ids, args.user)
    return {experiment_id for experiment_id in ids if permission_of(args.role, access[experiment_id])}


def _experiment_of_run(ctx, run_id: str) -> str:
    found = _run_experiments.get(run_id)
    if found is None:
        found = ctx.store.experiment_id_of_run(run_id)
        with _run_lock:
            if len(_run_experiments) >= _RUN_CACHE_SIZE:
                _run_experiments.clear()
            _run_experiments[run_id] = found
    return found


def require_run(ctx, caller, run_id: str, needed: str) -> None:
    """Raise ApiError(PERMISSION_DENIED) unless the caller has ``needed`` on the run's experiment;
    NotFoundError for an unknown run."""
    if not _is_admin(caller):
        require_experiment(ctx, caller, _experiment_of_run(ctx, str(run_id)), needed)


def experiment_guard(needed: str, field: str = "experiment_id", default=None):
    """A guard checking ``needed`` on the experiment named by argument ``field``."""
    def guard(ctx, args) -> None:
        experiment_id = args.get(field, default)
        if experiment_id is None or experiment_id == "":
            raise InvalidInputError(f"Missing value for required parameter '{field}'")
        require_experiment(ctx, args, str(experiment_id), needed)
    return guard


def experiments_guard(needed: str):
    """A guard checking ``needed`` on every experiment in argument ``experiment_ids``."""
    def guard(ctx, args) -> None:
        for experiment_id in args.items("experiment_ids"):
            require_experiment(ctx, args, str(experiment_id), needed)
    return guard


def experiment_by_name_guard(ctx, args) -> None:
    """get-by-name: read permission on the named experiment (an unknown name is the handler's 404)."""
    if _is_admin(args):
        return
    experiment = ctx.store.get_experiment_by_name(args.require("experiment_name"))
    if experiment is not None:
        require_experiment(ctx, args, experiment.experiment_id, "read")


def run_guard(needed: str):
    """A guard checking ``needed`` on the experiment of the run in ``run_id`` (or ``run_uuid``)."""
    def guard(ctx, args) -> None:
        if _is_admin(args):
            return
        run_id = args.get("run_id") or args.get("run_uuid")
        if not run_id:
            raise InvalidInputError("Missing value for required parameter 'run_id'")
        require_run(ctx, args, str(run_id), needed)
    return guard


def runs_guard(ctx, args) -> None:
    """Read permission on the experiment of every run in ``run_ids``."""
    if _is_admin(args):
        return
    for run_id in args.items("run_ids"):
        require_experiment(ctx, args, _experiment_of_run(ctx, str(run_id)), "read")


def model_guard(needed: str):
    """A guard checking ``needed`` on the experiment of the logged model in ``model_id``."""
    def guard(ctx, args) -> None:
        if _is_admin(args):
            return
        model = ctx.store.get_logged_model(args.require("model_id"))
        require_experiment(ctx, args, model.experiment_id, needed)
    return guard


def record_creator(ctx, args, experiment_id: str) -> None:
    """Make the calling user the manager of the experiment they just created (when tokens name users)."""
    user = getattr(args, "user", None)
    if user:
        ctx.store.set_experiment_permission(experiment_id, user, "manage", is_creator=True)


def proxy_path_experiment(ctx, relative: str):
    """The experiment whose default artifact directory holds proxy path ``relative``, or None.

    Experiments keep their artifacts under ``<destination>/<experiment id>/`` unless created with
    their own location; a path whose first part is not an experiment id is not an experiment's.
    """
    first = str(relative or "").strip("/").split("/", 1)[0]
    if not first.isdigit():
        return None
    try:
        ctx.store.get_experiment(first)
    except (NotFoundError, InvalidInputError):
        return None
    return first


class _Caller:
    def __init__(self, user, role):
        self.user, self.role = user, role


def require_proxy_path(ctx, user, role, relative: str, needed: str) -> None:
    """Raise ApiError(PERMISSION_DENIED) unless the caller has ``needed`` on the experiment owning proxy path
    ``relative`` (paths outside experiments' directories need only the token's role)."""
    if role == "admin":
        return
    experiment_id = proxy_path_experiment(ctx, relative)
    if experiment_id is not None:
        require_experiment(ctx, _Caller(user, role), experiment_id, needed)


def registry_source_guard(ctx, args) -> None:
    """model-versions/create: read permission on the experiment the new version's files come from
    (its run, its logged model, or its artifact directory), so a registry copy cannot leak them."""
    if _is_admin(args):
        return
    from ..tracking import uris
    from .registry import server_side_source

    source = str(args.require("source"))
    run_id = args.text("run_id") or (uris.parse_runs_uri(source)[0] if source.startswith("runs:") else None)
    if run_id:
        require_experiment(ctx, args, _experiment_of_run(ctx, run_id), "read")
    logged = uris.parse_logged_model_uri(source) if source.startswith("models:") else None
    if logged:
        require_experiment(ctx, args, ctx.store.get_logged_model(logged[0]).experiment_id, "read")
    if source.startswith(("runs:", "models:")):
        return
    local = server_side_source(ctx, source)
    root = ctx.locations.root
    if isinstance(local, str) and (local == root or local.startswith(root + os.sep)):
        require_proxy_path(ctx, args.user, args.role, os.path.relpath(local, root), "read")
