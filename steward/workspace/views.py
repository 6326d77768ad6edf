"""The home page: what is due and which contracts are expiring; provider users see their
contracts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from steward.contracts.selectors import contract_list, due_dates_open, expiring_contracts

DEFAULT_EXPIRING_WINDOW_DAYS = 120


def _expiring_window(user: Any) -> int:
    if getattr(user, "agency_id", None):
        return user.agency.pack.parsed.expiring_window_days
    return DEFAULT_EXPIRING_WINDOW_DAYS


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What is due and which contracts are expiring; provider users see their contracts."""
    user = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    if user.is_provider_user:  # type: ignore[union-attr]
        context["own_contracts"] = list(contract_list(actor=user)[:50])
    else:
        window = _expiring_window(user)
        context["window"] = window
        context["due_dates"] = list(due_dates_open(actor=user)[:50])
        context["expiring"] = list(
            expiring_contracts(actor=user, today=today, within_days=window)[:50]
        )
    return render(request, "workspace/home.html", context)
