"""API: the lead professional's risk analysis, advice and requests to the contract manager,
and the contract manager's answers (seed 003). Paths under /api/v1/monitoring/."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError
from steward.core.schemas import READ_ERRORS, WRITE_ERRORS
from steward.monitoring import services_lead as services
from steward.monitoring.models import LeadProfessionalRequest
from steward.procurement.models import TerminationReview

router = Router(tags=["monitoring"])


class LeadRequestIn(Schema):
    kind: str = Field(
        description="additional_monitoring (with risk_analysis and additional_monitoring), "
        "enforce_terms, renegotiate, or terminate (opens the early-termination workflow)"
    )
    advice: str = Field(description="The advice or request to the contract manager")
    risk_analysis: str = ""
    additional_monitoring: bool | None = None
    proposed_level: str = Field(default="", description="light, standard or enhanced")


class LeadRequestAnswerIn(Schema):
    accept: bool
    response: str


class LeadRequestOut(Schema):
    id: int
    contract_id: int
    kind: str
    status: str
    raised_by: str | None = None
    raised_on: date | None = None
    risk_analysis: str = ""
    additional_monitoring: bool | None = None
    proposed_level: str = ""
    advice: str = ""
    responded_on: date | None = None
    response: str = ""


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _contract(request: HttpRequest, contract_id: int) -> Any:
    """The contract, for agency readers only (providers and other agencies get 404)."""
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("monitoring.view_internal", contract):
        raise NotFoundError("No such contract.")
    return contract


def _out(row: LeadProfessionalRequest | TerminationReview) -> dict[str, Any]:
    if isinstance(row, TerminationReview):
        return {
            "id": row.pk,
            "contract_id": row.contract_id,
            "kind": services.TERMINATE,
            "status": row.status,
            "raised_by": row.requested_by.username if row.requested_by else None,
            "raised_on": row.requested_on,
            "advice": row.request_reason,
            "response": row.response,
        }
    return {
        "id": row.pk,
        "contract_id": row.contract_id,
        "kind": row.kind,
        "status": row.status,
        "raised_by": row.raised_by.username,
        "raised_on": row.raised_on,
        "risk_analysis": row.risk_analysis,
        "additional_monitoring": row.additional_monitoring,
        "proposed_level": row.proposed_level,
        "advice": row.advice,
        "responded_on": row.responded_on,
        "response": row.response,
    }


@router.get(
    "/monitoring/contracts/{contract_id}/lead-requests",
    response={200: list[LeadRequestOut], **READ_ERRORS},
    summary="The lead professional's advice and requests on a contract, with the answers",
    description="seed 003. Agency readers only (providers and other agencies get 404).",
)
def lead_request_index(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    rows = LeadProfessionalRequest.objects.filter(contract=contract).select_related("raised_by")
    return [_out(row) for row in rows]


@router.post(
    "/monitoring/contracts/{contract_id}/lead-requests",
    response={201: LeadRequestOut, **WRITE_ERRORS},
    summary="Send the lead professional's risk analysis and advice, or a request",
    description="seed 003: the lead professional analyses risk and decides whether additional "
    "monitoring is required, advising the contract manager; or asks them to enforce the terms, "
    "renegotiate or terminate (terminate opens the early-termination review). The contract "
    "manager is emailed and owes an answer within 14 days (their work list).",
)
def lead_request_create(request: HttpRequest, contract_id: int, payload: LeadRequestIn) -> Any:
    contract = _contract(request, contract_id)
    row = services.lead_request_raise(
        actor=_actor(request),
        contract=contract,
        today=contract.agency.today(),
        **payload.model_dump(),
    )
    return Status(201, _out(row))


@router.post(
    "/monitoring/lead-requests/{request_id}/answer",
    response={200: LeadRequestOut, **WRITE_ERRORS},
    summary="The contract manager accepts or declines, with a response",
    description="seed 003: accepting advice that additional monitoring is required sets the "
    "contract's monitoring level to the level advised.",
)
def lead_request_answer(request: HttpRequest, request_id: int, payload: LeadRequestAnswerIn) -> Any:
    row = (
        LeadProfessionalRequest.objects.select_related("contract__agency", "raised_by")
        .filter(pk=request_id)
        .first()
    )
    if row is None:
        raise NotFoundError("No such request.")
    _contract(request, row.contract_id)
    answered = services.lead_request_answer(
        actor=_actor(request),
        request=row,
        accept=payload.accept,
        response=payload.response,
        today=row.contract.agency.today(),
    )
    return _out(answered)
