"""Commands that move runs: ``import-mlflow``, ``sync`` (and ``sync --pending``) and ``gc``.

    autolog import-mlflow sqlite:///mlflow.db [--to ./mlruns]
    autolog sync ./mlruns http://tracking:5000 [--experiment NAME] [--filter DSL] [--registry]
    autolog sync --pending
    autolog gc [--older-than 30d] [--dry-run]
"""

from __future__ import annotations

import argparse
import re

__all__ = ["add_parsers", "parse_duration"]

_UNITS_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def parse_duration(text: str) -> int:
    """Milliseconds in a duration like ``30d``, ``12h``, ``90m``, ``45s`` or ``2w``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text or "")
    if not match:
        raise argparse.ArgumentTypeError(f"expected a duration like 30d, 12h, 90m or 2w, got {text!r}")
    return int(float(match.group(1)) * _UNITS_MS[match.group(2)])


def add_parsers(groups, store_option) -> None:
    """Add the ``import-mlflow``, ``sync`` and ``gc`` subcommands to the ``autolog`` parser."""
    importer = groups.add_parser("import-mlflow", parents=[store_option()],
                                 help="copy an MLflow store (database or mlruns/ directory) into an autolog store")
    importer.add_argument("source", help="sqlite:///mlflow.db, postgresql://..., a .db file or an mlruns/ directory")
    importer.add_argument("--to", dest="destination", help="autolog store to fill (default: --tracking-uri)")
    importer.add_argument("--experiment", action="append", metavar="NAME", help="only this experiment (repeatable)")
    importer.add_argument("--no-registry", action="store_true", help="leave the model registry out")
    importer.set_defaults(handler=import_mlflow_command)

    syncer = groups.add_parser("sync", parents=[store_option()],
                               help="copy runs between stores, or push runs spooled offline (--pending)")
    syncer.add_argument("source", nargs="?", help="store to copy from")
    syncer.add_argument("destination", nargs="?", help="store to copy into")
    syncer.add_argument("--experiment", action="append", metavar="NAME", help="only this experiment (repeatable)")
    syncer.add_argument("--filter", default="", help="only runs matching, e.g. \"metrics.rmse < 6.8\"")
    syncer.add_argument("--registry", action="store_true", help="copy registered models and versions too")
    syncer.add_argument("--pending", action="store_true",
                        help="push the runs spooled offline to the configured server (--tracking-uri)")
    syncer.set_defaults(handler=sync_command)

    collector = groups.add_parser("gc", parents=[store_option()],
                                  help="remove deleted runs and experiments and their files for good")
    collector.add_argument("--older-than", type=parse_duration, metavar="AGE",
                           help="only those deleted at least this long ago (30d, 12h, ...)")
    collector.add_argument("--dry-run", action="store_true", help="report what would be removed, remove nothing")
    collector.set_defaults(handler=gc_command)


def _print_lines(lines, out) -> None:
    for line in lines:
        print(line, file=out)


def import_mlflow_command(args, out) -> None:
    """Copy an MLflow store into the autolog store given by --to (or --tracking-uri)."""
    from ..transfer import import_mlflow

    destination = args.destination or args.tracking_uri
    print(f"Importing {args.source} into {destination}", file=out)
    summary = import_mlflow(args.source, destination, args.experiment, registry=not args.no_registry)
    _print_lines(summary.lines(), out)


def sync_command(args, out) -> None:
    """Copy runs from SOURCE to DESTINATION, or push the offline spool with --pending."""
    from ..tracking.exceptions import InvalidInputError

    if args.pending:
        if args.source or args.filter or args.registry:
            raise InvalidInputError("sync --pending takes no SOURCE, --filter or --registry; it pushes the "
                                    "offline spool to the configured tracking URI (or DESTINATION)")
        from ..transfer.pending import push_pending

        report = push_pending(args.destination or args.tracking_uri)
        _print_lines(report, out)
        return
    if not args.source or not args.destination:
        raise InvalidInputError("sync needs SOURCE and DESTINATION stores (or --pending)")
    from ..transfer import sync

    print(f"Syncing {args.source} -> {args.destination}", file=out)
    summary = sync(args.source, args.destination, args.experiment, args.filter, registry=args.registry)
    _print_lines(summary.lines(), out)


def gc_command(args, out) -> None:
    """Remove deleted runs and experiments of the store for good (report only with --dry-run)."""
    from ..transfer import collect_garbage

    report = collect_garbage(args.tracking_uri, args.older_than, args.dry_run)
    _print_lines(report.lines(), out)
