"""What each subcommand does: read the store through ``Client`` and print a table or a line."""

from __future__ import annotations

from ..tracking.client import Client
from ..tracking.exceptions import NotFoundError
from .tables import format_table, format_time

__all__ = ["experiments_list", "runs_list", "runs_search", "models_list", "models_promote", "demo"]

_MAX_METRIC_COLUMNS = 6


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


def _runs_table(runs) -> str:
    metric_keys = sorted({key for run in runs for key in run.data.metrics})[:_MAX_METRIC_COLUMNS]
    headers = ["run_id", "run_name", "experiment", "status", "start_time"] + [f"metrics.{k}" for k in metric_keys]
    rows = [[run.info.run_id, run.info.run_name, run.info.experiment_id, run.info.status,
             format_time(run.info.start_time)] + [run.data.metrics.get(k) for k in metric_keys] for run in runs]
    return format_table(headers, rows)


def experiments_list(args, out) -> None:
    """Print every active experiment (every one with --all)."""
    from ..tracking.entities import ViewType

    client = Client(args.tracking_uri)
    view = ViewType.ALL if args.all else ViewType.ACTIVE_ONLY
    experiments = client.search_experiments(view, max_results=50_000)
    rows = [[e.experiment_id, e.name, e.lifecycle_stage, e.artifact_location] for e in experiments]
    print(format_table(["experiment_id", "name", "lifecycle", "artifact_location"], rows), file=out)


def runs_list(args, out) -> None:
    """Print the newest runs of the named experiments (all experiments by default)."""
    client = Client(args.tracking_uri)
    runs = client.search_runs(_experiment_ids(client, args.experiment), max_results=args.max_results)
    print(_runs_table(runs), file=out)


def runs_search(args, out) -> None:
    """Print the runs matching --filter in --order-by order."""
    client = Client(args.tracking_uri)
    runs = client.search_runs(_experiment_ids(client, args.experiment), args.filter or "",
                              max_results=args.max_results, order_by=args.order_by or None)
    print(_runs_table(runs), file=out)


def models_list(args, out) -> None:
    """Print every registered model with its latest version per stage and its aliases."""
    client = Client(args.tracking_uri)
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


def demo(args, out) -> None:
    """Run the bundled demo (autolog.demo.main)."""
    from .. import demo as demo_module
    from ..tracking import set_tracking_uri

    set_tracking_uri(args.tracking_uri)
    demo_module.main()
