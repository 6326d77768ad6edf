"""Reads of performance data, already limited to what the actor may see, with a bounded number
of queries whatever the number of periods, indicators or contracts (seeds 001, 003)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from steward.contracts.models import Contract, ContractStatus, ProcurementMethod
from steward.contracts.selectors import contract_get, contract_queryset
from steward.core.errors import NotFoundError
from steward.parties.models import InspectionRating, Provider
from steward.performance import calc
from steward.performance.models import (
    Evidence,
    Indicator,
    IndicatorDefinition,
    IndicatorValue,
    Return,
    ReturnStatus,
    Survey,
)

LIVE = (ContractStatus.EXECUTED, ContractStatus.ACTIVE)


def performance_contract_get(*, actor: Any, pk: int) -> Contract:
    """Contract `pk` if `actor` may see its performance (NotFoundError otherwise)."""
    contract = contract_get(actor=actor, pk=pk)
    if not actor.has_perm("performance.view_performance", contract):
        raise NotFoundError("No such contract.")
    return contract


def return_get(*, actor: Any, pk: int) -> Return:
    ret = Return.objects.select_related("contract__agency__pack").filter(pk=pk).first()
    if ret is None or not actor.has_perm("performance.view_performance", ret.contract):
        raise NotFoundError("No such return.")
    return ret


def evidence_get(*, actor: Any, pk: int) -> Evidence:
    evidence = Evidence.objects.select_related("ret__contract").filter(pk=pk).first()
    if evidence is None or not actor.has_perm(
        "performance.view_performance", evidence.ret.contract
    ):
        raise NotFoundError("No such file.")
    return evidence


def indicator_get(*, actor: Any, pk: int) -> Indicator:
    indicator = Indicator.objects.select_related("contract").filter(pk=pk).first()
    if indicator is None or not actor.has_perm("performance.view_performance", indicator.contract):
        raise NotFoundError("No such indicator.")
    return indicator


def library(*, actor: Any, agency_id: int | None = None) -> QuerySet[IndicatorDefinition]:
    """Indicator definitions of the actor's agency (oversight officers and administrators: any
    agency, or the one asked for). Provider users see none."""
    qs = IndicatorDefinition.objects.select_related("agency")
    if actor.role in ("administrator", "oversight_officer"):
        return qs.filter(agency_id=agency_id) if agency_id else qs
    if actor.agency_id:
        return qs.filter(agency_id=actor.agency_id)
    return qs.none()


# ---------------------------------------------------------------- achievement


@dataclass
class Cell:
    period_start: date
    period_end: date
    value: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return calc.STATUS_LABELS[self.status]


@dataclass
class Chart:
    """An SVG line chart of one indicator over time (the data table beside it is the
    accessible form)."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str]]
    target_y: float | None
    y_min: Decimal
    y_max: Decimal
    x_labels: list[tuple[float, str]]


@dataclass
class IndicatorRow:
    indicator: Indicator
    cells: list[Cell]
    trend: str
    chart: Chart | None

    @property
    def latest(self) -> Cell | None:
        return self.cells[-1] if self.cells else None


@dataclass
class ReturnRow:
    ret: Return
    status: str
    evidence: int = 0

    @property
    def status_label(self) -> str:
        return ReturnStatus(self.status).label


@dataclass
class PaymentPeriod:
    period_start: date
    period_end: date
    payment: calc.Payment


@dataclass
class Performance:
    contract: Contract
    specification: Any
    milestones: list[Any]
    plan: Any
    rows: list[IndicatorRow]
    returns: list[ReturnRow]
    summary: dict[str, int]
    payments: list[PaymentPeriod]
    payment_problem: str
    surveys: list[Survey]
    inspections: list[InspectionRating]
    units: list[Any] | None
    metrics_missing: bool
    categories: dict[str, list[IndicatorRow]] = field(default_factory=dict)


