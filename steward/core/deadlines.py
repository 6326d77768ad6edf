"""The deadline engine: when is something due, and how many days are left.

Pure rules: plain ``date`` values in, plain values out, no Django and no "today" of its own.

How a deadline is counted
-------------------------
* **Calendar days** — "within N calendar days of X" (seed 000: "not later than 60 days after";
  seed 002 stage 8: "14 days to appeal"; seed 004: "within 14 days of ...") is ``X + N`` days.
  The due date is never rolled forward, even when it falls on a weekend or a public holiday.
* **Working days** — "within N working days of X" (seed 002 stages 2 and 7: "20 working days")
  is the N-th working day *after* X. X itself is not counted, so N=1 is the next working day and
  N=0 returns X unchanged (even when X is not a working day).
* A **working day** is Monday to Friday, not a public holiday of the calendar's country and
  subdivision, and not one of the agency's closure days. Public holidays come from the
  ``holidays`` library, ``holidays.country_holidays(country, subdiv=..., observed=True)``, so
  they include observed and substitute days ("Boxing Day (observed)" on Monday 28 December 2026
  in England; "New Year Holiday (observed)" on Monday 4 January 2027 in Scotland). Whether a
  Saturday holiday gets a Friday off is the library's call per state: in 0.109, Connecticut and
  Wisconsin observe Independence Day 2026 on Friday 3 July, Massachusetts does not (MA moves
  only Sunday holidays to the Monday).
* ``days_remaining`` counts calendar days from today to the due date: positive while there is
  time, 0 on the due date, negative when overdue.
* ``working_days_between(start, end)`` counts the working days after ``start`` up to and
  including ``end``; it is the inverse of ``add_days(..., WORKING, ...)`` and is negative
  (``-working_days_between(end, start)``) when ``end`` is before ``start``.
* **Months** — "3, 6 or 12 months after X" (seed 002 stage 7's action plans, seed 003's review
  meetings, reporting periods) is ``add_months(X, n)``: the same day of the month n months on,
  or that month's last day when it is shorter (31 January + 1 month is 28 February, 29 in a
  leap year). ``n`` may be negative. ``month_end(X)`` is the last day of X's month.

Holiday look-ups are cached per (country, subdivision, year) with ``functools.lru_cache``.
Bad input (negative days, an unknown country or subdivision, a start after the due date) raises
``ValueError`` with a message that says what was wrong.
"""

from __future__ import annotations

import functools
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "CLOSURE_NAME",
    "DayKind",
    "Deadline",
    "DeadlineRule",
    "WorkingCalendar",
    "add_days",
    "add_months",
    "compute_deadline",
    "days_remaining",
    "month_end",
    "working_days_between",
]

#: The name ``holidays_between`` gives an agency closure day.
CLOSURE_NAME = "Agency closure"

_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6


class DayKind(StrEnum):
    """Whether a deadline counts calendar days or working days."""

    CALENDAR = "calendar"
    WORKING = "working"


def _check_date(value: object, name: str) -> date:
    # datetime is a subclass of date; a datetime here is a caller bug (timezone ambiguity).
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, not {type(value).__name__}")
    return value


def _check_days(days: object, name: str = "days") -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError(f"{name} must be a whole number, not {days!r}")
    if days < 0:
        raise ValueError(f"{name} must be 0 or more, not {days}")
    return days


def _check_kind(kind: object) -> DayKind:
    if isinstance(kind, str) and kind in DayKind._value2member_map_:
        return DayKind(kind)
    allowed = ", ".join(repr(k.value) for k in DayKind)
    raise ValueError(f"kind must be one of {allowed}, not {kind!r}")


@functools.lru_cache(maxsize=256)
def _validate_region(country: str, subdivision: str | None) -> None:
    """Raise ValueError unless ``holidays`` knows the country and (if given) the subdivision."""
    supported = holidays.list_supported_countries(include_aliases=False)
    if country not in supported:
        raise ValueError(f"unknown country {country!r}: use an ISO 3166 code such as 'US' or 'GB'")
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country])
        raise ValueError(
            f"unknown subdivision {subdivision!r} for country {country!r}; known: {known}"
        )


