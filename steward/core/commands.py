"""What every `steward` command shares: the date argument type and the reference-date option.

The reference date ("act as if today were…") is spelled `--as-of` on every command; commands
that once spelled it `--today` keep that spelling as an alias so scripts written for them still
work."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
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


@contextlib.contextmanager
def count_progress(total: int, *, label: str, unit: str, out: Any = None) -> Iterator[Any]:
    """A progress bar (rich) for a command doing `total` things one by one (letters drawn):
    yields a `progress(done)` callback. Drawn on the terminal only (stderr); nothing when the
    output is not a terminal (a timer, a pipe, the tests)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(file=out or sys.stderr)
    if not console.is_terminal:
        yield lambda done: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total or None)
        yield lambda done: bar.update(task, completed=done)


@contextlib.contextmanager
def file_progress(stream: Any, size: int, *, label: str, out: Any = None) -> Iterator[Any]:
    """A progress bar (rich) for a long command reading `stream` of `size` bytes: yields a
    `progress(rows_read, problems)` callback for the import functions. Drawn on the terminal
    only (stderr); nothing when the output is not a terminal (a timer, a pipe, the tests)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=out or sys.stderr)
    if not console.is_terminal:
        yield lambda rows, problems=0: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(
            "{task.percentage:>3.0f}%  {task.fields[rows]} rows, {task.fields[problems]} problems"
        ),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=size or None, rows=0, problems=0)

        def update(rows: int, problems: int = 0) -> None:
            try:
                position = stream.tell()
            except (OSError, ValueError):
                position = 0
            bar.update(task, completed=position, rows=rows, problems=problems)

        yield update
