"""Plain, aligned text tables for the command line."""

from __future__ import annotations

import datetime

__all__ = ["format_table", "format_time", "format_value"]


def format_time(epoch_ms) -> str:
    """Epoch milliseconds as local 'YYYY-MM-DD HH:MM:SS', or '-'."""
    if epoch_ms is None:
        return "-"
    return datetime.datetime.fromtimestamp(epoch_ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def format_value(value) -> str:
    """A cell: '-' for None, floats with up to 6 significant digits, the rest as str."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def format_table(headers, rows) -> str:
    """Columns left-aligned to their widest cell, separated by two spaces, with a rule under the header."""
    cells = [[format_value(cell) for cell in row] for row in rows]
    widths = [max([len(str(header))] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)
