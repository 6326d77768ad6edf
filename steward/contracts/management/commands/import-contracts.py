"""`steward import-contracts FILE --agency SLUG [--format ...] [--dry-run] [--skip-invalid]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.contracts.importing import import_contracts
from steward.contracts.register_formats import FORMATS
from steward.core.commands import add_as_of_argument, file_progress
from steward.parties.models import Agency

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import a contract register (CSV or XLSX) into an agency. All or nothing: a file with "
        "any bad row imports nothing and every bad row is listed (line, column, reason); the "
        "exit code is then 1. Re-importing the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument("--agency", required=True, help="The importing agency's slug.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="native",
            help="native (Steward's template), uk-transparency (Local Government Transparency "
            "Code register) or us-open-data (a US state/city open-data contract list).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows; write the rejected ones with their reasons to "
            "--rejected (default FILE.rejected.csv) to fix and import again.",
        )
        parser.add_argument("--rejected", type=Path, help="Where to write the rejected rows.")
        parser.add_argument(
            "--problems",
            type=Path,
            help="Where to write every problem and notice, as CSV (default FILE.problems.csv; "
            "written only when there are some).",
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
            report = import_contracts(
                actor=None,
                agency=agency,
                stream=stream,
                filename=path.name,
                fmt=options["format"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                today=options["as_of"] or timezone.localdate(),
                progress=bar,
            )
        for line, why in report.skipped:
            self.stdout.write(f"line {line}: skipped ({why})")
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(report.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more problems.")
        for notice in report.notices[:MAX_ERRORS_SHOWN]:
            self.stdout.write(f"notice: {notice}")
        if report.errors or report.notices:
            problems = options["problems"] or path.with_suffix(".problems.csv")
            problems.write_text(report.problems_csv(), encoding="utf-8")
            self.stderr.write(
                f"Every problem and notice ({len(report.errors)} problems, "
                f"{len(report.notices)} notices) is listed in {problems}."
            )
        if report.providers_created:
            shown = ", ".join(report.providers_created[:20])
            more = len(report.providers_created) - 20
            self.stdout.write(
                f"New providers ({len(report.providers_created)}): {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
        if report.rejected and options["skip_invalid"] and report.written:
            target = options["rejected"] or path.with_suffix(".rejected.csv")
            target.write_text(report.rejected_csv(), encoding="utf-8")
            self.stderr.write(f"Rejected rows and their reasons written to {target}.")
        message = report.summary() + (" (dry run: nothing written)" if options["dry_run"] else "")
        if not report.ok:
            raise CommandError(message)
        self.stdout.write(message)
