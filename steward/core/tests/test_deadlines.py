"""Tests of the deadline engine: pinned dates, no database, no Django.

Public holidays come from the installed ``holidays`` library (0.109 when these were written);
where the library's answer may surprise a reader, a comment says so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from steward.core import deadlines
from steward.core.deadlines import (
    DayKind,
    Deadline,
    DeadlineRule,
    WorkingCalendar,
    add_days,
    add_months,
    compute_deadline,
    days_remaining,
    month_end,
    working_days_between,
)

ENGLAND = WorkingCalendar("GB", "ENG")
SCOTLAND = WorkingCalendar("GB", "SCT")
CONNECTICUT = WorkingCalendar("US", "CT")
MASSACHUSETTS = WorkingCalendar("US", "MA")
WISCONSIN = WorkingCalendar("US", "WI")

SELF_ASSESSMENT = DeadlineRule(
    key="self_assessment",
    label="Provider completes the self-assessment",
    days=20,
    kind=DayKind.WORKING,
    source="seed 002 stage 2",
)


# --- working days over Christmas ----------------------------------------------------------


def test_20_working_days_over_christmas_2026_in_england() -> None:
    """seed 002 stage 2: 20 working days; England skips 25 Dec, 28 Dec (Boxing Day observed)
    and 1 Jan."""
    assert add_days(date(2026, 12, 10), 20, DayKind.WORKING, ENGLAND) == date(2027, 1, 12)


def test_20_working_days_over_christmas_2026_in_scotland_is_a_day_later() -> None:
    """seed 002 stage 2: 20 working days; Scotland also has the 2 Jan holiday, which falls on a
    Saturday in 2027 and is substituted by Monday 4 January."""
    assert add_days(date(2026, 12, 10), 20, DayKind.WORKING, SCOTLAND) == date(2027, 1, 13)


def test_20_working_days_from_1_december_2026_end_on_new_years_eve() -> None:
    """seed 002 stage 7: 20 working days of all information being submitted; the same in
    England and Scotland because the Scottish January holidays come after 31 December."""
    assert add_days(date(2026, 12, 1), 20, DayKind.WORKING, ENGLAND) == date(2026, 12, 31)
    assert add_days(date(2026, 12, 1), 20, DayKind.WORKING, SCOTLAND) == date(2026, 12, 31)


def test_christmas_holidays_2026_england() -> None:
    """seed 002: working days skip public holidays including substitute days (DOMAIN.md §4)."""
    assert ENGLAND.holidays_between(date(2026, 12, 1), date(2027, 1, 10)) == {
        date(2026, 12, 25): "Christmas Day",
        date(2026, 12, 26): "Boxing Day",
        date(2026, 12, 28): "Boxing Day (observed)",
        date(2027, 1, 1): "New Year's Day",
    }


def test_christmas_holidays_2026_scotland() -> None:
    """seed 003 (Scottish council): Scotland adds 2 January and its substitute day."""
    assert SCOTLAND.holidays_between(date(2026, 12, 1), date(2027, 1, 10)) == {
        date(2026, 12, 25): "Christmas Day",
        date(2026, 12, 26): "Boxing Day",
        date(2026, 12, 28): "Boxing Day (observed)",
        date(2027, 1, 1): "New Year's Day",
        date(2027, 1, 2): "New Year Holiday",
        date(2027, 1, 4): "New Year Holiday (observed)",
    }


def test_working_days_between_over_christmas_2026() -> None:
    """seed 002 stage 2: the 20 working days counted back from the due date."""
    assert working_days_between(date(2026, 12, 10), date(2027, 1, 12), ENGLAND) == 20
    assert working_days_between(date(2026, 12, 10), date(2027, 1, 12), SCOTLAND) == 19
    assert working_days_between(date(2026, 12, 10), date(2027, 1, 13), SCOTLAND) == 20


# --- US observed holidays -----------------------------------------------------------------


def test_independence_day_2027_is_observed_on_monday_5_july_in_massachusetts() -> None:
    """seed 004 (Massachusetts): 4 July 2027 is a Sunday, observed on Monday 5 July."""
    assert not MASSACHUSETTS.is_working_day(date(2027, 7, 5))
    assert add_days(date(2027, 7, 2), 1, DayKind.WORKING, MASSACHUSETTS) == date(2027, 7, 6)
    assert MASSACHUSETTS.holidays_between(date(2027, 7, 1), date(2027, 7, 7)) == {
        date(2027, 7, 4): "Independence Day",
        date(2027, 7, 5): "Independence Day (observed)",
    }


def test_saturday_independence_day_2026_is_observed_on_friday_in_ct_but_not_in_ma() -> None:
    """seed 000 (CT) and seed 004 (MA): 4 July 2026 is a Saturday.

    A person might expect Friday 3 July off everywhere (it is the federal observed day), but
    ``holidays`` 0.109 gives Friday 3 July to Connecticut and Wisconsin only: for Massachusetts
    it moves Sunday holidays to Monday and leaves Saturday holidays on the Saturday. We pin
    what the library returns.
    """
    assert not CONNECTICUT.is_working_day(date(2026, 7, 3))
    assert not WISCONSIN.is_working_day(date(2026, 7, 3))
    assert MASSACHUSETTS.is_working_day(date(2026, 7, 3))
    assert add_days(date(2026, 7, 2), 1, DayKind.WORKING, CONNECTICUT) == date(2026, 7, 6)
    assert add_days(date(2026, 7, 2), 1, DayKind.WORKING, MASSACHUSETTS) == date(2026, 7, 3)


def test_new_years_day_2028_is_observed_in_2027_in_connecticut() -> None:
    """seed 000 (CT): 1 January 2028 is a Saturday; Connecticut observes it on Friday
    31 December 2027, a day that belongs to the previous year's holiday list."""
    assert CONNECTICUT.holidays_between(date(2027, 12, 20), date(2028, 1, 5)) == {
        date(2027, 12, 24): "Christmas Day (observed)",
        date(2027, 12, 25): "Christmas Day",
        date(2027, 12, 31): "New Year's Day (observed)",
        date(2028, 1, 1): "New Year's Day",
    }
    assert add_days(date(2027, 12, 23), 1, DayKind.WORKING, CONNECTICUT) == date(2027, 12, 27)
    assert add_days(date(2027, 12, 30), 1, DayKind.WORKING, CONNECTICUT) == date(2028, 1, 3)


