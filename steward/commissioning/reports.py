"""The sector report for the commissioning body (seed 003 (B)(i)) as table rows, shared by
the CSV export and the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from steward.commissioning.selectors import Sector

SECTOR_HEADER = (
    "Contract",
    "Provider",
    "Area",
    "Risk rating",
    "Open concerns",
    "All concerns",
    "Indicators met",
    "Indicators within tolerance",
    "Indicators missed",
    "Places",
    "Places in use",
    "Capacity used (%)",
)


def sector_rows(sector: Sector) -> Iterator[tuple[Any, ...]]:
    """One row per live contract of the sector, then the sector's totals, its need and its
    commissioning decision with the reasons."""
    for row in sector.contracts:
        yield (
            row.contract.number,
            row.contract.provider.legal_name,
            row.area,
            row.rating_label,
            row.open_concerns,
            row.concerns,
            row.indicators.get("met", 0),
            row.indicators.get("within_tolerance", 0),
            row.indicators.get("missed", 0),
            row.places,
            row.in_use,
            row.percent_used,
        )
    yield (
        "All contracts",
        "",
        "",
        f"Red {sector.ratings['red']}, amber {sector.ratings['amber']}, "
        f"green {sector.ratings['green']}",
        sector.open_concerns,
        sector.concerns,
        sector.indicators["met"],
        sector.indicators["within_tolerance"],
        sector.indicators["missed"],
        sector.places,
        sector.in_use,
        sector.percent_used,
    )
    yield ("Need (latest period)", "", "", sector.need, "", "", "", "", "", "", "", "")
    decision = sector.decision
    yield (
        "Commissioning decision",
        decision.get_decision_display() if decision else "Not decided",
        decision.decided_on if decision else None,
        decision.reasons if decision else "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    )
