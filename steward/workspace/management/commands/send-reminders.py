"""`steward send-reminders [--as-of DATE]`: the daily job.

Closes the windows (to appeal, to comment, to ask for a debriefing) that passed unused, opens
the due dates that fall due by date (interim evaluations), closes the monitoring cycles whose
appeal window passed without an appeal, and emails the day's reminders of every open due date
(five days before, on the day, and the day after it was missed) to the people who must act,
with a link to the page where they act. Idempotent: run it twice on a day and nothing is sent
twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.core.commands import add_as_of_argument
from steward.workspace.services import daily_run


class Command(BaseCommand):
    help = "The daily job: lapse unused windows, open due dates, send the day's reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of_argument(
            parser,
            help="The day to act as of (YYYY-MM-DD; default: each agency's today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"]
        result = daily_run(as_of=as_of)
        label = f"{as_of:%Y-%m-%d}" if as_of else "Today"
        summary = ", ".join(f"{n} {what}" for what, n in result.items())
        self.stdout.write(f"{label}: {summary}.")
