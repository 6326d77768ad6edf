"""Reads of contracts, shaped for pages and the API and filtered to what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from steward.contracts.models import (
    Contract,
    ContractDocument,
    ContractStatus,
    DueDate,
    DueDateStatus,
)
from steward.contracts.rules import visible_contracts_q
from steward.core.errors import NotFoundError

SORTS = {
    "number": ("number", "pk"),
    "-number": ("-number", "-pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "provider": ("provider__legal_name", "pk"),
    "-provider": ("-provider__legal_name", "-pk"),
    "agency": ("agency__name", "pk"),
    "-agency": ("-agency__name", "-pk"),
    "start_date": ("start_date", "pk"),
    "-start_date": ("-start_date", "-pk"),
    "end_date": ("end_date", "pk"),
    "-end_date": ("-end_date", "-pk"),
    "maximum_obligation": ("maximum_obligation", "pk"),
    "-maximum_obligation": ("-maximum_obligation", "-pk"),
    "status": ("status", "pk"),
    "-status": ("-status", "-pk"),
}


@dataclass(frozen=True)
class ContractFilters:
    """Register filters; every field optional. `q` searches number, title and provider name."""

    q: str = ""
    status: str = ""
    agency: str = ""  # agency slug
    provider: str = ""  # a provider's slug, or part of its legal name
    provider_id: int | None = None  # exactly this provider (the provider page)
    contract_type: str = ""
    ends_before: date | None = None
    ends_after: date | None = None
    sort: str = "end_date"


def contract_queryset(actor: Any) -> QuerySet[Contract]:
    """Contracts `actor` may view, with agency, provider and manager joined in."""
    return Contract.objects.filter(visible_contracts_q(actor)).select_related(
        "agency", "provider", "contract_manager"
    )


def contract_list(*, actor: Any, filters: ContractFilters | None = None) -> QuerySet[Contract]:
    """Return the contracts `actor` may view, filtered and sorted (one query to evaluate)."""
    filters = filters or ContractFilters()
    qs = contract_queryset(actor)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(title__icontains=term)
            | Q(provider__legal_name__icontains=term)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.agency:
        qs = qs.filter(agency__slug=filters.agency)
    if filters.provider:
        term = filters.provider.strip()
        qs = qs.filter(Q(provider__slug=term) | Q(provider__legal_name__icontains=term))
    if filters.provider_id is not None:
        qs = qs.filter(provider_id=filters.provider_id)
    if filters.contract_type:
        qs = qs.filter(contract_type=filters.contract_type)
    if filters.ends_before:
        qs = qs.filter(end_date__lte=filters.ends_before)
    if filters.ends_after:
        qs = qs.filter(end_date__gte=filters.ends_after)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["end_date"]))


def contract_get(*, actor: Any, pk: int) -> Contract:
    """Return contract `pk` if `actor` may view it, with its agency, the agency's policy pack,
    its provider and its contract manager joined in (one query); NotFoundError otherwise, which
    pages and endpoints answer with 404: a provider user is not told that another provider's
    contract or a draft exists, nor agency staff that another agency's does.

    Every area's pages and endpoints that start from a contract's id fetch it here."""
    contract = contract_queryset(actor).select_related("agency__pack").filter(pk=pk).first()
    if contract is None:
        raise NotFoundError("No such contract.")
    return contract


def expiring_contracts(
    *, actor: Any, today: date, within_days: int | None = None
) -> QuerySet[Contract]:
    """Executed or active contracts visible to `actor` ending between `today` and
    `today + within_days` (default: 120 days), soonest first."""
    window = 120 if within_days is None else within_days
    return (
        contract_queryset(actor)
        .filter(
            status__in=(ContractStatus.EXECUTED, ContractStatus.ACTIVE),
            end_date__gte=today,
            end_date__lte=today + timedelta(days=window),
        )
        .order_by("end_date", "pk")
    )


def due_dates_open(*, actor: Any) -> QuerySet[DueDate]:
    """Open due dates on contracts visible to `actor`, soonest first, contract joined in.
    Provider users see none (due dates here are agency duties)."""
    if getattr(actor, "role", None) == "provider_user":
        return DueDate.objects.none()
    return (
        DueDate.objects.filter(status=DueDateStatus.OPEN)
        .filter(contract__in=Contract.objects.filter(visible_contracts_q(actor)).values("pk"))
        .select_related("contract__agency", "contract__provider")
        .order_by("due_date", "pk")
    )


def contract_documents(*, actor: Any, contract: Contract) -> QuerySet[ContractDocument]:
    """The documents of `contract` (already checked visible to `actor`) that `actor` may see,
    newest first: agency staff see all, provider users only those released to them."""
    documents = contract.documents.select_related("uploaded_by").order_by("-created_at", "-pk")
    if not actor.has_perm("contracts.view_internal", contract):
        documents = documents.filter(released_to_provider=True)
    return documents


def contract_document_get(*, actor: Any, contract: Contract, pk: int) -> ContractDocument:
    """Return document `pk` of `contract` if `actor` may see it; NotFoundError otherwise."""
    document = contract_documents(actor=actor, contract=contract).filter(pk=pk).first()
    if document is None:
        raise NotFoundError("No such document.")
    return document
