"""The compliance table as CSV and XLSX (seed 000), for the CLI, the page and the API.

The files are written by `steward.core.exports` (formula-safe)."""

from __future__ import annotations

from typing import Any

from steward.core.exports import Sheet, csv_text, xlsx_bytes
from steward.evaluations.selectors import ComplianceRow

COLUMNS = ("agency", "due", "on_time", "late", "missing", "on_time_percent")
HEADINGS = ("Agency", "Still due", "Done on time", "Done late", "Missing", "On time (%)")


def compliance_rows(rows: list[ComplianceRow]) -> list[list[Any]]:
    """One row of plain values per agency, in COLUMNS order (None: no percentage yet)."""
    return [
        [row.agency.name, row.due, row.on_time, row.late, row.missing, row.on_time_percent]
        for row in rows
    ]


def compliance_xlsx(rows: list[ComplianceRow], *, title: str) -> bytes:
    """The table as a workbook: `title` on the first line, then the headings and the rows."""
    sheet = Sheet("Evaluation compliance", HEADINGS, compliance_rows(rows), preamble=[[title]])
    return xlsx_bytes([sheet])


def compliance_csv(rows: list[ComplianceRow]) -> str:
    """The table as CSV, headed by the column names."""
    return csv_text(COLUMNS, compliance_rows(rows))