def _chart(cells: list[Cell], indicator: Indicator) -> Chart | None:
    known = [(i, c) for i, c in enumerate(cells) if c.value is not None]
    if not known:
        return None
    width, height, pad = 480, 180, 30
    values = [c.value for _, c in known if c.value is not None] + [indicator.target]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    span = high - low
    steps = max(len(cells) - 1, 1)

    def x(i: int) -> float:
        return round(pad + (width - 2 * pad) * i / steps, 1)

    def y(v: Decimal) -> float:
        return round(height - pad - float((v - low) / span) * (height - 2 * pad), 1)

    dots = [(x(i), y(c.value), c.status) for i, c in known if c.value is not None]
    return Chart(
        width=width,
        height=height,
        points=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=dots,
        target_y=y(indicator.target),
        y_min=low,
        y_max=high,
        x_labels=[(x(i), f"{c.period_end:%b %Y}") for i, c in enumerate(cells)],
    )


def _rows(
    indicators: list[Indicator],
    returns: Sequence[Return],
    values: dict[tuple[int, int], Decimal],
    today: date,
) -> list[IndicatorRow]:
    past = [r for r in returns if r.period_end < today or r.submitted_on is not None]
    rows = []
    for indicator in indicators:
        cells = []
        for ret in past:
            value = values.get((ret.pk, indicator.pk))
            cells.append(
                Cell(
                    ret.period_start,
                    ret.period_end,
                    value,
                    calc.achievement(
                        value,
                        target=indicator.target,
                        tolerance=indicator.tolerance,
                        higher_is_better=indicator.higher_is_better,
                    ),
                )
            )
        rows.append(
            IndicatorRow(
                indicator=indicator,
                cells=cells,
                trend=calc.trend(
                    [c.value for c in cells], higher_is_better=indicator.higher_is_better
                ),
                chart=_chart(cells, indicator),
            )
        )
    return rows


def needs_metrics(
    contract: Contract, has_indicators: bool, months_by_pack: dict[int, Any] | None = None
) -> bool:
    """Seed 001 through the pack: formally procured, term over N months, of a contract type the
    pack's requirement covers (every type when it names none), and no indicators.
    `months_by_pack` caches each pack's rule across a list (parsing a pack is not free)."""
    pack_id = contract.agency.pack_id
    if has_indicators or not pack_id:
        return False
    cache: dict[int, Any] = {} if months_by_pack is None else months_by_pack
    if pack_id not in cache:
        cache[pack_id] = contract.agency.pack.parsed.metrics_requirement
    rule = cache[pack_id]
    if rule.contract_types is not None and contract.contract_type not in rule.contract_types:
        return False
    return calc.metrics_required(
        formal_procurement=contract.procurement_method == ProcurementMethod.TENDERED,
        start=contract.start_date,
        end=contract.end_date,
        months_over=rule.formal_procurement_term_months_over,
    )


def metrics_snapshot(contract: Contract) -> list[dict[str, str]]:
    """The contract's performance metrics as they stand, in a fixed order."""
    return [
        {
            "name": i.name,
            "unit": i.unit,
            "direction": i.direction,
            "target": str(i.target),
            "tolerance": str(i.tolerance),
        }
        for i in Indicator.objects.filter(contract=contract).order_by("category", "name", "pk")
    ]


def current_sign_off(contract: Contract) -> Any:
    """The latest sign-off when it still covers the metrics as they stand, else None."""
    from steward.performance.models import MetricsSignOff

    latest = MetricsSignOff.objects.filter(contract=contract).first()
    if latest is None or latest.metrics != metrics_snapshot(contract):
        return None
    return latest


def metrics_covered(contract: Contract) -> bool:
    """The pack's metrics requirement covers the contract (seed 001: a formal procurement of
    the types it names, for more than N months), metrics or not."""
    if not contract.agency.pack_id:
        return False
    return needs_metrics(contract, has_indicators=False)


def metrics_execution_check(contract: Contract) -> list[str]:
    """The execution check registered with the contracts area: in a pack whose metrics
    requirement blocks execution (Milwaukee, seed 001), a contract it covers is not executed
    until it carries performance metrics signed off by procurement as developed with the
    sponsor (today's other packs only warn)."""
    if not contract.agency.pack_id:
        return []
    rule = contract.agency.pack.parsed.metrics_requirement
    if not rule.blocks_execution:
        return []
    if not metrics_covered(contract):
        return []
    kind = contract.get_contract_type_display().lower()
    if not Indicator.objects.filter(contract=contract).exists():
        return [
            f"This {kind} contract was let by formal procurement for more than "
            f"{rule.formal_procurement_term_months_over} months: add its performance metrics "
            "(developed by the sponsor with procurement) before executing it."
        ]
    if current_sign_off(contract) is None:
        return [
            f"This {kind} contract's performance metrics need procurement's sign-off (that "
            "they were developed with the sponsor) before it is executed; metrics changed "
            "since a sign-off need a new one."
        ]
    return []


