"""Writes of strategic commissioning (seed 003 sections 2, 3 and 4). Each service checks the
actor's permission on the agency, validates (full_clean) and writes its audit row in the same
transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from steward.commissioning.models import ContractArea, MarketNote, SectorDecision
from steward.contracts.models import Contract
from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.services import require_perm, save_audited
from steward.parties.models import Agency, Provider


@transaction.atomic
def market_note_record(
    *,
    actor: Any,
    agency: Agency,
    kind: str,
    text: str,
    provider: Provider | None = None,
    service_type: str = "",
    partner: str = "",
    cycle: Any = None,
    recorded_on: date,
) -> MarketNote:
    """Record one piece of market intelligence fed from monitoring (seed 003 section 4: "general
    market intelligence about strengths, weaknesses and gaps in provision; providers'
    willingness and capacity to adjust current services or develop new ones; contributing
    providers' views towards strategic planning; potential for strategic commissioning with
    other Councils or organisations"), about a provider, a service type or both. A monitoring
    `cycle` it came from must be the agency's. Returns the note; side effect: its audit row."""
    require_perm(
        actor, "commissioning.record_intelligence", agency, action="record market intelligence"
    )
    if cycle is not None and cycle.agency_id != agency.pk:
        raise NotFoundError("No such monitoring cycle.")
    if cycle is not None and provider is None:
        provider = cycle.provider
    note = MarketNote(
        agency=agency,
        provider=provider,
        service_type=service_type.strip(),
        kind=kind,
        text=text.strip(),
        partner=partner.strip(),
        cycle=cycle,
        recorded_on=recorded_on,
        recorded_by=actor,
    )
    save_audited(note, actor=actor, reason="Market intelligence recorded")
    return note


@transaction.atomic
def sector_decision_record(
    *,
    actor: Any,
    agency: Agency,
    service_type: str,
    decision: str,
    reasons: str,
    decided_on: date,
) -> SectorDecision:
    """Record the commissioning decision for a sector (seed 003 (B)(i): does it achieve agreed
    outcomes, does it need to shrink or grow, or be decommissioned?) with its reasons. The
    service type must be one the agency contracts for or has analysed. Returns the decision,
    which becomes the sector's current one; side effect: its audit row."""
    from steward.commissioning.selectors import service_types

    require_perm(
        actor,
        "commissioning.manage_commissioning",
        agency,
        action="record a commissioning decision",
    )
    service_type = service_type.strip()
    known = {name.casefold(): name for name in service_types(agency=agency)}
    if service_type.casefold() not in known:
        raise ValidationFailed(
            f"No contracts or needs analysis for the service type {service_type!r}.",
            errors={"service_type": ["No contracts or needs analysis for this service type."]},
        )
    record = SectorDecision(
        agency=agency,
        service_type=known[service_type.casefold()],
        decision=decision,
        reasons=reasons.strip(),
        decided_on=decided_on,
        decided_by=actor,
    )
    save_audited(record, actor=actor, reason="Commissioning decision recorded")
    return record


@transaction.atomic
def contract_area_set(*, actor: Any, contract: Contract, area: str) -> ContractArea | None:
    """Set the area a contract's places serve (blank: clear it), so that they count as supply
    there. Returns the record, or None when cleared; side effect: its audit row."""
    require_perm(
        actor,
        "commissioning.manage_commissioning",
        contract.agency,
        action="set the area a contract serves",
    )
    area = area.strip()
    existing = ContractArea.objects.select_for_update().filter(contract=contract).first()
    if not area:
        if existing is not None:
            existing._history_user = actor  # type: ignore[attr-defined]
            existing.delete()
        return None
    record = existing or ContractArea(contract=contract)
    record.area = area
    save_audited(record, actor=actor, reason="Area served set")
    return record
