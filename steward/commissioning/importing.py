"""Importing the needs analysis (seed 003 section 3(A)(i)): `steward import-needs FILE
--agency SLUG`, the import page and the API. One row per service type, area and period:

    service type, area, period start, period end, need, use

`need` is the number of people assessed as needing the service (the data on need for
services), `use` the number who used it in the period (the patterns of use). Headers in any case
and spacing; dates in ISO or the agency's order.

All or nothing, like the register import: every row is checked, and a file with any bad row
writes nothing; the report lists every bad row with its line, column and reason. A row for a
(service type, area, period start) already imported replaces its figures; importing the same
file again changes nothing. Each row written gets an audit row ("Imported from FILE")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.db import transaction

from steward.commissioning.models import NeedRecord
from steward.contracts.register_formats import RowError, TableImportReport
from steward.contracts.tabular import (
    CellError,
    FileFormatError,
    SheetRow,
    is_blank,
    iter_rows,
    parse_date,
    parse_money,
    sniff_kind,
    text,
)
from steward.core.errors import ValidationFailed
from steward.core.services import require_perm
from steward.core.uploads import UploadRejected, check_upload
from steward.parties.models import Agency

COLUMNS = {
    "service_type": ("service type", "service", "type of service"),
    "area": ("area", "locality", "district"),
    "period_start": ("period start", "from", "period from"),
    "period_end": ("period end", "to", "period to"),
    "need": ("need", "people in need", "assessed need", "demand"),
    "use": ("use", "used", "people using", "service use"),
}
LABELS = {
    "service_type": "service type",
    "area": "area",
    "period_start": "period start",
    "period_end": "period end",
    "need": "need",
    "use": "use",
}
#: The largest needs file accepted from the page and the API.
IMPORT_MAX_BYTES = 20 * 1024 * 1024


class NeedsReport(TableImportReport):
    """What a needs-analysis import did (or would do)."""


class _Rollback(Exception):
    pass


@dataclass(frozen=True)
class _Row:
    line: int
    service_type: str
    area: str
    period_start: date
    period_end: date
    need: int
    use: int


def check_needs_file(upload: Any) -> None:
    """A needs file uploaded through the page or the API must be a real CSV or XLSX file of at
    most IMPORT_MAX_BYTES; ValidationFailed on `file` otherwise."""
    head = upload.read(8192)
    upload.seek(0)
    try:
        checked = check_upload(
            filename=upload.name or "",
            head=head,
            size=upload.size or 0,
            max_bytes=IMPORT_MAX_BYTES,
            stream=upload,
        )
        if checked.extension not in ("csv", "xlsx"):
            raise UploadRejected("Upload the needs analysis as a .csv or .xlsx file.")
    except UploadRejected as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from exc


def import_needs(
    *,
    actor: Any,
    agency: Agency,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
) -> NeedsReport:
    """Import the needs analysis in `stream` for `agency` (see the module docstring) and return
    the report. `actor` None is an operator at the command line. Writes nothing when the file
    has any bad row or `dry_run`."""
    if actor is not None:
        require_perm(
            actor, "commissioning.manage_commissioning", agency, action="import a needs analysis"
        )
    report = NeedsReport(filename=filename, dry_run=dry_run)
    head = stream.read(8)
    stream.seek(0)
    try:
        headers, rows = iter_rows(stream, kind=sniff_kind(filename, head))
        columns: dict[str, str] = {}
        for name, aliases in COLUMNS.items():
            found = next((a for a in aliases if a in headers), None)
            if found is None:
                report.errors.append(
                    RowError(1, LABELS[name], f"the file has no {LABELS[name]!r} column")
                )
            else:
                columns[name] = found
        if report.errors:
            return report
        date_order = agency.pack.parsed.date_order if agency.pack_id else "DMY"
        parsed: list[_Row] = []
        seen: dict[tuple[str, str, date], int] = {}
        for row in rows:
            report.rows_read += 1
            item = _read(row, columns, date_order, report)
            if item is None:
                continue
            key = (item.service_type.casefold(), item.area.casefold(), item.period_start)
            if key in seen:
                report.errors.append(
                    RowError(
                        item.line,
                        "period start",
                        f"this service type, area and period is already on line {seen[key]}",
                    )
                )
                continue
            seen[key] = item.line
            parsed.append(item)
    except FileFormatError as exc:
        report.errors.append(RowError(report.rows_read + 1, "", str(exc)))
        return report
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _write(actor, agency, parsed, report)
            if dry_run:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    return report


def _read(
    row: SheetRow, columns: dict[str, str], date_order: str, report: NeedsReport
) -> _Row | None:
    cells = row.cells
    errors: list[RowError] = []

    def fail(name: str, reason: str) -> None:
        errors.append(RowError(row.line, LABELS[name], reason))

    values: dict[str, Any] = {}
    for name in ("service_type", "area"):
        value = text(cells.get(columns[name]))
        if not value:
            fail(name, "this cell is empty")
        elif len(value) > 120:
            fail(name, "longer than 120 characters")
        values[name] = value
    for name in ("period_start", "period_end"):
        raw = cells.get(columns[name])
        if is_blank(raw):
            fail(name, "this cell is empty")
            continue
        try:
            values[name] = parse_date(raw, date_order=date_order)
        except CellError as exc:
            fail(name, str(exc))
    for name in ("need", "use"):
        raw = cells.get(columns[name])
        if is_blank(raw):
            fail(name, "this cell is empty")
            continue
        try:
            amount = parse_money(raw)
        except CellError:
            fail(name, f"{text(raw)!r} is not a number")
            continue
        if amount != amount.to_integral_value() or amount < 0:
            fail(name, f"{text(raw)!r} is not a whole number of people")
            continue
        values[name] = int(amount)
    start, end = values.get("period_start"), values.get("period_end")
    if start is not None and end is not None and end < start:
        fail("period_end", "the period ends before it starts")
    if errors:
        report.errors.extend(errors)
        return None
    return _Row(line=row.line, **values)


def _write(actor: Any, agency: Agency, rows: list[_Row], report: NeedsReport) -> None:
    existing = {
        (r.service_type.casefold(), r.area.casefold(), r.period_start): r
        for r in NeedRecord.objects.select_for_update().filter(agency=agency)
    }
    user = actor if getattr(actor, "pk", None) else None
    reason = f"Imported from {report.filename}"[:100]
    for row in rows:
        record = existing.get((row.service_type.casefold(), row.area.casefold(), row.period_start))
        if record is None:
            record = NeedRecord(
                agency=agency,
                service_type=row.service_type,
                area=row.area,
                period_start=row.period_start,
            )
            report.created += 1
        elif (record.period_end, record.need, record.use) == (row.period_end, row.need, row.use):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        record.period_end = row.period_end
        record.need = row.need
        record.use = row.use
        record.source = report.filename[:200]
        record._history_user = user  # type: ignore[attr-defined]
        record._change_reason = reason  # type: ignore[attr-defined]
        record.save()
