"""Sending the reports of seed 002 stages 9 and 10 to their named recipients.

Stage 9 goes "by exception to Senior Local Authority/PCT/Probation Managers"; stage 10, the
twice-yearly report on performance across the services, "to Commissioning Body". Both audiences
include people outside the agency (a partner organisation's manager, the commissioning body),
who cannot sign in to Steward: they are recorded by name, organisation and email address, and
the email carries the report itself as text (with the link for those who can sign in). Every
email goes through the outbox (`core.mail`), and each sending is kept (`ReportSent`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.mail import Mail, send_batch_after_commit
from steward.core.services import require_perm, save_audited
from steward.monitoring import reports as rendering
from steward.monitoring.models import ReportAudience, ReportRecipient, ReportSent, ServicesReport
from steward.monitoring.selectors import ExceptionReport
from steward.parties.models import Agency, User


@transaction.atomic
def report_recipient_add(
    *,
    actor: Any,
    agency: Agency,
    audience: str,
    name: str = "",
    email: str = "",
    organisation: str = "",
    user: User | None = None,
) -> ReportRecipient:
    """Name a recipient of the stage 9 or stage 10 report: a person of the agency (`user`: their
    name and address are taken) or someone outside it (`name`, `email`, `organisation`).
    Returns the recipient; side effect: its audit row."""
    require_perm(actor, "monitoring.write_report", agency, action="name report recipients")
    if user is not None:
        if user.agency_id != agency.pk or not user.is_active:
            raise NotFoundError("No such person in this agency.")
        name = name or user.get_full_name() or user.username
        email = email or user.email
        organisation = organisation or agency.name
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["Give the recipient's name."]
    if not (email or "").strip():
        errors["email"] = ["Give the recipient's email address."]
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"{first}: {errors[first][0]}", errors=errors)
    recipient = ReportRecipient(
        agency=agency,
        audience=audience,
        name=name.strip(),
        email=email.strip().lower(),
        organisation=organisation.strip(),
        user=user,
    )
    save_audited(recipient, actor=actor, reason="Report recipient named")
    return recipient


@transaction.atomic
def report_recipient_remove(*, actor: Any, recipient: ReportRecipient) -> ReportRecipient:
    """Stop sending the report to `recipient` (kept, inactive, for the record)."""
    require_perm(
        actor, "monitoring.write_report", recipient.agency, action="change report recipients"
    )
    recipient.active = False
    save_audited(recipient, actor=actor, reason="Report recipient removed")
    return recipient


def recipients_of(agency: Agency, audience: str) -> list[ReportRecipient]:
    return list(
        ReportRecipient.objects.filter(agency=agency, audience=audience, active=True).order_by(
            "organisation", "name"
        )
    )


def _send(
    *,
    actor: Any,
    agency: Agency,
    audience: str,
    subject: str,
    body: str,
    link: str,
    today: date,
    services_report: ServicesReport | None = None,
) -> ReportSent:
    people = recipients_of(agency, audience)
    if not people:
        raise ValidationFailed(
            "Name the report's recipients first.",
            errors={"recipients": ["No one is named to receive this report."]},
        )
    send_batch_after_commit(
        [
            Mail(
                subject=subject,
                body=f"Dear {r.name},\n\n{body}",
                to=[r.email],
                link=link if not r.external else "",
            )
            for r in people
        ]
    )
    return ReportSent.objects.create(
        agency=agency,
        audience=audience,
        services_report=services_report,
        sent_on=today,
        sent_by=actor if getattr(actor, "pk", None) else None,
        recipients=[
            {"name": r.name, "organisation": r.organisation, "email": r.email} for r in people
        ],
    )


def services_report_text(report: ServicesReport) -> str:
    """The stage 10 report as plain text: the period's figures and the recommendations."""
    t = rendering.report_tables(report)
    start, end = t.period
    lines = [
        f"{report.agency.name}: report on performance across all services, "
        f"{start:%-d %B %Y} to {end:%-d %B %Y}.",
        "",
        f"Live contracts: {t.contracts}",
        f"Monitoring cycles completed: {t.cycles_completed}",
        f"Appeals: {t.appeals}",
        f"Actions done: {t.actions_done}; overdue: {t.actions_overdue}",
        "",
        "Risk ratings (start of the period, now):",
    ]
    lines += [f"  {r['label']}: {r['start']}, {r['now']}" for r in t.risk]
    lines += ["", "Indicators in the latest returns:"]
    lines += [f"  {label}: {n}" for label, n in t.achievement]
    lines += ["", "Recommendations:", report.recommendations]
    return "\n".join(lines) + "\n"


@transaction.atomic
def services_report_send(*, actor: Any, report: ServicesReport, today: date) -> ReportSent:
    """seed 002 stage 10: send the report to the commissioning body (its named recipients,
    inside or outside the agency) through the outbox. Returns the sending, kept."""
    require_perm(actor, "monitoring.write_report", report.agency, action="send the report")
    return _send(
        actor=actor,
        agency=report.agency,
        audience=ReportAudience.SERVICES,
        subject=f"Report to the commissioning body, {report.period_start:%B %Y} to "
        f"{report.period_end:%B %Y}",
        body=services_report_text(report),
        link=reverse("monitoring:report", args=[report.pk]),
        today=today,
        services_report=report,
    )


def exception_report_text(agency: Agency, report: ExceptionReport) -> str:
    """The stage 9 report as plain text: red contracts with the reasons, appeals, missed
    deadlines and serious concerns."""
    lines = [f"{agency.name}: report by exception as of {report.as_of:%-d %B %Y}.", ""]
    lines.append(f"Contracts rated red: {len(report.red)}")
    for a in report.red:
        reasons = "; ".join(a.reasons or [])
        lines.append(f"  {a.contract.number} ({a.contract.provider.legal_name}): {reasons}")
    lines.append(f"Appeals since {report.since:%-d %B %Y}: {len(report.appeals)}")
    for c in report.appeals:
        lines.append(f"  {c.contract.number} ({c.provider.legal_name})")
    rows = rendering.missed_rows(report)
    lines.append(f"Deadlines missed: {len(rows)}")
    for r in rows:
        lines.append(f"  {r['contract']}: {r['what']}, {r['days_overdue']} days overdue")
    lines.append(f"Serious concerns still open: {len(report.serious_concerns)}")
    for c in report.serious_concerns:
        lines.append(f"  {c.provider.legal_name}: {c.summary}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def exception_report_send(*, actor: Any, agency: Agency, since: date, today: date) -> ReportSent:
    """seed 002 stage 9: send the report by exception to the named senior managers, including
    partner organisations' managers (PCT, Probation), through the outbox. Returns the sending."""
    from steward.monitoring.selectors import exception_report

    require_perm(actor, "monitoring.write_report", agency, action="send the report")
    report = exception_report(actor=actor, as_of=today, since=since, agency_id=agency.pk)
    return _send(
        actor=actor,
        agency=agency,
        audience=ReportAudience.EXCEPTIONS,
        subject=f"Report by exception, {today:%-d %B %Y}",
        body=exception_report_text(agency, report),
        link=reverse("monitoring:exceptions"),
        today=today,
    )
