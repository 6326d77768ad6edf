from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import lazy


def _agency_currency(request: HttpRequest) -> str:
    """The signed-in person's agency's currency (its policy pack's), "" for no agency."""
    agency = getattr(getattr(request, "user", None), "agency", None)
    if agency is None:
        return ""
    return str(agency.pack.parsed.currency)


def steward(request: HttpRequest) -> dict[str, Any]:
    """Values every page template may use. `currency` (the reader's agency's, for
    `{{ amount|money:currency }}`) is worked out only on a page that uses it; a view's own
    `currency` wins."""
    return {
        "STEWARD_ENV": settings.STEWARD_ENV,
        "currency": lazy(_agency_currency, str)(request),
    }
