"""`steward procurement due [--agency SLUG] [--as-of YYYY-MM-DD]`: debriefing meetings due,
bidders' windows to appeal still open, and appeals pending decision (seed 004), for the
procurement team's daily look. The dates are those of the open due dates (the same the work
list, the pages and the reminders use), "overdue" in each agency's own today."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandParser

from steward.contracts.models import DueDate, DueDateStatus
from steward.core.commands import add_as_of_argument
from steward.procurement.models import AppealStatus, Bid, BidAppeal, DebriefingRequest


class Command(BaseCommand):
    help = (
        "Procurement: `due` lists debriefing meetings to hold, windows to appeal still open and "
        "appeals pending."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser(
            "due", help="Debriefing meetings to hold, appeal windows open, appeals to decide."
        )
        due.add_argument("--agency", help="Only this agency (slug).")
        add_as_of_argument(due, help="Treat this date (YYYY-MM-DD) as today.", old_spelling=True)

    def handle(self, *args: Any, **options: Any) -> None:
        queryset = (
            DueDate.objects.filter(
                kind__in=("debriefing_meeting", "bid_appeal"), status=DueDateStatus.OPEN
            )
            .select_related("agency__pack", "provider")
            .order_by("due_date", "pk")
        )
        appeals = BidAppeal.objects.filter(status=AppealStatus.PENDING).select_related(
            "bid__solicitation", "bid__provider"
        )
        if options["agency"]:
            queryset = queryset.filter(agency__slug=options["agency"])
            appeals = appeals.filter(bid__solicitation__agency__slug=options["agency"])
        dues = list(queryset)
        references = _references(dues)
        todays: dict[int, Any] = {}
        lines = []
        for due in dues:
            if due.agency_id not in todays:
                todays[due.agency_id] = options["as_of"] or due.agency.today()
            reference = references.get((due.kind, due.subject_id), "")
            provider = due.provider.legal_name if due.provider else ""
            if due.kind == "debriefing_meeting":
                late = " (OVERDUE)" if due.due_date < todays[due.agency_id] else ""
                lines.append(
                    f"debriefing  {reference}  {provider}  meeting due "
                    f"{due.due_date:%Y-%m-%d}{late}"
                )
            else:
                lines.append(f"may appeal  {reference}  {provider}  until {due.due_date:%Y-%m-%d}")
        for a in appeals.order_by("lodged_on"):
            lines.append(
                f"appeal      {a.bid.solicitation.reference}  {a.bid.provider}  "
                f"lodged {a.lodged_on:%Y-%m-%d} on {a.get_ground_display()}"
            )
        self.stdout.write("\n".join(lines) if lines else "Nothing due.")


def _references(dues: list[DueDate]) -> dict[tuple[str, int | None], str]:
    """The solicitation reference of each due date's subject (a debriefing request, or a bid):
    two queries whatever their number."""
    request_type = ContentType.objects.get_for_model(DebriefingRequest)
    bid_type = ContentType.objects.get_for_model(Bid)
    request_ids = [
        d.subject_id for d in dues if d.subject_id and d.subject_type_id == request_type.pk
    ]
    bid_ids = [d.subject_id for d in dues if d.subject_id and d.subject_type_id == bid_type.pk]
    found: dict[tuple[str, int | None], str] = {}
    for pk, reference in DebriefingRequest.objects.filter(pk__in=request_ids).values_list(
        "pk", "bid__solicitation__reference"
    ):
        found[("debriefing_meeting", pk)] = reference
    for pk, reference in Bid.objects.filter(pk__in=bid_ids).values_list(
        "pk", "solicitation__reference"
    ):
        found[("bid_appeal", pk)] = reference
    return found
