"""The evaluation rules as plain Python (no Django): the 0–100 score from ratings and weights,
renewal eligibility against the pack's threshold, the provider's comment window, interim
evaluation years and the compliance status of an evaluation that fell due.

Seeds: 000 (a written evaluation within 60 days of completion, shared with the provider; a report
card or quality-assurance report may stand in lieu of the form) and 001 (a contractor must score
90 or higher to be eligible for renewal or extension).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class ScoreError(ValueError):
    """A rating that the scale does not have, or a criterion left unrated."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    weight: int


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class ScoreLine:
    """One criterion's share of the score: weight × (rating − lowest) ÷ (highest − lowest)."""

    key: str
    label: str
    weight: int
    rating: int
    rating_label: str
    points: Decimal  # exact to 4 places; the total is rounded once, at the end

    def explain(self, lowest: int, highest: int) -> str:
        return (
            f"{self.label}: rated {self.rating} ({self.rating_label}); "
            f"{self.weight} × ({self.rating} − {lowest}) ÷ ({highest} − {lowest}) "
            f"= {self.points.normalize():f} points"
        )


@dataclass(frozen=True)
class Score:
    lines: tuple[ScoreLine, ...]
    exact: Decimal  # before rounding
    total: Decimal  # rounded down to the hundredth
    lowest: int
    highest: int

    def explain(self) -> list[str]:
        lines = [line.explain(self.lowest, self.highest) for line in self.lines]
        summed = " + ".join(f"{line.points.normalize():f}" for line in self.lines)
        lines.append(f"Score = {summed} = {self.total} (rounded down to the hundredth)")
        return lines


def score(
    ratings: Mapping[str, int | None],
    criteria: Sequence[Criterion],
    scale: Sequence[ScalePoint],
) -> Score:
    """The 0–100 score of `ratings` (criterion key → scale value) under the pack's weighted
    criteria. Each criterion earns weight × (rating − lowest) ÷ (highest − lowest): the bottom
    of the scale earns nothing, the top the whole weight; weights add up to 100. The total is
    rounded *down* to the hundredth, so a score shown below the renewal threshold is never
    treated as meeting it (seed 001). Every criterion must be rated with a value of the scale."""
    if len(scale) < 2:
        raise ScoreError("The rating scale needs at least two points.")
    labels = {p.value: p.label for p in scale}
    lowest, highest = min(labels), max(labels)
    errors: dict[str, list[str]] = {}
    lines: list[ScoreLine] = []
    for criterion in criteria:
        rating = ratings.get(criterion.key)
        if rating is None:
            errors[criterion.key] = [f"Rate {criterion.label.lower()}."]
            continue
        if rating not in labels:
            allowed = ", ".join(str(v) for v in sorted(labels))
            errors[criterion.key] = [f"{rating} is not on the rating scale ({allowed})."]
            continue
        points = (
            Decimal(criterion.weight) * Decimal(rating - lowest) / Decimal(highest - lowest)
        ).quantize(Decimal("0.0001"))
        lines.append(
            ScoreLine(
                key=criterion.key,
                label=criterion.label,
                weight=criterion.weight,
                rating=rating,
                rating_label=labels[rating],
                points=points,
            )
        )
    if errors:
        raise ScoreError("Every criterion needs a rating from the scale.", errors)
    exact = sum((line.points for line in lines), Decimal(0))
    return Score(
        lines=tuple(lines),
        exact=exact,
        total=exact.quantize(CENT, rounding=ROUND_FLOOR),
        lowest=lowest,
        highest=highest,
    )


# ---------------------------------------------------------------- renewal eligibility (seed 001)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    threshold: Decimal | None
    score: Decimal | None


def renewal_eligibility(
    latest_score: Decimal | None, threshold: int | Decimal | None, *, terms: str = "provider"
) -> Eligibility:
    """Whether the latest finalised evaluation makes the contract eligible for renewal or
    extension: at or above the pack's threshold (90 in the Milwaukee pack: seed 001). A pack
    with no threshold makes every contract eligible; with one, a contract never evaluated is not."""
    if threshold is None:
        return Eligibility(
            True, "The policy pack sets no evaluation score for renewal.", None, latest_score
        )
    limit = Decimal(threshold)
    if latest_score is None:
        return Eligibility(
            False,
            f"The {terms} has no finalised evaluation on this contract; a score of {limit:f} or "
            "higher is needed for renewal or extension.",
            limit,
            None,
        )
    if latest_score >= limit:
        return Eligibility(
            True,
            f"The latest evaluation scored {latest_score}, at or above the {limit:f} needed.",
            limit,
            latest_score,
        )
    return Eligibility(
        False,
        f"The latest evaluation scored {latest_score}, below the {limit:f} needed for renewal "
        "or extension.",
        limit,
        latest_score,
    )


# ---------------------------------------------------------------- the provider's comment window


def comment_window_open(*, released_on: date | None, comment_due: date | None, today: date) -> bool:
    """The provider may acknowledge and comment from the day the evaluation is released to it
    up to and including the last day of the pack's window (`evaluation_comment`)."""
    if released_on is None or comment_due is None:
        return False
    return released_on <= today <= comment_due


