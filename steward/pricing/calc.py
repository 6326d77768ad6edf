"""Pricing rules of Massachusetts Appendix F (seed 004), in plain Python (no Django).

Money is `Decimal` throughout, rounded to cents with an explicit ROUND_HALF_UP; no float is
used anywhere (a test inspects this module's source for it).

- **Rate calculation** (POS Attachment 4, "Rate Calculation/Maximum Obligation Calculation
  Page"): reimbursable program cost, capacity, units per period and utilization factor give the
  total capacity purchased (line 5 in the seed), the funded units, the unit rate and the
  maximum obligation. Every line carries its formula.
- **Utilization factor**: from the pack's ``reasonable_min`` (85 %) to its ``maximum`` (100 %) is
  reasonable; below is refused unless an exceptional-circumstances reason is given; above the
  maximum is invalid.
- **Bill-out projection**: a contract that bills faster than planned reaches its maximum
  obligation early, and the provider must still serve up to the total capacity purchased for
  the rest of the period with no added funding.
- **Commercial fee** (808 CMR 1.03(6)): a for-profit provider's fee must be stated (zero, a
  percentage or an amount); a cost-reimbursement contract cannot carry one; no fee is retained
  from a deficit operating result.
- **Compensation limits**: authorised (rate-set) prices are used where they exist; the rate may
  not exceed the provider's lowest price to other purchasers; client resources and third-party
  payments reduce the obligation; non-reimbursable costs are offset (Attachment 5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from steward.core.formatting import fmt_date, fmt_money

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

#: the source messages name (a page never says "seed 004": docs/plain-words.md)
SEED = "Massachusetts Appendix F"


class PricingError(ValueError):
    """A pricing input the rules refuse; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def money(value: Decimal) -> Decimal:
    """Round `value` to cents, half up (seed 004 money is in dollars and cents)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_number(value: Decimal) -> str:
    text = f"{value:,}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_percent(factor: Decimal) -> str:
    return f"{fmt_number(factor * HUNDRED)}%"


# ---------------------------------------------------------------- utilization


def check_utilization(
    factor: Decimal,
    *,
    reasonable_min: Decimal,
    maximum: Decimal,
    exceptional_reason: str = "",
) -> None:
    """seed 004: a utilization factor from `reasonable_min` to `maximum` (85 %–100 %) is
    reasonable; below it is refused unless an exceptional-circumstances reason is recorded;
    above `maximum` or not above zero is invalid. Raises PricingError."""
    if factor <= ZERO:
        raise PricingError("utilization_factor", "The utilization factor must be more than 0%.")
    if factor > maximum:
        raise PricingError(
            "utilization_factor",
            f"A utilization factor above {fmt_percent(maximum)} is invalid ({SEED}).",
        )
    if factor < reasonable_min and not exceptional_reason.strip():
        raise PricingError(
            "exceptional_reason",
            f"A utilization factor below {fmt_percent(reasonable_min)} is discouraged except in "
            f"exceptional circumstances: record the reason ({SEED}).",
        )


def suggested_factor(history: list[Decimal], peers: list[Decimal]) -> tuple[Decimal | None, str]:
    """seed 004: the factor "should be based on the program's prior utilization history, if
    available, or the average for all programs of the same type". Returns (factor, basis).
    `history` and `peers` are actual utilizations (`actual_utilization`), not negotiated
    factors."""
    if history:
        return history[-1], "the program's prior utilization"
    if peers:
        average = (sum(peers, ZERO) / len(peers)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        return average, f"the average of {len(peers)} program(s) of the same service type"
    return None, "no prior utilization or programs of the same type"


FACTOR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ActualUse:
    """A contract's actual utilization: units delivered against the capacity purchased for the
    periods those units were delivered in (seed 004, "prior utilization history")."""

    label: str
    delivered: Decimal
    capacity: Decimal
    periods: int

    @property
    def factor(self) -> Decimal:
        return (self.delivered / self.capacity).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)

    @property
    def arithmetic(self) -> str:
        return (
            f"{self.label}: {fmt_number(self.delivered)} units delivered in {self.periods} "
            f"period(s) ÷ {fmt_number(self.capacity.quantize(CENT, rounding=ROUND_HALF_UP))} "
            f"units of capacity in those periods = {fmt_percent(self.factor)}"
        )


def actual_utilization(
    *,
    label: str,
    total_capacity: Decimal,
    term_start: date,
    term_end: date,
    delivered: list[tuple[date, date, Decimal]],
) -> ActualUse | None:
    """Units delivered ÷ capacity available in the same periods. The capacity purchased over
    the term (line 5 of Attachment 4) is spread evenly over its days, so a period of d days
    offers `total_capacity × d ÷ term days`. Periods outside the term are ignored; None when
    nothing was delivered in the term or the capacity is not positive."""
    term_days = (term_end - term_start).days + 1
    if term_days <= 0 or total_capacity <= ZERO:
        return None
    units = ZERO
    days = 0
    count = 0
    for start, end, amount in delivered:
        lo, hi = max(start, term_start), min(end, term_end)
        if hi < lo:
            continue
        units += Decimal(amount)
        days += (hi - lo).days + 1
        count += 1
    if count == 0:
        return None
    capacity = total_capacity * Decimal(days) / Decimal(term_days)
    if capacity <= ZERO:
        return None
    return ActualUse(label=label, delivered=units, capacity=capacity, periods=count)


@dataclass(frozen=True)
class Suggestion:
    factor: Decimal | None
    basis: str
    arithmetic: list[str]
    actual: Decimal | None = None


def suggest_from_use(
    history: list[ActualUse], peers: list[ActualUse], *, maximum: Decimal = Decimal("1")
) -> Suggestion:
    """seed 004: "The exact utilization factor that is negotiated should be based on the
    program's prior utilization history, if available, or the average for all programs of the
    same type." The program's history is its units delivered over its capacity, all its
    contracts together; otherwise each program of the same type counts once in a plain
    average. A factor cannot exceed `maximum` (100 %): a program used beyond its capacity is
    suggested the maximum, and the arithmetic says so."""
    lines: list[str] = []
    if history:
        delivered = sum((h.delivered for h in history), ZERO)
        capacity = sum((h.capacity for h in history), ZERO)
        lines.extend(h.arithmetic for h in history)
        actual = (delivered / capacity).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)
        if len(history) > 1:
            lines.append(
                f"Together: {fmt_number(delivered)} ÷ "
                f"{fmt_number(capacity.quantize(CENT, rounding=ROUND_HALF_UP))} = "
                f"{fmt_percent(actual)}"
            )
        basis = "the program's prior utilization (units delivered against capacity)"
    elif peers:
        lines.extend(p.arithmetic for p in peers)
        total = sum((p.factor for p in peers), ZERO)
        actual = (total / len(peers)).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)
        lines.append(
            f"Average of {len(peers)} program(s): "
            + " + ".join(fmt_percent(p.factor) for p in peers)
            + f" ÷ {len(peers)} = {fmt_percent(actual)}"
        )
        basis = f"the average actual utilization of {len(peers)} program(s) of the same type"
    else:
        return Suggestion(
            None,
            "no units delivered are recorded for this program or programs of the same type",
            [],
        )
    factor = actual
    if factor > maximum:
        factor = maximum
        lines.append(
            f"Above {fmt_percent(maximum)}: the factor is capped at {fmt_percent(maximum)}"
        )
    return Suggestion(factor, basis, lines, actual)


# ---------------------------------------------------------------- rate calculation


@dataclass(frozen=True)
class Line:
    number: str
    label: str
    value: str
    formula: str
    amount: Decimal


@dataclass(frozen=True)
class RateResult:
    program_cost: Decimal
    non_reimbursable: Decimal
    reimbursable_cost: Decimal
    capacity: Decimal
    units_per_period: Decimal
    utilization_factor: Decimal
    total_capacity_purchased: Decimal
    funded_units: Decimal
    computed_unit_rate: Decimal
    unit_rate: Decimal
    gross_obligation: Decimal
    reductions: Decimal
    maximum_obligation: Decimal
    lines: list[Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def calculate_rate(
    *,
    currency: str = "USD",
    program_cost: Decimal,
    capacity: Decimal,
    units_per_period: Decimal,
    utilization_factor: Decimal,
    reasonable_min: Decimal = Decimal("0.85"),
    maximum: Decimal = Decimal("1"),
    exceptional_reason: str = "",
    non_reimbursable: Decimal = ZERO,
    authorised_rate: Decimal | None = None,
    authority: str = "",
    lowest_price_to_others: Decimal | None = None,
    client_resources: Decimal = ZERO,
    third_party_payments: Decimal = ZERO,
) -> RateResult:
    """The POS Attachment 4 calculation (seed 004), every line with its formula.

    1 program cost; 2 non-reimbursable cost offset (Attachment 5); 3 reimbursable cost = 1 − 2;
    4 capacity; 5 total capacity purchased = capacity × units per period; 6 utilization factor;
    7 funded units = 5 × 6; 8 unit rate = 3 ÷ 7 (or the authorised rate-set price);
    9 gross obligation = 8 × 7; 10 client resources and third-party payments; 11 maximum
    obligation = 9 − 10. Raises PricingError when an input or a limit is broken."""
    fmt = partial(fmt_money, currency=currency)
    for name, value in (
        ("program_cost", program_cost),
        ("non_reimbursable", non_reimbursable),
        ("client_resources", client_resources),
        ("third_party_payments", third_party_payments),
    ):
        if value < ZERO:
            raise PricingError(name, "Amounts cannot be negative.")
    if capacity <= ZERO:
        raise PricingError("capacity", "The capacity must be more than zero.")
    if units_per_period <= ZERO:
        raise PricingError("units_per_period", "The units per period must be more than zero.")
    check_utilization(
        utilization_factor,
        reasonable_min=reasonable_min,
        maximum=maximum,
        exceptional_reason=exceptional_reason,
    )
    program_cost = money(program_cost)
    non_reimbursable = money(non_reimbursable)
    if non_reimbursable > program_cost:
        raise PricingError(
            "non_reimbursable", "Non-reimbursable costs cannot exceed the program cost."
        )
    reimbursable = program_cost - non_reimbursable
    total_capacity = capacity * units_per_period
    funded_units = total_capacity * utilization_factor
    computed_rate = money(reimbursable / funded_units)
    warnings: list[str] = []
    if authorised_rate is not None:
        unit_rate = money(authorised_rate)
        rate_formula = f"authorised price set by {authority or 'the rate-setting authority'}"
        warnings.append(
            f"The authorised rate-set price {fmt(unit_rate)} is used in place of the "
            f"calculated {fmt(computed_rate)} ({SEED})."
        )
    else:
        unit_rate = computed_rate
        rate_formula = "line 3 ÷ line 7, rounded half up to cents"
    if lowest_price_to_others is not None and unit_rate > money(lowest_price_to_others):
        raise PricingError(
            "lowest_price_to_others",
            f"The unit rate {fmt(unit_rate)} is higher than the provider's lowest price "
            f"to another purchaser ({fmt(lowest_price_to_others)}); the Commonwealth must "
            f"receive the lowest price (808 CMR 1.03(4), {SEED}).",
        )
    gross = money(unit_rate * funded_units)
    client_resources = money(client_resources)
    third_party_payments = money(third_party_payments)
    reductions = client_resources + third_party_payments
    if reductions > gross:
        raise PricingError(
            "client_resources", "Client resources and third-party payments exceed the obligation."
        )
    maximum_obligation = gross - reductions
    lines = [
        Line("1", "Program cost", fmt(program_cost), "as budgeted", program_cost),
        Line(
            "2",
            "Non-reimbursable cost offset (Attachment 5)",
            fmt(non_reimbursable),
            "808 CMR 1.05 costs removed from the price",
            non_reimbursable,
        ),
        Line(
            "3",
            "Reimbursable program cost",
            fmt(reimbursable),
            "line 1 − line 2",
            reimbursable,
        ),
        Line("4", "Capacity", fmt_number(capacity), "slots, beds or places", capacity),
        Line(
            "5",
            "Total capacity purchased",
            fmt_number(total_capacity),
            f"line 4 × {fmt_number(units_per_period)} units per period",
            total_capacity,
        ),
        Line(
            "6",
            "Utilization factor",
            fmt_percent(utilization_factor),
            f"reasonable from {fmt_percent(reasonable_min)} to {fmt_percent(maximum)}",
            utilization_factor,
        ),
        Line("7", "Funded units", fmt_number(funded_units), "line 5 × line 6", funded_units),
        Line("8", "Unit rate", fmt(unit_rate), rate_formula, unit_rate),
        Line("9", "Gross obligation", fmt(gross), "line 8 × line 7, rounded to cents", gross),
        Line(
            "10",
            "Client resources and third-party payments",
            fmt(reductions),
            f"{fmt(client_resources)} client + {fmt(third_party_payments)} "
            "third-party (808 CMR 1.03(5))",
            reductions,
        ),
        Line(
            "11",
            "Maximum obligation",
            fmt(maximum_obligation),
            "line 9 − line 10",
            maximum_obligation,
        ),
    ]
    return RateResult(
        program_cost=program_cost,
        non_reimbursable=non_reimbursable,
        reimbursable_cost=reimbursable,
        capacity=capacity,
        units_per_period=units_per_period,
        utilization_factor=utilization_factor,
        total_capacity_purchased=total_capacity,
        funded_units=funded_units,
        computed_unit_rate=computed_rate,
        unit_rate=unit_rate,
        gross_obligation=gross,
        reductions=reductions,
        maximum_obligation=maximum_obligation,
        lines=lines,
        warnings=warnings,
    )


# ---------------------------------------------------------------- bill-out


@dataclass(frozen=True)
class BillOut:
    billed_to_date: Decimal
    remaining: Decimal
    daily_rate: Decimal
    bill_out_date: date | None
    early_by_days: int
    early: bool
    explanation: str


REMINDER = (
    "A contract that bills out before its end date still obliges the provider to serve up to "
    "the total capacity purchased (line 5) for the rest of the period, with no additional "
    "funding."
)


def project_bill_out(
    *,
    currency: str = "USD",
    maximum_obligation: Decimal,
    billed_to_date: Decimal,
    start: date,
    as_of: date,
    end: date,
) -> BillOut:
    """seed 004: project the date the maximum obligation is reached at the average daily
    billing from `start` to `as_of` (inclusive), and flag it when it falls before `end`."""
    fmt = partial(fmt_money, currency=currency)
    billed = money(billed_to_date)
    remaining = money(maximum_obligation) - billed
    days = (as_of - start).days + 1
    if days <= 0 or billed <= ZERO:
        return BillOut(billed, remaining, ZERO, None, 0, False, "No billing yet to project from.")
    daily = billed / days
    wait = 0 if remaining <= ZERO else math.ceil(remaining / daily)
    bill_out = as_of + timedelta(days=wait)
    if bill_out > end:
        # the contract ends first: nothing bills out (a date past the end means nothing)
        by_end = money(billed + daily * max((end - as_of).days, 0))
        explanation = (
            f"{fmt(billed)} billed over {days} days is {fmt(daily)} a day; at that "
            f"pace about {fmt(by_end)} is billed by the end ({fmt_date(end)}): the maximum "
            "obligation is not reached."
        )
        return BillOut(billed, remaining, money(daily), None, 0, False, explanation)
    early_by = (end - bill_out).days if bill_out < end else 0
    explanation = (
        f"{fmt(billed)} billed over {days} days is {fmt(daily)} a day; the remaining "
        f"{fmt(max(remaining, ZERO))} is reached on {fmt_date(bill_out)}."
    )
    return BillOut(billed, remaining, money(daily), bill_out, early_by, early_by > 0, explanation)


@dataclass(frozen=True)
class FiscalYearBillOut:
    """One fiscal year of a contract: its share of the obligation, what was billed in it, and
    the projected bill-out within it (None when it is not reached by the year's end)."""

    fiscal_year: int
    first: date
    last: date
    obligation: Decimal
    billed: Decimal
    bill_out: BillOut


def bill_out_by_fiscal_year(
    *,
    maximum_obligation: Decimal,
    start: date,
    end: date,
    years: list[tuple[int, date, date]],
    payments: list[tuple[date, Decimal]],
) -> list[FiscalYearBillOut]:
    """seed 004: compare billing with each fiscal year's obligation. `years` are the fiscal
    years (number, first day, last day) the contract spans; the maximum obligation is shared
    between them by the contract's days in each (the last takes the rounding); `payments` are
    (period end, amount), counted in the year their period ends. Each year's bill-out is
    projected from its own billing to its own last day with billing, against its share."""
    total_days = (end - start).days + 1
    rows: list[FiscalYearBillOut] = []
    shared = ZERO
    for index, (number, first, last) in enumerate(years):
        lo, hi = max(first, start), min(last, end)
        if hi < lo:
            continue
        if index == len(years) - 1:
            share = money(maximum_obligation) - shared
        else:
            share = money(maximum_obligation * ((hi - lo).days + 1) / total_days)
        shared += share
        inside = [(d, a) for d, a in payments if lo <= d <= hi]
        billed = money(sum((a for _, a in inside), ZERO))
        as_of = max((d for d, _ in inside), default=lo)
        projection = project_bill_out(
            maximum_obligation=share, billed_to_date=billed, start=lo, as_of=as_of, end=hi
        )
        rows.append(FiscalYearBillOut(number, lo, hi, share, billed, projection))
    return rows


# ---------------------------------------------------------------- commercial fee

FEE_KINDS = ("zero", "percentage", "amount")
FEE_BASES = ("maximum_obligation", "total_payments", "share_of_surplus")


def fee_problems(
    *, for_profit: bool, compensation_structure: str, fee_kind: str | None, fee_value: Decimal
) -> list[str]:
    """seed 004 (808 CMR 1.03(6)): a for-profit provider's contract must state its fee (zero, a
    percentage or an amount); a cost-reimbursement contract cannot carry a non-zero fee; and
    only a for-profit provider may carry one ("Commercial fees for for-profit contractors")."""
    problems: list[str] = []
    cost_reimbursement = compensation_structure == "cost_reimbursement"
    if cost_reimbursement and fee_kind in ("percentage", "amount") and fee_value > ZERO:
        problems.append(
            "A cost-reimbursement contract cannot carry a commercial fee: it pays only actual "
            "costs and allows no surplus."
        )
    if not for_profit and fee_kind in ("percentage", "amount") and fee_value > ZERO:
        problems.append(
            "Only a for-profit provider may earn a commercial fee; this provider is not for "
            "profit (808 CMR 1.03(6): its surplus is limited by 808 CMR 1.03(7))."
        )
    if for_profit and fee_kind is None and not cost_reimbursement:
        problems.append(
            "State the commercial fee for this for-profit provider (zero, a percentage or an "
            "amount, and its basis) before execution (808 CMR 1.03(6))."
        )
    return problems


@dataclass(frozen=True)
class RetainableFee:
    operating_result: Decimal
    deficit: bool
    fee: Decimal
    explanation: str


def retainable_fee(
    *,
    currency: str = "USD",
    fee_kind: str,
    fee_value: Decimal,
    basis: str,
    maximum_obligation: Decimal,
    total_payments: Decimal,
    revenue: Decimal,
    expenses: Decimal,
) -> RetainableFee:
    """seed 004: the fee a for-profit contractor may retain at year end. None is retained from a
    deficit operating result (revenue − expenses < 0); a percentage applies to its basis
    (maximum obligation, total payments or the surplus); an amount is capped at the surplus
    when the basis is a share of surplus."""
    fmt = partial(fmt_money, currency=currency)
    if fee_kind not in FEE_KINDS:
        raise PricingError("kind", f"The fee kind must be one of {', '.join(FEE_KINDS)}.")
    if basis not in FEE_BASES:
        raise PricingError("basis", f"The fee basis must be one of {', '.join(FEE_BASES)}.")
    result = money(revenue) - money(expenses)
    if result < ZERO:
        return RetainableFee(
            result,
            True,
            money(ZERO),
            f"The operating result is a deficit of {fmt(-result)}: no commercial fee may "
            "be retained.",
        )
    if fee_kind == "zero":
        return RetainableFee(result, False, money(ZERO), "The fee is stated as zero.")
    base = {
        "maximum_obligation": money(maximum_obligation),
        "total_payments": money(total_payments),
        "share_of_surplus": result,
    }[basis]
    if fee_kind == "percentage":
        fee = money(base * fee_value / HUNDRED)
        text = f"{fmt_number(fee_value)}% of {fmt(base)} ({basis.replace('_', ' ')})"
    else:
        fee = money(fee_value)
        text = f"the stated amount {fmt(fee)}"
        if basis == "share_of_surplus" and fee > result:
            fee = result
            text += f", capped at the surplus {fmt(result)}"
    return RetainableFee(result, False, fee, f"Retainable fee: {text} = {fmt(fee)}.")


# ---------------------------------------------------------------- POS attachments

ATTACHMENTS: dict[int, str] = {
    1: "Program Cover Page",
    2: "Performance Measures",
    3: "Fiscal Year Program Budget",
    4: "Rate Calculation/Maximum Obligation Calculation Page",
    5: "Non-Reimbursable Cost Program Offset Schedule",
    6: "Capital Budget",
}


def attachment_problems(
    required: set[int], satisfied: set[int], because: dict[int, str] | None = None
) -> list[str]:
    """seed 004: Attachment 1 is always required at execution; 2–6 as the contract requires.
    Returns one problem per required attachment neither uploaded nor completed."""
    needed = sorted(set(required) | {1})
    because = because or {}
    return [
        f"POS Attachment {n} ({ATTACHMENTS[n]}) is required at execution and is missing"
        + (f" ({because[n]})" if because.get(n) else "")
        + "."
        for n in needed
        if n not in satisfied
    ]


#: seed 004 "Optional attachments to the RFR": "Departments have the option to require Bidders
#: to complete as part of their response or complete at time of contract execution."
DUE_WITH = {"response": "with the bid (the response)", "execution": "at contract execution"}


@dataclass(frozen=True)
class AttachmentStatus:
    number: int
    title: str
    required: bool
    because: str
    due_with: str
    satisfied: bool
    satisfied_by: str


def attachment_statuses(
    *,
    compensation_structure: str,
    fee_shown: bool,
    marked_required: set[int],
    due_with: dict[int, str],
    satisfied: set[int],
    has_rate_calculation: bool,
) -> list[AttachmentStatus]:
    """seed 004, which POS attachments a contract needs and why:

    - Attachment 1 (Program Cover Page) "is required at contract execution";
    - Attachment 3 (Fiscal Year Program Budget) for a cost-reimbursement contract (budgets are
      required "as a result of a cost reimbursement compensation structure") and where a
      commercial fee must be shown: a non-zero fee stated for a for-profit provider ("The
      amount of fees that a contractor may retain must be noted ... on POS Attachment 3");
    - the others where the department marks them required.

    Steward's own rate calculation is the Attachment 4 (Rate Calculation/Maximum Obligation
    Calculation Page): a recorded calculation satisfies it. Each is due with the response or
    at execution (`due_with`); every required one must be satisfied by execution."""
    cost_reimbursement = compensation_structure == "cost_reimbursement"
    out = []
    for number, title in ATTACHMENTS.items():
        reasons = []
        if number == 1:
            reasons.append("always required at contract execution")
        if number == 3 and cost_reimbursement:
            reasons.append("a cost-reimbursement contract carries its program budget")
        if number == 3 and fee_shown and not cost_reimbursement:
            reasons.append("the commercial fee is noted on it")
        if number in marked_required and not reasons:
            reasons.append("required by the department")
        by = ""
        done = number in satisfied
        if number == 4 and has_rate_calculation:
            done, by = True, "the rate calculation recorded here"
        elif done:
            by = "uploaded or marked completed"
        out.append(
            AttachmentStatus(
                number=number,
                title=title,
                required=bool(reasons),
                because="; ".join(reasons),
                due_with=due_with.get(number, "execution"),
                satisfied=done,
                satisfied_by=by,
            )
        )
    return out