def contract_performance(*, contract: Contract, today: date) -> Performance:
    """Everything the contract's performance page shows, in a fixed number of queries."""
    from steward.performance.models import Milestone, Plan, Specification

    indicators = list(Indicator.objects.filter(contract=contract).order_by("category", "name"))
    returns = list(
        Return.objects.filter(contract=contract)
        .annotate(evidence_count=Count("evidence"))
        .order_by("period_start")
    )
    values = {
        (ret_id, ind_id): value
        for ret_id, ind_id, value in IndicatorValue.objects.filter(
            ret__contract=contract
        ).values_list("ret_id", "indicator_id", "value")
    }
    rows = _rows(indicators, returns, values, today)
    plan = Plan.objects.filter(contract=contract).first()
    summary = {s: 0 for s in calc.STATUS_LABELS}
    for row in rows:
        if row.latest:
            summary[row.latest.status] += 1
    payments: list[PaymentPeriod] = []
    problem = ""
    weighted = [r for r in rows if r.indicator.payment_weight > 0]
    if plan and plan.payment_at_stake and weighted:
        total = sum((r.indicator.payment_weight for r in weighted), Decimal(0))
        if total != 100:
            problem = (
                f"The indicators' payment shares add up to {calc.percent(total)}, not 100%: "
                "no payment is computed until they do."
            )
        else:
            for i, cell in enumerate(weighted[0].cells):
                lines = [
                    (r.indicator.name, r.indicator.payment_weight, r.cells[i].status)
                    for r in weighted
                ]
                payments.append(
                    PaymentPeriod(
                        cell.period_start,
                        cell.period_end,
                        calc.earned_payment(
                            plan.payment_at_stake,
                            lines,
                            tolerance_credit=plan.tolerance_credit,
                            currency=contract.currency,
                        ),
                    )
                )
    units = None
    try:
        from steward.pricing.selectors import payments as pricing_payments
        from steward.pricing.selectors import units_cross_reference
    except ImportError:  # pragma: no cover - pricing is installed with Steward
        pass
    else:
        paid = list(pricing_payments(contract=contract))
        if paid:
            units = units_cross_reference(contract, paid)
    perf = Performance(
        contract=contract,
        specification=Specification.objects.filter(contract=contract).first(),
        milestones=list(Milestone.objects.filter(contract=contract)),
        plan=plan,
        rows=rows,
        returns=[ReturnRow(r, r.status(today), getattr(r, "evidence_count", 0)) for r in returns],
        summary=summary,
        payments=payments,
        payment_problem=problem,
        surveys=list(Survey.objects.filter(contract=contract)),
        inspections=list(
            InspectionRating.objects.filter(provider_id=contract.provider_id).order_by(
                "-inspected_on"
            )
        ),
        units=units,
        metrics_missing=needs_metrics(contract, bool(indicators)),
    )
    for row in rows:
        perf.categories.setdefault(row.indicator.category, []).append(row)
    return perf


def _delivered(returns: Iterable[Return]) -> list[tuple[date, date, Decimal]]:
    return [
        (r.period_start, r.period_end, r.units_delivered)
        for r in returns
        if r.submitted_on is not None and r.units_delivered is not None
    ]


def units_delivered(contract: Contract) -> list[tuple[date, date, Decimal]]:
    """Units delivered per period from the submitted returns (for pricing's cross-reference)."""
    return _delivered(Return.objects.filter(contract=contract).order_by("period_start"))


# ---------------------------------------------------------------- provider page


@dataclass
class ProviderContract:
    contract: Contract
    rows: list[IndicatorRow]


