"""The register page's OCDS download (streamed JSON file) and its link on the register."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from steward.core.replica import reads_from_replica
from steward.core.views import application_errors
from steward.opendata.selectors import agency_for_export, package_chunks
from steward.parties.models import Role


@login_required
@require_GET
@application_errors
@reads_from_replica
def ocds_download(request: HttpRequest) -> HttpResponseBase:
    """The agency's register as an OCDS release (or record) package, as a file."""
    agency = agency_for_export(actor=request.user, agency_slug=request.GET.get("agency", ""))
    package = request.GET.get("package", "release")
    chunks = package_chunks(agency, package=package)
    first = next(chunks)

    def body() -> Any:
        yield first
        yield from chunks

    response = StreamingHttpResponse(body(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{agency.slug}-ocds-{package}-package.json"'
    )
    return response


def register_links(request: HttpRequest) -> list[tuple[str, str]]:
    """The register page's OCDS links: agency staff get their agency's; oversight officers
    and administrators the agency they filtered on. Provider users none."""
    user: Any = request.user
    if not user.has_perm("reports.view_register_reports"):
        return []
    if user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        slug = request.GET.get("agency", "")
    else:
        slug = getattr(user.agency, "slug", "") if user.agency_id else ""
    if not slug:
        return []
    url = reverse("opendata:ocds")
    return [
        (
            "Download this agency's register as open contracting data (OCDS 1.1.5 JSON)",
            f"{url}?{urlencode({'agency': slug})}",
        )
    ]
