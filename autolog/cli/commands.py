"""What each subcommand does: read the store through ``Client`` and print a table or a line."""

from __future__ import annotations

import os

from ..tracking.client import Client
from ..tracking.exceptions import NotFoundError
from .run_columns import render_runs, select_columns
from .tables import format_table

__all__ = ["experiments_list", "runs_list", "runs_search", "models_list", "models_promote", "models_cleanup",
           "demo", "existing_store_client"]


def _experiment_ids(client: Client, names) -> list:
    if not names:
        return [e.experiment_id for e in client.search_experiments(max_results=50_000)]
    ids = []
    for name in names:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise NotFoundError(f"No experiment named {name!r}")
        ids.append(experiment.experiment_id)
    return ids


def _print_runs(runs, args, out) -> None:
    filter_string, order_by = getattr(args, "filter", "") or "", getattr(args, "order_by", None) or []
    columns = select_columns(runs, args.columns, filter_string, order_by, args.output)
    render_runs(runs, columns, args.output, out)


def existing_store_client(tracking_uri: str) -> Client:
    """A Client of a store that already exists; a read-only command never creates one.

    Raises NotFoundError naming the path when nothing has been logged there.
    """
    if "://" not in tracking_uri or tracking_uri.startswith(("file://", "sqlite:")):
        from ..tracking.stores import store_location
        from ..tracking.tracking_uri import normalise_tracking_uri

        database = store_location(normalise_tracking_uri(tracking_uri))[1]
        if not os.path.isfile(database):
            raise NotFoundError(f"No tracking store at {tracking_uri} (no {database}): nothing has been logged "
                                "there yet, or pass --tracking-uri")
    return Client(tracking_uri)


def experiments_list(args, out) -> None:
    """Print every active experiment (every one with --all)."""
    from ..tracking.entities import ViewType

    client = existing_store_client(args.tracking_uri)
    view = ViewType.ALL if args.all else ViewType.ACTIVE_ONLY
    experiments = client.search_experiments(view, max_results=50_000)
    rows = [[e.experiment_id, e.name, e.lifecycle_stage, e.artifact_location] for e in experiments]
    print(format_table(["experiment_id", "name", "lifecycle", "artifact_location"], rows), file=out)


def runs_list(args, out) -> None:
    """Print the newest runs of the named experiments (all experiments by default)."""
    client = existing_store_client(args.tracking_uri)
    runs = client.search_runs(_experiment_ids(client, args.experiment), max_results=args.max_results)
    _print_runs(runs, args, out)


def runs_search(args, out) -> None:
    """Print the runs matching --filter in --order-by order."""
    client = existing_store_client(args.tracking_uri)
    runs = client.search_runs(_experiment_ids(client, args.experiment), args.filter or "",
                              max_results=args.max_results, order_by=args.order_by or None)
    _print_runs(runs, args, out)


def models_list(args, out) -> None:
    """Print every registered model with its latest version per stage and its aliases."""
    client = existing_store_client(args.tracking_uri)
    rows, token = [], None
    while True:
        page = client.search_registered_models(args.filter, max_results=1000, page_token=token)
        for model in page:
            stages = ", ".join(f"{v.current_stage}: v{v.version}" for v in model.latest_versions)
            aliases = ", ".join(f"@{alias}: v{version}" for alias, version in model.aliases.items())
            rows.append([model.name, stages or "-", aliases or "-", model.description])
        token = page.token
        if not token:
            break
    print(format_table(["name", "latest versions", "aliases", "description"], rows), file=out)


def models_promote(args, out) -> None:
    """Move a version to a stage (archiving the others with --archive-existing) or point an alias at it."""
    client = Client(args.tracking_uri)
    if args.alias:
        client.set_registered_model_alias(args.name, args.alias, args.version)
        print(f"{args.name}@{args.alias} -> version {args.version}", file=out)
        return
    version = client.transition_model_version_stage(args.name, args.version, args.stage,
                                                    archive_existing_versions=args.archive_existing)
    print(f"{args.name} version {version.version} -> {version.current_stage}", file=out)


def models_cleanup(args, out) -> None:
    """Delete registrations that died half-way (PENDING_REGISTRATION versions whose process is gone)."""
    client = existing_store_client(args.tracking_uri)
    removed = client.cleanup_stale_registrations(args.name)
    for version in removed:
        print(f"removed {version.name} version {version.version} (registration never finished)", file=out)
    if not removed:
        print("no unfinished registrations", file=out)


def demo(args, out) -> None:
    """Run the bundled demo (autolog.demo.main); raises AutologError naming the extra when a framework is missing."""
    from .. import demo as demo_module
    from ..tracking import set_tracking_uri

    demo_module.check_requirements()
    set_tracking_uri(args.tracking_uri)
    demo_module.main()
