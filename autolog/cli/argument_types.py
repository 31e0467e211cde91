"""Argument types shared by the CLI's subcommands."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """Parse a command-line integer that must be above zero.

    Raises ``argparse.ArgumentTypeError`` (shown by argparse as a usage error) otherwise.
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
