"""`steward export-contracts --format csv|xlsx|json [--agency SLUG] -o FILE`, and the formats
other areas register (`--format ocds --agency SLUG [--package release|record]`, the open-data
area's OCDS 1.1.5 export)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.contracts.exporting import HEADERS, SHEET_TITLE, export_rows
from steward.contracts.hooks import register_export_formats
from steward.contracts.models import Contract
from steward.core.exports import FORMATS, Sheet, write_csv, write_json, write_xlsx
from steward.parties.models import Agency


class Command(BaseCommand):
    help = (
        "Export the contract register in Steward's native columns (the import template's), "
        "so that the file imports back unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", choices=(*FORMATS, *register_export_formats()), default="csv"
        )
        parser.add_argument("--agency", help="Only this agency's contracts (its slug).")
        parser.add_argument(
            "-o", "--output", type=Path, help="The file to write ('-' or none: standard output)."
        )
        parser.add_argument(
            "--package",
            choices=("release", "record"),
            default="release",
            help="OCDS only: a release package (default) or a record package.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        other = register_export_formats().get(options["format"])
        if other is not None:
            self._export_other(other, options)
            return
        contracts = Contract.objects.order_by("agency_id", "number")
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency {options['agency']!r}.")
            contracts = contracts.filter(agency=agency)
        fmt, target = options["format"], options["output"]
        write = write_csv if fmt == "csv" else write_json
        if fmt == "xlsx":
            if target is None or str(target) == "-":
                raise CommandError("An XLSX export needs -o FILE.")
            with target.open("wb") as out:
                write_xlsx([Sheet(SHEET_TITLE, HEADERS, export_rows(contracts))], out)
        elif target is None or str(target) == "-":
            write(HEADERS, export_rows(contracts), sys.stdout)
        else:
            with target.open("w", encoding="utf-8", newline="") as text_out:
                write(HEADERS, export_rows(contracts), text_out)
        if target is not None and str(target) != "-":
            self.stderr.write(f"Exported {contracts.count()} contracts to {target}.")

    def _export_other(self, write: Any, options: dict[str, Any]) -> None:
        """A registered format: one agency's package, streamed to the file or stdout."""
        if not options["agency"]:
            raise CommandError(f"A {options['format']} export is per agency: give --agency SLUG.")
        if not Agency.objects.filter(slug=options["agency"]).exists():
            raise CommandError(f"No agency {options['agency']!r}.")
        target = options["output"]
        if target is None or str(target) == "-":
            write(options["agency"], options["package"], sys.stdout)
            return
        with target.open("w", encoding="utf-8") as out:
            count = write(options["agency"], options["package"], out)
        self.stderr.write(f"Exported {count} contracts to {target}.")
