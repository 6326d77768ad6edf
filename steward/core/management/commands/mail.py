"""`steward mail retry`: send again the emails that could not be sent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from steward.core import mail
from steward.core.models import OutboundEmail, OutboundEmailStatus


class Command(BaseCommand):
    help = (
        "Outgoing email. `retry`: send again every email whose sending failed (and any left "
        "pending by a process that stopped before sending it). Safe to run often."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "retry",
            help="Send the failed emails again, over one connection; report how many were sent "
            "and how many failed again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = mail.retry()
        if not result.sent and not result.failed:
            self.stdout.write("No emails to send again.")
            return
        self.stdout.write(f"Sent {result.sent} email(s); {result.failed} failed again.")
        if result.failed:
            waiting = OutboundEmail.objects.filter(status=OutboundEmailStatus.FAILED).count()
            self.stderr.write(
                f"{waiting} email(s) are still unsent: see the log (steward.mail) or the "
                "admin's Outbound emails, then run `steward mail retry` again."
            )
