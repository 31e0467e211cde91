"""REST handlers for per-experiment permissions, at MLflow's auth routes (``experiments/permissions/...``).

Each needs a write or admin token and ``manage`` on the experiment: its creator, a user granted
``manage``, or an admin token.
Permissions are accepted in either case (MLflow writes READ, EDIT, MANAGE) and returned in MLflow's.
"""

from __future__ import annotations

from ..tracking.exceptions import InvalidInputError, NotFoundError
from ._api import Endpoint
from .permissions import experiment_guard

__all__ = ["ENDPOINTS"]


def _permission(args) -> str:
    value = str(args.require("permission")).lower()
    if value not in ("read", "edit", "manage"):
        raise InvalidInputError(f"Invalid permission {args.get('permission')!r}: expected READ, EDIT or MANAGE")
    return value


def _user(args) -> str:
    return str(args.get("username") or args.require("user_name"))


def _json(grant) -> dict:
    return {"experiment_id": grant.experiment_id, "username": grant.user_name,
            "permission": grant.permission.upper(), "is_creator": grant.is_creator}


def create(ctx, args) -> dict:
    """POST experiments/permissions/create {experiment_id, username, permission} -> {experiment_permission}."""
    grant = ctx.store.set_experiment_permission(str(args.require("experiment_id")), _user(args), _permission(args))
    return {"experiment_permission": _json(grant)}


def get(ctx, args) -> dict:
    """GET experiments/permissions/get?experiment_id=&username= -> {experiment_permission}; 404 when none."""
    user = _user(args)
    grants = ctx.store.list_experiment_permissions(str(args.require("experiment_id")), user)
    if not grants:
        raise NotFoundError(f"User {user!r} has no permission on experiment {args.get('experiment_id')}")
    return {"experiment_permission": _json(grants[0])}


def list_all(ctx, args) -> dict:
    """GET experiments/permissions/list?experiment_id= -> {experiment_permissions}."""
    grants = ctx.store.list_experiment_permissions(str(args.require("experiment_id")))
    return {"experiment_permissions": [_json(grant) for grant in grants]}


def delete(ctx, args) -> dict:
    """DELETE experiments/permissions/delete {experiment_id, username}."""
    ctx.store.delete_experiment_permission(str(args.require("experiment_id")), _user(args))
    return {}


_MANAGE = experiment_guard("manage")
ENDPOINTS = [
    Endpoint("/experiments/permissions/create", ["POST"], "write", create, guard=_MANAGE),
    Endpoint("/experiments/permissions/update", ["PATCH", "POST"], "write", create, guard=_MANAGE),
    Endpoint("/experiments/permissions/get", ["GET"], "write", get, guard=_MANAGE),
    Endpoint("/experiments/permissions/list", ["GET"], "write", list_all, guard=_MANAGE),
    Endpoint("/experiments/permissions/delete", ["DELETE", "POST"], "write", delete, guard=_MANAGE),
]
