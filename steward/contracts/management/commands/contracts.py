"""`steward contracts expire [--as-of YYYY-MM-DD]`: expire contracts past their end date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from steward.contracts.services import contracts_expire_due
from steward.core.commands import add_as_of_argument


class Command(BaseCommand):
    help = "Contract housekeeping. `expire`: mark contracts past their end date expired."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser(
            "expire",
            help="Expire every executed or active contract whose end date is before today, "
            "opening its closeout evaluation due date. Safe to run daily.",
        )
        add_as_of_argument(expire, help="Treat this date (YYYY-MM-DD) as today.", old_spelling=True)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["as_of"] or timezone.localdate()
        count = contracts_expire_due(today=today)
        noun = "contract" if count == 1 else "contracts"
        if count:
            self.stdout.write(
                f"Expired {count} {noun} that ended before {today:%Y-%m-%d}; "
                "their closeout evaluations are now due."
            )
        else:
            self.stdout.write(f"No contracts to expire (none ended before {today:%Y-%m-%d}).")
