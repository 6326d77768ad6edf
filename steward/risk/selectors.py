"""Reads of the concerns log and the risk assessment, filtered by what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth

from steward.contracts.models import Contract
from steward.contracts.rules import visible_contracts_q
from steward.core.errors import NotFoundError
from steward.core.query_guard import refuse_hidden_filters
from steward.parties.models import Role
from steward.parties.rules import is_active, oversight_agencies_q
from steward.risk.models import Concern, ConcernCategory, RiskAssessment


def visible_concerns_q(user: Any) -> Q:
    """The concerns `user` may read: own agency's (agency staff), all (oversight,
    administrators), those about their own organisation (provider users)."""
    if not is_active(user):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.OVERSIGHT_OFFICER:
        return oversight_agencies_q(user)
    if user.role == Role.PROVIDER_USER:
        return Q(provider_id=user.provider_id)
    if user.agency_id:
        return Q(agency_id=user.agency_id)
    return Q(pk__in=[])


def can_read_risk(user: Any) -> bool:
    """Risk is internal (DOMAIN.md §1): never a provider user."""
    return bool(user.has_perm("risk.view_portfolio"))


def visible_risk_contracts_q(user: Any) -> Q:
    if not can_read_risk(user):
        return Q(pk__in=[])
    return visible_contracts_q(user)


@dataclass(frozen=True)
class ConcernFilters:
    agency: int | None = None
    provider: int | None = None
    contract: int | None = None
    category: int | None = None
    source: str = ""
    kind: str = ""
    severity: str = ""
    status: str = ""
    received_from: date | None = None
    received_to: date | None = None


#: Concern filters that read who raised it (DOMAIN.md §1: never shown to a provider).
IDENTITY_FILTERS = frozenset({"source"})


def concern_filters_hidden_from(actor: Any) -> frozenset[str]:
    """Return the concern filters `actor` may not use: who raised a concern is hidden from
    everyone who cannot read risk (provider users), so they may not filter on it either."""
    return frozenset() if can_read_risk(actor) else IDENTITY_FILTERS


def concern_list(*, actor: Any, filters: ConcernFilters | None = None) -> QuerySet[Concern]:
    """Return the concerns `actor` may read, filtered, newest first. FilterNotAllowed when a
    filter reads a field hidden from `actor` (issue 19 point 1)."""
    f = filters or ConcernFilters()
    refuse_hidden_filters({"source": f.source}, concern_filters_hidden_from(actor))
    qs = Concern.objects.filter(visible_concerns_q(actor)).select_related(
        "agency", "provider", "contract", "category", "responsible"
    )
    for field, value in (
        ("agency_id", f.agency),
        ("provider_id", f.provider),
        ("contract_id", f.contract),
        ("category_id", f.category),
        ("source", f.source),
        ("kind", f.kind),
        ("severity", f.severity),
        ("status", f.status),
        ("received_on__gte", f.received_from),
        ("received_on__lte", f.received_to),
    ):
        if value:
            qs = qs.filter(**{field: value})
    return qs.order_by("-received_on", "-id")


def concern_get(*, actor: Any, pk: int) -> Concern:
    concern = (
        Concern.objects.filter(visible_concerns_q(actor))
        .select_related("agency", "provider", "contract", "category", "responsible")
        .filter(pk=pk)
        .first()
    )
    if concern is None:
        raise NotFoundError("No such concern.")
    return concern


def categories_for(agency: Any) -> QuerySet[ConcernCategory]:
    from steward.risk.services import categories_ensure

    categories_ensure(agency)
    return ConcernCategory.objects.filter(agency=agency, active=True).order_by("order", "name")


ANALYSIS_DIMENSIONS = {
    "category": ("category__name", "Category"),
    "provider": ("provider__legal_name", "Provider"),
    "contract": ("contract__number", "Contract"),
    "source": ("source", "Source"),
    "month": ("month", "Month"),
}


def concern_counts(*, actor: Any, by: str, filters: ConcernFilters | None = None) -> list[Any]:
    """Counts of the concerns `actor` may read (agency staff only), grouped by `by` (category,
    provider, contract, source or month), largest first (months in order). One query."""
    if not can_read_risk(actor):
        return []
    field, _label = ANALYSIS_DIMENSIONS[by]
    qs = concern_list(actor=actor, filters=filters).select_related(None).order_by()
    if by == "month":
        qs = qs.annotate(month=TruncMonth("received_on"))
    rows = list(qs.values(field).annotate(n=Count("id")).order_by())
    if by == "source":
        from steward.risk.models import ConcernSource

        labels = dict(ConcernSource.choices)
        result = [(labels.get(r[field], r[field]), r["n"]) for r in rows]
    elif by == "month":
        result = [(r[field].strftime("%Y-%m") if r[field] else "—", r["n"]) for r in rows]
        return sorted(result)
    else:
        result = [(r[field] or "(no contract named)", r["n"]) for r in rows]
    return sorted(result, key=lambda t: (-t[1], str(t[0])))


def latest_assessment_subquery() -> Subquery:
    return Subquery(
        RiskAssessment.objects.filter(contract_id=OuterRef("pk"))
        .order_by("-as_of", "-id")
        .values("id")[:1]
    )


def risk_portfolio(
    *,
    actor: Any,
    rating: str = "",
    agency: int | None = None,
    provider: int | None = None,
    level: str = "",
) -> list[tuple[Contract, RiskAssessment | None]]:
    """Every contract `actor` may see with its latest assessment (two queries)."""
    if not can_read_risk(actor):
        return []
    qs = (
        Contract.objects.filter(visible_risk_contracts_q(actor))
        .exclude(status="draft")
        .select_related("agency", "provider")
        .annotate(latest_assessment_id=latest_assessment_subquery())
        .order_by("agency__name", "number")
    )
    if agency:
        qs = qs.filter(agency_id=agency)
    if provider:
        qs = qs.filter(provider_id=provider)
    contracts = list(qs)
    ids = [c.latest_assessment_id for c in contracts if c.latest_assessment_id]  # type: ignore[attr-defined]
    assessments = RiskAssessment.objects.select_related("overridden_by").in_bulk(ids)
    rows: list[tuple[Contract, RiskAssessment | None]] = [
        (c, assessments.get(c.latest_assessment_id))  # type: ignore[attr-defined]
        for c in contracts
    ]
    if rating:
        rows = [(c, a) for c, a in rows if a is not None and a.rating == rating]
    if level:
        rows = [(c, a) for c, a in rows if a is not None and a.monitoring_level == level]
    return rows


def latest_assessment(*, actor: Any, contract: Contract) -> RiskAssessment | None:
    """The latest assessment of `contract`, or None; NotFoundError for a reader who may not
    read risk (a provider user: risk is internal)."""
    if not actor.has_perm("risk.view_risk", contract):
        raise NotFoundError("No such risk assessment.")
    return RiskAssessment.latest_for(contract.pk)


def monitoring_level_for(contract: Contract) -> str | None:
    """The monitoring level the contract's latest assessment calls for (light, standard,
    enhanced — seed 003), or None when it has never been assessed. For other areas (the
    monitoring cycle); no permission check: it is internal."""
    return (
        RiskAssessment.objects.filter(contract=contract)
        .order_by("-as_of", "-id")
        .values_list("monitoring_level", flat=True)
        .first()
    )


def provider_ratings(*, actor: Any, provider: Any) -> list[tuple[Contract, RiskAssessment | None]]:
    """The provider's ratings across agencies (agency staff, oversight, administrators only)."""
    return risk_portfolio(actor=actor, provider=provider.pk)


def provider_cumulative_concerns(*, actor: Any, provider: Any) -> dict[str, Any]:
    """Cumulative concerns for a provider across all its contracts and all agencies (seed 003),
    for internal readers: totals by agency and by kind. Counts only — no details of other
    agencies' concerns."""
    if not can_read_risk(actor):
        return {"total": 0, "by_agency": [], "by_kind": []}
    qs = Concern.objects.filter(provider=provider).order_by()
    by_agency = list(
        qs.values("agency__name").annotate(n=Count("id")).order_by("-n", "agency__name")
    )
    by_kind = list(qs.values("kind").annotate(n=Count("id")).order_by("-n", "kind"))
    return {
        "total": sum(r["n"] for r in by_agency),
        "by_agency": [(r["agency__name"], r["n"]) for r in by_agency],
        "by_kind": [(r["kind"], r["n"]) for r in by_kind],
    }
