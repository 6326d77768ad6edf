"""`steward report expiring|annual`: the register's reports for oversight (seed 000)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.contracts import reports
from steward.core.commands import add_as_of_argument
from steward.core.errors import ApplicationError
from steward.core.exports import csv_text, json_text, xlsx_bytes
from steward.parties.models import Role


class _Operator:
    """The operator at the command line: reports on every agency, like an administrator."""

    role = Role.ADMINISTRATOR
    agency_id = None
    is_authenticated = True
    is_active = True
    pk = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True


class Command(BaseCommand):
    help = (
        "Reports on the contract register. `expiring`: contracts not yet ended whose end date "
        "falls from the as-of date to as-of + DAYS (inclusive). `annual`: per agency, POS and "
        "PSA contracts in force in the fiscal year (the pack's: July 1 for CT and MA, April 1 "
        "in the UK), counts and values by type, and those ending the following fiscal year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        expiring = sub.add_parser("expiring", help="Contracts ending soon.")
        expiring.add_argument("--within", type=int, required=True, metavar="DAYS")
        add_as_of_argument(expiring, help="Default: today (YYYY-MM-DD).")
        expiring.add_argument("--agency", default="", help="One agency's slug.")
        expiring.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
        expiring.add_argument("-o", "--output", type=Path)
        annual = sub.add_parser("annual", help="The yearly POS and PSA report.")
        annual.add_argument("--fiscal-year", type=int, required=True, metavar="YYYY")
        annual.add_argument("--agency", default="", help="One agency's slug.")
        annual.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
        annual.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        operator = _Operator()
        fmt = options["format"]
        records: Iterator[dict[str, Any]]
        columns: tuple[str, ...]
        try:
            if options["report"] == "expiring":
                as_of = options["as_of"] or timezone.localdate()
                contracts = reports.expiring_report(
                    actor=operator,
                    as_of=as_of,
                    within_days=options["within"],
                    agency_slug=options["agency"],
                )
                records = (
                    reports.expiring_record(r) for r in reports.expiring_rows(contracts, as_of)
                )
                columns, title = reports.EXPIRING_COLUMNS, "Expiring contracts"
            else:
                lines = reports.annual_report(
                    actor=operator,
                    fiscal_year=options["fiscal_year"],
                    agency_slug=options["agency"],
                )
                records = reports.annual_records(lines)
                columns, title = reports.ANNUAL_COLUMNS, f"FY{options['fiscal_year']}"
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        target: Path | None = options["output"]
        if fmt == "xlsx":
            if target is None:
                raise CommandError("An XLSX report needs -o FILE.")
            target.write_bytes(xlsx_bytes([reports.report_sheet(title, columns, records)]))
            return
        rows = reports.record_rows(columns, records)
        body = csv_text(columns, rows) if fmt == "csv" else json_text(columns, rows, indent=2)
        if target is None:
            sys.stdout.write(body)
        else:
            target.write_text(body, encoding="utf-8")
