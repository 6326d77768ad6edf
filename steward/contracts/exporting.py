"""Exporting the contract register in Steward's native columns (CSV, XLSX or JSON), streamed.

The columns are the native import template's, so an export imports back unchanged (the round
trip is tested)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet

from steward.contracts.models import Contract
from steward.contracts.register_formats import NATIVE_COLUMNS

EXPORT_FORMATS = ("csv", "xlsx", "json")
HEADERS = tuple(column.headers[0].replace(" ", "_") for column in NATIVE_COLUMNS)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _value(contract: Contract, field: str) -> Any:
    provider = contract.provider
    if field == "provider":
        return provider.legal_name
    if field.startswith("provider_"):
        value = getattr(provider, field.removeprefix("provider_"))
        return ("yes" if value else "no") if isinstance(value, bool) else value
    value = getattr(contract, field)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def export_rows(contracts: QuerySet[Contract]) -> Iterator[list[Any]]:
    """One list of values per contract, in HEADERS order, read in chunks."""
    fields = [column.field for column in NATIVE_COLUMNS]
    for contract in contracts.select_related("provider").iterator(chunk_size=2000):
        yield [_value(contract, field) for field in fields]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(rows: Iterable[list[Any]], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_text(v) for v in row])


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """The CSV as an iterator of lines (for a streaming HTTP response)."""

    class _Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Line())
    yield writer.writerow(HEADERS)
    for row in rows:
        yield writer.writerow([_text(v) for v in row])


def write_json(rows: Iterable[list[Any]], out: IO[str]) -> None:
    out.write("[")
    for n, row in enumerate(rows):
        record = {
            h: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v)
            for h, v in zip(HEADERS, row, strict=True)
        }
        out.write(("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False))
    out.write("\n]\n")


def write_xlsx(rows: Iterable[list[Any]], out: IO[bytes]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contracts")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)  # openpyxl writes Decimal as a number without float rounding
    workbook.save(out)