def test_wisconsin_has_christmas_eve_as_a_state_holiday() -> None:
    """seed 001 (Milwaukee, WI): ``holidays`` lists Christmas Eve and New Year's Eve as
    Wisconsin state holidays, so Thursday 24 December 2026 is not a working day there (it is in
    Massachusetts)."""
    assert not WISCONSIN.is_working_day(date(2026, 12, 24))
    assert MASSACHUSETTS.is_working_day(date(2026, 12, 24))
    assert add_days(date(2026, 12, 23), 1, DayKind.WORKING, WISCONSIN) == date(2026, 12, 28)


# --- calendar days ------------------------------------------------------------------------


def test_60_calendar_days_in_a_leap_year() -> None:
    """seed 000: the evaluation is due not later than 60 days after completion; February 2024
    has 29 days."""
    assert add_days(date(2024, 1, 15), 60, DayKind.CALENDAR, CONNECTICUT) == date(2024, 3, 15)


def test_60_calendar_days_in_a_common_year() -> None:
    """seed 000: 60 days after completion; February 2023 has 28 days."""
    assert add_days(date(2023, 1, 15), 60, DayKind.CALENDAR, CONNECTICUT) == date(2023, 3, 16)


def test_calendar_days_are_not_rolled_off_a_holiday_or_weekend() -> None:
    """seed 002 stage 8: 14 days to appeal; the due date stays on Saturday 26 December 2026
    (Boxing Day) — calendar deadlines never roll."""
    assert add_days(date(2026, 12, 12), 14, DayKind.CALENDAR, ENGLAND) == date(2026, 12, 26)


def test_calendar_days_ignore_closure_days() -> None:
    """seed 004: debriefing requests within 14 days count calendar days, closures or not."""
    closed = WorkingCalendar("US", "MA", frozenset({date(2027, 6, 25)}))
    assert add_days(date(2027, 6, 21), 14, DayKind.CALENDAR, closed) == date(2027, 7, 5)


# --- closure days -------------------------------------------------------------------------


def test_closure_days_are_not_working_days() -> None:
    """DOMAIN.md §4: a pack's calendar adds agency closure days; seed 002 stage 2 counting."""
    closed = WorkingCalendar(
        "GB", "ENG", frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
    )
    assert not closed.is_working_day(date(2026, 12, 30))
    assert add_days(date(2026, 12, 10), 20, DayKind.WORKING, closed) == date(2027, 1, 15)
    assert working_days_between(date(2026, 12, 10), date(2027, 1, 15), closed) == 20