def provider_performance(*, actor: Any, provider: Provider, today: date) -> list[ProviderContract]:
    """Indicator charts of each of the provider's contracts the actor may see (live ones
    first), in four queries whatever their number."""
    contracts = list(
        contract_queryset(actor)
        .filter(provider=provider, indicators__isnull=False)
        .distinct()
        .order_by("-end_date", "pk")[:20]
    )
    ids = [c.pk for c in contracts]
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for ind in Indicator.objects.filter(contract_id__in=ids).order_by("category", "name"):
        indicators[ind.contract_id].append(ind)
    returns: dict[int, list[Return]] = defaultdict(list)
    for ret in Return.objects.filter(contract_id__in=ids).order_by("period_start"):
        returns[ret.contract_id].append(ret)
    values = {
        (r, i): v
        for r, i, v in IndicatorValue.objects.filter(ret__contract_id__in=ids).values_list(
            "ret_id", "indicator_id", "value"
        )
    }
    return [
        ProviderContract(c, _rows(indicators[c.pk], returns[c.pk], values, today))
        for c in contracts
    ]


# ---------------------------------------------------------------- portfolio


@dataclass
class PortfolioRow:
    contract: Contract
    indicators: int
    missing: int
    late: int
    latest: dict[str, int]
    needs_metrics: bool


def portfolio_queryset(
    *, actor: Any, today: date, q: str = "", only: str = ""
) -> QuerySet[Contract]:
    """Live contracts the actor may see, filtered, in end-date order. The counts are made for
    one page at a time by `portfolio_rows` (a count in the select list would be computed for
    every row an OFFSET skips)."""
    qs = contract_queryset(actor).select_related("agency__pack").filter(status__in=LIVE)
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(provider__legal_name__icontains=q)
        )
    if only == "missing_returns":
        qs = qs.filter(Exists(_missing_returns(today).filter(contract_id=OuterRef("pk"))))
    elif only == "no_indicators":
        qs = qs.filter(~Exists(Indicator.objects.filter(contract_id=OuterRef("pk"))))
    return qs.order_by("end_date", "pk")


def _missing_returns(today: date) -> QuerySet[Return]:
    return Return.objects.filter(submitted_on__isnull=True, due_on__lt=today)


def _counts(qs: QuerySet[Any], ids: list[int]) -> dict[int, int]:
    return dict(
        qs.filter(contract_id__in=ids)
        .values("contract_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("contract_id", "n")
    )


def portfolio_rows(contracts: list[Contract], today: date) -> list[PortfolioRow]:
    """The page's rows: indicators, missing and late returns, and the latest submitted period's
    achievement, in five queries for the whole page."""
    ids = [c.pk for c in contracts]
    indicators = _counts(Indicator.objects.all(), ids)
    missing = _counts(_missing_returns(today), ids)
    late = _counts(Return.objects.filter(submitted_on__gt=F("due_on")), ids)
    latest = _latest_statuses(ids, today)
    months: dict[int, Any] = {}
    return [
        PortfolioRow(
            contract=c,
            indicators=indicators.get(c.pk, 0),
            missing=missing.get(c.pk, 0),
            late=late.get(c.pk, 0),
            latest=latest.get(c.pk, {}),
            needs_metrics=needs_metrics(c, c.pk in indicators, months),
        )
        for c in contracts
    ]


def _latest_statuses(ids: Any, as_of: date) -> dict[int, dict[str, int]]:
    """Per contract, how many indicators were met / within tolerance / missed / without data in
    its latest submitted return on or before `as_of` (two queries). `ids`: a list of contract
    ids, or a query of them (used as a subquery)."""
    latest: dict[int, int] = {}
    for contract_id, ret_id in (
        Return.objects.filter(
            contract_id__in=ids, submitted_on__isnull=False, submitted_on__lte=as_of
        )
        .order_by("contract_id", "-period_start")
        .values_list("contract_id", "id")
    ):
        latest.setdefault(contract_id, ret_id)
    out: dict[int, dict[str, int]] = {}
    for contract_id, value, target, tolerance, direction in IndicatorValue.objects.filter(
        ret_id__in=latest.values()
    ).values_list(
        "ret__contract_id",
        "value",
        "indicator__target",
        "indicator__tolerance",
        "indicator__direction",
    ):
        status = calc.achievement(
            value, target=target, tolerance=tolerance, higher_is_better=direction == "higher"
        )
        counts = out.setdefault(contract_id, {})
        counts[status] = counts.get(status, 0) + 1
    return out


# ---------------------------------------------------------------- risk signals (seed 003)


def risk_signals(contract_ids: Any, as_of: date) -> dict[int, dict[str, int]]:
    """The performance signals of the risk assessment, set-based: `indicators_missed` in the
    latest submitted return, `returns_late` (submitted after their due date, in the last
    year) and `returns_missing` (due before `as_of`, not submitted)."""
    returns = Return.objects.all()
    if contract_ids is not None:  # a list, or a query of ids used as a subquery
        returns = returns.filter(contract_id__in=contract_ids)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        returns.values("contract_id")
        .annotate(
            missing=Count(
                "id",
                filter=Q(due_on__lt=as_of)
                & (Q(submitted_on__isnull=True) | Q(submitted_on__gt=as_of)),
            ),
            late=Count(
                "id",
                filter=Q(
                    submitted_on__isnull=False,
                    submitted_on__lte=as_of,
                    submitted_on__gt=F("due_on"),
                    due_on__gt=as_of - timedelta(days=365),
                ),
            ),
        )
        .order_by()
    ):
        out[row["contract_id"]]["returns_missing"] = row["missing"]
        out[row["contract_id"]]["returns_late"] = row["late"]
    # the contracts with returns; a query of ids (the risk recompute's chunk) stays a subquery
    ids: Any = contract_ids if isinstance(contract_ids, QuerySet) else list(out)
    for contract_id, counts in _latest_statuses(ids, as_of).items():
        out[contract_id]["indicators_missed"] = counts.get(calc.MISSED, 0)
    return dict(out)


