"""seed 003 roles table, "Operational Monitoring of Contracts": the lead professional (in
Steward, a contract monitor of the agency) analyses risk and decides whether additional
monitoring is required, advises the contract manager, and may ask them to enforce the terms,
renegotiate or terminate. The contract manager answers; only they change the monitoring level.
A request to terminate goes into the early-termination workflow (procurement)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse

from steward.contracts.models import Contract, ContractStatus
from steward.contracts.selectors import contract_manager_emails
from steward.contracts.services_due_dates import due_date_open, due_dates_meet
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.mail import send_after_commit
from steward.core.services import require_perm, save_audited
from steward.monitoring.models import LeadProfessionalRequest, LeadRequestKind, LeadRequestStatus
from steward.procurement.models import TerminationReview
from steward.procurement.services_placements import termination_request
from steward.risk.models import MonitoringLevel, RiskAssessment
from steward.risk.services import monitoring_level_set

#: Steward's default: the contract manager answers within 14 days (the seed sets no period)
ANSWER_DAYS = 14
TERMINATE = "terminate"
LIVE = (ContractStatus.EXECUTED, ContractStatus.ACTIVE)


def _required(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, errors={field: [message]})
    return text


@transaction.atomic
def lead_request_raise(
    *,
    actor: Any,
    contract: Contract,
    kind: str,
    advice: str,
    today: date,
    risk_analysis: str = "",
    additional_monitoring: bool | None = None,
    proposed_level: str = "",
) -> LeadProfessionalRequest | TerminationReview:
    """The lead professional's risk analysis and advice, or request, to the contract manager.

    kind "additional_monitoring" needs `risk_analysis` and the decision `additional_monitoring`
    (True: `proposed_level`, default enhanced); "enforce_terms" and "renegotiate" need `advice`
    (what and why); "terminate" opens the early-termination workflow (`termination_request`,
    with `advice` as its reason) and returns its TerminationReview.

    Side effects: the contract manager owes an answer (a lead_professional_request due date in
    14 days on their work list) and is emailed (the contract's manager, else the agency's).
    Raises PermissionDeniedError (not a contract monitor or manager of the agency),
    TransitionNotAllowed (contract not executed or active), ValidationFailed (missing parts)."""
    require_perm(
        actor, "monitoring.raise_lead_request", contract, action="advise the contract manager"
    )
    if kind == TERMINATE:
        return termination_request(actor=actor, contract=contract, reason=advice, today=today)
    if kind not in LeadRequestKind.values:
        raise ValidationFailed(
            "Choose what you are asking.",
            errors={"kind": ["additional_monitoring, enforce_terms, renegotiate or terminate."]},
        )
    if contract.status not in LIVE:
        raise TransitionNotAllowed("Only an executed or active contract is monitored.")
    request = LeadProfessionalRequest(
        contract=contract, kind=kind, raised_by=actor, raised_on=today
    )
    request.advice = _required(advice, "advice", "Write your advice or request.")
    if kind == LeadRequestKind.ADDITIONAL_MONITORING:
        request.risk_analysis = _required(
            risk_analysis, "risk_analysis", "Write your analysis of the risk."
        )
        if additional_monitoring is None:
            raise ValidationFailed(
                "Say whether additional monitoring is required.",
                errors={"additional_monitoring": ["Choose yes or no."]},
            )
        request.additional_monitoring = additional_monitoring
        level = (proposed_level or "").strip()
        if additional_monitoring:
            level = level or MonitoringLevel.ENHANCED
            if level not in MonitoringLevel.values:
                raise ValidationFailed(
                    "Choose the monitoring level you advise.",
                    errors={"proposed_level": ["Choose light, standard or enhanced."]},
                )
            request.proposed_level = level
    save_audited(request, actor=actor, reason=f"Lead professional: {request.get_kind_display()}")
    due_date_open(
        kind="lead_professional_request",
        actor=actor,
        start=today,
        due_on=today + timedelta(days=ANSWER_DAYS),
        contract=contract,
        subject=request,
        label=f"Answer the lead professional: {request.get_kind_display().lower()}",
    )
    name = actor.get_full_name() or actor.username
    send_after_commit(
        subject=f"{contract.number}: {request.get_kind_display()} from {name}",
        body=f"{name}, lead professional, writes about {contract.number} ({contract.title}):\n\n"
        + (f"Risk analysis: {request.risk_analysis}\n\n" if request.risk_analysis else "")
        + f"{request.advice}\n\nPlease accept or decline, with your response.",
        to=contract_manager_emails(agency=contract.agency, contract=contract),
        link=reverse("monitoring:lead_requests", args=[contract.pk]),
    )
    return request


@transaction.atomic
def lead_request_answer(
    *,
    actor: Any,
    request: LeadProfessionalRequest,
    accept: bool,
    response: str,
    today: date,
) -> LeadProfessionalRequest:
    """The contract manager accepts or declines the lead professional's advice or request, with
    a response. Accepting advice that additional monitoring is required sets the monitoring
    level of the contract's latest risk assessment to the level advised (the contract manager
    remains the one who changes it; refused with ValidationFailed when the contract has no
    assessment yet). Side effects: the due date is met; the lead professional is emailed.
    Raises PermissionDeniedError (not a contract manager of the agency), TransitionNotAllowed
    (already answered), ValidationFailed (no response)."""
    contract = request.contract
    require_perm(actor, "monitoring.answer_lead_request", contract, action="answer this")
    if request.status != LeadRequestStatus.OPEN:
        raise TransitionNotAllowed("This has already been answered.")
    request.response = _required(response, "response", "Write your response.")
    request.status = LeadRequestStatus.ACCEPTED if accept else LeadRequestStatus.DECLINED
    request.responded_by = actor
    request.responded_on = today
    if accept and request.additional_monitoring and request.proposed_level:
        latest = RiskAssessment.objects.filter(contract=contract).order_by("-as_of", "-id").first()
        if latest is None:
            raise ValidationFailed(
                "The contract has no risk assessment yet: assess it first.",
                errors={"accept": ["Assess the contract's risk first."]},
            )
        monitoring_level_set(
            actor=actor,
            assessment=latest,
            level=request.proposed_level,
            reason=f"Lead professional's advice accepted: {request.response}",
        )
    save_audited(request, actor=actor, reason=f"Answered: {request.get_status_display()}")
    due_dates_meet(
        kind="lead_professional_request",
        actor=actor,
        on=today,
        met_by=request,
        contract=contract,
        subject=request,
    )
    raiser = request.raised_by
    send_after_commit(
        subject=f"{contract.number}: {request.get_status_display().lower()}",
        body=f"Your {request.get_kind_display().lower()} of {request.raised_on:%-d %B %Y} was "
        f"{request.get_status_display().lower()}: {request.response}",
        to=[raiser.email] if raiser.email else [],
        link=reverse("monitoring:lead_requests", args=[contract.pk]),
    )
    return request
