"""API: operational monitoring report templates issued by the contract manager, and the
reports operational teams file on a contract (seed 003). Paths under /api/v1/monitoring/."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.schemas import READ_ERRORS, WRITE_ERRORS
from steward.monitoring import services_opsreports as services
from steward.monitoring.models import OperationalReport, OperationalReportTemplate
from steward.parties.models import Role

router = Router(tags=["monitoring"])


class OpsQuestionIn(Schema):
    prompt: str
    answer_type: str = Field(description="text, yes_no, number (0 or more) or rating (1 to 5)")
    required: bool = True
    key: str = Field(default="", description="Optional; made from the prompt when blank")


class OpsQuestionOut(Schema):
    key: str
    prompt: str
    answer_type: str
    required: bool


class OpsTemplateIn(Schema):
    title: str
    service_type: str = Field(default="", description="Blank: every service type")
    questions: list[OpsQuestionIn]


class OpsTemplateOut(Schema):
    id: int
    agency: str
    title: str
    service_type: str
    version: int
    previous_id: int | None = None
    withdrawn: bool
    issued_on: date
    questions: list[OpsQuestionOut]


class OpsReportIn(Schema):
    template_id: int
    period_start: date
    period_end: date
    answers: dict[str, Any] = Field(
        description="Question key: answer (text; true/false; a number 0 or more; 1 to 5)"
    )


class OpsReportOut(Schema):
    id: int
    contract_id: int
    template_id: int
    template_title: str
    template_version: int
    period_start: date
    period_end: date
    filed_by: str
    filed_on: date
    answers: dict[str, Any]


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _contract(request: HttpRequest, contract_id: int) -> Any:
    """The contract, for agency readers only (providers and other agencies get 404)."""
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("monitoring.view_internal", contract):
        raise NotFoundError("No such contract.")
    return contract


def _templates(actor: Any) -> Any:
    qs = OperationalReportTemplate.objects.select_related("agency")
    if actor.role == Role.ADMINISTRATOR:
        return qs
    if actor.role == Role.OVERSIGHT_OFFICER:
        limit = (actor.jurisdiction or "").strip()
        return qs.filter(agency__jurisdiction__iexact=limit) if limit else qs
    if not actor.agency_id or not actor.is_agency_staff:
        raise NotFoundError("No such template.")
    return qs.filter(agency_id=actor.agency_id)


def _template_out(t: OperationalReportTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "agency": t.agency.slug,
        "title": t.title,
        "service_type": t.service_type,
        "version": t.version,
        "previous_id": t.previous_id,
        "withdrawn": t.withdrawn,
        "issued_on": t.issued_on,
        "questions": t.questions,
    }


def _report_out(r: OperationalReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contract_id": r.contract_id,
        "template_id": r.template_id,
        "template_title": r.template.title,
        "template_version": r.template.version,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "filed_by": r.filed_by.username,
        "filed_on": r.filed_on,
        "answers": r.answers,
    }


@router.get(
    "/monitoring/report-templates",
    response={200: list[OpsTemplateOut], **READ_ERRORS},
    summary="Operational monitoring report templates",
    description="seed 003: the templates the contract manager issued for operational teams' "
    "reports, every version (withdrawn ones included). Agency staff see their agency's, "
    "oversight officers and administrators every agency's; provider users get 404.",
)
def report_template_index(request: HttpRequest) -> Any:
    return [_template_out(t) for t in _templates(_actor(request))]


@router.post(
    "/monitoring/report-templates",
    response={201: OpsTemplateOut, **WRITE_ERRORS},
    summary="Issue an operational monitoring report template (the contract manager)",
    description="seed 003: a title, optionally a service type, and questions (a prompt and an "
    "answer type each). For the contract manager's own agency.",
)
def report_template_create(request: HttpRequest, payload: OpsTemplateIn) -> Any:
    actor = _actor(request)
    if not actor.agency_id:
        raise ValidationFailed(
            "Templates are issued by an agency's contract manager.",
            errors={"agency": ["You belong to no agency."]},
        )
    template = services.report_template_issue(
        actor=actor,
        agency=actor.agency,
        title=payload.title,
        service_type=payload.service_type,
        questions=[q.model_dump() for q in payload.questions],
        today=actor.agency.today(),
    )
    return Status(201, _template_out(template))


@router.put(
    "/monitoring/report-templates/{template_id}",
    response={200: OpsTemplateOut, **WRITE_ERRORS},
    summary="Change a template (a new version once it has been used)",
    description="seed 003: a template no report used yet is changed in place; once used, a new "
    "version is issued (answered here) and the old one withdrawn, so filed reports keep their "
    "questions. Changing a withdrawn version is 409.",
)
def report_template_update(request: HttpRequest, template_id: int, payload: OpsTemplateIn) -> Any:
    template = _templates(_actor(request)).filter(pk=template_id).first()
    if template is None:
        raise NotFoundError("No such template.")
    revised = services.report_template_revise(
        actor=_actor(request),
        template=template,
        title=payload.title,
        service_type=payload.service_type,
        questions=[q.model_dump() for q in payload.questions],
        today=template.agency.today(),
    )
    return _template_out(revised)


@router.get(
    "/monitoring/contracts/{contract_id}/operational-reports",
    response={200: list[OpsReportOut], **READ_ERRORS},
    summary="Operational teams' monitoring reports on a contract",
    description="seed 003. Agency readers only (providers and other agencies get 404).",
)
def operational_report_index(request: HttpRequest, contract_id: int) -> Any:
    contract = _contract(request, contract_id)
    rows = OperationalReport.objects.filter(contract=contract).select_related(
        "template", "filed_by"
    )
    return [_report_out(r) for r in rows]


@router.post(
    "/monitoring/contracts/{contract_id}/operational-reports",
    response={201: OpsReportOut, **WRITE_ERRORS},
    summary="File an operational monitoring report on a contract",
    description="seed 003: an operational team member (contract monitor or lead professional, "
    "key worker, reviewing officer, or the contract manager) answers a template's questions for "
    "a period. Each answer of its type, every required question answered (422 naming "
    "`answers.KEY`). The contract manager is emailed.",
)
def operational_report_create(request: HttpRequest, contract_id: int, payload: OpsReportIn) -> Any:
    contract = _contract(request, contract_id)
    template = OperationalReportTemplate.objects.filter(
        pk=payload.template_id, agency_id=contract.agency_id
    ).first()
    if template is None:
        raise ValidationFailed(
            "Choose a template of this contract's agency.",
            errors={"template_id": ["No such template for this contract."]},
        )
    report = services.operational_report_file(
        actor=_actor(request),
        contract=contract,
        template=template,
        period_start=payload.period_start,
        period_end=payload.period_end,
        answers=payload.answers,
        today=contract.agency.today(),
    )
    return Status(201, _report_out(report))
