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


@pytest.mark.parametrize(
    ("today", "kind"),
    [
        (date(2026, 12, 16), None),
        (date(2026, 12, 17), calc.ReminderKind.BEFORE),  # 5 days before
        (date(2026, 12, 21), calc.ReminderKind.BEFORE),
        (date(2026, 12, 22), calc.ReminderKind.ON_THE_DAY),
        (date(2026, 12, 23), calc.ReminderKind.OVERDUE),  # the day after: overdue
        (date(2027, 1, 10), calc.ReminderKind.OVERDUE),
    ],
)
def test_reminders_before_on_the_day_and_overdue(
    today: date, kind: calc.ReminderKind | None
) -> None:
    assert calc.reminder_due(date(2026, 12, 22), today) is kind


def test_seed_003_biannual_and_annual_review_meetings_over_the_term() -> None:
    got = calc.review_dates(date(2026, 1, 1), date(2027, 12, 31), biannual=True, annual=True)
    assert got == [
        ("biannual", date(2026, 7, 1)),
        ("annual", date(2027, 1, 1)),
        ("biannual", date(2027, 7, 1)),
    ]
    assert calc.review_dates(date(2026, 1, 1), date(2027, 12, 31), biannual=False, annual=True) == [
        ("annual", date(2027, 1, 1))
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
