"""Procurement rules as plain Python (no Django): tender threshold, bid scoring and ranking,
debriefing and appeal windows, appeal grounds, and authority to purchase.

Every function takes plain values (``date``, ``Decimal``, small dataclasses) and returns plain
values; "today" is always an argument. Each rule names the seed it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from steward.core.formatting import fmt_date

CENTS = Decimal("0.01")
SCORE_PLACES = Decimal("0.0001")


# ------------------------------------------------------------------ tender threshold (seed 003)


def tender_required(estimated_value: Decimal, threshold: Decimal | None) -> bool:
    """seed 003: a contract "for more than £20,000" is advertised and tendered.

    Returns True when ``estimated_value`` is strictly above ``threshold``; a value of exactly the
    threshold does not need tendering (seed 003 says "more than £20,000"; its flow chart's
    "under £20K" branch is read together with that wording). None (the pack sets no threshold)
    never requires tendering. Raises ValueError for a negative value."""
    if estimated_value < 0:
        raise ValueError("estimated value cannot be negative")
    if threshold is None:
        return False
    return estimated_value > threshold


#: seed 003: the routes a contract may be procured by (the contract's procurement method keys)
TENDER_ROUTES = frozenset({"tendered"})
#: a call-off from a framework or block contract the Sourcing team tendered (seed 003 3(A)i)
CALL_OFF_ROUTES = frozenset({"framework"})


@dataclass(frozen=True)
class ProcurementFacts:
    """What a contract records of how it was procured (seed 003 3(A)iii-iv)."""

    value: Decimal
    threshold: Decimal | None
    method: str
    best_value_on_file: bool
    advertised: bool
    risk_assessed: bool


def procurement_problems(facts: ProcurementFacts, *, value: str, threshold: str) -> list[str]:
    """seed 003 3(A)iv and the flow chart's "Need to tender?": every reason the contract's
    procurement record does not yet satisfy the pack's tender threshold, as sentences (`value`
    and `threshold` are the amounts already formatted in the pack's currency). Empty when the
    pack sets no threshold, or when the record is complete.

    - Above the threshold (strictly: "more than £20,000"): "under the threshold" is refused;
      a tender is advertised (the Council's website, Public Contracts Scotland); a route other
      than a tender or a framework call-off needs the Best Value analysis on file showing the
      contract did not require tendering.
    - At or under it: an opportunity not tendered records its risk assessment ("A risk
      assessment procedure shall be used to determine the degree to which opportunities under
      £20k should be promoted")."""
    if facts.threshold is None:
        return []
    if facts.method in CALL_OFF_ROUTES:
        return []
    if tender_required(facts.value, facts.threshold):
        if facts.method == "under_threshold":
            return [
                f"This contract is worth {value}, above the tender threshold of {threshold}: it "
                "cannot be recorded as under the threshold. Record how it was procured: "
                "tendered, or not tendered with the Best Value analysis on file."
            ]
        if facts.method in TENDER_ROUTES:
            if facts.advertised:
                return []
            return [
                f"A tender above {threshold} is advertised: record where the opportunity was "
                "advertised (the Council's website or Public Contracts Scotland)."
            ]
        if facts.best_value_on_file:
            return []
        return [
            f"This contract is worth {value}, above the tender threshold of {threshold}, and "
            "was not tendered: put the Best Value analysis on file (a document or the "
            "analysis written in the procurement record)."
        ]
    if facts.method in TENDER_ROUTES or facts.risk_assessed:
        return []
    return [
        f"An opportunity under the tender threshold of {threshold} records its risk "
        "assessment: how far the opportunity was promoted, and why."
    ]


# ------------------------------------------------------------------ scoring (seed 004 / seed 003)


@dataclass(frozen=True)
class BidInput:
    bid_id: int
    provider: str
    price: Decimal


@dataclass(frozen=True)
class ScoreInput:
    bid_id: int
    criterion: str
    evaluator: str
    score: Decimal


@dataclass(frozen=True)
class RankedBid:
    rank: int
    bid_id: int
    provider: str
    price: Decimal
    score: Decimal  # averaged weighted score, 0-100 if scores are 0-100
    per_criterion: dict[str, Decimal]  # mean score per criterion over its evaluators
    tie_note: str  # how a tie with the bid above was broken, "" when there was none


TIE_RULE = (
    "Ties on the weighted score are broken by the lower price, then by the earlier bid "
    "(lower bid number)."
)


def rank_bids(
    weights: Mapping[str, Decimal], bids: Iterable[BidInput], scores: Iterable[ScoreInput]
) -> list[RankedBid]:
    """Return the bids ranked best first.

    Each criterion's score is the mean over the evaluators who scored it; the bid's score is
    sum(weight × mean) ÷ sum(weights), quantised to 4 places (ROUND_HALF_UP). A criterion nobody
    scored for a bid counts 0. Ties are broken deterministically (TIE_RULE) and the note on the
    lower bid says how. Raises ValueError for no criteria, a non-positive weight, a negative score
    or a score on an unknown criterion."""
    if not weights:
        raise ValueError("a solicitation needs at least one evaluation criterion")
    if any(w <= 0 for w in weights.values()):
        raise ValueError("criterion weights must be positive")
    total_weight = sum(weights.values(), Decimal(0))
    collected: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for s in scores:
        if s.criterion not in weights:
            raise ValueError(f"unknown criterion {s.criterion!r}")
        if s.score < 0:
            raise ValueError("scores cannot be negative")
        collected[s.bid_id][s.criterion].append(s.score)
    rows = []
    for bid in bids:
        means = {}
        for name in weights:
            values = collected[bid.bid_id].get(name, [])
            means[name] = (
                (sum(values, Decimal(0)) / len(values)).quantize(SCORE_PLACES, ROUND_HALF_UP)
                if values
                else Decimal(0)
            )
        weighted = sum(
            (
                weights[n]
                * sum(collected[bid.bid_id].get(n, []), Decimal(0))
                / max(len(collected[bid.bid_id].get(n, [])), 1)
                for n in weights
            ),
            Decimal(0),
        )
        score = (weighted / total_weight).quantize(SCORE_PLACES, ROUND_HALF_UP)
        rows.append((bid, score, means))
    rows.sort(key=lambda r: (-r[1], r[0].price, r[0].bid_id))
    ranked: list[RankedBid] = []
    for index, (bid, score, means) in enumerate(rows):
        note = ""
        if index and rows[index - 1][1] == score:
            above = rows[index - 1][0]
            note = (
                f"Tied on score with bid {above.bid_id}; ranked below it by the lower price."
                if above.price != bid.price
                else f"Tied on score and price with bid {above.bid_id}; ranked below it as the "
                "later bid."
            )
        ranked.append(RankedBid(index + 1, bid.bid_id, bid.provider, bid.price, score, means, note))
    return ranked


def unscored_bids(
    bid_ids: Iterable[int], criteria: Iterable[str], scored: Iterable[tuple[int, str]]
) -> list[int]:
    """seed 004: the bids not yet scored on every criterion by at least one evaluator, in the
    order given (``scored``: the (bid, criterion) pairs that have a score)."""
    have = set(scored)
    names = list(criteria)
    return [b for b in bid_ids if any((b, n) not in have for n in names)]


def award_reason_needed(ranking: list[RankedBid], bid_id: int) -> bool:
    """seed 004: an award to a bid other than the top-ranked one needs a recorded reason (the
    award follows the evaluation; departing from it is written down for the procurement
    file). True when ``bid_id`` is not ranked first."""
    return bool(ranking) and ranking[0].bid_id != bid_id


# ------------------------------------------------------------------ windows (seed 004)


def date_refusal(*, on: date, today: date, after: date | None, after_what: str) -> str | None:
    """Return why ``on``, the date something happened (a request or an appeal received by
    letter or email, recorded by staff), cannot be recorded, or None when it can: never in the
    future (after ``today``, the agency's), never before the step it follows (``after``, named
    by ``after_what``)."""
    if on > today:
        return "The date cannot be in the future."
    if after is not None and on < after:
        return f"The date cannot be before {after_what} ({fmt_date(after)})."
    return None


def within_window(start: date, on: date, due: date) -> bool:
    """seed 004: "within N days" of ``start``: allowed from ``start`` up to and including
    ``due`` (the Nth day); refused before ``start`` or after ``due``."""
    return start <= on <= due


def window_days(pack_days: int, override_days: int | None) -> int:
    """seed 004: the windows come from the pack but "may be modified at the discretion of the
    SSST": the per-solicitation figure wins when set. Raises ValueError for negative days."""
    days = pack_days if override_days is None else override_days
    if days < 0:
        raise ValueError("a window cannot be negative")
    return days


# ------------------------------------------------------------------ appeal grounds (seed 004)


class AppealGround(StrEnum):
    NON_COMPLIANCE = "non_compliance"
    FUNDAMENTAL_UNFAIRNESS = "fundamental_unfairness"


APPEAL_GROUND_LABELS = {
    AppealGround.NON_COMPLIANCE: (
        "The department failed to comply with the regulations, procurement policies or the "
        "specifications of the RFR"
    ),
    AppealGround.FUNDAMENTAL_UNFAIRNESS: "There was a fundamental unfairness in the procurement",
}

#: A ground outside the two: the appeal is kept in the file, refused with the reason.
OTHER_GROUND = "other"

GROUND_REFUSAL = (
    "Appeals are considered only on two grounds: failure to comply with the "
    "regulations, policies or RFR specifications, or fundamental unfairness."
)


def appeal_refusal(
    *, ground: str, debriefing_held_on: date | None, lodged_on: date, due: date | None
) -> str | None:
    """seed 004: return why an appeal is refused, or None when it may be considered.

    Refused when no debriefing took place (a debriefing is a prerequisite), when the ground is
    not one of the two grounds, or when lodged after ``due`` (the pack's bid_appeal limit from
    the debriefing) or before the debriefing."""
    if debriefing_held_on is None:
        return "A debriefing must take place before an appeal can be lodged."
    if ground not in {g.value for g in AppealGround}:
        return GROUND_REFUSAL
    if due is not None and not within_window(debriefing_held_on, lodged_on, due):
        return f"The time limit for appeals ended on {fmt_date(due)}."
    return None


# ------------------------------------------------------------------ authority to purchase (003)


class Category(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class Authoriser(StrEnum):
    CRITERIA_MET = "criteria_met"  # category A: immediate access, criteria met
    BUDGET_HOLDER = "budget_holder"  # category B within a delegated limit
    COMMUNITY_RESOURCE_GROUP = "community_resource_group"  # category B
    RESOURCE_ALLOCATION_GROUP = "resource_allocation_group"  # category C


def within_delegated_limit(amount: Decimal, limit: Decimal | None) -> bool:
    """seed 003: a budget holder authorises "up to and including the level of funding for which
    they have delegated authority". None (no limit recorded) authorises nothing."""
    if limit is None:
        return False
    return amount <= limit


def authority_refusal(
    *,
    category: str,
    authoriser: str,
    amount: Decimal,
    limit: Decimal | None,
    crg_decided: bool = False,
) -> str | None:
    """seed 003: return why a purchase may not be authorised this way, or None when it may.

    A: immediate access when the criteria are met. B: *both* the Community Resource Group's
    authorisation (`crg_decided`) and a budget holder within their delegated limit ("made by
    authorised budget holders up to and including the level of funding for which they have
    delegated authority"); the group alone, or a budget holder alone, is not enough.
    C: only the Resource Allocation Group."""
    allowed = {
        Category.A: {Authoriser.CRITERIA_MET},
        Category.B: {Authoriser.BUDGET_HOLDER},
        Category.C: {Authoriser.RESOURCE_ALLOCATION_GROUP},
    }
    if category not in {c.value for c in Category}:
        return "The authorisation category must be A, B or C."
    if category == Category.B and authoriser == Authoriser.COMMUNITY_RESOURCE_GROUP:
        return (
            "Category B needs both the Community Resource Group's authorisation and a budget "
            "holder within their delegated limit."
        )
    if authoriser not in allowed[Category(category)]:
        return f"Category {category} purchases cannot be authorised this way."
    if category == Category.B and not crg_decided:
        return "Record the Community Resource Group's decision first (category B)."
    if authoriser == Authoriser.BUDGET_HOLDER and not within_delegated_limit(amount, limit):
        shown = "none" if limit is None else f"{limit.quantize(CENTS, ROUND_HALF_UP)}"
        return (
            f"{amount.quantize(CENTS, ROUND_HALF_UP)} is above the approver's delegated limit "
            f"({shown})."
        )
    return None


def category_refusal(*, category: str, contract_category: str) -> str | None:
    """seed 003: a placement's category follows its contract (and so the service the contract
    buys): return why `category` may not be placed on a contract of `contract_category`, or
    None. A contract with no category takes no placements until it has one."""
    if not contract_category:
        return "Record the contract's authority category (A, B or C) before placing against it."
    if category != contract_category:
        return (
            f"This contract buys category {contract_category} resources: a category {category} "
            "placement cannot be made against it."
        )
    return None


def capacity_refusal(*, places: int | None, holding: int, reason: str) -> str | None:
    """seed 003 category A "dependent on availability": return why one more placement is
    refused when `holding` of the contract's `places` are taken, or None. No recorded capacity
    sets no limit; beyond it, a recorded `reason` lets the placement through."""
    if places is None or holding < places or reason.strip():
        return None
    return (
        f"All {places} place{'s' if places != 1 else ''} under this contract are taken: record "
        "why this placement goes beyond the contract's places."
    )


def review_dates_refusal(dates: list[date], start: date, end: date) -> str | None:
    """seed 003 Schedule C: at least one review date, each within the placement
    (`start`..`end`). Returns why not, or None."""
    if not dates:
        return "Give at least one review date."
    for day in dates:
        if day < start or day > end:
            return (
                f"Review date {day:%-d %B %Y} is outside the placement "
                f"({start:%-d %B %Y} to {end:%-d %B %Y})."
            )
    return None


def notice_ends(notice_on: date, notice_days: int) -> date:
    """seed 003 "check contractual capacity to terminate": termination takes effect at the
    notice date plus the contractual notice period (calendar days)."""
    if notice_days < 0:
        raise ValueError("notice period cannot be negative")
    return notice_on + timedelta(days=notice_days)


# ------------------------------------------------------------------ the RFR checklist (seed 004)

#: The Massachusetts pack (or a copy of it) carries the POS RFR checklist.
MASSACHUSETTS_PACK = "massachusetts-osd"

#: seed 004 "Required Forms/Use of POS Attachments" and "Other RFR Specification
#: considerations": what a POS RFR carries, each item with its document attached.
RFR_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("terms_conditions", "Commonwealth Terms and Conditions for Human and Social Services"),
    ("supplier_diversity", "Supplier Diversity Plan form for purchase of service"),
    ("program_specifications", "Program specifications: the people to be served and their needs"),
    (
        "staffing_specifications",
        "Staffing patterns and qualifications, hours, sites and other specific requirements",
    ),
    ("budget_forms", "Budget forms bidders return with their response"),
)
RFR_ITEM_LABELS = dict(RFR_CHECKLIST)


def terms_instruction(electronic: bool) -> str:
    """seed 004: what the RFR tells bidders about the Commonwealth Terms and Conditions."""
    if electronic:
        return (
            "Responses are electronic: the Commonwealth Terms and Conditions are included for "
            "information only and are required at contract execution, if not already on file."
        )
    return (
        "Responses are on paper: bidders sign the Commonwealth Terms and Conditions as part of "
        "their response, if not already on file."
    )


def checklist_missing(attached: Iterable[str]) -> list[str]:
    """The labels of the checklist items without a document, in checklist order."""
    have = set(attached)
    return [label for key, label in RFR_CHECKLIST if key not in have]


def issue_refusal(*, attached: Iterable[str], issued: bool) -> str | None:
    """seed 004: a POS RFR is issued once, with every required form and specification
    attached. Returns the refusal sentence, or None."""
    if issued:
        return "This RFR has already been issued."
    missing = checklist_missing(attached)
    if missing:
        return "Attach before issuing the RFR: " + "; ".join(missing) + "."
    return None


# ------------------------------------------------------------------ provider forms on file

FORM_LABELS = {
    "terms_conditions": "Commonwealth Terms and Conditions for Human and Social Services",
    "supplier_diversity": "Supplier Diversity Plan",
}


def form_problems(
    *, on_file: Mapping[str, date | None], on: date, electronic: bool
) -> list[tuple[str, bool]]:
    """seed 004: the provider's forms on `on`, from the latest expiry of each kind on file
    (`on_file`, None or absent: never filed). Returns (sentence, refuses_execution) per
    problem: a Terms and Conditions form missing or expired must be signed with a paper
    response, or at contract execution for an electronic one; a Supplier Diversity Plan
    missing or expired is flagged."""
    problems: list[tuple[str, bool]] = []
    for kind, label in FORM_LABELS.items():
        expires = on_file.get(kind)
        if expires is not None and expires >= on:
            continue
        state = "has expired" if expires is not None else "is not on file"
        if kind == "terms_conditions":
            when = (
                "it must be signed before the contract is executed"
                if electronic
                else "it must be signed and returned with the paper response"
            )
            problems.append((f"The provider's {label} {state}: {when}.", True))
        else:
            problems.append((f"The provider's {label} {state}.", False))
    return problems
