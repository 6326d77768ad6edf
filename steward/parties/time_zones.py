"""Each person works in their agency's time zone (its policy pack's): "today", "overdue" and
"days left" on every page, and the times in histories, are theirs, not UTC.

At sign-in the zone is kept in the session (`remember_time_zone`, connected to Django's
`user_logged_in` signal); on each request `AgencyTimeZoneMiddleware` activates it, so that
`django.utils.timezone.localdate()` is the agency's today — with no query per request. A provider
user has no agency: they see the site's zone (UTC), and their work list counts each item's days
in the zone of the agency it belongs to. API clients with a token have no session: the API's
dates are computed per agency where it matters (the work list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_KEY = "steward_time_zone"


def remember_time_zone(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Keep the agency's time zone in the new session (user_logged_in receiver)."""
    if request is None or not hasattr(request, "session"):
        return
    agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
    if agency is not None:
        request.session[SESSION_KEY] = agency.time_zone
    else:
        request.session.pop(SESSION_KEY, None)


class AgencyTimeZoneMiddleware:
    """Activate the time zone kept in the session for the request (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        name = session.get(SESSION_KEY) if session is not None else None
        if name:
            try:
                timezone.activate(ZoneInfo(name))
            except (ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
