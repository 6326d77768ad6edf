"""Pages of strategic commissioning (seed 003 sections 2 and 3): supply against demand, the
needs analysis import, the sector view with its decision and report for the commissioning body,
and the market intelligence fed from monitoring. Internal: a provider user gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.commissioning import importing, selectors, services
from steward.commissioning.forms import AreaForm, DecisionForm, NeedsImportForm, NoteForm
from steward.commissioning.reports import SECTOR_HEADER, sector_rows
from steward.contracts.selectors import contract_get
from steward.core.errors import ApplicationError, ValidationFailed
from steward.core.exports import export_response
from steward.core.forms import apply_errors
from steward.core.pdf import pdf_response
from steward.core.views import application_errors
from steward.parties.models import Agency, Provider


def _agency(request: HttpRequest) -> Agency:
    """The agency of the page: `?agency=` (administrators and oversight), else the reader's
    own. 404 for a provider user or another agency's staff."""
    raw = request.GET.get("agency") or request.POST.get("agency") or ""
    agency_id = int(raw) if raw.isdigit() else None
    try:
        return selectors.agency_for(actor=request.user, agency_id=agency_id)
    except ValidationFailed:
        raise
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


def _agency_choices(request: HttpRequest) -> list[Agency] | None:
    user: Any = request.user
    if user.agency_id:
        return None
    return list(Agency.objects.order_by("name"))


def _sector_url(agency: Agency, service_type: str, user: Any) -> str:
    query = {"service_type": service_type}
    if not user.agency_id:
        query["agency"] = str(agency.pk)
    return reverse("commissioning:sector") + "?" + urlencode(query)