@functools.lru_cache(maxsize=1024)
def _public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """Return the public holidays (with observed/substitute days) that fall in ``year``.

    The neighbouring years are computed too because an observed day can fall in the year
    before its holiday (New Year's Day 2028, a Saturday, is observed on Friday 31 December 2027
    in Connecticut); only dates inside ``year`` are kept. Read-only and cached.
    """
    calendar = holidays.country_holidays(
        country,
        subdiv=subdivision,
        years=range(max(date.min.year, year - 1), min(date.max.year, year + 1) + 1),
        observed=True,
    )
    # Copy into a plain dict: a holidays object grows itself when asked about another year.
    in_year = {day: name for day, name in calendar.items() if day.year == year}
    return MappingProxyType(dict(sorted(in_year.items())))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: weekdays minus public holidays minus closure days.

    ``country`` is an ISO 3166 code known to ``holidays`` ("US", "GB"); ``subdivision`` its
    region code ("CT", "MA", "WI"; "ENG", "SCT") or None for national holidays only.
    ``closure_days`` are extra non-working days of the agency; any iterable of dates is
    accepted and stored as a frozenset. Raises ValueError for an unknown country/subdivision.
    """

    country: str
    subdivision: str | None
    closure_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not isinstance(self.country, str):
            raise ValueError(f"country must be a string, not {self.country!r}")
        if self.subdivision is not None and not isinstance(self.subdivision, str):
            raise ValueError(f"subdivision must be a string or None, not {self.subdivision!r}")
        _validate_region(self.country, self.subdivision)
        closures: Iterable[object] = self.closure_days
        if isinstance(closures, str | bytes) or not isinstance(closures, Iterable):
            raise ValueError("closure_days must be a collection of dates")
        checked = frozenset(_check_date(day, "each closure day") for day in closures)
        object.__setattr__(self, "closure_days", checked)

    def _holidays_in_year(self, year: int) -> Mapping[date, str]:
        return _public_holidays(self.country, self.subdivision, year)

    def holidays_between(self, start: date, end: date) -> dict[date, str]:
        """Return the non-working holidays from ``start`` to ``end`` inclusive, by date.

        Public holidays (with observed/substitute days, named as ``holidays`` names them, e.g.
        "Boxing Day (observed)") plus closure days, named "Agency closure" (a closure day that
        is also a public holiday is named "<holiday>; Agency closure"). Weekend holidays are
        included as the library lists them. Empty when there are none; ValueError when
        ``end`` is before ``start``.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        found: dict[date, str] = {}
        for year in range(start.year, end.year + 1):
            for day, name in self._holidays_in_year(year).items():
                if start <= day <= end:
                    found[day] = name
        for day in self.closure_days:
            if start <= day <= end:
                found[day] = f"{found[day]}; {CLOSURE_NAME}" if day in found else CLOSURE_NAME
        return dict(sorted(found.items()))

    def is_working_day(self, day: date) -> bool:
        """Return True when ``day`` is Monday to Friday and not a holiday or closure day."""
        _check_date(day, "day")
        if day.weekday() >= _SATURDAY or day in self.closure_days:
            return False
        return day not in self._holidays_in_year(day.year)


def _check_calendar(calendar: object) -> None:
    if not isinstance(calendar, WorkingCalendar):
        raise ValueError(f"calendar must be a WorkingCalendar, not {type(calendar).__name__}")


