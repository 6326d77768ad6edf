"""`steward jobs recover`: mark failed the background jobs whose worker stopped."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.core import jobs


class Command(BaseCommand):
    help = (
        "Background jobs. `recover`: mark failed (with a retry) every running job whose worker "
        "stopped; `--all` when no worker is running at all (a worker starting up)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recover = sub.add_parser("recover", help="Mark failed the jobs whose worker stopped.")
        recover.add_argument(
            "--all",
            action="store_true",
            help="Every running job (only when no worker runs, e.g. as the only worker starts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from datetime import timedelta

        older = timedelta(0) if options["all"] else None
        count = jobs.recover_stale(older_than=older)
        self.stdout.write(f"{count} stopped job(s) marked failed.")
