"""``autolog integrations list``: the collection of integrations, built in and installed as plugins."""

from __future__ import annotations

from .tables import format_table

__all__ = ["add_parsers", "integrations_list"]


def add_parsers(groups) -> None:
    """Register the ``integrations`` command group on the CLI's subparsers."""
    parser = groups.add_parser("integrations", help="the framework integrations and installed plugins")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="each integration, its version range and the installed framework")
    listing.set_defaults(handler=integrations_list)


def _status(row: dict) -> tuple:
    """(would autolog.enable() turn it on, why not / what to know)."""
    if row["error"]:
        return "no", f"broken plugin: {row['error']}"
    if row["enabled"]:
        return "yes", "enabled in this process"
    if row["installed_version"] is None:
        return "no", f"{row.get('module', row['name'])} is not installed"
    if row["in_range"] is False:
        return "yes", "outside the tested range (warns)"
    return "yes", ""


def integrations_list(args, out) -> None:
    """Print one line per integration: name, source, supported range, installed version, enabled by
    ``autolog.enable()`` or not, and why."""
    from ..integrations import describe

    rows = []
    for row in describe():
        enabled, note = _status(row)
        rows.append([row["name"], row["source"], row["supported_versions"] or "-", row["installed_version"],
                     enabled, note])
    print(format_table(["name", "source", "supported", "installed", "enabled", "note"], rows), file=out)