# ---------------------------------------------------------------- PEP eligibility (seed 001)


@dataclass
class PepRow:
    contract: Contract
    in_plan: bool  # an agreed version of its plan exists
    fiscal_year: int  # when it joins (or joined) the plan


@dataclass
class PepList:
    rule: Any  # the pack's PepRules
    rows: list[PepRow]
    not_eligible: int  # live contracts of the agency the rule leaves out
    this_year: int


def pep_list(*, actor: Any, agency: Any, today: date) -> PepList | None:
    """The agency's live contracts that suit the Performance Evaluation Plan under its pack's
    rule (seed 001: high-dollar, service-based, aligned to assessment tools already in place),
    the ones already in it (an agreed plan) first, then by value, each with the fiscal year it
    joins by the phase-in. None when the pack sets no rule. A bounded number of queries."""
    from steward.performance.models import PlanVersion, PlanVersionStatus

    pack = agency.pack.parsed
    rule = pack.pep
    if rule is None:
        return None
    contracts = list(
        contract_queryset(actor)
        .filter(agency=agency, status__in=LIVE)
        .select_related("provider")
        .annotate(
            aligned=Exists(
                Indicator.objects.filter(contract_id=OuterRef("pk"), library__isnull=False)
            ),
            in_plan=Exists(
                PlanVersion.objects.filter(
                    contract_id=OuterRef("pk"), status=PlanVersionStatus.AGREED
                )
            ),
        )
        .order_by("-maximum_obligation", "number")
    )
    eligible = [
        c
        for c in contracts
        if not calc.pep_reasons(
            obligation=c.maximum_obligation,
            contract_type=c.contract_type,
            aligned=c.aligned,  # type: ignore[attr-defined]
            minimum_value=rule.minimum_value,
            contract_types=rule.contract_types,
            needs_alignment=rule.aligned_to_assessment_tools,
        )
    ]
    eligible.sort(key=lambda c: (not c.in_plan,))  # type: ignore[attr-defined]
    this_year = pack.fiscal_year.year_of(today)
    years = calc.phase_in(
        [(c.pk, bool(c.in_plan)) for c in eligible],  # type: ignore[attr-defined]
        per_year=rule.per_fiscal_year,
        this_year=this_year,
    )
    return PepList(
        rule=rule,
        rows=[
            PepRow(contract=c, in_plan=bool(c.in_plan), fiscal_year=years[c.pk])  # type: ignore[attr-defined]
            for c in eligible
        ],
        not_eligible=len(contracts) - len(eligible),
        this_year=this_year,
    )
