"""`steward procurement due [--agency SLUG] [--as-of YYYY-MM-DD]`: debriefing meetings due and
appeals pending (seed 004), for the procurement team's daily look."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from steward.core.commands import add_as_of_argument
from steward.procurement.models import AppealStatus, BidAppeal, DebriefingRequest


class Command(BaseCommand):
    help = "Procurement: `due` lists debriefing meetings not yet held and appeals pending."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="Debriefing meetings to hold and appeals to decide.")
        due.add_argument("--agency", help="Only this agency (slug).")
        add_as_of_argument(due, help="Treat this date (YYYY-MM-DD) as today.", old_spelling=True)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["as_of"] or timezone.localdate()
        requests = DebriefingRequest.objects.filter(meeting__isnull=True).select_related(
            "bid__solicitation", "bid__provider"
        )
        appeals = BidAppeal.objects.filter(status=AppealStatus.PENDING).select_related(
            "bid__solicitation", "bid__provider"
        )
        if options["agency"]:
            requests = requests.filter(bid__solicitation__agency__slug=options["agency"])
            appeals = appeals.filter(bid__solicitation__agency__slug=options["agency"])
        lines = []
        for r in requests.order_by("meeting_due"):
            late = " (OVERDUE)" if r.meeting_due < today else ""
            lines.append(
                f"debriefing  {r.bid.solicitation.reference}  {r.bid.provider}  "
                f"meeting due {r.meeting_due:%Y-%m-%d}{late}"
            )
        for a in appeals.order_by("lodged_on"):
            lines.append(
                f"appeal      {a.bid.solicitation.reference}  {a.bid.provider}  "
                f"lodged {a.lodged_on:%Y-%m-%d} on {a.get_ground_display()}"
            )
        self.stdout.write("\n".join(lines) if lines else "Nothing due.")
