"""The monitoring cycle's rules in plain Python (seeds 002 and 003)."""

from __future__ import annotations

from datetime import date

import pytest

from steward.monitoring import calc
from steward.monitoring.calc import Route, Stage


def test_seed_002_stage_1_route_from_the_monitoring_level() -> None:
    assert calc.route_for("light") is Route.LIGHT  # "CM lite": no visit
    assert calc.route_for("standard") is Route.FULL
    assert calc.route_for("enhanced") is Route.FULL
    assert calc.route_for(None) is Route.FULL  # never assessed: visit


def test_seed_002_light_route_skips_the_visit_and_full_skips_the_separate_discussion() -> None:
    assert calc.stages_for(Route.LIGHT) == [
        Stage.RISK,
        Stage.NOTIFIED,
        Stage.ASSESSED,
        Stage.JUDGED,
        Stage.DISCUSSED,
        Stage.LETTER,
        Stage.APPEAL,
    ]
    assert Stage.DISCUSSED not in calc.stages_for(Route.FULL)
    assert calc.next_stage(Stage.ASSESSED, Route.LIGHT) is Stage.JUDGED
    assert calc.next_stage(Stage.ASSESSED, Route.FULL) is Stage.VISITED
    assert calc.next_stage(Stage.JUDGED, Route.FULL) is Stage.LETTER
    assert calc.next_stage(Stage.APPEAL, Route.FULL) is None


def test_seed_002_out_of_order_steps_are_refused_naming_the_stage_first() -> None:
    calc.check_next(Stage.NOTIFIED, Stage.ASSESSED, Route.FULL)
    with pytest.raises(calc.OutOfOrder) as exc:
        calc.check_next(Stage.NOTIFIED, Stage.JUDGED, Route.FULL)
    assert str(exc.value) == (
        "Stage 5 (Judgement on the six areas) comes after stage 3 (Assessment of the "
        "self-assessment and QAF), which is not done yet."
    )
    with pytest.raises(calc.OutOfOrder, match="already done"):
        calc.check_next(Stage.ASSESSED, Stage.NOTIFIED, Route.FULL)
    with pytest.raises(calc.OutOfOrder, match="light route"):
        calc.check_next(Stage.ASSESSED, Stage.VISITED, Route.LIGHT)
    with pytest.raises(calc.OutOfOrder, match="discussed at the visit"):
        calc.check_next(Stage.JUDGED, Stage.DISCUSSED, Route.FULL)


def test_seed_002_all_information_is_in_after_the_visit_on_the_full_route() -> None:
    sa, visit = date(2026, 3, 2), date(2026, 3, 20)
    assert calc.information_complete_on(sa, visit, Route.FULL) == visit
    assert calc.information_complete_on(sa, None, Route.LIGHT) == sa
    # a visit before the self-assessment came in: the self-assessment completes it
    assert calc.information_complete_on(date(2026, 4, 1), visit, Route.FULL) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("months", "due"),
    [(3, date(2026, 5, 28)), (6, date(2026, 8, 28)), (12, date(2027, 2, 28))],
)
def test_seed_002_action_plan_due_at_3_6_12_months(months: int, due: date) -> None:
    assert calc.action_due(date(2026, 2, 28), months) == due


def test_action_due_falls_back_to_the_month_end() -> None:
    assert calc.action_due(date(2025, 11, 30), 3) == date(2026, 2, 28)  # no 30 February


def test_action_horizon_other_than_3_6_12_refused() -> None:
    with pytest.raises(ValueError, match="3, 6 or 12"):
        calc.action_due(date(2026, 1, 1), 9)


def test_action_state() -> None:
    due = date(2026, 6, 30)
    assert calc.action_state(due, None, date(2026, 6, 30)) is calc.ActionState.OPEN
    assert calc.action_state(due, None, date(2026, 7, 1)) is calc.ActionState.OVERDUE
    assert calc.action_state(due, date(2026, 7, 5), date(2026, 8, 1)) is calc.ActionState.DONE


def test_seed_003_annual_review_closes_each_contract_year_and_a_biannual_its_first_half() -> None:
    """seed 003: a cycle of annual and biannual review meetings for every contract"""
    assert calc.review_dates(date(2026, 1, 1), date(2027, 12, 31), biannual=True, annual=True) == [
        ("biannual", date(2026, 6, 30)),
        ("annual", date(2026, 12, 31)),
        ("biannual", date(2027, 6, 30)),
        ("annual", date(2027, 12, 31)),
    ]