def test_closure_days_are_named_agency_closure() -> None:
    """DOMAIN.md §4: closure days are listed with the public holidays."""
    closed = WorkingCalendar("GB", "ENG", frozenset({date(2026, 12, 24), date(2026, 12, 25)}))
    assert closed.holidays_between(date(2026, 12, 24), date(2026, 12, 28)) == {
        date(2026, 12, 24): "Agency closure",
        date(2026, 12, 25): "Christmas Day; Agency closure",
        date(2026, 12, 26): "Boxing Day",
        date(2026, 12, 28): "Boxing Day (observed)",
    }


def test_closure_days_may_be_given_as_a_list() -> None:
    """DOMAIN.md §4: closure days are stored as a frozenset so the calendar stays hashable."""
    closed = WorkingCalendar("GB", "ENG", [date(2026, 12, 24)])  # type: ignore[arg-type]
    assert closed.closure_days == frozenset({date(2026, 12, 24)})
    assert hash(closed) == hash(WorkingCalendar("GB", "ENG", frozenset({date(2026, 12, 24)})))


def test_closure_days_must_be_dates() -> None:
    """DOMAIN.md §4: closure days are dates."""
    with pytest.raises(ValueError, match="closure day must be a date"):
        WorkingCalendar("GB", "ENG", frozenset({"2026-12-24"}))  # type: ignore[arg-type]


# --- edges --------------------------------------------------------------------------------


def test_zero_working_days_returns_the_start_even_on_a_holiday() -> None:
    """seed 002 stage 2 counting: X itself is not counted, so N=0 is X."""
    assert add_days(date(2026, 12, 25), 0, DayKind.WORKING, ENGLAND) == date(2026, 12, 25)
    assert add_days(date(2026, 12, 25), 0, DayKind.CALENDAR, ENGLAND) == date(2026, 12, 25)


def test_one_working_day_from_a_weekend_start() -> None:
    """seed 002 stage 2 counting: from Saturday 26 December 2026 the first working day in
    England is Tuesday 29 December (Monday is Boxing Day observed)."""
    assert add_days(date(2026, 12, 26), 1, DayKind.WORKING, ENGLAND) == date(2026, 12, 29)


def test_one_working_day_over_a_weekend() -> None:
    """seed 002 stage 2 counting: Friday 6 March 2026 + 1 working day is Monday 9 March."""
    assert add_days(date(2026, 3, 6), 1, DayKind.WORKING, ENGLAND) == date(2026, 3, 9)


def test_negative_days_are_refused() -> None:
    """seed 002 stage 2: a deadline counts forward; negative days are an input error."""
    with pytest.raises(ValueError, match="days must be 0 or more, not -1"):
        add_days(date(2026, 12, 1), -1, DayKind.WORKING, ENGLAND)
    with pytest.raises(ValueError, match="days must be 0 or more"):
        DeadlineRule(key="x", label="X", days=-5, kind=DayKind.CALENDAR, source="seed 000")


@pytest.mark.parametrize("days", [True, 1.5, "20", None])
def test_days_must_be_a_whole_number(days: object) -> None:
    """seed 002 stage 2: days are whole days."""
    with pytest.raises(ValueError, match="days must be a whole number"):
        add_days(date(2026, 12, 1), days, DayKind.WORKING, ENGLAND)  # type: ignore[arg-type]


def test_kind_may_be_a_string_but_must_be_known() -> None:
    """seed 002 stages 2 and 8: working and calendar days are the only kinds."""
    assert add_days(date(2026, 12, 10), 20, "working", ENGLAND) == date(2027, 1, 12)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind must be one of 'calendar', 'working'"):
        add_days(date(2026, 12, 10), 20, "business", ENGLAND)  # type: ignore[arg-type]


def test_a_datetime_is_not_a_date() -> None:
    """STYLE.md: dates that are dates stay ``date``; a datetime is a caller bug."""
    with pytest.raises(ValueError, match="start must be a date, not datetime"):
        add_days(datetime(2026, 12, 1, 9, 0), 1, DayKind.WORKING, ENGLAND)  # type: ignore[arg-type]


def test_far_future_dates_raise_value_error() -> None:
    """Input validation: a result past 9999-12-31 is a clear ValueError."""
    with pytest.raises(ValueError, match="too far"):
        add_days(date(9999, 12, 1), 60, DayKind.CALENDAR, ENGLAND)


@pytest.mark.parametrize(
    ("country", "subdivision", "message"),
    [
        ("GB", "XX", "unknown subdivision 'XX' for country 'GB'"),
        ("XX", None, "unknown country 'XX'"),
        ("gb", "ENG", "unknown country 'gb'"),
        ("US", "ENG", "unknown subdivision 'ENG' for country 'US'"),
    ],
)
def test_unknown_country_or_subdivision_is_refused(
    country: str, subdivision: str | None, message: str
) -> None:
    """DOMAIN.md §4: the calendar is a country and region that ``holidays`` knows."""
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(country, subdivision)


