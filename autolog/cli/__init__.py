"""The ``autolog`` command: experiments, runs, search and the model registry from a shell.

    autolog [--tracking-uri URI] experiments list
    autolog runs list [--experiment NAME]
    autolog runs search --experiment NAME --filter "metrics.rmse < 6.8" --order-by "metrics.rmse ASC"
    autolog models list
    autolog models promote NAME VERSION --stage Production [--archive-existing] | --alias champion
    autolog models predict -m MODEL_URI -i INPUT -o OUTPUT | serve -m MODEL_URI | build-env -m MODEL_URI
    autolog models cleanup [NAME]
    autolog demo
    autolog integrations list
    autolog db upgrade URI
"""

from __future__ import annotations

import argparse
import os
import sys

from . import commands, moving
from . import integrations as integrations_command
from .run_columns import OUTPUTS
from .argument_types import positive_int
from .scoring import add_scoring_parsers

__all__ = ["main", "build_parser"]


def _store_option() -> argparse.ArgumentParser:
    """``--tracking-uri`` for every subcommand too (``autolog runs list --tracking-uri ...``)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--tracking-uri", default=argparse.SUPPRESS, help="store to use")
    return parent


def _add_runs_parsers(groups) -> None:
    runs = groups.add_parser("runs", help="list and search runs").add_subparsers(dest="action", required=True)
    listing = runs.add_parser("list", help="the newest runs", parents=[_store_option()])
    search = runs.add_parser("search", help="runs matching a filter, in order", parents=[_store_option()])
    for parser in (listing, search):
        parser.add_argument("--experiment", action="append", metavar="NAME",
                            help="experiment name (repeatable; default: every experiment)")
        parser.add_argument("--max-results", type=positive_int, default=100, metavar="N")
        parser.add_argument("--columns", metavar="A,B,...",
                            help="columns to show, e.g. run_name,metrics.rmse,params.alpha (default: what the "
                                 "filter and order name, then metrics that fit the terminal)")
        parser.add_argument("--output", choices=OUTPUTS, default="table", help="table (default), json or csv")
    listing.set_defaults(handler=commands.runs_list)
    search.add_argument("--filter", default="", help="e.g. \"metrics.rmse < 6.8 and params.alpha = '0.1'\"")
    search.add_argument("--order-by", action="append", metavar="KEY", help="e.g. 'metrics.rmse ASC' (repeatable)")
    search.set_defaults(handler=commands.runs_search)


def _add_models_parsers(groups) -> None:
    models = groups.add_parser("models", help="the model registry").add_subparsers(dest="action", required=True)
    listing = models.add_parser("list", help="registered models", parents=[_store_option()])
    listing.add_argument("--filter", default=None, help="e.g. \"name LIKE 'nyc-%%'\"")
    listing.set_defaults(handler=commands.models_list)
    promote = models.add_parser("promote", help="move a version to a stage or point an alias at it",
                                parents=[_store_option()])
    promote.add_argument("name")
    promote.add_argument("version", type=positive_int)
    target = promote.add_mutually_exclusive_group(required=True)
    target.add_argument("--stage", help="None, Staging, Production or Archived")
    target.add_argument("--alias", help="e.g. champion")
    promote.add_argument("--archive-existing", action="store_true",
                         help="archive the versions now in that stage")
    promote.set_defaults(handler=commands.models_promote)
    add_scoring_parsers(models, _store_option)
    cleanup = models.add_parser("cleanup", help="delete registrations that died half-way", parents=[_store_option()])
    cleanup.add_argument("name", nargs="?", help="only this registered model")
    cleanup.set_defaults(handler=commands.models_cleanup)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``autolog`` command."""
    from .. import __version__

    parser = argparse.ArgumentParser(prog="autolog", description="Experiments, runs and the model registry.")
    parser.add_argument("--version", action="version", version=f"autolog {__version__}")
    parser.add_argument("--tracking-uri", default=os.environ.get("AUTOLOG_TRACKING_URI")
                        or os.environ.get("MLFLOW_TRACKING_URI") or "./mlruns",
                        help="store to use (default: $AUTOLOG_TRACKING_URI, $MLFLOW_TRACKING_URI or ./mlruns)")
    groups = parser.add_subparsers(dest="group", required=True)
    experiments = groups.add_parser("experiments", help="list experiments").add_subparsers(dest="action",
                                                                                           required=True)
    listing = experiments.add_parser("list", help="experiments in the store", parents=[_store_option()])
    listing.add_argument("--all", action="store_true", help="include deleted experiments")
    listing.set_defaults(handler=commands.experiments_list)
    _add_runs_parsers(groups)
    _add_models_parsers(groups)
    from .db import add_db_parser
    add_db_parser(groups)
    from .server import add_server_parsers
    add_server_parsers(groups)
    integrations_command.add_parsers(groups)
    groups.add_parser("demo", help="train a small model with autologging and register it",
                      parents=[_store_option()]).set_defaults(handler=commands.demo)
    moving.add_parsers(groups, _store_option)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0, 1 for an autolog error, 2 for bad usage)."""
    from ..tracking.exceptions import AutologError

    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    if args.group == "models" and args.action == "promote" and args.archive_existing and args.alias:
        parser.error("--archive-existing goes with --stage, not --alias")
    try:
        args.handler(args, sys.stdout)
    except AutologError as exc:
        print(f"autolog: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and cut short
        sys.stderr.close()
    except (OSError, ValueError, RuntimeError, ImportError) as exc:  # still one line, never a traceback
        print(f"autolog: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
