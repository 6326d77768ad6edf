"""`steward import-returns FILE --agency SLUG [--dry-run] [--reason TEXT]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.core.commands import add_as_of_argument, file_progress
from steward.parties.models import Agency
from steward.performance.importing import import_returns

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import provider returns (CSV or XLSX; one row per indicator value: contract, period "
        "start, indicator, value, and optionally submitted on, units delivered, referrals, "
        "starts, leavers, costs). All or nothing: a file with any bad row imports nothing and "
        "every bad row is listed (line, column, reason); the exit code is then 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument("--agency", required=True, help="The agency whose contracts these are.")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument(
            "--reason",
            default="",
            help="Why values of returns already submitted are changed (a correction needs one).",
        )
        add_as_of_argument(parser, help="Treat this date (YYYY-MM-DD) as today.", old_spelling=True)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        agency = Agency.objects.select_related("pack").filter(slug=options["agency"]).first()
        if agency is None:
            slugs = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency {options['agency']!r}. Agencies: {slugs or 'none'}.")
        with (
            path.open("rb") as stream,
            file_progress(stream, path.stat().st_size, label=f"Importing {path.name}") as bar,
        ):
            report = import_returns(
                actor=None,
                agency=agency,
                stream=stream,
                filename=path.name,
                dry_run=options["dry_run"],
                reason=options["reason"],
                today=options["as_of"] or timezone.localdate(),
                progress=bar,
            )
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(report.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more problems.")
        message = report.summary() + (" (dry run: nothing written)" if options["dry_run"] else "")
        if not report.ok:
            raise CommandError(message)
        self.stdout.write(message)