def test_national_calendar_without_subdivision() -> None:
    """DOMAIN.md §4: subdivision None means national holidays only (no 2 January in GB)."""
    national = WorkingCalendar("GB", None)
    assert national.is_working_day(date(2027, 1, 4))
    assert not national.is_working_day(date(2026, 12, 28))


def test_holidays_between_refuses_a_reversed_range() -> None:
    """Input validation: end before start is a caller bug."""
    with pytest.raises(ValueError, match="end 2026-11-30 is before start 2026-12-01"):
        ENGLAND.holidays_between(date(2026, 12, 1), date(2026, 11, 30))


def test_holiday_lookups_are_cached() -> None:
    """Design: holiday look-ups are cached per (country, subdivision, year)."""
    ENGLAND.is_working_day(date(2031, 5, 5))
    before = deadlines._public_holidays.cache_info()
    for day in range(1, 29):
        ENGLAND.is_working_day(date(2031, 2, day))
    after = deadlines._public_holidays.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 20  # weekends are decided without a look-up


# --- days remaining and working days between ----------------------------------------------


def test_days_remaining_positive_zero_and_negative() -> None:
    """seed 000: the oversight body sees how many days remain, and which evaluations are late."""
    due = date(2026, 3, 15)
    assert days_remaining(due=due, today=date(2026, 3, 1)) == 14
    assert days_remaining(due=due, today=date(2026, 3, 15)) == 0
    assert days_remaining(due=due, today=date(2026, 3, 18)) == -3


def test_days_remaining_across_a_leap_day() -> None:
    """seed 000: calendar days, 29 February 2028 included."""
    assert days_remaining(due=date(2028, 3, 1), today=date(2028, 2, 28)) == 2


def test_working_days_between_edges() -> None:
    """seed 002 stage 2 counting: after start, up to and including end."""
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 6), ENGLAND) == 0
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 8), ENGLAND) == 0  # weekend
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9), ENGLAND) == 1
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 6), ENGLAND) == -1
    assert working_days_between(date(2027, 1, 12), date(2026, 12, 10), ENGLAND) == -20


def test_working_days_between_is_the_inverse_of_add_days() -> None:
    """seed 002 stages 2 and 7: counting back the days that produced a due date."""
    for calendar in (ENGLAND, SCOTLAND, MASSACHUSETTS):
        for offset in range(0, 40, 3):
            start = date(2026, 12, 1) + timedelta(days=offset)
            for days in (0, 1, 5, 20):
                due = add_days(start, days, DayKind.WORKING, calendar)
                assert working_days_between(start, due, calendar) == days
                assert due == start or calendar.is_working_day(due)


# --- rules and deadlines ------------------------------------------------------------------


def test_compute_deadline_keeps_rule_and_pack() -> None:
    """seed 002 stage 2: the deadline is stored with the rule that produced it."""
    deadline = compute_deadline(
        start=date(2026, 12, 1), rule=SELF_ASSESSMENT, calendar=ENGLAND, pack="west-london-sp"
    )
    assert deadline == Deadline(
        start=date(2026, 12, 1), due=date(2026, 12, 31), rule=SELF_ASSESSMENT, pack="west-london-sp"
    )
    assert deadline.explain() == (
        "20 working days from 2026-12-01 "
        "(rule self_assessment, pack west-london-sp, seed 002 stage 2)"
    )


def test_explain_says_day_for_one_day() -> None:
    """seed 004: the explanation reads naturally for a one-day rule."""
    rule = DeadlineRule(key="x", label="X", days=1, kind="calendar", source="Steward default")  # type: ignore[arg-type]
    deadline = compute_deadline(start=date(2027, 7, 2), rule=rule, calendar=MASSACHUSETTS, pack="p")
    assert deadline.due == date(2027, 7, 3)
    assert deadline.explain() == (
        "1 calendar day from 2027-07-02 (rule x, pack p, Steward default)"
    )


def test_deadline_rule_stores_kind_as_day_kind() -> None:
    """seed 002 stage 8: "14 days" is a calendar-day rule."""
    rule = DeadlineRule(key="a", label="A", days=14, kind="calendar", source="seed 002 stage 8")  # type: ignore[arg-type]
    assert rule.kind is DayKind.CALENDAR


