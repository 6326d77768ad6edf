"""Performance rules in plain Python (no Django): achievement against target, trend, reporting
periods, the metrics requirement, and the performance-based payment (seeds 001, 003).

Values are Decimal throughout; money is rounded to the cent (half up) once per line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from steward.core.deadlines import add_months
from steward.core.formatting import fmt_money

MET = "met"
WITHIN_TOLERANCE = "within_tolerance"
MISSED = "missed"
NO_DATA = "no_data"
STATUS_LABELS = {
    MET: "Met",
    WITHIN_TOLERANCE: "Within tolerance",
    MISSED: "Missed",
    NO_DATA: "No data",
}

IMPROVING = "improving"
WORSENING = "worsening"
STEADY = "steady"

#: Months in one reporting period of each frequency.
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "biannual": 6, "annual": 12}

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

#: Units whose values cannot be below zero: a count, a number of days or a rating is never
#: negative; a percentage is from 0 to 100. Only money (an indicator such as a surplus) may be.
NON_NEGATIVE_UNITS = {"count": "A count", "days": "A number of days", "rating": "A rating"}


def value_problem(unit: str, value: Decimal) -> str | None:
    """Why a reported value is outside the domain of its indicator's unit, or None when it is
    inside it. The same words are used by the return form, the API and the returns import."""
    if unit == "percentage" and not Decimal(0) <= value <= HUNDRED:
        return "A percentage is from 0 to 100."
    if unit in NON_NEGATIVE_UNITS and value < 0:
        return f"{NON_NEGATIVE_UNITS[unit]} cannot be negative."
    return None


def achievement(
    actual: Decimal | None, *, target: Decimal, tolerance: Decimal, higher_is_better: bool
) -> str:
    """The status of one value against its target (seed 003: actual against target).

    Met: on the target or better. Within tolerance: worse than the target by no more than the
    tolerance (the bound itself is within). Missed: worse than that. No data: no value."""
    if actual is None:
        return NO_DATA
    if tolerance < 0:
        raise ValueError("the tolerance cannot be negative")
    if higher_is_better:
        if actual >= target:
            return MET
        return WITHIN_TOLERANCE if actual >= target - tolerance else MISSED
    if actual <= target:
        return MET
    return WITHIN_TOLERANCE if actual <= target + tolerance else MISSED


def trend(values: Sequence[Decimal | None], *, higher_is_better: bool) -> str:
    """Improving, worsening or steady: the last value against the one before it (periods
    without data are skipped); "" with fewer than two values."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    last, before = known[-1], known[-2]
    if last == before:
        return STEADY
    better = last > before if higher_is_better else last < before
    return IMPROVING if better else WORSENING


def periods(start: date, end: date, frequency: str) -> list[tuple[date, date]]:
    """The reporting periods of a term from `start` to `end` (both included): consecutive
    periods of the frequency's months counted from the start, the last one cut at `end`."""
    if frequency not in FREQUENCY_MONTHS:
        raise ValueError(f"unknown reporting frequency {frequency!r}")
    if end < start:
        raise ValueError("the term ends before it starts")
    months = FREQUENCY_MONTHS[frequency]
    out: list[tuple[date, date]] = []
    first, n = start, 0
    while first <= end:
        n += 1
        following = add_months(start, months * n)
        out.append((first, min(following - timedelta(days=1), end)))
        first = following
    return out


def term_longer_than(start: date, end: date, months: int) -> bool:
    """Whether a term from `start` to `end` (inclusive) lasts more than `months` months: a
    contract from 1 January to 31 December is 12 months, not more."""
    return add_months(start, months) <= end


def metrics_required(
    *, formal_procurement: bool, start: date, end: date, months_over: int | None
) -> bool:
    """Seed 001: contracts let by formal procurement with terms over `months_over` months must
    carry performance metrics (None: the agency's pack has no such rule)."""
    return (
        months_over is not None and formal_procurement and term_longer_than(start, end, months_over)
    )


