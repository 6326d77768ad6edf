"""The rules of the register's two reports, in plain Python (no Django).

- **Expiring contracts** (seed 000: the Connecticut database of contracts and their end dates):
  a contract not yet ended — executed or active — whose end date falls from the as-of date to
  as-of + DAYS, both days included; with the days left and the renewal options left.
- **Annual POS and PSA report** (seed 000: the yearly report to the legislature): per agency,
  the contracts active at any time in the fiscal year — executed, started on or before its last
  day and not ended (or terminated) before its first — counted and valued by type, POS and PSA
  first; and the contracts that will end in the following fiscal year. The fiscal year comes
  from the agency's pack (July 1 for CT and MA, April 1 for the UK packs).
- **A contract on a date** (issue 18): the reports are computed as of their date, not from
  today's status. A contract's state on a day follows from its dates, amendments and status
  history: its end date and maximum obligation on that day are those before the first
  amendment that took effect after it; it was live (executed or active) once executed (its
  execution date, or its status history, says so by that day) until it ended — terminated or
  completed on or before the day, or its end date on that day passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

REPORTED_TYPES = ("pos", "psa")  # the annual report's two columns (seed 000)
TYPE_LABELS = {"pos": "Purchase of service (POS)", "psa": "Personal service agreement (PSA)"}


def expiring_window(as_of: date, within_days: int) -> tuple[date, date]:
    """First and last end date (inclusive) of contracts expiring within `within_days`."""
    if within_days < 0:
        raise ValueError("the window cannot be negative")
    return as_of, as_of + timedelta(days=within_days)


def is_expiring(end_date: date, status: str, *, as_of: date, within_days: int) -> bool:
    first, last = expiring_window(as_of, within_days)
    return status in ("executed", "active") and first <= end_date <= last


def days_left(end_date: date, as_of: date) -> int:
    """Days from the as-of date to the end date (0 on the last day)."""
    return (end_date - as_of).days


def options_left(renewal_options: int, renewals_exercised: int) -> int:
    return max(0, renewal_options - renewals_exercised)


def effective_end(end_date: date, terminated_on: date | None) -> date:
    """The last day a contract ran: its termination date when it was terminated early."""
    return min(end_date, terminated_on) if terminated_on else end_date


def active_in(
    start_date: date,
    end_date: date,
    terminated_on: date | None,
    status: str,
    *,
    first: date,
    last: date,
) -> bool:
    """True when an executed contract ran on at least one day of [first, last]."""
    if status == "draft":
        return False
    return start_date <= last and effective_end(end_date, terminated_on) >= first


LIVE_STATUSES = ("executed", "active")


@dataclass(frozen=True)
class AmendmentOn:
    """What an amendment changed and from when (its `effective_on`)."""

    effective_on: date
    sequence: int
    previous_end_date: date
    previous_maximum_obligation: Decimal


@dataclass(frozen=True)
class StateOn:
    """A contract on one day: its status, end date and maximum obligation that day."""

    day: date
    status: str
    end_date: date
    maximum_obligation: Decimal

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


def terms_on(
    day: date,
    *,
    end_date: date,
    maximum_obligation: Decimal,
    amendments: Sequence[AmendmentOn],
) -> tuple[date, Decimal]:
    """The end date and maximum obligation on `day`: today's, unless an amendment took effect
    after `day` — then the values before the first such amendment (by effective date, then
    sequence)."""
    later = sorted((a for a in amendments if a.effective_on > day), key=_amendment_order)
    if not later:
        return end_date, maximum_obligation
    return later[0].previous_end_date, later[0].previous_maximum_obligation


def _amendment_order(a: AmendmentOn) -> tuple[date, int]:
    return a.effective_on, a.sequence


def status_on(
    day: date,
    *,
    status: str,
    start_date: date,
    end_date_then: date,
    executed_on: date | None,
    executed_by_history: bool,
    completed_on: date | None,
    terminated_on: date | None,
) -> str:
    """The contract's status on `day`.

    Draft until executed: executed when its execution date is on or before `day`, or its
    status history shows it executed by then (an import records a contract that starts later
    as executed today, with its start date as the execution date). Then terminated or
    completed from the day recorded (a contract terminated on `day` is not live on it),
    expired once its end date on that day has passed, otherwise executed before its start
    date and active from it. A contract still in draft today was a draft on every day."""
    executed = status != "draft" and (
        (executed_on is not None and executed_on <= day) or executed_by_history
    )
    if not executed:
        return "draft"
    if terminated_on is not None and terminated_on <= day:
        return "terminated"
    if completed_on is not None and completed_on <= day:
        return "completed"
    if end_date_then < day:
        return "expired"
    return "active" if start_date <= day else "executed"


@dataclass
class TypeTotal:
    contract_type: str
    count: int = 0
    value: Decimal = Decimal("0.00")
    label: str = ""


@dataclass
class AgencyYear:
    """One agency's line of the annual report."""

    agency: str
    fiscal_year: int
    first_day: date
    last_day: date
    by_type: dict[str, TypeTotal] = field(default_factory=dict)
    expiring_next_year: int = 0
    expiring_next_year_value: Decimal = Decimal("0.00")

    def add(self, contract_type: str, count: int, value: Decimal) -> None:
        total = self.by_type.setdefault(contract_type, TypeTotal(contract_type))
        total.count += count
        total.value += value

    @property
    def reported(self) -> list[TypeTotal]:
        """POS and PSA, always present (zero when the agency had none)."""
        return [self.by_type.get(t, TypeTotal(t)) for t in REPORTED_TYPES]

    @property
    def others(self) -> list[TypeTotal]:
        return [t for k, t in sorted(self.by_type.items()) if k not in REPORTED_TYPES]

    @property
    def total_count(self) -> int:
        return sum(t.count for t in self.by_type.values())

    @property
    def total_value(self) -> Decimal:
        return sum((t.value for t in self.by_type.values()), Decimal("0.00"))


def totals(lines: Iterable[AgencyYear]) -> AgencyYear | None:
    """All agencies' lines added up (None when there are none). Fiscal years may differ by
    pack, so the total's dates are those of the first line."""
    lines = list(lines)
    if not lines:
        return None
    first = lines[0]
    total = AgencyYear("All agencies", first.fiscal_year, first.first_day, first.last_day)
    for line in lines:
        for t in line.by_type.values():
            total.add(t.contract_type, t.count, t.value)
        total.expiring_next_year += line.expiring_next_year
        total.expiring_next_year_value += line.expiring_next_year_value
    return total
