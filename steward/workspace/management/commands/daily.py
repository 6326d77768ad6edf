"""`steward daily [--enqueue] [--force] [--as-of DATE]`: every daily job, once a day.

Lapses the windows that passed unused, expires the contracts past their end date, opens the
due dates that fall due (interim evaluations, evaluations to finalise, reports to the
commissioning body), closes the monitoring cycles whose appeal window passed, sends the day's
reminders, recomputes the risk ratings, sends again the emails that failed and marks failed the
background jobs whose worker stopped. Missed days are caught up. Claimed in the database: run
it from cron, a systemd timer, a Kubernetes CronJob or several workers at once, and each day
runs once (docs/background-jobs.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.core.commands import add_as_of_argument
from steward.workspace.daily import daily


class Command(BaseCommand):
    help = "The daily jobs, once a day (claimed in the database; missed days caught up)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of_argument(parser, help="Run as of this day (YYYY-MM-DD; default: today).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the run to a background worker instead of running it here.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run today's jobs again even if they ran."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from steward.workspace.tasks import run_daily

            queued = run_daily.enqueue()
            self.stdout.write(f"The daily jobs were handed to a worker (task {queued.id}).")
            return
        ran = daily(today=options["as_of"], force=options["force"])
        if not ran:
            self.stdout.write("Nothing to do: the daily jobs already ran today.")
        for day, result in ran:
            if result is None:
                self.stdout.write(f"{day:%Y-%m-%d}: already taken by another run.")
                continue
            summary = ", ".join(f"{n} {what}" for what, n in result.items())
            self.stdout.write(f"{day:%Y-%m-%d}: {summary}.")
