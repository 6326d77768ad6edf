"""Reads of strategic commissioning: supply against demand, the sector view, the market
intelligence (seed 003 sections 2 and 3). Every read is for one agency the actor may see
(`agency_for`); each function costs a fixed number of queries whatever the number of contracts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from steward.commissioning import calc
from steward.commissioning.models import ContractArea, MarketNote, NeedRecord, SectorDecision
from steward.contracts.models import Contract
from steward.core.errors import NotFoundError, ValidationFailed
from steward.parties.models import Agency

LIVE = ("executed", "active")
NO_AREA = ""
OPEN_CONCERN_STATUSES = ("open", "provider_procedure", "investigating", "referred")
RATING_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}


def agency_for(*, actor: Any, agency_id: int | None = None) -> Agency:
    """The agency whose commissioning `actor` reads: `agency_id` when given (administrators and
    oversight choose one), else the actor's own. NotFoundError when the actor may not read it
    (a provider user, another agency's staff); ValidationFailed when no agency is named and
    the actor has none."""
    if agency_id is None:
        if not getattr(actor, "agency_id", None):
            if actor.has_perm("commissioning.view_commissioning"):
                raise ValidationFailed(
                    "Choose an agency.", errors={"agency": ["Choose an agency."]}
                )
            raise NotFoundError("No such page.")
        agency_id = actor.agency_id
    agency = Agency.objects.select_related("pack").filter(pk=agency_id).first()
    if agency is None or not actor.has_perm("commissioning.view_commissioning", agency):
        raise NotFoundError("No such agency.")
    return agency


# ---------------------------------------------------------------- supply against demand


@dataclass(frozen=True)
class SupplyRow:
    service_type: str
    area: str  # "" when the contracts' area is not recorded
    period: tuple[date, date] | None
    need: int | None
    use: int | None
    contracts: int
    places: int
    in_use: int
    balance: calc.Balance

    @property
    def percent_used(self) -> int | None:
        return calc.percent_used(places=self.places, in_use=self.in_use)


def _live_contracts(agency: Agency, service_type: str | None = None) -> QuerySet[Contract]:
    qs = Contract.objects.filter(agency=agency, status__in=LIVE)
    if service_type is not None:
        qs = qs.filter(service_type__iexact=service_type)
    return qs


def _capacity(contract_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Places per contract, and the places held by placements (two queries)."""
    from steward.procurement.models import HOLDS_A_PLACE, ContractCapacity, Placement

    places = dict(
        ContractCapacity.objects.filter(contract_id__in=contract_ids).values_list(
            "contract_id", "places"
        )
    )
    in_use = dict(
        Placement.objects.filter(contract_id__in=contract_ids, status__in=HOLDS_A_PLACE)
        .values("contract_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("contract_id", "n")
    )
    return places, in_use


def latest_needs(
    agency: Agency, service_type: str | None = None
) -> dict[tuple[str, str], NeedRecord]:
    """The latest period's need record per (service type, area), keyed case-insensitively."""
    qs = NeedRecord.objects.filter(agency=agency).order_by("-period_start", "-id")
    if service_type is not None:
        qs = qs.filter(service_type__iexact=service_type)
    latest: dict[tuple[str, str], NeedRecord] = {}
    for record in qs:
        latest.setdefault((record.service_type.casefold(), record.area.casefold()), record)
    return latest


def supply_and_demand(*, agency: Agency, service_type: str | None = None) -> list[SupplyRow]:
    """Per service type and area: the need and use of the latest period imported against the
    places of the live contracts serving it (seed 003: "supply against demand"). Contracts whose
    area is not recorded are one row per service type ("" area). Four queries."""
    contracts = list(
        _live_contracts(agency, service_type).values_list(
            "pk", "service_type", "commissioning_area__area"
        )
    )
    places, in_use = _capacity([pk for pk, _, _ in contracts])
    supply: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for pk, stype, area in contracts:
        if not stype:
            continue
        key = (stype.casefold(), (area or NO_AREA).casefold())
        names.setdefault(key, (stype, area or NO_AREA))
        totals = supply.setdefault(key, [0, 0, 0])
        totals[0] += 1
        totals[1] += places.get(pk, 0)
        totals[2] += in_use.get(pk, 0)
    needs = latest_needs(agency, service_type)
    for key, latest in needs.items():
        names.setdefault(key, (latest.service_type, latest.area))
    rows = []
    for key in sorted(names, key=lambda k: (k[0], k[1] == NO_AREA, k[1])):
        record: NeedRecord | None = needs.get(key)
        n_contracts, n_places, n_in_use = supply.get(key, [0, 0, 0])
        rows.append(
            SupplyRow(
                service_type=names[key][0],
                area=names[key][1],
                period=(record.period_start, record.period_end) if record else None,
                need=record.need if record else None,
                use=record.use if record else None,
                contracts=n_contracts,
                places=n_places,
                in_use=n_in_use,
                balance=calc.balance(need=record.need if record else None, places=n_places),
            )
        )
    return rows


def service_types(*, agency: Agency) -> list[str]:
    """Every service type of the agency's live contracts, needs analysis and decisions."""
    seen: dict[str, str] = {}
    for name in [
        *_live_contracts(agency).exclude(service_type="").values_list("service_type", flat=True),
        *NeedRecord.objects.filter(agency=agency).values_list("service_type", flat=True),
        *SectorDecision.objects.filter(agency=agency).values_list("service_type", flat=True),
    ]:
        seen.setdefault(name.casefold(), name)
    return sorted(seen.values(), key=str.casefold)


# ---------------------------------------------------------------- the sector view


@dataclass(frozen=True)
class SectorContract:
    contract: Contract
    area: str
    rating: str | None
    open_concerns: int
    concerns: int
    indicators: dict[str, int]
    places: int | None
    in_use: int

    @property
    def rating_label(self) -> str:
        return RATING_LABELS.get(self.rating or "", "Not assessed")

    @property
    def percent_used(self) -> int | None:
        return calc.percent_used(places=self.places or 0, in_use=self.in_use)


@dataclass
class Sector:
    agency: Agency
    service_type: str
    as_of: date
    contracts: list[SectorContract]
    supply: list[SupplyRow]
    notes: list[MarketNote]
    decision: SectorDecision | None
    decisions: list[SectorDecision]
    ratings: dict[str, int] = field(default_factory=dict)
    indicators: dict[str, int] = field(default_factory=dict)

    @property
    def open_concerns(self) -> int:
        return sum(c.open_concerns for c in self.contracts)

    @property
    def concerns(self) -> int:
        return sum(c.concerns for c in self.contracts)

    @property
    def places(self) -> int:
        return sum(c.places or 0 for c in self.contracts)

    @property
    def in_use(self) -> int:
        return sum(c.in_use for c in self.contracts)

    @property
    def percent_used(self) -> int | None:
        return calc.percent_used(places=self.places, in_use=self.in_use)

    @property
    def need(self) -> int | None:
        needs = [row.need for row in self.supply if row.need is not None]
        return sum(needs) if needs else None

    @property
    def balance(self) -> calc.Balance:
        return calc.balance(need=self.need, places=self.places)


def sector(*, actor: Any, agency: Agency, service_type: str, today: date) -> Sector:
    """The sector view of `service_type` in `agency` (seed 003 (B)(i) "the performance of a
    whole sector"): each live contract of that service type with its latest risk rating, its
    concerns (open and all), its indicators' achievement in its latest return, its places and
    the places in use; the supply against demand per area; the market intelligence about the
    service type and about the providers holding its contracts; the commissioning decisions,
    latest first. NotFoundError when the actor may not read the agency's commissioning."""
    if not actor.has_perm("commissioning.view_commissioning", agency):
        raise NotFoundError("No such sector.")
    from steward.performance.selectors import _latest_statuses
    from steward.risk.models import Concern, RiskAssessment

    service_type = service_type.strip()
    contracts = list(
        _live_contracts(agency, service_type)
        .select_related("provider")
        .order_by("provider__legal_name", "number")
    )
    ids = [c.pk for c in contracts]
    areas = dict(
        ContractArea.objects.filter(contract_id__in=ids).values_list("contract_id", "area")
    )
    ratings: dict[int, str] = {}
    for contract_id, computed, override in (
        RiskAssessment.objects.filter(contract_id__in=ids, as_of__lte=today)
        .order_by("contract_id", "-as_of", "-id")
        .values_list("contract_id", "computed_rating", "override_rating")
    ):
        ratings.setdefault(contract_id, override or computed)
    concern_counts: dict[int, Any] = {
        row["contract_id"]: row
        for row in Concern.objects.filter(contract_id__in=ids)
        .values("contract_id")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_CONCERN_STATUSES)),
        )
        .order_by()
    }
    statuses = _latest_statuses(ids, today)
    places, in_use = _capacity(ids)
    rows = [
        SectorContract(
            contract=c,
            area=areas.get(c.pk, ""),
            rating=ratings.get(c.pk),
            open_concerns=(concern_counts.get(c.pk) or {}).get("open", 0),
            concerns=(concern_counts.get(c.pk) or {}).get("n", 0),
            indicators=statuses.get(c.pk, {}),
            places=places.get(c.pk),
            in_use=in_use.get(c.pk, 0),
        )
        for c in contracts
    ]
    provider_ids = {c.provider_id for c in contracts}
    notes = list(
        MarketNote.objects.filter(agency=agency)
        .filter(Q(service_type__iexact=service_type) | Q(provider_id__in=provider_ids))
        .select_related("provider", "recorded_by", "cycle")
    )
    decisions = list(
        SectorDecision.objects.filter(
            agency=agency, service_type__iexact=service_type
        ).select_related("decided_by")
    )
    rating_counts = Counter(r.rating or "none" for r in rows)
    indicator_counts: Counter[str] = Counter()
    for r in rows:
        indicator_counts.update(r.indicators)
    return Sector(
        agency=agency,
        service_type=service_type,
        as_of=today,
        contracts=rows,
        supply=supply_and_demand(agency=agency, service_type=service_type),
        notes=notes,
        decision=decisions[0] if decisions else None,
        decisions=decisions,
        ratings={k: rating_counts.get(k, 0) for k in ("red", "amber", "green", "none")},
        indicators={
            k: indicator_counts.get(k, 0) for k in ("met", "within_tolerance", "missed", "no_data")
        },
    )


def market_notes(
    *, actor: Any, agency: Agency, provider_id: int | None = None, service_type: str = ""
) -> QuerySet[MarketNote]:
    """The agency's market intelligence, newest first, for one provider and/or service type."""
    if not actor.has_perm("commissioning.view_commissioning", agency):
        raise NotFoundError("No such agency.")
    qs = MarketNote.objects.filter(agency=agency).select_related("provider", "recorded_by")
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    if service_type:
        qs = qs.filter(service_type__iexact=service_type.strip())
    return qs
