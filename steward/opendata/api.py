"""`GET /api/v1/opendata/ocds`: one agency's register as an OCDS 1.1.5 package (streamed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router
from ninja.decorators import decorate_view

from steward.core.replica import reads_from_replica
from steward.core.schemas import READ_ERRORS, ErrorOut
from steward.opendata.selectors import agency_for_export, package_chunks

router = Router(tags=["open data"])


@router.get(
    "/opendata/ocds",
    summary="The register as open contracting data (OCDS 1.1.5)",
    description="One agency's contracts (drafts left out) as an OCDS 1.1.5 release package "
    "(`package=release`, the default) or record package (`package=record`): parties with "
    "their public identifiers, awards, contracts with periods, values, amendments, documents "
    "released to providers, and implementation (transactions from paid invoices, milestones, "
    "KPI actuals rated as in a Contract Performance Notice, performance failures). Agency "
    "staff: their own agency (the default); oversight officers and administrators: any agency "
    "(`agency`, a slug, required). Provider users: 403. Agency-internal data (notes, concerns, "
    "evaluations, people) is never included.",
    response={200: dict[str, Any], **READ_ERRORS, 422: ErrorOut},
)
@decorate_view(reads_from_replica)
def ocds_package(request: HttpRequest, agency: str = "", package: str = "release") -> Any:
    actor: Any = request.auth  # type: ignore[attr-defined]
    chosen = agency_for_export(actor=actor, agency_slug=agency)
    chunks = package_chunks(chosen, package=package)
    first = next(chunks)  # raises on a bad package before anything is sent
    response = StreamingHttpResponse(
        _prepend(first, chunks), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{chosen.slug}-ocds-{package}s.json"'
    return response


def _prepend(first: str, rest: Any) -> Any:
    yield first
    yield from rest