def test_seed_003_a_12_month_contract_gets_its_annual_review_on_its_last_day() -> None:
    """seed 003: a 12-month contract is reviewed too"""
    assert calc.review_dates(date(2026, 4, 1), date(2027, 3, 31), biannual=True, annual=True) == [
        ("biannual", date(2026, 9, 30)),
        ("annual", date(2027, 3, 31)),
    ]


def test_seed_003_a_partial_final_year_gets_its_annual_review_on_the_last_day() -> None:
    """seed 003: the final year, however short, ends with its annual review; a biannual review
    that would fall after the end is not held"""
    assert calc.review_dates(date(2026, 1, 1), date(2027, 8, 15), biannual=True, annual=True) == [
        ("biannual", date(2026, 6, 30)),
        ("annual", date(2026, 12, 31)),
        ("biannual", date(2027, 6, 30)),
        ("annual", date(2027, 8, 15)),
    ]
    assert calc.review_dates(date(2026, 1, 1), date(2027, 3, 31), biannual=True, annual=True) == [
        ("biannual", date(2026, 6, 30)),
        ("annual", date(2026, 12, 31)),
        ("annual", date(2027, 3, 31)),
    ]


def test_seed_003_a_biannual_and_an_annual_review_on_the_same_day_are_one_meeting() -> None:
    """seed 003: a six-month contract's biannual review falls on its last day: one meeting, the
    annual"""
    assert calc.review_dates(date(2026, 1, 1), date(2026, 6, 30), biannual=True, annual=True) == [
        ("annual", date(2026, 6, 30))
    ]
    assert calc.review_dates(date(2026, 1, 1), date(2026, 1, 31), biannual=True, annual=True) == [
        ("annual", date(2026, 1, 31))
    ]


def test_seed_002_pack_holds_annual_reviews_only_and_a_pack_may_hold_biannual_ones_only() -> None:
    """seed 002 (West London: annual reviews only) and a pack of biannual reviews"""
    assert calc.review_dates(date(2026, 1, 1), date(2027, 12, 31), biannual=False, annual=True) == [
        ("annual", date(2026, 12, 31)),
        ("annual", date(2027, 12, 31)),
    ]
    assert calc.review_dates(date(2026, 1, 1), date(2027, 3, 31), biannual=True, annual=False) == [
        ("biannual", date(2026, 6, 30)),
        ("biannual", date(2026, 12, 31)),
        ("biannual", date(2027, 3, 31)),
    ]
    assert (
        calc.review_dates(date(2026, 1, 1), date(2027, 3, 31), biannual=False, annual=False) == []
    )


def test_review_dates_at_month_ends_and_leap_days() -> None:
    assert calc.review_dates(date(2024, 2, 29), date(2025, 2, 27), biannual=True, annual=True) == [
        ("biannual", date(2024, 8, 28)),
        ("annual", date(2025, 2, 27)),
    ]
    assert calc.review_dates(date(2026, 8, 31), date(2027, 8, 30), biannual=True, annual=True) == [
        ("biannual", date(2027, 2, 27)),
        ("annual", date(2027, 8, 30)),
    ]


def test_review_dates_of_an_empty_or_one_day_term() -> None:
    assert calc.review_dates(date(2026, 1, 2), date(2026, 1, 1), biannual=True, annual=True) == []
    assert calc.review_dates(date(2026, 1, 1), date(2026, 1, 1), biannual=True, annual=True) == [
        ("annual", date(2026, 1, 1))
    ]


@pytest.mark.parametrize(
    ("day", "fiscal_month", "bounds"),
    [
        (date(2026, 11, 25), 7, (date(2026, 7, 1), date(2026, 12, 31))),
        (date(2027, 2, 1), 7, (date(2027, 1, 1), date(2027, 6, 30))),
        (date(2026, 11, 25), 4, (date(2026, 10, 1), date(2027, 3, 31))),  # UK: April
        (date(2026, 5, 1), 1, (date(2026, 1, 1), date(2026, 6, 30))),
    ],
)
def test_seed_002_stage_10_twice_yearly_periods(day, fiscal_month, bounds) -> None:
    assert calc.half_year(day, fiscal_month) == bounds


def test_six_areas_of_seed_002() -> None:
    assert [key for key, _ in calc.JUDGEMENT_AREAS] == [
        "compliance",
        "quality",
        "improvement",
        "funding",
        "satisfaction",
        "access",
    ]