@dataclass(frozen=True)
class PaymentLine:
    indicator: str
    weight: Decimal  # percent of the amount at stake
    status: str
    credit: Decimal  # percent of the line's share earned
    earned: Decimal
    explanation: str


@dataclass(frozen=True)
class Payment:
    amount_at_stake: Decimal
    lines: tuple[PaymentLine, ...]
    earned: Decimal

    @property
    def withheld(self) -> Decimal:
        return self.amount_at_stake - self.earned


def earned_payment(
    amount_at_stake: Decimal,
    lines: Iterable[tuple[str, Decimal, str]],
    *,
    tolerance_credit: Decimal,
    currency: str = "USD",
) -> Payment:
    """The share of the performance-based payment earned in one period (seed 001).

    `lines` are (indicator, weight in percent of the amount at stake, achievement status); the
    weights must add up to 100. A met indicator earns its whole share, one within tolerance
    `tolerance_credit` percent of it, a missed one or one without data nothing. Each line is
    rounded to the cent (half up); the total is the sum of the lines."""
    items = list(lines)
    total_weight = sum((w for _, w, _ in items), Decimal(0))
    if items and total_weight != HUNDRED:
        raise ValueError(f"the payment weights add up to {total_weight}%, not 100%")
    if not Decimal(0) <= tolerance_credit <= HUNDRED:
        raise ValueError("the credit for a value within tolerance is a percentage from 0 to 100")
    credits = {MET: HUNDRED, WITHIN_TOLERANCE: tolerance_credit, MISSED: Decimal(0)}
    out = []
    for name, weight, status in items:
        credit = credits.get(status, Decimal(0))
        share = amount_at_stake * weight / HUNDRED
        earned = (share * credit / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        out.append(
            PaymentLine(
                indicator=name,
                weight=weight,
                status=status,
                credit=credit,
                earned=earned,
                explanation=(
                    f"{percent(weight)} of {fmt_money(amount_at_stake, currency)} = "
                    f"{fmt_money(share, currency)}; "
                    f"{STATUS_LABELS.get(status, status).lower()} earns {percent(credit)} "
                    f"= {fmt_money(earned, currency)}"
                ),
            )
        )
    return Payment(
        amount_at_stake=amount_at_stake,
        lines=tuple(out),
        earned=sum((line.earned for line in out), Decimal("0.00")),
    )


def percent(value: Decimal) -> str:
    """ "90.00" -> "90%", "33.5" -> "33.5%"."""
    text = f"{value.normalize():f}"
    return f"{text}%"


# ---------------------------------------------------------------- PEP eligibility (seed 001)


def pep_reasons(
    *,
    obligation: Decimal,
    contract_type: str,
    aligned: bool,
    minimum_value: Decimal,
    contract_types: Sequence[str],
    needs_alignment: bool,
) -> list[str]:
    """Why a contract does not suit the Performance Evaluation Plan (empty: it does). Seed 001:
    "high-dollar contracts, service-based, easily align to assessment tools already in place";
    alignment is read as at least one indicator taken from the agency's indicator library."""
    reasons = []
    if obligation < minimum_value:
        reasons.append(f"worth less than {minimum_value:,.2f}")
    if contract_type not in contract_types:
        reasons.append("not a service the plan covers")
    if needs_alignment and not aligned:
        reasons.append("no indicator from the agency's library of assessment tools")
    return reasons


def phase_in(
    ranked: Sequence[tuple[int, bool]], *, per_year: int, this_year: int
) -> dict[int, int]:
    """The fiscal year each eligible contract joins the plan (seed 001: "phase in approach or
    rotation"): `ranked` is (contract id, already in the plan) in priority order; the ones
    already in count against this fiscal year's places, the others fill the remaining places
    of this year, then `per_year` a year."""
    years: dict[int, int] = {}
    used = sum(1 for _, already in ranked if already)
    slot = used
    for contract_id, already in ranked:
        if already:
            years[contract_id] = this_year
            continue
        years[contract_id] = this_year + slot // per_year
        slot += 1
    return years
