from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def steward(request: HttpRequest) -> dict[str, Any]:
    """Values every page template may use."""
    return {"STEWARD_ENV": settings.STEWARD_ENV}