@dataclass(frozen=True)
class DeadlineRule:
    """One deadline of a policy pack: ``days`` calendar or working days from a start event.

    ``source`` says where the figure comes from ("seed 002 stage 2", "Steward default").
    ``kind`` may be given as a string ("working") and is stored as a DayKind. Raises
    ValueError for an empty key/label/source, negative days or an unknown kind.
    """

    key: str
    label: str
    days: int
    kind: DayKind
    source: str

    def __post_init__(self) -> None:
        for name in ("key", "label", "source"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, not {value!r}")
        _check_days(self.days)
        object.__setattr__(self, "kind", _check_kind(self.kind))


@dataclass(frozen=True)
class Deadline:
    """A computed due date, kept with the rule and the pack that produced it."""

    start: date
    due: date
    rule: DeadlineRule
    pack: str

    def __post_init__(self) -> None:
        _check_date(self.start, "start")
        _check_date(self.due, "due")
        if self.due < self.start:
            raise ValueError(f"due {self.due.isoformat()} is before start {self.start.isoformat()}")
        if not isinstance(self.pack, str) or not self.pack:
            raise ValueError(f"pack must be a non-empty pack slug, not {self.pack!r}")

    def explain(self) -> str:
        """Return how the due date was reached, for people, e.g.
        "20 working days from 2026-12-01 (rule self_assessment, pack west-london-sp,
        seed 002 stage 2)"."""
        unit = "day" if self.rule.days == 1 else "days"
        return (
            f"{self.rule.days} {self.rule.kind.value} {unit} from {self.start.isoformat()} "
            f"(rule {self.rule.key}, pack {self.pack}, {self.rule.source})"
        )


def add_days(start: date, days: int, kind: DayKind, calendar: WorkingCalendar) -> date:
    """Return the date ``days`` calendar or working days after ``start``.

    Calendar: ``start + days`` (no rolling). Working: the ``days``-th working day after
    ``start``, not counting ``start``; 0 returns ``start``. Raises ValueError for negative or
    non-integer days, an unknown kind, or a result beyond the last representable date.
    """
    _check_date(start, "start")
    _check_days(days)
    kind = _check_kind(kind)
    _check_calendar(calendar)
    try:
        if kind is DayKind.CALENDAR:
            return start + timedelta(days=days)
        day = start
        remaining = days
        one_day = timedelta(days=1)
        while remaining:
            day += one_day
            if calendar.is_working_day(day):
                remaining -= 1
        return day
    except OverflowError:
        raise ValueError(f"{days} {kind.value} days from {start.isoformat()} is too far") from None


def compute_deadline(
    *, start: date, rule: DeadlineRule, calendar: WorkingCalendar, pack: str
) -> Deadline:
    """Return the Deadline ``rule`` gives for an event on ``start`` under ``calendar``.

    Raises ValueError for a bad start, rule, calendar or pack slug.
    """
    if not isinstance(rule, DeadlineRule):
        raise ValueError(f"rule must be a DeadlineRule, not {type(rule).__name__}")
    due = add_days(start, rule.days, rule.kind, calendar)
    return Deadline(start=start, due=due, rule=rule, pack=pack)


def days_remaining(*, due: date, today: date) -> int:
    """Return the calendar days from ``today`` to ``due``: 0 on the day, negative when overdue."""
    _check_date(due, "due")
    _check_date(today, "today")
    return (due - today).days


def working_days_between(start: date, end: date, calendar: WorkingCalendar) -> int:
    """Return the number of working days after ``start`` up to and including ``end``.

    0 when ``end == start``; ``-working_days_between(end, start, calendar)`` when ``end`` is
    before ``start``. ``working_days_between(s, add_days(s, n, WORKING, cal), cal) == n``.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    _check_calendar(calendar)
    if end < start:
        return -working_days_between(end, start, calendar)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if calendar.is_working_day(start + timedelta(days=offset))
    )


def month_end(day: date) -> date:
    """Return the last day of ``day``'s month (29 February in a leap year)."""
    _check_date(day, "day")
    return day.replace(day=monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months`` calendar months (back when negative), on the same day
    of the month, or on the month's last day when that month is shorter: 31 January + 1 month
    is 28 February (29 in a leap year), 31 March - 1 month likewise, and 29 February + 12 months
    is 28 February. Moving back then forward need not return ``day`` (31 March - 1 + 1 is
    28 or 29 March).

    Raises ValueError for a ``day`` that is not a date, ``months`` that is not a whole number, or
    a result outside the years 1 to 9999.
    """
    _check_date(day, "day")
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError(f"months must be a whole number, not {months!r}")
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{day.isoformat()} moved by {months} months is out of range")
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


def local_date(moment: datetime, time_zone: str) -> date:
    """The calendar date at the aware datetime ``moment`` in the IANA zone ``time_zone``: an
    agency's "today". At 23:30 on 31 December in New York it is still 31 December there,
    although it is 1 January in UTC."""
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime (timezone.now()), not a naive one")
    return moment.astimezone(ZoneInfo(time_zone)).date()
