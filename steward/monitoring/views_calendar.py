"""My calendar: the person's work list by date (every due date they must act on: returns,
evaluations, self-assessments, visits, review meetings, actions, reports...), a month at a
time; the same as an iCalendar file to download; and the iCalendar feed a calendar app
subscribes to.

Views are thin: they parse a form, call one selector, and render. The feed is the one page
without a session: its address carries a signed token (`steward.monitoring.ical`)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from steward.core.deadlines import add_months, month_end
from steward.core.exports import attachment
from steward.monitoring import ical, selectors
from steward.monitoring.forms import MonthForm


def _rows(items: list[selectors.CalendarItem], today: date) -> list[dict[str, Any]]:
    """Items grouped by date: [{day, items: [{item, kind_label, overdue}]}]. Every item is
    still open (the selector leaves out what is done), so an obligation dated before today is
    overdue (a window past its day is only closing)."""
    return [
        {
            "day": day,
            "items": [
                {"item": i, "kind_label": i.kind_name, "overdue": i.on < today and not i.optional}
                for i in group
            ],
        }
        for day, group in groupby(items, key=lambda i: i.on)
    ]


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """My calendar: the items of this person's work list due in a month, grouped by date,
    with the address of their iCalendar feed."""
    user: Any = request.user
    today = timezone.localdate()
    form = MonthForm(request.GET or None)
    month = today.replace(day=1)
    if form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    end = month_end(month)
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
            "previous": f"{add_months(month, -1):%Y-%m}",
            "next": f"{add_months(month, 1):%Y-%m}",
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
