"""Pricing reads, filtered by visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from steward.contracts.hooks import units_delivered
from steward.contracts.models import Contract
from steward.contracts.rules import visible_contracts_q
from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError
from steward.pricing import calc
from steward.pricing.models import Payment, RateCalculation


def pricing_contract_get(*, actor: Any, pk: int) -> Contract:
    """The contract if `actor` may view its pricing (404 otherwise)."""
    contract = contract_get(actor=actor, pk=pk)
    if not actor.has_perm("pricing.view_pricing", contract):
        raise NotFoundError("No such contract.")
    return contract


def rate_calculations(*, actor: Any, contract: Contract | None = None) -> QuerySet[RateCalculation]:
    """Rate calculations on contracts `actor` may view."""
    qs = RateCalculation.objects.filter(
        contract__in=Contract.objects.filter(visible_contracts_q(actor))
    ).select_related("contract__agency", "contract__provider")
    if contract is not None:
        qs = qs.filter(contract=contract)
    return qs.order_by("contract__number", "-version")


def payments(*, contract: Contract) -> QuerySet[Payment]:
    return Payment.objects.filter(contract=contract).order_by("period_start")


def _latest_capacity(contracts: QuerySet[Contract]) -> dict[int, Decimal]:
    """Each contract's total capacity purchased (line 5) from its latest rate calculation."""
    rows = (
        RateCalculation.objects.filter(contract__in=contracts)
        .order_by("contract_id", "-version")
        .values_list("contract_id", "total_capacity_purchased")
    )
    latest: dict[int, Decimal] = {}
    for contract_id, capacity in rows:
        latest.setdefault(contract_id, capacity)
    return latest


def _actual_uses(contracts: QuerySet[Contract]) -> list[calc.ActualUse]:
    capacities = _latest_capacity(contracts)
    uses = []
    for other in contracts.filter(pk__in=list(capacities)).order_by("start_date", "pk"):
        delivered = units_delivered(other) or []
        use = calc.actual_utilization(
            label=f"{other.number} ({other.provider.legal_name})",
            total_capacity=capacities[other.pk],
            term_start=other.start_date,
            term_end=other.end_date,
            delivered=[(s, e, Decimal(u)) for s, e, u in delivered],
        )
        if use is not None:
            uses.append(use)
    return uses


def utilization_suggestion(contract: Contract) -> calc.Suggestion:
    """seed 004: the suggested utilization factor from actual use, units delivered (the
    provider's returns) against the capacity purchased (the latest rate calculation's line 5):
    the program's own history (this provider, this service type, any of its contracts), else
    the average of the programs of the same service type. Never a negotiated factor."""
    base = Contract.objects.select_related("provider").filter(service_type=contract.service_type)
    history = _actual_uses(base.filter(provider_id=contract.provider_id))
    peers: list[calc.ActualUse] = []
    if not history and contract.service_type:
        peers = _actual_uses(base.exclude(provider_id=contract.provider_id))
    maximum = contract.agency.pack.parsed.utilization.maximum
    return calc.suggest_from_use(history, peers, maximum=maximum)


def suggested_factor(contract: Contract) -> tuple[Decimal | None, str]:
    """(factor, basis) of `utilization_suggestion`."""
    suggestion = utilization_suggestion(contract)
    return suggestion.factor, suggestion.basis


@dataclass(frozen=True)
class UnitsRow:
    period_start: date
    period_end: date
    paid: Decimal | None
    delivered: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.paid is None or self.delivered is None:
            return None
        return self.paid - self.delivered


def units_cross_reference(contract: Contract, rows: list[Payment]) -> list[UnitsRow] | None:
    """Units paid against units delivered per period (seed 003 asks for this cross-check);
    None when no area offers units delivered."""
    delivered = units_delivered(contract)
    if delivered is None:
        return None
    by_period: dict[tuple[date, date], list[Decimal | None]] = {}
    for p in rows:
        entry = by_period.setdefault((p.period_start, p.period_end), [None, None])
        entry[0] = (entry[0] or Decimal(0)) + p.units
    for start, end, units in delivered:
        entry = by_period.setdefault((start, end), [None, None])
        entry[1] = (entry[1] or Decimal(0)) + Decimal(units)
    return [UnitsRow(k[0], k[1], v[0], v[1]) for k, v in sorted(by_period.items())]


def bill_out_years(contract: Contract, rows: list[Payment]) -> list[calc.FiscalYearBillOut]:
    """seed 004: billing against each fiscal year's share of the obligation (the agency's
    fiscal year, from its pack), projected within each year."""
    fiscal = contract.agency.pack.parsed.fiscal_year
    years = []
    for number in range(fiscal.year_of(contract.start_date), fiscal.year_of(contract.end_date) + 1):
        first, last = fiscal.bounds(number)
        years.append((number, first, last))
    return calc.bill_out_by_fiscal_year(
        maximum_obligation=contract.maximum_obligation,
        start=contract.start_date,
        end=contract.end_date,
        years=years,
        payments=[(p.period_end, p.amount) for p in rows],
    )


def billed_to_date(contract: Contract) -> Decimal:
    total = Payment.objects.filter(contract=contract).aggregate(t=Sum("amount"))["t"]
    return total or Decimal("0.00")


@dataclass(frozen=True)
class BillOutFlag:
    contract: Contract
    projection: calc.BillOut


def bill_out_flags(*, actor: Any) -> list[BillOutFlag]:
    """seed 004: visible contracts with payments whose projected bill-out date falls before
    their end date, soonest first. Two queries whatever the number of contracts."""
    from django.db.models import Max

    totals = (
        Payment.objects.filter(contract__in=Contract.objects.filter(visible_contracts_q(actor)))
        .values("contract_id")
        .annotate(billed=Sum("amount"), last=Max("period_end"))
    )
    by_id = {row["contract_id"]: row for row in totals}
    contracts = Contract.objects.filter(pk__in=list(by_id)).select_related("agency", "provider")
    flags = []
    for contract in contracts:
        row = by_id[contract.pk]
        projection = calc.project_bill_out(
            currency=contract.currency,
            maximum_obligation=contract.maximum_obligation,
            billed_to_date=row["billed"],
            start=contract.start_date,
            as_of=row["last"],
            end=contract.end_date,
        )
        if projection.early:
            flags.append(BillOutFlag(contract, projection))
    return sorted(flags, key=lambda f: f.projection.bill_out_date or date.max)
