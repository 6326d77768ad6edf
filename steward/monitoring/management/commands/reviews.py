"""`steward reviews plan [--agency SLUG] [--as-of DATE]`: plan the review cycle of every
executed or active contract (seed 003).

A contract's review meetings are planned when it is executed; this plans them for contracts
executed before that was so, from today to the end of their term: the meetings their cycle
holds and they do not have yet, each with its due date; a meeting still to be held that the
cycle no longer holds is cancelled. Meetings held are kept. Idempotent: run it again and
nothing changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.core.commands import add_as_of_argument
from steward.monitoring.services import reviews_plan_all
from steward.parties.models import Agency


class Command(BaseCommand):
    help = "Review meetings. `plan`: plan the review cycle of every executed or active contract."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser(
            "plan",
            help="Plan the review meetings of every executed or active contract from today to "
            "the end of its term, as its agency's policy pack asks. Safe to run again.",
        )
        plan.add_argument("--agency", metavar="SLUG", help="Only this agency's contracts.")
        add_as_of_argument(plan, help="Plan from this date (YYYY-MM-DD; default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = None
        if options.get("agency"):
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency {options['agency']!r}.")
        today = options["as_of"] or timezone.localdate()
        counts = reviews_plan_all(today=today, agency=agency)
        self.stdout.write(
            f"{counts['contracts']} contract(s): {counts['meetings planned']} review meeting(s) "
            f"planned, {counts['meetings cancelled']} cancelled."
        )