@login_required
@require_GET
@application_errors
def index(request: HttpRequest) -> HttpResponse:
    """Supply against demand per service type and area, and every sector with its decision."""
    user: Any = request.user
    if not user.agency_id and not user.has_perm("commissioning.view_commissioning"):
        raise Http404("No such page.")
    choices = _agency_choices(request)
    if choices is not None and not request.GET.get("agency"):
        return render(request, "commissioning/index.html", {"agencies": choices, "agency": None})
    agency = _agency(request)
    rows = selectors.supply_and_demand(agency=agency)
    types = selectors.service_types(agency=agency)
    decisions: dict[str, Any] = {}
    from steward.commissioning.models import SectorDecision

    for d in SectorDecision.objects.filter(agency=agency).order_by("-decided_on", "-id"):
        decisions.setdefault(d.service_type.casefold(), d)
    sectors = [
        {
            "name": name,
            "url": _sector_url(agency, name, user),
            "decision": decisions.get(name.casefold()),
        }
        for name in types
    ]
    return render(
        request,
        "commissioning/index.html",
        {
            "agencies": choices,
            "agency": agency,
            "rows": rows,
            "sectors": sectors,
            "can_manage": user.has_perm("commissioning.manage_commissioning", agency),
            "can_record": user.has_perm("commissioning.record_intelligence", agency),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def needs_import(request: HttpRequest) -> HttpResponse:
    """Upload a needs analysis (CSV or XLSX): all or nothing, every bad row listed."""
    user: Any = request.user
    if not user.agency_id:
        raise Http404("No such page.")
    agency = _agency(request)
    if not user.has_perm("commissioning.manage_commissioning", agency):
        raise PermissionDenied("Contract managers and senior managers import the needs analysis.")
    form = NeedsImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            importing.check_needs_file(upload)
        except ValidationFailed as exc:
            apply_errors(form, exc)
            return render(request, "commissioning/import.html", {"form": form, "report": None})
        report = importing.import_needs(
            actor=user,
            agency=agency,
            stream=upload.file,
            filename=upload.name,
            dry_run="dry_run" in request.POST,
        )
        if report.ok and not report.dry_run:
            messages.success(request, report.summary())
    return render(request, "commissioning/import.html", {"form": form, "report": report})


def _sector(request: HttpRequest) -> selectors.Sector:
    service_type = (request.GET.get("service_type") or "").strip()
    if not service_type:
        raise Http404("No such sector.")
    agency = _agency(request)
    return selectors.sector(
        actor=request.user, agency=agency, service_type=service_type, today=timezone.localdate()
    )


@login_required
@require_GET
@application_errors
def sector(request: HttpRequest) -> HttpResponse:
    """The sector view of one service type: performance across its contracts, risk, concerns,
    capacity used, supply against demand, market intelligence and the commissioning decision."""
    user: Any = request.user
    found = _sector(request)
    can_manage = user.has_perm("commissioning.manage_commissioning", found.agency)
    decision_form = DecisionForm(initial={"decided_on": timezone.localdate()})
    query = {"service_type": found.service_type}
    if not user.agency_id:
        query["agency"] = str(found.agency.pk)
    return render(
        request,
        "commissioning/sector.html",
        {
            "s": found,
            "query": urlencode(query),
            "can_manage": can_manage,
            "can_record": user.has_perm("commissioning.record_intelligence", found.agency),
            "decision_form": decision_form if can_manage else None,
        },
    )


@login_required
@require_GET
@application_errors
def sector_export(request: HttpRequest) -> HttpResponseBase:
    """The sector report for the commissioning body, as PDF (default) or CSV."""
    found = _sector(request)
    name = f"sector-{found.agency.slug}-{found.service_type}".replace(" ", "-").lower()
    if request.GET.get("format") == "csv":
        return export_response(
            "csv", SECTOR_HEADER, sector_rows(found), filename=f"{name}.csv", sheet_title="Sector"
        )
    return pdf_response(
        "commissioning/sector_pdf.html", {"s": found}, filename=f"{name}.pdf", request=request
    )


@login_required
@require_POST
@application_errors
def decision_create(request: HttpRequest) -> HttpResponse:
    """Record the sector's commissioning decision with its reasons."""
    user: Any = request.user
    agency = _agency(request)
    service_type = request.POST.get("service_type", "")
    back = _sector_url(agency, service_type, user)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a decision, give its reasons and the date.")
        return redirect(back)
    services.sector_decision_record(
        actor=user,
        agency=agency,
        service_type=service_type,
        decision=form.cleaned_data["decision"],
        reasons=form.cleaned_data["reasons"],
        decided_on=form.cleaned_data["decided_on"],
    )
    messages.success(request, "The commissioning decision is recorded.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def intelligence(request: HttpRequest) -> HttpResponse:
    """Market intelligence by provider and service type; the form records a new piece."""
    user: Any = request.user
    agency = _agency(request)
    providers = Provider.objects.filter(contracts__agency=agency).distinct().order_by("legal_name")
    raw_provider = request.GET.get("provider") or ""
    provider_id = int(raw_provider) if raw_provider.isdigit() else None
    service_type = (request.GET.get("service_type") or "").strip()
    can_record = user.has_perm("commissioning.record_intelligence", agency)
    form = NoteForm(
        request.POST or None,
        providers=providers,
        initial={
            "recorded_on": timezone.localdate(),
            "provider": provider_id,
            "service_type": service_type,
        },
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("Contract managers, monitors and senior managers record this.")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.market_note_record(
                    actor=user,
                    agency=agency,
                    kind=d["kind"],
                    text=d["text"],
                    provider=d["provider"],
                    service_type=d["service_type"],
                    partner=d["partner"],
                    recorded_on=d["recorded_on"],
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "The market intelligence is recorded.")
                return redirect(request.get_full_path())
    notes = selectors.market_notes(
        actor=user, agency=agency, provider_id=provider_id, service_type=service_type
    )[:200]
    return render(
        request,
        "commissioning/intelligence.html",
        {
            "agency": agency,
            "notes": notes,
            "form": form if can_record else None,
            "providers": providers,
            "provider_id": provider_id,
            "service_type": service_type,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def contract_area(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the area a contract's places serve (supply against demand by area)."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("commissioning.view_commissioning", contract.agency):
        raise Http404("No such contract.")
    current = getattr(contract, "commissioning_area", None)
    form = AreaForm(request.POST or None, initial={"area": current.area if current else ""})
    if request.method == "POST" and form.is_valid():
        services.contract_area_set(actor=user, contract=contract, area=form.cleaned_data["area"])
        messages.success(request, "The area is recorded.")
        return redirect(_sector_url(contract.agency, contract.service_type, user))
    return render(
        request,
        "commissioning/contract_area.html",
        {
            "contract": contract,
            "form": form,
            "can_manage": user.has_perm("commissioning.manage_commissioning", contract.agency),
        },
    )
