"""`steward send-reminders [--as-of DATE]`: the daily scheduler's job.

Emails the reminders of every open deadline (five days before, on the day, and once overdue: the
provider's users for the self-assessment, returns and comments on an evaluation; the contract
manager for results letters, evaluations and debriefings) and of open actions; closes the
monitoring cycles whose appeal window passed without an appeal; opens the interim evaluations
that fell due. Idempotent: run it twice on a day and nothing is sent twice."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from steward.core.commands import add_as_of_argument
from steward.evaluations.services import interim_due_open
from steward.monitoring.services import send_reminders


class Command(BaseCommand):
    help = "Send the day's deadline reminders, close finished monitoring cycles (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of_argument(parser, help="The day to act as of (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or timezone.localdate()
        interim = interim_due_open(as_of=as_of)
        result = send_reminders(as_of=as_of)
        self.stdout.write(
            f"{as_of}: {result['reminders']} reminder(s), {result['emails']} email(s) sent, "
            f"{result['cycles closed']} monitoring cycle(s) closed, {interim} interim "
            "evaluation(s) opened."
        )
