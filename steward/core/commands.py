"""What every `steward` command shares: the date argument type and the reference-date option.

The reference date ("act as if today were…") is spelled `--as-of` on every command; commands
that once spelled it `--today` keep that spelling as an alias so scripts written for them still
work."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any


def iso_date(value: str) -> date:
    """argparse type: a date written YYYY-MM-DD. Raises ArgumentTypeError, which argparse turns
    into a usage error naming the value."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD") from exc


def add_as_of_argument(
    parser: argparse.ArgumentParser | Any,
    *,
    help: str = "Act as of this date (YYYY-MM-DD; default: today).",
    old_spelling: bool = False,
) -> None:
    """Add `--as-of DATE` (stored as `options["as_of"]`, None when absent) to `parser`. With
    `old_spelling`, `--today` is accepted too, for commands that spelled it so before."""
    flags = ["--as-of", "--today"] if old_spelling else ["--as-of"]
    parser.add_argument(*flags, dest="as_of", type=iso_date, metavar="DATE", help=help)