# ---------------------------------------------------------------- interim evaluations


def interim_years(start: date, end: date, as_of: date) -> list[tuple[int, date]]:
    """The contract years of a term that have ended by `as_of` and are not the last one (the
    last is covered by the closeout evaluation): [(year number, year end date)]. A year ends on
    the day before the anniversary of the start; 29 February starts fall back to 28 February."""
    years: list[tuple[int, date]] = []
    number = 1
    while True:
        anniversary = _add_years(start, number)
        year_end = date.fromordinal(anniversary.toordinal() - 1)
        if year_end >= end or year_end >= as_of:
            break
        years.append((number, year_end))
        number += 1
    return years


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------- compliance (seed 000)


class Compliance(StrEnum):
    DUE = "due"  # not done, deadline not yet passed
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # not done and the deadline has passed


def compliance(*, due: date, done_on: date | None, today: date) -> Compliance:
    """Where an evaluation that fell due stands: done on time (on or before the due date),
    late (done after it), missing (not done and overdue) or still due."""
    if done_on is not None:
        return Compliance.ON_TIME if done_on <= due else Compliance.LATE
    return Compliance.MISSING if today > due else Compliance.DUE


def compliance_counts(rows: Iterable[tuple[date, date | None]], today: date) -> dict[str, int]:
    counts = {c.value: 0 for c in Compliance}
    for due, done_on in rows:
        counts[compliance(due=due, done_on=done_on, today=today).value] += 1
    return counts


# ---------------------------------------------------------------- score from metrics (seed 001)


@dataclass(frozen=True)
class MetricLine:
    """One indicator's share of a score from the contract's own metrics."""

    name: str
    weight: Decimal  # the plan's weight (its payment share; equal shares when none is set)
    share: Decimal  # the weight as points out of 100
    periods: int  # reporting periods ended within the evaluation's period
    met: int
    within: int
    achievement: Decimal  # percent of the periods' targets achieved
    points: Decimal

    def explain(self, tolerance_credit: Decimal) -> str:
        credit = f"{tolerance_credit.normalize():f}"
        return (
            f"{self.name}: met in {self.met} and within tolerance in {self.within} of "
            f"{self.periods} reporting periods; achievement ({self.met} + {self.within} × "
            f"{credit}%) ÷ {self.periods} = {self.achievement.normalize():f}%; "
            f"{self.share.normalize():f} × {self.achievement.normalize():f}% "
            f"= {self.points.normalize():f} points"
        )

    def to_dict(self) -> dict[str, str | int]:
        return {
            "name": self.name,
            "weight": str(self.weight),
            "share": str(self.share),
            "periods": self.periods,
            "met": self.met,
            "within": self.within,
            "achievement": str(self.achievement),
            "points": str(self.points),
        }


@dataclass(frozen=True)
class MetricScore:
    lines: tuple[MetricLine, ...]
    tolerance_credit: Decimal
    exact: Decimal
    total: Decimal
    equal_weights: bool

    def explain(self) -> list[str]:
        out = [line.explain(self.tolerance_credit) for line in self.lines]
        summed = " + ".join(f"{line.points.normalize():f}" for line in self.lines)
        out.append(f"Score = {summed} = {self.total} (rounded down to the hundredth)")
        return out


@dataclass(frozen=True)
class MetricInput:
    name: str
    weight: Decimal  # percent; 0 when the plan ties no share to it
    statuses: tuple[str, ...]  # one per reporting period ended: met, within_tolerance, ...


def metric_score(indicators: Sequence[MetricInput], *, tolerance_credit: Decimal) -> MetricScore:
    """The 0–100 score from the contract's own performance metrics (seed 001: the pack's
    `evaluation.score_from` is "indicators"). Each indicator's achievement over the period is
    the share of its reporting periods whose target was met (a period within tolerance counts
    `tolerance_credit` percent; missed or without data, nothing); each indicator weighs what
    the plan ties to it (its payment share, scaled to 100 points), or the same as the others
    when the plan ties no share to any. The total is rounded down to the hundredth, as the
    criteria score is, so a score shown below the renewal threshold never meets it."""
    if not indicators:
        raise ScoreError(
            "The contract has no performance indicators to score from.",
            {"indicators": ["Add the contract's performance indicators first."]},
        )
    ended = [i for i in indicators if i.statuses]
    if not ended:
        raise ScoreError(
            "No reporting period of the contract's indicators has ended yet.",
            {"indicators": ["No reporting period has ended: there is nothing to score."]},
        )
    if not Decimal(0) <= tolerance_credit <= HUNDRED:
        raise ScoreError("The credit for a value within tolerance is a percentage from 0 to 100.")
    total_weight = sum((i.weight for i in ended), Decimal(0))
    equal = total_weight <= 0
    lines = []
    for item in ended:
        weight = Decimal(1) if equal else item.weight
        base = Decimal(len(ended)) if equal else total_weight
        share = (HUNDRED * weight / base).quantize(Decimal("0.0001"))
        periods = len(item.statuses)
        met = sum(1 for s in item.statuses if s == "met")
        within = sum(1 for s in item.statuses if s == "within_tolerance")
        achieved = (Decimal(met) * HUNDRED + Decimal(within) * tolerance_credit) / periods
        achievement = achieved.quantize(Decimal("0.0001"))
        points = (share * achieved / HUNDRED).quantize(Decimal("0.0001"))
        lines.append(
            MetricLine(
                name=item.name,
                weight=item.weight,
                share=share,
                periods=periods,
                met=met,
                within=within,
                achievement=achievement,
                points=points,
            )
        )
    exact = min(sum((line.points for line in lines), Decimal(0)), HUNDRED)
    return MetricScore(
        lines=tuple(lines),
        tolerance_credit=tolerance_credit,
        exact=exact,
        total=exact.quantize(CENT, rounding=ROUND_FLOOR),
        equal_weights=equal,
    )


