"""Exporting the contract register in Steward's native columns (CSV, XLSX or JSON), streamed.

The columns are the native import template's, so an export imports back unchanged (the round
trip is tested). The files are written by `steward.core.exports` (formula-safe)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from steward.contracts.models import Contract
from steward.contracts.register_formats import NATIVE_COLUMNS

HEADERS = tuple(column.headers[0].replace(" ", "_") for column in NATIVE_COLUMNS)
SHEET_TITLE = "Contracts"


def _value(contract: Contract, field: str) -> Any:
    provider = contract.provider
    if field == "provider":
        return provider.legal_name
    if field.startswith("provider_"):
        value = getattr(provider, field.removeprefix("provider_"))
        if field == "provider_for_profit":
            return "" if value is None else "yes" if value else "no"  # blank: not known
        return value
    value = getattr(contract, field)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def export_rows(contracts: QuerySet[Contract]) -> Iterator[list[Any]]:
    """One list of values per contract, in HEADERS order, read in chunks."""
    fields = [column.field for column in NATIVE_COLUMNS]
    for contract in contracts.select_related("provider").iterator(chunk_size=2000):
        yield [_value(contract, field) for field in fields]


def visible_export_rows(actor: Any, contracts: QuerySet[Contract]) -> Iterator[list[Any]]:
    """`export_rows` as `actor` may see them: without the internal notes (the last column)
    for whoever may not read the history (provider users)."""
    rows = export_rows(contracts)
    if actor.has_perm("audit.view_history"):
        return rows
    return ([*row[:-1], ""] for row in rows)
