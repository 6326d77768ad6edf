"""Provider and agency pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.contracts.models import Contract
from steward.contracts.rules import visible_contracts_q
from steward.contracts.selectors import ContractFilters, contract_list
from steward.core.audit import history_entries
from steward.core.concurrency import add_version_field, expecting, form_version
from steward.core.errors import ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.parties.forms import (
    AgencyForm,
    ProviderForm,
    ProviderSearchForm,
    agency_initial,
    provider_initial,
)
from steward.parties.models import Agency, Provider, normalise_name
from steward.parties.rules import visible_providers_q
from steward.parties.services import (
    agency_create,
    agency_logo_set,
    agency_update,
    provider_create,
    provider_update,
)

PAGE_SIZE = 50


def _visible_provider(user, slug: str) -> Provider:  # type: ignore[no-untyped-def]
    provider = Provider.objects.filter(visible_providers_q(user)).filter(slug=slug).first()
    if provider is None or not user.has_perm("providers.view_provider", provider):
        raise Http404("No such provider.")
    return provider


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    form = ProviderSearchForm(request.GET or None)
    providers = Provider.objects.filter(visible_providers_q(request.user)).order_by("legal_name")
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if term:
        providers = providers.filter(
            Q(legal_name__icontains=term)
            | Q(trading_name__icontains=term)
            | Q(normalised_name__icontains=normalise_name(term))
            | Q(tax_id=term)
            | Q(company_number=term)
            | Q(charity_number=term)
        )
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/provider_list.html",
        {
            "form": form,
            "page": page,
            "term": term,
            "can_add": request.user.has_perm("providers.add_provider"),
        },
    )


@login_required
def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _visible_provider(request.user, slug)
    contracts = contract_list(actor=request.user, filters=ContractFilters(provider_id=provider.pk))
    return render(
        request,
        "directory/provider_detail.html",
        {
            "provider": provider,
            "contacts": provider.contacts.all(),
            "inspections": provider.inspections.select_related("recorded_by", "recorded_by_agency"),
            "contracts": contracts[:200],
            "can_edit": request.user.has_perm("providers.change_provider", provider),
            "history": history_entries(provider)
            if request.user.has_perm("audit.view_history")
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def provider_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("providers.add_provider"):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, initial={"country": "US"})
    if request.method == "POST" and form.is_valid():
        try:
            provider = provider_create(actor=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Added {provider.legal_name}.")
            return redirect("directory:provider_detail", slug=provider.slug)
    return render(request, "directory/provider_form.html", {"form": form, "provider": None})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def provider_edit(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _visible_provider(request.user, slug)
    if not request.user.has_perm("providers.change_provider", provider):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, initial=provider_initial(provider))
    add_version_field(form, provider)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.service_data().items() if getattr(provider, k) != v}
        try:
            with expecting(provider, form_version(form)):
                provider_update(actor=request.user, provider=provider, data=data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Provider saved.")
            return redirect("directory:provider_detail", slug=provider.slug)
    return render(request, "directory/provider_form.html", {"form": form, "provider": provider})


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("agencies.view_agency"):
        raise PermissionDenied
    visible = Contract.objects.filter(visible_contracts_q(request.user)).filter(
        agency=OuterRef("pk")
    )
    agencies = (
        Agency.objects.select_related("pack")
        .annotate(
            staff_count=Count("staff", distinct=True),
            contract_count=subquery_count(visible),
        )
        .order_by("name")
    )
    return render(
        request,
        "directory/agency_list.html",
        {"agencies": agencies, "can_add": request.user.has_perm("agencies.add_agency")},
    )


def _visible_agency(user: Any, slug: str) -> Agency:
    agency = Agency.objects.select_related("pack").filter(slug=slug).first()
    if agency is None or not user.has_perm("agencies.view_agency", agency):
        raise Http404("No such agency.")
    return agency


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def agency_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("agencies.add_agency"):
        raise PermissionDenied
    form = AgencyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                agency = agency_create(actor=request.user, data=form.service_data())
                changed, logo = form.logo_change()
                if changed:
                    agency_logo_set(actor=request.user, agency=agency, upload=logo)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Added {agency.name}.")
            return redirect("directory:agency_detail", slug=agency.slug)
    return render(request, "directory/agency_form.html", {"form": form, "agency": None})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def agency_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Administrators edit every field; an oversight officer only assigns the policy pack."""
    agency = _visible_agency(request.user, slug)
    user = request.user
    can_change = user.has_perm("agencies.change_agency", agency)
    if not can_change and not user.has_perm("agencies.assign_pack", agency):
        raise PermissionDenied
    form = AgencyForm(
        request.POST or None,
        request.FILES or None,
        initial=agency_initial(agency),
        pack_only=not can_change,
    )
    add_version_field(form, agency)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data.pop("version", None)  # the version edited from, not a field of the agency
        try:
            with transaction.atomic():
                with expecting(agency, form_version(form)):
                    agency_update(actor=user, agency=agency, data=data)
                changed, logo = form.logo_change()
                if changed:  # after the edit (whose save checked the version edited from)
                    agency_logo_set(actor=user, agency=agency, upload=logo)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Agency saved.")
            return redirect("directory:agency_detail", slug=data.get("slug", agency.slug))
    return render(
        request,
        "directory/agency_form.html",
        {"form": form, "agency": agency, "pack_only": not can_change},
    )


@login_required
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _visible_agency(request.user, slug)
    contracts = Contract.objects.filter(visible_contracts_q(request.user)).filter(agency=agency)
    return render(
        request,
        "directory/agency_detail.html",
        {
            "agency": agency,
            "staff_count": agency.staff.filter(is_active=True).count(),
            "contract_count": contracts.count(),
            "contracts_by_status": contracts.values("status")
            .annotate(n=Count("pk"))
            .order_by("status"),
            "history": history_entries(agency)
            if request.user.has_perm("audit.view_history")
            else None,
            "can_edit": request.user.has_perm("agencies.change_agency", agency),
            "can_assign_pack": request.user.has_perm("agencies.assign_pack", agency),
        },
    )


def subquery_count(queryset: QuerySet[Contract]) -> Coalesce:
    """COUNT(*) of `queryset` (which filters on an OuterRef) as a subquery expression."""
    counted = queryset.order_by().values("agency").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