# ---------------------------------------------------------------- the gate's scope (seed 001)


def months_between_longer(start: date, end: date, months: int) -> bool:
    """Whether a term from `start` to `end` (inclusive) lasts more than `months` months (a
    term from 1 January to 31 December is 12 months, not more)."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, _days_in_month(year, month))
    return date(year, month, day) <= end


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def renewal_gated(
    *,
    contract_type: str,
    formal_procurement: bool,
    start: date,
    end: date,
    contract_types: Sequence[str] | None,
    formal_only: bool,
    term_months_over: int | None,
) -> bool:
    """Whether the renewal score bar applies to a contract under the pack's scope (seed 001:
    professional services let by formal procurement with terms over one year; a contracted
    school is reviewed against its contract's requirements instead)."""
    if contract_types is not None and contract_type not in contract_types:
        return False
    if formal_only and not formal_procurement:
        return False
    return term_months_over is None or months_between_longer(start, end, term_months_over)


# ---------------------------------------------------------------- charter schools (seed 001)

CHARTER_OUTCOMES = {
    "renew": "renew",
    "renew_with_conditions": "renew with conditions",
    "do_not_renew": "not renew",
}


@dataclass(frozen=True)
class Finding:
    """The team's finding on one performance requirement of the school's contract."""

    requirement: str
    met: bool | None
    evidence: str


def charter_review_problems(
    *,
    requirements: Sequence[str],
    findings: Sequence[Finding],
    outcome: str,
    conditions: str,
    reviewers: str,
    reviewed_on: date,
    today: date,
) -> dict[str, list[str]]:
    """What is wrong with a Charter School Contract Review Team review (seed 001: the team
    analyses the school's data and performance against the requirements established in its
    contract): each requirement of the contract has one finding, met or not, with its evidence;
    the outcome is one of renew, renew with conditions (the conditions stated) or do not renew;
    the reviewers are named; the review is not dated in the future. Returns the problems by
    field (empty: none)."""
    problems: dict[str, list[str]] = {}
    if not requirements:
        problems.setdefault("findings", []).append(
            "The contract has no performance requirements to review against: record them first."
        )
    given = [f.requirement for f in findings]
    missing = [r for r in requirements if r not in given]
    unknown = [r for r in given if r not in requirements]
    if missing:
        problems.setdefault("findings", []).append(
            "Give a finding on every requirement; missing: " + "; ".join(missing) + "."
        )
    if unknown:
        problems.setdefault("findings", []).append(
            "These are not requirements of the contract: " + "; ".join(unknown) + "."
        )
    if len(set(given)) != len(given):
        problems.setdefault("findings", []).append("Give one finding per requirement.")
    for finding in findings:
        if finding.met is None:
            problems.setdefault("findings", []).append(
                f"Say whether {finding.requirement} was met."
            )
        if not finding.evidence.strip():
            problems.setdefault("findings", []).append(
                f"Give the evidence for the finding on {finding.requirement}."
            )
    if outcome not in CHARTER_OUTCOMES:
        problems["outcome"] = ["Choose renew, renew with conditions or do not renew."]
    elif outcome == "renew_with_conditions" and not conditions.strip():
        problems["conditions"] = ["State the conditions of the renewal."]
    if not reviewers.strip():
        problems["reviewers"] = ["Name the members of the team who reviewed the school."]
    if reviewed_on > today:
        problems["reviewed_on"] = ["The review cannot be dated in the future."]
    return problems


def charter_eligibility(outcome: str | None, *, reviewed_on: date | None = None) -> Eligibility:
    """Whether a charter school's contract may be renewed or extended, read from the Charter
    School Contract Review Team's outcome for the next renewal option (seed 001): renew or
    renew with conditions allows it; do not renew, or no review yet, does not."""
    if outcome is None:
        return Eligibility(
            False,
            "The Charter School Contract Review Team has not recorded its review of this "
            "school's contract for the next renewal option.",
            None,
            None,
        )
    day = f" on {reviewed_on:%-d %B %Y}" if reviewed_on is not None else ""
    words = CHARTER_OUTCOMES.get(outcome, outcome)
    allowed = outcome != "do_not_renew"
    return Eligibility(
        allowed,
        f"The Charter School Contract Review Team decided{day} to {words} the school's contract"
        + ("." if allowed else "; it is not renewed or extended."),
        None,
        None,
    )
