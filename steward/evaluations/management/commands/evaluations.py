"""`steward evaluations ...`: the operator's evaluation commands (seeds 000 and 001).

- `steward evaluations open-interim [--as-of DATE]`: open the yearly interim evaluation due
  dates of performance-based contracts (run daily by a scheduler; idempotent).
- `steward evaluations due [--as-of DATE] [--agency SLUG]`: the open evaluation due dates,
  overdue first, with days remaining.
- `steward evaluations compliance [--as-of DATE] [--since DATE] [--until DATE]
  [--output FILE.xlsx|FILE.csv]`: the compliance table per agency (due, done on time, late,
  missing): the reason the Connecticut shared database exists (seed 000).

Without `--as-of`, "today" is each agency's own, in its policy pack's time zone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.core.commands import add_as_of_argument, iso_date
from steward.evaluations import selectors, services
from steward.evaluations.exporting import compliance_csv, compliance_xlsx
from steward.parties.models import Agency, Role


class _Operator:
    """The operator sees every agency, as an oversight officer does (read-only)."""

    role = Role.OVERSIGHT_OFFICER
    agency_id = None
    provider_id = None
    is_authenticated = True
    is_active = True


class Command(BaseCommand):
    help = "Evaluation commands: open-interim, due, compliance (seeds 000 and 001)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["open-interim", "due", "compliance"])
        add_as_of_argument(
            parser,
            help="The day to act as of, for every agency (YYYY-MM-DD; default: each agency's "
            "own today).",
        )
        parser.add_argument("--agency", default="", help="due: one agency's slug")
        parser.add_argument("--since", type=iso_date, help="compliance: due on or after")
        parser.add_argument("--until", type=iso_date, help="compliance: due on or before")
        parser.add_argument("--output", help="compliance: write FILE.xlsx or FILE.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date | None = options["as_of"]
        action = options["action"]
        if action == "open-interim":
            opened = services.interim_due_open(as_of=as_of)
            when = f"as of {as_of}" if as_of else "as of each agency's today"
            self.stdout.write(f"Opened {opened} interim evaluation due date(s) {when}.")
            return
        operator: Any = _Operator()
        if action == "due":
            agency_id = None
            if options["agency"]:
                agency = Agency.objects.filter(slug=options["agency"]).first()
                if agency is None:
                    raise CommandError(f"No agency {options['agency']!r}.")
                agency_id = agency.pk
            dues = selectors.due_evaluations(actor=operator, agency_id=agency_id)
            count = 0
            todays: dict[int, date] = {}
            for due in dues.iterator(chunk_size=2000):
                count += 1
                if due.agency_id not in todays:
                    todays[due.agency_id] = as_of or due.agency.today()
                left = (due.due_date - todays[due.agency_id]).days
                when = f"{-left} days overdue" if left < 0 else f"{left} days left"
                number = due.contract.number if due.contract is not None else ""
                self.stdout.write(
                    f"{due.due_date}  {when:>18}  {due.agency.slug:<28} {number:<16} {due.label}"
                )
            self.stdout.write(f"{count} evaluation(s) due.")
            return
        rows = selectors.compliance_table(
            actor=operator, today=as_of, since=options["since"], until=options["until"]
        )
        output = options["output"]
        if output and output.endswith(".xlsx"):
            title = f"As of {as_of or timezone.localdate()}"
            Path(output).write_bytes(compliance_xlsx(rows, title=title))
            self.stdout.write(f"Wrote {output}.")
            return
        text = compliance_csv(rows)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
