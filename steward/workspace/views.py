"""The home page: the person's work list (what they must do: overdue, this week, later), then
for agency staff the contracts expiring soon, for provider users their contracts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from steward.contracts.selectors import contract_list, expiring_contracts
from steward.parties.models import Role
from steward.workspace.selectors import (
    GROUP_TITLES,
    Group,
    NavCount,
    work_group_query,
    work_page_items,
    work_previews,
)

DEFAULT_EXPIRING_WINDOW_DAYS = 120
#: items of each group on the home page; the rest are on the full work list (`/work/`)
HOME_ITEMS_PER_GROUP = 10
#: items per page of the full work list
WORK_PAGE_SIZE = 50


def _expiring_window(user: Any) -> int:
    if getattr(user, "agency_id", None):
        return user.agency.pack.parsed.expiring_window_days
    return DEFAULT_EXPIRING_WINDOW_DAYS


def _reports_for(user: Any, today: Any) -> dict[str, Any]:
    """What a senior manager (the report by exception: seed 002 stage 9) and an oversight
    officer (agencies late with their evaluations: seed 000) are sent to read: counts and a
    link, not due dates (they receive these reports; they owe no action by a date)."""
    from steward.core.deadlines import add_months
    from steward.evaluations.selectors import agencies_behind
    from steward.monitoring.selectors import exception_report

    out: dict[str, Any] = {}
    if user.role == Role.SENIOR_MANAGER:
        report = exception_report(actor=user, as_of=today, since=add_months(today, -6))
        out["exceptions"] = {
            "red": len(report.red),
            "missed": len(report.missed),
            "appeals": len(report.appeals),
            "concerns": len(report.serious_concerns),
        }
    if user.role == Role.OVERSIGHT_OFFICER:
        behind, seen = agencies_behind(actor=user)
        out["late_agencies"] = sorted((agency.name for agency in behind), key=str.lower)
        out["agencies"] = seen
    return out


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's work list, and their contracts (providers) or those expiring (staff)."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)  # the agency's today: its time zone is active
    work, work_total = work_previews(user=user, limit=HOME_ITEMS_PER_GROUP, now=now)
    context: dict[str, Any] = {
        "today": today,
        "work": work,
        "work_total": work_total,
        # the navigation's count: already known here, so not counted a second time
        "work_count": NavCount.of(work_total),
    }
    context["reports"] = _reports_for(user, today)
    if user.is_provider_user:  # type: ignore[union-attr]
        context["own_contracts"] = list(contract_list(actor=user)[:50])
    else:
        window = _expiring_window(user)
        context["window"] = window
        context["expiring"] = list(
            expiring_contracts(actor=user, today=today, within_days=window)[:50]
        )
    return render(request, "workspace/home.html", context)


@login_required
@require_GET
def work(request: HttpRequest) -> HttpResponse:
    """The person's whole work list, one group or all, 50 to a page (the home page shows the
    first few of each group and links here)."""
    now = timezone.now()
    choice = request.GET.get("group", "")
    group = Group(choice) if choice in {g.value for g in Group} else None
    dues = work_group_query(user=request.user, group=group, now=now)
    page = Paginator(dues, WORK_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = work_page_items(page.object_list, now)  # type: ignore[assignment]
    context = {
        "page": page,
        "group": group,
        "title": GROUP_TITLES[group] if group else "All your work",
        "groups": [(g, GROUP_TITLES[g]) for g in Group],
    }
    return render(request, "workspace/work.html", context)
