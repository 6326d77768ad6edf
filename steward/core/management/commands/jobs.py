"""`steward jobs recover`: mark failed the background jobs whose worker stopped.
`steward jobs prune`: delete old jobs' stored files and old task results (`steward daily`
does it too)."""

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
        prune = sub.add_parser(
            "prune", help="Delete the files of old finished jobs and old task results."
        )
        prune.add_argument(
            "--days",
            type=int,
            default=None,
            help="Older than this many days (default: STEWARD_JOB_RETENTION_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from datetime import timedelta

        if options["action"] == "prune":
            pruned = jobs.prune(days=options["days"])
            self.stdout.write(
                f"{pruned.files} file(s) of {pruned.jobs} old job(s) and "
                f"{pruned.task_results} old task result(s) deleted."
            )
            return
        older = timedelta(0) if options["all"] else None
        count = jobs.recover_stale(older_than=older)
        self.stdout.write(f"{count} stopped job(s) marked failed.")
