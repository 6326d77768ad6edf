"""The home page: the person's work list (what they must do: overdue, this week, later), then
for agency staff the contracts expiring soon, for provider users their contracts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from steward.contracts.selectors import contract_list, expiring_contracts
from steward.workspace.selectors import grouped, work_items

DEFAULT_EXPIRING_WINDOW_DAYS = 120


def _expiring_window(user: Any) -> int:
    if getattr(user, "agency_id", None):
        return user.agency.pack.parsed.expiring_window_days
    return DEFAULT_EXPIRING_WINDOW_DAYS


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's work list, and their contracts (providers) or those expiring (staff)."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)  # the agency's today: its time zone is active
    items = work_items(user=user, now=now)
    context: dict[str, Any] = {"today": today, "work": grouped(items), "work_total": len(items)}
    if user.is_provider_user:  # type: ignore[union-attr]
        context["own_contracts"] = list(contract_list(actor=user)[:50])
    else:
        window = _expiring_window(user)
        context["window"] = window
        context["expiring"] = list(
            expiring_contracts(actor=user, today=today, within_days=window)[:50]
        )
    return render(request, "workspace/home.html", context)
