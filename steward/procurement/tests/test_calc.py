"""The pure procurement rules, at their edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from steward.procurement import calc as rc

D = Decimal


def test_tender_threshold_exactly_20000_is_not_tendered():
    """seed 003: advertisement and tendering "if the contract is for more than £20,000":
    exactly £20,000 does not require tendering; a penny more does."""
    assert rc.tender_required(D("20000.00"), D("20000.00")) is False
    assert rc.tender_required(D("20000.01"), D("20000.00")) is True
    assert rc.tender_required(D("19999.99"), D("20000.00")) is False
    assert rc.tender_required(D("1000000"), None) is False
    with pytest.raises(ValueError):
        rc.tender_required(D("-1"), D("20000"))


def test_rank_bids_averages_evaluators_and_weights_criteria():
    """seed 003 (criteria weighting, tender evaluation): mean per criterion, weighted."""
    weights = {"Quality": D("60"), "Price": D("40")}
    bids = [rc.BidInput(1, "A", D("100")), rc.BidInput(2, "B", D("90"))]
    scores = [
        rc.ScoreInput(1, "Quality", "e1", D("80")),
        rc.ScoreInput(1, "Quality", "e2", D("100")),
        rc.ScoreInput(1, "Price", "e1", D("50")),
        rc.ScoreInput(2, "Quality", "e1", D("70")),
        rc.ScoreInput(2, "Price", "e1", D("90")),
    ]
    ranked = rc.rank_bids(weights, bids, scores)
    assert [r.bid_id for r in ranked] == [2, 1]
    assert ranked[0].score == D("78.0000")  # 0.6*70 + 0.4*90
    assert ranked[1].score == D("74.0000")  # 0.6*mean(80, 100) + 0.4*50
    assert ranked[1].per_criterion["Quality"] == D("90.0000")


def test_rank_bids_breaks_ties_by_price_then_bid_number():
    weights = {"Q": D("1")}
    bids = [
        rc.BidInput(3, "C", D("50")),
        rc.BidInput(1, "A", D("50")),
        rc.BidInput(2, "B", D("40")),
    ]
    scores = [rc.ScoreInput(b, "Q", "e", D("70")) for b in (1, 2, 3)]
    ranked = rc.rank_bids(weights, bids, scores)
    assert [r.bid_id for r in ranked] == [2, 1, 3]
    assert ranked[0].tie_note == ""
    assert "lower price" in ranked[1].tie_note
    assert "later bid" in ranked[2].tie_note


def test_rank_bids_refuses_bad_input():
    with pytest.raises(ValueError):
        rc.rank_bids({}, [], [])
    with pytest.raises(ValueError):
        rc.rank_bids({"Q": D("0")}, [], [])
    with pytest.raises(ValueError):
        rc.rank_bids({"Q": D("1")}, [], [rc.ScoreInput(1, "X", "e", D("1"))])


def test_windows_allow_day_14_and_refuse_day_15():
    """seed 004: within 14 days: the 14th day is in, the 15th out, and before the start out."""
    start = date(2026, 3, 2)
    due = date(2026, 3, 16)
    assert rc.within_window(start, date(2026, 3, 16), due)
    assert not rc.within_window(start, date(2026, 3, 17), due)
    assert not rc.within_window(start, date(2026, 3, 1), due)
    assert rc.window_days(14, None) == 14
    assert rc.window_days(14, 21) == 21


def test_appeal_needs_debriefing_and_one_of_two_grounds():
    """seed 004: a debriefing is a prerequisite; only the two grounds are considered."""
    held = date(2026, 3, 20)
    due = date(2026, 4, 3)
    assert "debriefing" in rc.appeal_refusal(
        ground="fundamental_unfairness", debriefing_held_on=None, lodged_on=held, due=None
    )
    assert (
        rc.appeal_refusal(ground="price_too_low", debriefing_held_on=held, lodged_on=held, due=due)
        == rc.GROUND_REFUSAL
    )
    for ground in ("non_compliance", "fundamental_unfairness"):
        assert (
            rc.appeal_refusal(ground=ground, debriefing_held_on=held, lodged_on=due, due=due)
            is None
        )
    assert "time limit" in rc.appeal_refusal(
        ground="non_compliance", debriefing_held_on=held, lodged_on=date(2026, 4, 4), due=due
    )


def test_delegated_limit_up_to_and_including():
    """seed 003: budget holders authorise up to and including their delegated limit."""
    assert rc.within_delegated_limit(D("5000"), D("5000"))
    assert not rc.within_delegated_limit(D("5000.01"), D("5000"))
    assert not rc.within_delegated_limit(D("1"), None)
    b = {"category": "B", "authoriser": "budget_holder", "crg_decided": True}
    assert rc.authority_refusal(**b, amount=D("5000"), limit=D("5000")) is None
    assert "delegated limit" in rc.authority_refusal(**b, amount=D("5000.01"), limit=D("5000"))
    assert (
        rc.authority_refusal(category="C", authoriser="budget_holder", amount=D("1"), limit=D("9"))
        is not None
    )
    assert (
        rc.authority_refusal(
            category="C", authoriser="resource_allocation_group", amount=D("9e6"), limit=None
        )
        is None
    )
    assert (
        rc.authority_refusal(category="A", authoriser="criteria_met", amount=D("1"), limit=None)
        is None
    )
    assert (
        rc.authority_refusal(category="D", authoriser="criteria_met", amount=D("1"), limit=None)
        is not None
    )


def test_category_b_needs_both_the_group_and_a_budget_holder_within_limit():
    """seed 003 category B: "Authorisation from Community Resource Group required ...
    authorisation shall be made by authorised budget holders up to and including the level of
    funding for which they have delegated authority": both, never either."""
    group_alone = rc.authority_refusal(
        category="B",
        authoriser="community_resource_group",
        amount=D("50000"),
        limit=None,
        crg_decided=True,
    )
    assert "both" in group_alone
    holder_alone = rc.authority_refusal(
        category="B", authoriser="budget_holder", amount=D("5000"), limit=D("10000")
    )
    assert "Community Resource Group" in holder_alone
    assert "delegated limit" in rc.authority_refusal(
        category="B",
        authoriser="budget_holder",
        amount=D("50000"),
        limit=D("10000"),
        crg_decided=True,
    )


