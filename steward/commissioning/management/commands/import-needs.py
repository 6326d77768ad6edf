"""`steward import-needs FILE --agency SLUG [--dry-run]`: import a needs analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.commissioning.importing import import_needs
from steward.parties.models import Agency

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import a needs analysis (CSV or XLSX: service type, area, period start, period end, "
        "need, use) into an agency. All or nothing: a file with any bad row imports nothing "
        "and every bad row is listed (line, column, reason); the exit code is then 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument("--agency", required=True, help="The agency's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        agency = Agency.objects.select_related("pack").filter(slug=options["agency"]).first()
        if agency is None:
            slugs = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency {options['agency']!r}. Agencies: {slugs or 'none'}.")
        with path.open("rb") as stream:
            report = import_needs(
                actor=None,
                agency=agency,
                stream=stream,
                filename=path.name,
                dry_run=options["dry_run"],
            )
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(report.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more problems.")
        if report.errors:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
