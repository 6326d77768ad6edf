"""Reads of contracts, shaped for pages and the API and filtered to what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from steward.contracts.models import (
    Amendment,
    Contract,
    ContractDocument,
    ContractStatus,
    DueDate,
    DueDateStatus,
)
from steward.contracts.register_reports import AmendmentOn, StateOn, status_on, terms_on
from steward.contracts.rules import visible_contracts_q
from steward.core.errors import NotFoundError

CENT = Decimal("0.01")

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


def agencies_seen_by(actor: Any) -> QuerySet[Any]:
    """The agencies whose contracts `actor` may view, by name: the choices of an agency filter
    (a single-agency user is offered their own agency, never every agency in the system)."""
    from steward.parties.models import Agency

    visible = visible_contracts_q(actor)
    if not visible:  # every contract: no need to read them all to know every agency
        return Agency.objects.order_by("name")
    seen = Contract.objects.filter(visible).values("agency_id")
    return Agency.objects.filter(pk__in=seen).order_by("name")


def providers_seen_by(actor: Any) -> QuerySet[Any]:
    """The providers of the contracts `actor` may view, by name: the choices of a provider
    filter."""
    from steward.parties.models import Provider

    visible = visible_contracts_q(actor)
    if not visible:  # every contract: every provider, without reading the register
        return Provider.objects.order_by("legal_name")
    seen = Contract.objects.filter(visible).values("provider_id")
    return Provider.objects.filter(pk__in=seen).order_by("legal_name")


#: A search whose term matches at most this many providers names them in the query; past it
#: the providers are a subquery (see `register_search_q`).
PROVIDERS_NAMED_IN_SEARCH = 100


def register_search_q(term: str) -> Q:
    """Contracts whose number, title or provider's legal name contains `term` (any case).

    On PostgreSQL each part can use its trigram index (contracts 0010, parties 0010). The
    providers whose name matches are read first (one query, at most
    PROVIDERS_NAMED_IN_SEARCH + 1 ids):

    - a few: they are named in the query (`provider_id IN (1, 2, ...)`), which the planner
      combines with the other two parts in one bitmap scan of the contracts table, and whose
      size it knows (a join condition in an OR cannot use an index, and scanned every
      contract);
    - many (a common word such as "foster"): they stay a subquery, which PostgreSQL hashes
      once, so that walking the register in its sort order finds a page of matches at once.
      A list of thousands of ids passed as one array was searched element by element for
      every row (177 ms to count 1,000 matches at 1,000,000 contracts; docs/performance.md).

    SQLite has no trigram index: the plain join is as fast there."""
    if connection.vendor != "postgresql":
        return (
            Q(number__icontains=term)
            | Q(title__icontains=term)
            | Q(provider__legal_name__icontains=term)
        )
    from steward.parties.models import Provider

    matching = Provider.objects.filter(legal_name__icontains=term).order_by().values("pk")
    named = [row["pk"] for row in matching[: PROVIDERS_NAMED_IN_SEARCH + 1]]
    by_provider = (
        Q(provider_id__in=named)
        if len(named) <= PROVIDERS_NAMED_IN_SEARCH
        else Q(provider_id__in=matching)
    )
    return Q(number__icontains=term) | Q(title__icontains=term) | by_provider


def contract_list(*, actor: Any, filters: ContractFilters | None = None) -> QuerySet[Contract]:
    """Return the contracts `actor` may view, filtered and sorted (one query to evaluate)."""
    filters = filters or ContractFilters()
    qs = contract_queryset(actor)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(register_search_q(term))
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


# ---------------------------------------------------------------- the register on a date


def _day_after_midnight(day: date) -> datetime:
    # The status history is stamped in UTC; a change made any time on `day` counts for it.
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def contracts_on(contracts: QuerySet[Contract], day: date) -> QuerySet[Contract]:
    """`contracts` annotated with their terms on `day` (issue 18; rules in
    `register_reports.terms_on` and `status_on`): `end_on` and `obligation_on` (before the
    first amendment that took effect after `day`), and `executed_by_history` (the status
    history shows the contract out of draft by the end of `day`). Subqueries, so still one
    query."""
    later = Amendment.objects.filter(contract=OuterRef("pk"), effective_on__gt=day).order_by(
        "effective_on", "sequence"
    )
    history = Contract.history.model.objects.filter(  # type: ignore[attr-defined]
        id=OuterRef("pk"), history_date__lt=_day_after_midnight(day)
    ).exclude(status=ContractStatus.DRAFT)
    return contracts.annotate(
        end_on=Coalesce(Subquery(later.values("previous_end_date")[:1]), F("end_date")),
        obligation_on=Coalesce(
            Subquery(later.values("previous_maximum_obligation")[:1]), F("maximum_obligation")
        ),
        executed_by_history=Exists(history),
    )


def live_on_q(day: date) -> Q:
    """Contracts (annotated by `contracts_on`) that were executed or active on `day`: the
    database form of `register_reports.status_on(...) in LIVE_STATUSES`."""
    return (
        ~Q(status=ContractStatus.DRAFT)
        & (Q(executed_on__lte=day) | Q(executed_by_history=True))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=day))
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=day))
        & Q(end_on__gte=day)
    )


def state_of_annotated(contract: Contract, day: date) -> StateOn:
    """The state on `day` of a contract read through `contracts_on(..., day)`."""
    c: Any = contract
    return StateOn(
        day=day,
        status=status_on(
            day,
            status=c.status,
            start_date=c.start_date,
            end_date_then=c.end_on,
            executed_on=c.executed_on,
            executed_by_history=c.executed_by_history,
            completed_on=c.completed_on,
            terminated_on=c.terminated_on,
        ),
        end_date=c.end_on,
        # an annotation comes back without the field's two places on some databases
        maximum_obligation=Decimal(c.obligation_on).quantize(CENT),
    )


def contract_state_on(*, contract: Contract, day: date) -> StateOn:
    """`contract`'s status, end date and maximum obligation on `day`, from its dates, its
    amendments and its status history (two queries)."""
    amendments = [
        AmendmentOn(a.effective_on, a.sequence, a.previous_end_date, a.previous_maximum_obligation)
        for a in Amendment.objects.filter(contract=contract)
    ]
    end, obligation = terms_on(
        day,
        end_date=contract.end_date,
        maximum_obligation=contract.maximum_obligation,
        amendments=amendments,
    )
    executed_by_history = (
        Contract.history.model.objects.filter(  # type: ignore[attr-defined]
            id=contract.pk, history_date__lt=_day_after_midnight(day)
        )
        .exclude(status=ContractStatus.DRAFT)
        .exists()
    )
    return StateOn(
        day=day,
        status=status_on(
            day,
            status=contract.status,
            start_date=contract.start_date,
            end_date_then=end,
            executed_on=contract.executed_on,
            executed_by_history=executed_by_history,
            completed_on=contract.completed_on,
            terminated_on=contract.terminated_on,
        ),
        end_date=end,
        maximum_obligation=obligation,
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


def contract_manager_emails(*, agency: Any, contract: Contract | None = None) -> list[str]:
    """Where news for "the contract manager" goes (seed 003's CCM): the contract's own manager
    when it has one who is active with an email address, else every active contract manager of
    `agency` with one. Sorted; empty when nobody qualifies. One query at most."""
    from steward.parties.models import Role, User

    manager = contract.contract_manager if contract is not None else None
    if manager is not None and manager.is_active and manager.email:
        return [manager.email]
    return sorted(
        User.objects.filter(agency=agency, role=Role.CONTRACT_MANAGER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