def test_category_follows_the_contract():
    """seed 003: a placement's category is its contract's (the service it buys)."""
    assert rc.category_refusal(category="C", contract_category="C") is None
    assert "category C" in rc.category_refusal(category="A", contract_category="C")
    assert "authority category" in rc.category_refusal(category="A", contract_category="")


def test_availability_is_enforced_unless_a_reason_is_recorded():
    """seed 003 category A: access "dependent on availability"."""
    assert rc.capacity_refusal(places=None, holding=99, reason="") is None
    assert rc.capacity_refusal(places=2, holding=1, reason="") is None
    assert "2 places" in rc.capacity_refusal(places=2, holding=2, reason="")
    assert rc.capacity_refusal(places=2, holding=2, reason="Sibling placed together") is None


def test_review_dates_fall_within_the_placement():
    """seed 003 Schedule C: review dates, within the placement."""
    start, end = date(2026, 5, 1), date(2026, 12, 31)
    assert "at least one" in rc.review_dates_refusal([], start, end)
    assert rc.review_dates_refusal([date(2026, 8, 1)], start, end) is None
    assert "outside" in rc.review_dates_refusal([date(2027, 1, 1)], start, end)


def test_notice_ends_after_the_notice_period():
    """seed 003: check contractual capacity to terminate (notice date + period)."""
    assert rc.notice_ends(date(2026, 5, 1), 30) == date(2026, 5, 31)
    assert rc.notice_ends(date(2026, 5, 1), 0) == date(2026, 5, 1)
