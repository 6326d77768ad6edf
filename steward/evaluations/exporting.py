"""The compliance table as CSV and XLSX (seed 000), for the CLI, the page and the API."""

from __future__ import annotations

import csv
import io
from typing import Any

from steward.evaluations.selectors import ComplianceRow

COLUMNS = ("agency", "due", "on_time", "late", "missing", "on_time_percent")
HEADINGS = ("Agency", "Still due", "Done on time", "Done late", "Missing", "On time (%)")


def compliance_records(rows: list[ComplianceRow]) -> list[dict[str, Any]]:
    return [
        {
            "agency": row.agency.name,
            "due": row.due,
            "on_time": row.on_time,
            "late": row.late,
            "missing": row.missing,
            "on_time_percent": "" if row.on_time_percent is None else row.on_time_percent,
        }
        for row in rows
    ]


def compliance_xlsx(rows: list[ComplianceRow], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Evaluation compliance")
    sheet.append([title])
    sheet.append(list(HEADINGS))
    for record in compliance_records(rows):
        sheet.append([record[c] if record[c] != "" else None for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def compliance_csv(rows: list[ComplianceRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(compliance_records(rows))
    return buffer.getvalue()
