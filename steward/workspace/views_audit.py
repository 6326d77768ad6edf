"""Audit pages: the history of any registered record (issue 19 point 4) and the log of reads of
service users' personal data (issue 19 point 3)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from steward.core.history import record_history
from steward.core.views import application_errors
from steward.parties.access_log import access_log, personal_data_read

PAGE_SIZE = 100


@login_required
@application_errors
def record_history_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Who changed what on the record, for whoever may read it, without the fields hidden from
    them; reading the history of personal fields is logged."""
    user: Any = request.user
    found = record_history(actor=user, key=kind, pk=pk)
    if found.personal_fields_shown:
        personal_data_read(
            actor=user,
            kind=found.kind.key,
            records=[found.record],
            fields=found.personal_fields_shown,
            path=request.path,
            agency_id=found.agency_id,
        )
    return render(
        request,
        "workspace/record_history.html",
        {
            "kind": found.kind,
            "record": found.record,
            "description": found.kind.describe(found.record),
            "record_url": found.kind.url(found.record) if found.kind.url else None,
            "history": found.entries,
        },
    )


@login_required
@application_errors
def access_log_page(request: HttpRequest) -> HttpResponse:
    """Who read service users' personal data, newest first: administrators."""
    user: Any = request.user
    if not user.has_perm("audit.view_access_log"):
        raise PermissionDenied
    rows = access_log(actor=user, agency=request.GET.get("agency", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/access_log.html", {"page": page})
