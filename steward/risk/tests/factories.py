"""Factories for the concerns log and risk assessment tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from steward.risk.models import Concern, ConcernCategory
from steward.risk.services import categories_ensure


def category(agency: Any, code: str = "care-quality") -> ConcernCategory:
    categories_ensure(agency)
    return ConcernCategory.objects.get(agency=agency, code=code)


def make_concern(
    agency: Any,
    provider: Any,
    contract: Any = None,
    *,
    received_on: date,
    severity: str = "medium",
    code: str = "care-quality",
    kind: str = "complaint",
    **extra: Any,
) -> Concern:
    """A concern written straight to the database (no recompute): for arranging signals."""
    values: dict[str, Any] = {
        "source": "family",
        "channel": "phone",
        "summary": "Late visits",
        "description": "Carers arrived late three times.",
        "complainant_reference": "CASE-0001",
    }
    values.update(extra)
    return Concern.objects.create(
        agency=agency,
        provider=provider,
        contract=contract,
        received_on=received_on,
        severity=severity,
        category=category(agency, code),
        kind=kind,
        **values,
    )
