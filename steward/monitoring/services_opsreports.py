"""seed 003 roles table, "Operational Monitoring of Contracts": operational teams (lead
professionals, key workers, reviewing officers) monitor the contract and send their returns to
the contract manager, on templates the contract manager issues. A template once used is never
changed: revising it issues a new version (the old one withdrawn, its reports kept as filed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from steward.contracts.models import Contract, ContractStatus
from steward.contracts.selectors import contract_manager_emails
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.mail import send_after_commit
from steward.core.services import require_perm, save_audited
from steward.monitoring import opsanswers
from steward.monitoring.models import OperationalReport, OperationalReportTemplate

LIVE = (ContractStatus.EXECUTED, ContractStatus.ACTIVE)


def _title(title: str) -> str:
    text = (title or "").strip()
    if not text:
        raise ValidationFailed("Give the template a title.", errors={"title": ["Required."]})
    return text


def _questions(raw: Any) -> list[dict[str, Any]]:
    questions, errors = opsanswers.clean_questions(raw)
    if errors:
        raise ValidationFailed("Check the questions.", errors=errors)
    return questions


@transaction.atomic
def report_template_issue(
    *,
    actor: Any,
    agency: Any,
    title: str,
    questions: list[dict[str, Any]],
    today: date,
    service_type: str = "",
) -> OperationalReportTemplate:
    """The contract manager issues a report template for the agency (or one service type).
    Raises PermissionDeniedError (not a contract manager of the agency), ValidationFailed (no
    title, no questions, a question without a prompt or with an unknown answer type)."""
    require_perm(actor, "monitoring.issue_report_template", agency, action="issue a template")
    template = OperationalReportTemplate(
        agency=agency,
        service_type=(service_type or "").strip(),
        title=_title(title),
        questions=_questions(questions),
        issued_by=actor,
        issued_on=today,
    )
    save_audited(template, actor=actor, reason="Operational report template issued")
    return template


@transaction.atomic
def report_template_revise(
    *,
    actor: Any,
    template: OperationalReportTemplate,
    title: str,
    questions: list[dict[str, Any]],
    today: date,
    service_type: str | None = None,
) -> OperationalReportTemplate:
    """Change a template. Unused: changed in place. Once a report used it: a new version is
    issued (version + 1) and the old one withdrawn, so filed reports keep their questions.
    Raises PermissionDeniedError, TransitionNotAllowed (withdrawn, or already revised),
    ValidationFailed."""
    template = OperationalReportTemplate.objects.select_for_update().get(pk=template.pk)
    require_perm(
        actor, "monitoring.issue_report_template", template.agency, action="change a template"
    )
    if template.withdrawn or OperationalReportTemplate.objects.filter(previous=template).exists():
        raise TransitionNotAllowed("This template was withdrawn: change its latest version.")
    kind = template.service_type if service_type is None else service_type.strip()
    if not template.reports.exists():
        template.title, template.questions = _title(title), _questions(questions)
        template.service_type = kind
        save_audited(template, actor=actor, reason="Template changed (not used yet)")
        return template
    new = OperationalReportTemplate(
        agency=template.agency,
        service_type=kind,
        title=_title(title),
        questions=_questions(questions),
        version=template.version + 1,
        previous=template,
        issued_by=actor,
        issued_on=today,
    )
    save_audited(new, actor=actor, reason=f"Version {new.version} issued")
    template.withdrawn = True
    save_audited(template, actor=actor, reason=f"Replaced by version {new.version}")
    return new


def templates_for(contract: Contract) -> Any:
    """The templates in use for the contract: its agency's, not withdrawn, for every service
    type or the contract's own."""
    from django.db.models import Q

    return OperationalReportTemplate.objects.filter(
        Q(service_type="") | Q(service_type__iexact=contract.service_type),
        agency_id=contract.agency_id,
        withdrawn=False,
    )


@transaction.atomic
def operational_report_file(
    *,
    actor: Any,
    contract: Contract,
    template: OperationalReportTemplate,
    period_start: date,
    period_end: date,
    answers: dict[str, Any],
    today: date,
) -> OperationalReport:
    """An operational team member files a report on the contract for a period, answering the
    template's questions (each of its answer type; every required one answered).

    Side effects: the contract manager is emailed (the contract's manager, else the agency's).
    Raises PermissionDeniedError (not in an operational team of the agency), TransitionNotAllowed
    (contract not executed or active; template withdrawn), ValidationFailed (field errors:
    template, period_end, answers.KEY)."""
    require_perm(
        actor, "monitoring.file_operational_report", contract, action="file a monitoring report"
    )
    if contract.status not in LIVE:
        raise TransitionNotAllowed("Only an executed or active contract is monitored.")
    if not templates_for(contract).filter(pk=template.pk).exists():
        if template.withdrawn and template.agency_id == contract.agency_id:
            raise TransitionNotAllowed("This template was replaced: use its latest version.")
        raise ValidationFailed(
            "Choose a template of this contract's agency.",
            errors={"template": ["Not a template for this contract."]},
        )
    errors: dict[str, list[str]] = {}
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = ["The period ends before it starts."]
    cleaned, answer_errors = opsanswers.clean_answers(template.questions, answers or {})
    errors.update(answer_errors)
    if errors:
        raise ValidationFailed("Check the report.", errors=errors)
    report = OperationalReport(
        template=template,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        answers=cleaned,
        filed_by=actor,
        filed_on=today,
    )
    save_audited(report, actor=actor, reason=f"Operational report: {template.title}")
    name = actor.get_full_name() or actor.username
    lines = []
    for question, value in report.answered():
        if value is not None:
            shown = (
                {True: "Yes", False: "No"}.get(value, value) if isinstance(value, bool) else value
            )
            lines.append(f"{question['prompt']}: {shown}")
    send_after_commit(
        subject=f"{contract.number}: operational monitoring report from {name}",
        body=f'{name} filed "{template.title}" on {contract.number} ({contract.title}) for '
        f"{period_start:%-d %B %Y} to {period_end:%-d %B %Y}:\n\n" + "\n".join(lines),
        to=contract_manager_emails(agency=contract.agency, contract=contract),
        link=reverse("monitoring:ops_reports", args=[contract.pk]),
    )
    return report
