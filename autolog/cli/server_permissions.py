"""``autolog server permissions grant|revoke|list``: per-experiment permissions of the server's users."""

from __future__ import annotations

__all__ = ["add_permission_parsers"]

_PERMISSIONS = ("read", "edit", "manage")


def _experiment(store, name_or_id: str):
    from ..tracking.exceptions import NotFoundError

    experiment = store.get_experiment_by_name(name_or_id)
    if experiment is None and name_or_id.isdigit():
        experiment = store.get_experiment(name_or_id)
    if experiment is None:
        raise NotFoundError(f"No experiment named {name_or_id!r}")
    return experiment


def _grant(args, out) -> None:
    from .server import _open_store

    store = _open_store(args)
    experiment = _experiment(store, args.experiment)
    store.set_experiment_permission(experiment.experiment_id, args.user, args.permission)
    print(f"Granted {args.permission} on experiment {experiment.name!r} (id {experiment.experiment_id}) "
          f"to {args.user!r}", file=out)


def _revoke(args, out) -> None:
    from .server import _open_store

    store = _open_store(args)
    experiment = _experiment(store, args.experiment)
    store.delete_experiment_permission(experiment.experiment_id, args.user)
    print(f"Revoked {args.user!r}'s permission on experiment {experiment.name!r}", file=out)


def _list(args, out) -> None:
    from .server import _open_store
    from .tables import format_table

    store = _open_store(args)
    experiment_id = _experiment(store, args.experiment).experiment_id if args.experiment else None
    grants = store.list_experiment_permissions(experiment_id, args.user)
    names = {}
    rows = []
    for grant in grants:
        if grant.experiment_id not in names:
            names[grant.experiment_id] = store.get_experiment(grant.experiment_id).name
        rows.append([grant.experiment_id, names[grant.experiment_id], grant.user_name, grant.permission,
                     "creator" if grant.is_creator else ""])
    print(format_table(["experiment_id", "experiment", "user", "permission", "note"], rows), file=out)


def add_permission_parsers(actions, store_arguments) -> None:
    """Register ``permissions grant|revoke|list`` on the ``server`` sub-command's actions."""
    permissions = actions.add_parser(
        "permissions", help="grant, revoke and list per-experiment permissions (read, edit, manage)"
    ).add_subparsers(dest="permissions_action", required=True)
    grant = permissions.add_parser("grant", help="give a user a permission on an experiment")
    grant.add_argument("--permission", required=True, choices=_PERMISSIONS)
    grant.set_defaults(handler=_grant)
    revoke = permissions.add_parser("revoke", help="remove a user's permission on an experiment")
    revoke.set_defaults(handler=_revoke)
    listing = permissions.add_parser("list", help="the grants, of one experiment and/or user")
    listing.add_argument("--experiment", default=None, metavar="NAME", help="experiment name (or id)")
    listing.add_argument("--user", default=None)
    listing.set_defaults(handler=_list)
    for parser in (grant, revoke):
        parser.add_argument("--experiment", required=True, metavar="NAME", help="experiment name (or id)")
        parser.add_argument("--user", required=True, help="the user: the name of their token")
    for parser in (grant, revoke, listing):
        store_arguments(parser)
