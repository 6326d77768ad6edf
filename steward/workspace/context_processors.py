"""What every page's template may use from the workspace: the count of the person's open work
items, shown in the navigation (counted only when a page shows it, and only up to 99)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from steward.workspace.selectors import nav_count


def work(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"work_count": SimpleLazyObject(lambda: nav_count(user=user))}
