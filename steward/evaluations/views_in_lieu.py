"""Reports in lieu of the evaluation form (seed 000; DOMAIN.md section 3.2): a report card or
quality-assurance report an agency submits instead of the form, the oversight officer's queue
and decision, and the report's file.

The views are thin: the selectors decide what a person may see, the services what they may do;
refusals are shown on the page (never a 500)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from steward.contracts.models import DueDateStatus
from steward.contracts.selectors import contract_get
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.evaluations import selectors, services
from steward.evaluations.forms import InLieuDecisionForm, InLieuFilterForm, InLieuForm
from steward.evaluations.models import InLieuStatus
from steward.evaluations.views import is_staff, sees_all_agencies

PAGE_SIZE = 50
QUEUE_SHOWN = 100


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not do this.")


@login_required
@require_GET
def in_lieu_list(request: HttpRequest) -> HttpResponse:
    """Reports in lieu: the oversight officer's queue of reports awaiting a decision across
    agencies first, then the decided ones; agency staff see their own agency's."""
    user: Any = request.user
    if not is_staff(user):
        raise PermissionDenied("Agency staff and oversight officers see reports in lieu.")
    sees_all = sees_all_agencies(user)
    form = InLieuFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    qs = selectors.in_lieu_list(actor=user, status=status)
    if not sees_all:
        qs = qs.filter(agency_id=user.agency_id)
    show_queue = status in ("", InLieuStatus.SUBMITTED)
    queue: list[Any] = []
    queue_count = 0
    if show_queue:
        waiting = qs.filter(status=InLieuStatus.SUBMITTED).order_by("submitted_on", "id")
        queue = list(waiting[:QUEUE_SHOWN])
        queue_count = len(queue) if len(queue) < QUEUE_SHOWN else waiting.count()
        rest = qs.exclude(status=InLieuStatus.SUBMITTED)
    else:
        rest = qs
    page = Paginator(rest.order_by("-submitted_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluations/in_lieu_list.html",
        {
            "form": form,
            "queue": queue,
            "queue_count": queue_count,
            "show_queue": show_queue,
            "page": page,
            "sees_all": sees_all,
            "can_decide": user.has_perm("evaluations.decide_in_lieu"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def in_lieu_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a report card or quality-assurance report in lieu of the evaluation form."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    _require(request, "evaluations.submit_in_lieu", contract)
    form = InLieuForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = services.in_lieu_submit(
                actor=user,
                contract=contract,
                kind=d["kind"],
                title=d["title"],
                summary=d["summary"],
                link=d["link"],
                upload=d["file"] or None,
                today=contract.agency.today(),
                period_start=d["period_start"],
                period_end=d["period_end"],
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, "Report submitted; the oversight officer will accept or reject it."
            )
            return redirect("evaluations:in_lieu", pk=report.pk)
    open_due = (
        contract.due_dates.filter(services.evaluation_due_q(), status=DueDateStatus.OPEN)
        .order_by("due_date")
        .first()
    )
    return render(
        request,
        "evaluations/in_lieu_form.html",
        {"form": form, "contract": contract, "open_due": open_due},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def in_lieu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report in lieu, and the oversight officer's decision on it."""
    user: Any = request.user
    report = selectors.in_lieu_get(actor=user, pk=pk)
    can_decide = user.has_perm("evaluations.decide_in_lieu", report)
    open_for_decision = report.status == InLieuStatus.SUBMITTED
    form = InLieuDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied("Only the oversight officer decides on reports in lieu.")
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                services.in_lieu_decide(
                    actor=user,
                    report=report,
                    accept=accept,
                    reason=form.cleaned_data["reason"],
                    today=report.agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Report accepted in lieu of the evaluation."
                    if accept
                    else "Report rejected; the agency can read your reason.",
                )
                return redirect("evaluations:in_lieu", pk=report.pk)
    return render(
        request,
        "evaluations/in_lieu_detail.html",
        {
            "report": report,
            "form": form if can_decide and open_for_decision else None,
            "decide_by": selectors.open_due_about(services.IN_LIEU_KIND, report)
            if open_for_decision
            else None,
            "covered": selectors.in_lieu_met(report),
            "may_cover": services.in_lieu_covers(report) if open_for_decision else [],
        },
    )


@login_required
@require_GET
@application_errors
def in_lieu_file(request: HttpRequest, pk: int) -> FileResponse:
    """Send a report's file as an attachment to whoever may see the report."""
    report = selectors.in_lieu_get(actor=request.user, pk=pk)
    if not report.file:
        raise Http404("This report has no file; it is given as a link.")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The report file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=report.original_name or "report",
        content_type=report.content_type or "application/octet-stream",
    )
