"""API of strategic commissioning (seed 003 sections 2 and 3): the needs analysis import,
supply against demand, market intelligence, the sector view and its decision.

Internal to the agency: its staff, oversight and administrators read it (administrators and
oversight name the agency with `agency`); a provider user gets 404 on every endpoint."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from steward.commissioning import selectors, services
from steward.commissioning.importing import check_needs_file, import_needs
from steward.commissioning.models import MarketNote, SectorDecision
from steward.commissioning.schemas import (
    CommissioningAreaIn,
    CommissioningAreaOut,
    CommissioningDecisionIn,
    CommissioningDecisionOut,
    CommissioningNeedsImportOut,
    CommissioningNoteIn,
    CommissioningNoteOut,
    CommissioningSectorOut,
    CommissioningSupplyOut,
)
from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.schemas import READ_ERRORS, WRITE_ERRORS
from steward.parties.models import Provider

router = Router(tags=["commissioning"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def supply_out(row: selectors.SupplyRow) -> dict[str, Any]:
    return {
        "service_type": row.service_type,
        "area": row.area,
        "period_start": row.period[0] if row.period else None,
        "period_end": row.period[1] if row.period else None,
        "need": row.need,
        "use": row.use,
        "contracts": row.contracts,
        "places": row.places,
        "in_use": row.in_use,
        "gap": row.balance.gap,
        "balance": row.balance.status,
    }


def note_out(note: MarketNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "kind_label": note.get_kind_display(),
        "text": note.text,
        "provider_id": note.provider_id,
        "provider": note.provider.legal_name if note.provider is not None else "",
        "service_type": note.service_type,
        "partner": note.partner,
        "cycle_id": note.cycle_id,
        "recorded_on": note.recorded_on,
        "recorded_by": note.recorded_by.get_full_name() if note.recorded_by is not None else "",
    }


def decision_out(decision: SectorDecision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "service_type": decision.service_type,
        "decision": decision.decision,
        "decision_label": decision.get_decision_display(),
        "reasons": decision.reasons,
        "decided_on": decision.decided_on,
        "decided_by": decision.decided_by.get_full_name()
        if decision.decided_by is not None
        else "",
    }


def sector_out(sector: selectors.Sector) -> dict[str, Any]:
    return {
        "service_type": sector.service_type,
        "as_of": sector.as_of,
        "contracts": [
            {
                "id": row.contract.pk,
                "number": row.contract.number,
                "title": row.contract.title,
                "provider": row.contract.provider.legal_name,
                "area": row.area,
                "rating": row.rating,
                "open_concerns": row.open_concerns,
                "concerns": row.concerns,
                "indicators": row.indicators,
                "places": row.places,
                "in_use": row.in_use,
            }
            for row in sector.contracts
        ],
        "ratings": sector.ratings,
        "indicators": sector.indicators,
        "open_concerns": sector.open_concerns,
        "places": sector.places,
        "in_use": sector.in_use,
        "percent_used": sector.percent_used,
        "need": sector.need,
        "balance": sector.balance.status,
        "supply": [supply_out(r) for r in sector.supply],
        "notes": [note_out(n) for n in sector.notes],
        "decision": decision_out(sector.decision) if sector.decision else None,
        "decisions": [decision_out(d) for d in sector.decisions],
    }


@router.post(
    "/commissioning/needs/import",
    response={200: CommissioningNeedsImportOut, **WRITE_ERRORS},
    summary="Import a needs analysis (CSV or XLSX)",
    description="Multipart upload (`file`; optional `dry_run`) into the caller's agency: one "
    "row per service type, area and period (service type, area, period start, period end, "
    "need, use). All or nothing: 422 with every bad row in `errors`, keyed 'line N: column'. "
    "Contract managers and senior managers.",
)
def needs_import(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Any:
    actor = _actor(request)
    agency = selectors.agency_for(actor=actor)
    check_needs_file(file)
    report = import_needs(
        actor=actor, agency=agency, stream=file, filename=file.name or "upload", dry_run=dry_run
    )
    if report.errors:
        raise ValidationFailed(report.summary(), errors=report.errors_by_cell())
    return {
        name: getattr(report, name)
        for name in (
            "filename",
            "dry_run",
            "written",
            "rows_read",
            "created",
            "updated",
            "unchanged",
        )
    }


@router.get(
    "/commissioning/supply",
    response={200: list[CommissioningSupplyOut], **READ_ERRORS},
    summary="Supply against demand per service type and area",
    description="For the latest period of the needs analysis, each service type and area: "
    "people in need, places contracted in live contracts, places held by placements, and "
    "whether supply is short, spare or matched (within 10%). The agency's staff and "
    "oversight; `agency` (an id) for oversight officers and administrators.",
)
def supply_list(
    request: HttpRequest, agency: int | None = None, service_type: str | None = None
) -> Any:
    actor = _actor(request)
    found = selectors.agency_for(actor=actor, agency_id=agency)
    return [
        supply_out(r) for r in selectors.supply_and_demand(agency=found, service_type=service_type)
    ]


@router.get(
    "/commissioning/sector",
    response={200: CommissioningSectorOut, **READ_ERRORS},
    summary="The sector view of one service type",
    description="Performance across the service type's live contracts, risk, concerns, "
    "capacity used, supply against demand, market intelligence and the commissioning "
    "decision (seed 003).",
)
def sector_get(request: HttpRequest, service_type: str, agency: int | None = None) -> Any:
    actor = _actor(request)
    found = selectors.agency_for(actor=actor, agency_id=agency)
    return sector_out(
        selectors.sector(
            actor=actor, agency=found, service_type=service_type, today=timezone.localdate()
        )
    )


@router.get(
    "/commissioning/intelligence",
    response={200: list[CommissioningNoteOut], **READ_ERRORS},
    summary="Market intelligence, by provider and/or service type",
    description="Notes on strengths, weaknesses and gaps in provision, providers' willingness "
    "and capacity to adjust, providers' views and joint commissioning with other councils. "
    "Filter by `provider` (an id) or `service_type`. The agency's staff and oversight.",
)
def notes_list(
    request: HttpRequest,
    agency: int | None = None,
    provider: int | None = None,
    service_type: str = "",
) -> Any:
    actor = _actor(request)
    found = selectors.agency_for(actor=actor, agency_id=agency)
    notes = selectors.market_notes(
        actor=actor, agency=found, provider_id=provider, service_type=service_type
    )
    return [note_out(n) for n in notes[:500]]


@router.post(
    "/commissioning/intelligence",
    response={201: CommissioningNoteOut, **WRITE_ERRORS},
    summary="Record market intelligence fed from monitoring",
    description="Contract managers, monitors and senior managers of the agency.",
)
def note_create(request: HttpRequest, payload: CommissioningNoteIn) -> Any:
    from steward.monitoring.models import Cycle

    actor = _actor(request)
    agency = selectors.agency_for(actor=actor, agency_id=payload.agency_id)
    provider = None
    if payload.provider_id is not None:
        provider = Provider.objects.filter(pk=payload.provider_id).first()
        if provider is None:
            raise ValidationFailed(
                "provider_id: no such provider.", errors={"provider_id": ["No such provider."]}
            )
    cycle = None
    if payload.cycle_id is not None:
        cycle = Cycle.objects.select_related("provider").filter(pk=payload.cycle_id).first()
        if cycle is None:
            raise NotFoundError("No such monitoring cycle.")
    note = services.market_note_record(
        actor=actor,
        agency=agency,
        kind=payload.kind,
        text=payload.text,
        provider=provider,
        service_type=payload.service_type,
        partner=payload.partner,
        cycle=cycle,
        recorded_on=payload.recorded_on or timezone.localdate(),
    )
    return Status(201, note_out(note))


@router.post(
    "/commissioning/decisions",
    response={201: CommissioningDecisionOut, **WRITE_ERRORS},
    summary="Record a sector's commissioning decision (achieve, grow, shrink, decommission)",
    description="Contract managers and senior managers of the agency.",
)
def decision_create(request: HttpRequest, payload: CommissioningDecisionIn) -> Any:
    actor = _actor(request)
    agency = selectors.agency_for(actor=actor, agency_id=payload.agency_id)
    decision = services.sector_decision_record(
        actor=actor,
        agency=agency,
        service_type=payload.service_type,
        decision=payload.decision,
        reasons=payload.reasons,
        decided_on=payload.decided_on or timezone.localdate(),
    )
    return Status(201, decision_out(decision))


@router.put(
    "/commissioning/contracts/{contract_id}/area",
    response={200: CommissioningAreaOut, **WRITE_ERRORS},
    summary="Set the area a contract's places serve",
    description="The area used to set a contract's places against the need in that area. An "
    "empty `area` clears it. Contract managers and senior managers of the agency.",
)
def area_set(request: HttpRequest, contract_id: int, payload: CommissioningAreaIn) -> Any:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("commissioning.view_commissioning", contract.agency):
        raise NotFoundError("No such contract.")
    record = services.contract_area_set(actor=actor, contract=contract, area=payload.area)
    return {"contract_id": contract.pk, "area": record.area if record else ""}
