"""Pages around the annual cycle: the personal calendar and its iCalendar feed, the follow-up
of action plans, review meetings (seed 003), the report by exception to senior managers (seed
002 stage 9) and the twice-yearly report to the commissioning body (stage 10).

Views are thin: they parse a form, call one selector or service, and render or redirect. The
calendar feed is the one page without a session: its address carries a signed token
(`steward.monitoring.ical`)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.exports import XLSX_TYPE, attachment
from steward.core.forms import apply_errors
from steward.core.pdf import pdf_response
from steward.core.views import application_errors, safe_next
from steward.monitoring import calc, ical, selectors, services
from steward.monitoring import reports as rendering
from steward.monitoring.forms_other import (
    ActionDoneForm,
    ExceptionFilterForm,
    MonthForm,
    ReviewForm,
    ServicesReportForm,
)
from steward.monitoring.models import Action, ReviewMeeting, ServicesReport
from steward.parties.models import Agency, AgencyKind, Role

PAGE_SIZE = 50


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not see or do this.")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    d = day.day
    while True:
        try:
            return date(year, month + 1, d)
        except ValueError:
            d -= 1


# ---------------------------------------------------------------- the calendar


KIND_LABELS = ical.KIND_LABELS


def _rows(items: list[selectors.CalendarItem], today: date) -> list[dict[str, Any]]:
    """Items grouped by date: [{day, items: [{item, kind_label, overdue}]}]. Every item is
    still open (the selector leaves out what is done), so one dated before today is overdue."""
    return [
        {
            "day": day,
            "items": [
                {"item": i, "kind_label": KIND_LABELS.get(i.kind, i.kind), "overdue": i.on < today}
                for i in group
            ],
        }
        for day, group in groupby(items, key=lambda i: i.on)
    ]


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """My calendar: this person's deadlines, visits, review meetings and actions of a month,
    grouped by date, with the address of their iCalendar feed."""
    user: Any = request.user
    today = timezone.localdate()
    form = MonthForm(request.GET or None)
    month = today.replace(day=1)
    if form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    end = _add_months(month, 1) - timedelta(days=1)
    items = selectors.calendar_items(user=user, start=month, end=end)
    earlier: list[dict[str, Any]] = []
    if month <= today <= end:
        # what is still open from the past year: overdue, shown above this month
        earlier = _rows(
            selectors.calendar_items(
                user=user, start=today - timedelta(days=365), end=month - timedelta(days=1)
            ),
            today,
        )
    token = ical.feed_token(user)
    return render(
        request,
        "monitoring/calendar.html",
        {
            "form": form,
            "month": month,
            "month_end": end,
            "today": today,
            "days": _rows(items, today),
            "count": len(items),
            "earlier": earlier,
            "previous": f"{_add_months(month, -1):%Y-%m}",
            "next": f"{_add_months(month, 1):%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "is_this_month": month <= today <= end,
            "feed_url": request.build_absolute_uri(
                reverse("monitoring:calendar_feed", args=[token])
            ),
            "feed_days_before": ical.DAYS_BEFORE,
        },
    )


def _ics(request: HttpRequest, user: Any, name: str) -> bytes:
    today = timezone.localdate()
    start, end = ical.feed_window(today)
    items = selectors.calendar_items(user=user, start=start, end=end)
    return ical.render(items, absolute=request.build_absolute_uri, name=name, today=today)


@login_required
@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The same calendar as a file to import: the past month and the next twelve."""
    user: Any = request.user
    content = _ics(request, user, f"Steward: {user.get_full_name() or user.username}")
    return attachment(
        content, content_type="text/calendar; charset=utf-8", filename="steward-calendar.ics"
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed a calendar app subscribes to. No session: the signed token in the
    address says whose it is; a bad, altered or revoked token (password changed, account
    deactivated) answers 404."""
    user = ical.user_for_token(token)
    if user is None:
        raise Http404("No such calendar.")
    content = _ics(request, user, f"Steward: {user.get_full_name() or user.username}")
    response = attachment(
        content, content_type="text/calendar; charset=utf-8", filename="steward.ics", inline=True
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------- actions


@login_required
@require_POST
@application_errors
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow-up of the action plan: record an action as done, with an optional note."""
    user: Any = request.user
    action = Action.objects.select_related("contract").filter(pk=pk).first()
    if action is None or not user.has_perm("monitoring.view_actions", action.contract):
        raise Http404("No such action.")
    form = ActionDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.action_complete(actor=user, action=action, note=note, today=timezone.localdate())
    except (TransitionNotAllowed, ValidationFailed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Action marked as done: {action}.")
    return redirect(safe_next(request, reverse("monitoring:contract", args=[action.contract_id])))


# ---------------------------------------------------------------- review meetings (seed 003)


@login_required
@require_POST
@application_errors
def reviews_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule the contract term's biannual and annual review meetings."""
    user: Any = request.user
    contract = selectors.visible_contract(user, pk)
    if not user.has_perm("monitoring.view_reviews", contract):
        raise Http404("No such contract.")
    new = services.reviews_schedule(actor=user, contract=contract)
    if new:
        messages.success(
            request, f"Scheduled {len(new)} review meeting{'s' if len(new) != 1 else ''}."
        )
    else:
        messages.info(request, "Every review meeting of the contract's term is scheduled already.")
    return redirect(safe_next(request, reverse("monitoring:contract", args=[contract.pk])))


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One review meeting, and the form to record it as held (internal only)."""
    user: Any = request.user
    meeting = (
        ReviewMeeting.objects.select_related(
            "contract__agency", "contract__provider", "contract__contract_manager", "recorded_by"
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None or not user.has_perm("monitoring.view_reviews", meeting.contract):
        raise Http404("No such review meeting.")
    contract = meeting.contract
    can_record = user.has_perm("monitoring.manage_reviews", contract)
    if request.method == "POST" and not can_record:
        raise PermissionDenied("You may not record review meetings of this contract.")
    today = timezone.localdate()
    if meeting.held_on:
        initial = {
            "held_on": meeting.held_on,
            "chair": meeting.chair,
            "attendees": meeting.attendees,
            "contract_manager_attended": meeting.contract_manager_attended,
            "minutes": meeting.minutes,
        }
    else:
        initial = {"held_on": min(meeting.scheduled_for, today)}
    form = ReviewForm(request.POST or None, initial=initial) if can_record else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.review_record(actor=user, meeting=meeting, today=today, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{meeting.get_kind_display()} recorded as held.")
            return redirect("monitoring:review", pk=meeting.pk)
    return render(
        request,
        "monitoring/review.html",
        {
            "meeting": meeting,
            "contract": contract,
            "form": form,
            "today": today,
        },
    )


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
def exceptions(request: HttpRequest) -> HttpResponse:
    """Seed 002 stage 9: the report by exception to senior managers: red contracts with the
    reasons, appeals, missed deadlines and serious concerns. Also as PDF and XLSX."""
    user: Any = request.user
    _require(request, "monitoring.view_reports")
    today = timezone.localdate()
    agencies = _report_agencies(user)
    form = ExceptionFilterForm(request.GET or None, agencies=agencies)
    data = form.cleaned_data if form.is_valid() else {}
    since = data.get("since") or _add_months(today, -6)
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
    context = {"report": made, "t": tables, "today": timezone.localdate()}
    if fmt == "pdf":
        return pdf_response("monitoring/report_pdf.html", context, filename=f"{name}.pdf")
    return render(request, "monitoring/report.html", context)