@pytest.mark.parametrize("field", ["key", "label", "source"])
def test_deadline_rule_needs_key_label_and_source(field: str) -> None:
    """DOMAIN.md §4: every figure names its source."""
    values = {"key": "a", "label": "A", "days": 1, "kind": DayKind.WORKING, "source": "seed 002"}
    values[field] = " "
    with pytest.raises(ValueError, match=f"{field} must be a non-empty string"):
        DeadlineRule(**values)  # type: ignore[arg-type]


def test_deadline_due_before_start_is_refused() -> None:
    """Invariant: a deadline is never before its start."""
    with pytest.raises(ValueError, match="due 2026-11-30 is before start 2026-12-01"):
        Deadline(start=date(2026, 12, 1), due=date(2026, 11, 30), rule=SELF_ASSESSMENT, pack="p")


def test_compute_deadline_needs_a_pack_slug() -> None:
    """DOMAIN.md §4: deadlines are stored with the pack that produced them."""
    with pytest.raises(ValueError, match="pack must be a non-empty pack slug"):
        compute_deadline(start=date(2026, 12, 1), rule=SELF_ASSESSMENT, calendar=ENGLAND, pack="")


# --- months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        # month ends: the day is kept when the month has it, else the month's last day
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),  # not "the month end again"
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        # leap days
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2028, 2, 29), -12, date(2027, 2, 28)),
        (date(2000, 2, 29), 1200, date(2100, 2, 28)),  # 2100 is not a leap year
        # year boundaries, both ways
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 12, 15), 13, date(2028, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 31), -2, date(2025, 11, 30)),
        (date(2026, 3, 15), -15, date(2024, 12, 15)),
        (date(2026, 3, 15), -12, date(2025, 3, 15)),
        (date(2026, 3, 15), -36, date(2023, 3, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(
    day: date, months: int, expected: date
) -> None:
    """seed 002 stage 7 (actions due 3, 6 or 12 months after the letter), seed 003 (six-monthly
    review meetings), reporting periods: whole months, the month end when the day is missing."""
    assert add_months(day, months) == expected


def test_add_months_seed_002_action_horizons_from_a_month_end() -> None:
    """seed 002 stage 7: an action plan "for next 3/6/12 months" from a letter of 30 November."""
    letter = date(2025, 11, 30)
    assert [add_months(letter, m) for m in (3, 6, 12)] == [
        date(2026, 2, 28),
        date(2026, 5, 30),
        date(2026, 11, 30),
    ]


def test_add_months_back_and_forth_need_not_return_the_day() -> None:
    """The clamp loses the day: 31 March back one month and on one is 28 March."""
    assert add_months(add_months(date(2026, 3, 31), -1), 1) == date(2026, 3, 28)
    # but from a day every month has, it is exact
    for months in range(-30, 31):
        assert add_months(add_months(date(2026, 3, 28), months), -months) == date(2026, 3, 28)


def _add_months_by_trying(day: date, months: int) -> date:
    """The implementation the monitoring area had: try the day, then the days before it."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    d = day.day
    while True:
        try:
            return date(year, month0 + 1, d)
        except ValueError:
            d -= 1


def test_add_months_agrees_with_the_copies_it_replaces() -> None:
    """Every day of 2027 and 2028 (a leap year), moved 25 months either way."""
    day = date(2027, 1, 1)
    while day.year < 2029:
        for months in range(-25, 26):
            assert add_months(day, months) == _add_months_by_trying(day, months), (day, months)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "months", "message"),
    [
        (datetime(2026, 1, 31, 12), 1, "day must be a date, not datetime"),
        ("2026-01-31", 1, "day must be a date, not str"),
        (date(2026, 1, 31), 1.0, "months must be a whole number, not 1.0"),
        (date(2026, 1, 31), True, "months must be a whole number, not True"),
        (date(9999, 12, 1), 1, "9999-12-01 moved by 1 months is out of range"),
        (date(1, 1, 31), -1, "0001-01-31 moved by -1 months is out of range"),
    ],
)
def test_add_months_refuses_bad_input(day: object, months: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        add_months(day, months)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 10), date(2026, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2100, 2, 1), date(2100, 2, 28)),
        (date(2000, 2, 1), date(2000, 2, 29)),
        (date(2026, 4, 30), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_month_end(day: date, expected: date) -> None:
    assert month_end(day) == expected


def test_month_end_refuses_a_datetime() -> None:
    with pytest.raises(ValueError, match="day must be a date, not datetime"):
        month_end(datetime(2026, 2, 1, 9))  # type: ignore[arg-type]
