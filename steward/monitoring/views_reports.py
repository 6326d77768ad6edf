"""Reports across contracts: the report by exception to senior managers (seed 002 stage 9) and
the twice-yearly reports to the commissioning body (stage 10), each as a page, a PDF and a
spreadsheet.

Views are thin: they parse a form, call one selector or service, and render or redirect."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from steward.core.deadlines import add_months
from steward.core.errors import ValidationFailed
from steward.core.exports import XLSX_TYPE, attachment
from steward.core.forms import apply_errors
from steward.core.pdf import pdf_response
from steward.core.replica import reads_from_replica
from steward.core.views import application_errors
from steward.monitoring import calc, selectors, services
from steward.monitoring import reports as rendering
from steward.monitoring.forms import ExceptionFilterForm, ServicesReportForm
from steward.monitoring.models import ServicesReport
from steward.parties.models import Agency, AgencyKind, Role

PAGE_SIZE = 50


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not see or do this.")


# ---------------------------------------------------------------- stage 9: report by exception


def _report_agencies(user: Any) -> list[tuple[int, str]] | None:
    """The agency filter's choices for oversight officers and administrators (None: others
    see their own agency only)."""
    if user.role not in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        return None
    return list(
        Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY)
        .order_by("name")
        .values_list("pk", "name")
    )


@login_required
@require_GET
@application_errors
@reads_from_replica
def exceptions(request: HttpRequest) -> HttpResponse:
    """Seed 002 stage 9: the report by exception to senior managers: red contracts with the
    reasons, appeals, missed deadlines and serious concerns. Also as PDF and XLSX."""
    user: Any = request.user
    _require(request, "monitoring.view_reports")
    today = timezone.localdate()
    agencies = _report_agencies(user)
    form = ExceptionFilterForm(request.GET or None, agencies=agencies)
    data = form.cleaned_data if form.is_valid() else {}
    since = data.get("since") or add_months(today, -6)
    agency_id = data.get("agency")
    report = selectors.exception_report(actor=user, as_of=today, since=since, agency_id=agency_id)
    if agencies is None:
        scope = user.agency.name if user.agency_id else ""
    else:
        scope = dict(agencies).get(agency_id, "") if agency_id else "Every agency"
    context = {
        "form": form,
        "report": report,
        "missed": rendering.missed_rows(report),
        "scope": scope,
        "show_agency": agencies is not None,
        "today": today,
        "can_send": bool(user.agency_id) and user.has_perm("monitoring.write_report", user.agency),
    }
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return attachment(
            rendering.exception_xlsx(report),
            content_type=XLSX_TYPE,
            filename=f"report-by-exception-{today:%Y-%m-%d}.xlsx",
        )
    if fmt == "pdf":
        return pdf_response(
            "monitoring/exceptions_pdf.html",
            context,
            filename=f"report-by-exception-{today:%Y-%m-%d}.pdf",
        )
    query = request.GET.copy()
    query.pop("format", None)
    context["query"] = query.urlencode()
    return render(request, "monitoring/exceptions.html", context)


# ---------------------------------------------------------------- stage 10


def _periods(agency: Agency, today: date) -> list[tuple[str, str]]:
    """The half-years a report may be made for: the current one (to date) and the one
    before, aligned to the agency pack's fiscal year."""
    month = agency.pack.parsed.fiscal_year.start_month
    current = calc.half_year(today, month)
    previous = calc.half_year(current[0] - timedelta(days=1), month)
    made = set(
        ServicesReport.objects.filter(
            agency=agency, period_start__in=[current[0], previous[0]]
        ).values_list("period_start", flat=True)
    )
    out = []
    for (start, end), note in ((current, "the current half-year, to date"), (previous, "")):
        label = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
        notes = [n for n in (note, "a report exists" if start in made else "") if n]
        if notes:
            label += f" ({'; '.join(notes)})"
        out.append((start.isoformat(), label))
    return out


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
@reads_from_replica
def reports(request: HttpRequest) -> HttpResponse:
    """Seed 002 stage 10: the reports to the commissioning body, and the form with which the
    contract manager makes one for a half-year, with the recommendations."""
    user: Any = request.user
    _require(request, "monitoring.view_reports")
    today = timezone.localdate()
    agency = user.agency if user.agency_id else None
    can_write = agency is not None and user.has_perm("monitoring.write_report", agency)
    form = None
    if can_write:
        assert agency is not None
        form = ServicesReportForm(request.POST or None, periods=_periods(agency, today))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("You may not write the report to the commissioning body.")
        if form.is_valid():
            try:
                made = services.services_report_create(
                    actor=user,
                    agency=agency,
                    period_start=form.cleaned_data["period_start"],
                    recommendations=form.cleaned_data["recommendations"],
                    today=today,
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Report to the commissioning body made.")
                return redirect("monitoring:report", pk=made.pk)
    page = Paginator(
        selectors.services_reports(actor=user).order_by("-period_end", "agency__name", "-id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/reports.html",
        {"page": page, "form": form, "agency": agency, "today": today},
    )


@login_required
@require_GET
@application_errors
@reads_from_replica
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """One report to the commissioning body: the period's figures (a chart and its tables)
    and the recommendations. Also as PDF and XLSX."""
    user: Any = request.user
    _require(request, "monitoring.view_reports")
    made = selectors.services_reports(actor=user).filter(pk=pk).first()
    if made is None:
        raise Http404("No such report.")
    tables = rendering.report_tables(made)
    name = f"commissioning-report-{made.agency.slug}-{made.period_start:%Y-%m}"
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return attachment(
            rendering.services_xlsx(made, tables), content_type=XLSX_TYPE, filename=f"{name}.xlsx"
        )
    context = {
        "report": made,
        "t": tables,
        "today": timezone.localdate(),
        "can_send": user.agency_id == made.agency_id
        and user.has_perm("monitoring.write_report", made.agency),
    }
    if fmt == "pdf":
        return pdf_response("monitoring/report_pdf.html", context, filename=f"{name}.pdf")
    return render(request, "monitoring/report.html", context)


# ---------------------------------------------------------------- recipients and sending


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def recipients(request: HttpRequest) -> HttpResponse:
    """The named recipients of the stage 9 and stage 10 reports, inside or outside the agency
    (partner organisations' managers, the commissioning body); the contract manager names them
    and removes them."""
    from steward.monitoring.forms import RecipientForm
    from steward.monitoring.models import ReportRecipient, ReportSent
    from steward.monitoring.services_recipients import (
        report_recipient_add,
        report_recipient_remove,
    )

    user: Any = request.user
    if not user.agency_id:
        raise Http404("No such page.")
    _require(request, "monitoring.view_reports")
    agency = user.agency
    can_write = user.has_perm("monitoring.write_report", agency)
    form = RecipientForm(request.POST or None, agency=agency)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("The contract manager names the report's recipients.")
        remove = request.POST.get("remove")
        if remove and remove.isdigit():
            found = ReportRecipient.objects.filter(pk=int(remove), agency=agency).first()
            if found is None:
                raise Http404("No such recipient.")
            report_recipient_remove(actor=user, recipient=found)
            messages.success(request, f"{found.name} will no longer receive the report.")
            return redirect("monitoring:recipients")
        if form.is_valid():
            d = form.cleaned_data
            try:
                report_recipient_add(
                    actor=user,
                    agency=agency,
                    audience=d["audience"],
                    name=d["name"],
                    email=d["email"],
                    organisation=d["organisation"],
                    user=d["person"],
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "The recipient is named.")
                return redirect("monitoring:recipients")
    people = ReportRecipient.objects.filter(agency=agency, active=True).order_by(
        "audience", "organisation", "name"
    )
    sent = ReportSent.objects.filter(agency=agency).order_by("-sent_on", "-id")[:20]
    return render(
        request,
        "monitoring/recipients.html",
        {"people": people, "form": form if can_write else None, "sent": sent},
    )


@login_required
@require_http_methods(["POST"])
@application_errors
def report_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Stage 10: send the report to the commissioning body's named recipients."""
    from steward.monitoring.services_recipients import services_report_send

    user: Any = request.user
    _require(request, "monitoring.view_reports")
    made = selectors.services_reports(actor=user).filter(pk=pk).first()
    if made is None:
        raise Http404("No such report.")
    sent = services_report_send(actor=user, report=made, today=timezone.localdate())
    messages.success(request, f"The report is sent to {len(sent.recipients)} recipient(s).")
    return redirect("monitoring:report", pk=pk)


@login_required
@require_http_methods(["POST"])
@application_errors
def exceptions_send(request: HttpRequest) -> HttpResponse:
    """Stage 9: send the report by exception to the named senior managers."""
    from steward.monitoring.services_recipients import exception_report_send

    user: Any = request.user
    if not user.agency_id:
        raise Http404("No such page.")
    _require(request, "monitoring.view_reports")
    today = timezone.localdate()
    sent = exception_report_send(
        actor=user, agency=user.agency, since=add_months(today, -6), today=today
    )
    messages.success(request, f"The report is sent to {len(sent.recipients)} recipient(s).")
    return redirect("monitoring:exceptions")
