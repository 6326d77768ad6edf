"""A person's work list: every open due date they must act on, in plain words, grouped overdue
/ this week / later, each with the days left in its agency's own time zone and a link to the
page where it is done. The home page, `GET /api/v1/me/work`, the calendar and the iCalendar
feed all read it, so they hold exactly the same items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.utils import timezone

from steward.contracts.due_kinds import KINDS, Nature
from steward.contracts.models import DueDate
from steward.contracts.selectors_due_dates import owed_open
from steward.contracts.services_due_dates import due_page


class Group(StrEnum):
    OVERDUE = "overdue"
    THIS_WEEK = "this_week"
    LATER = "later"


GROUP_TITLES = {
    Group.OVERDUE: "Overdue",
    Group.THIS_WEEK: "Due this week",
    Group.LATER: "Later",
}


@dataclass(frozen=True)
class WorkItem:
    """One thing a person must do."""

    due: DueDate
    #: what to do, in a sentence: "Submit the return for DCF-24-001"
    todo: str
    #: what kind of thing it is: "Return"
    kind_name: str
    due_date: date
    #: calendar days from the agency's today to the due date (negative: overdue)
    days_left: int
    group: Group
    #: the page where it is done ("" if none)
    url: str
    #: how the date was worked out: "20 working days from 31 Mar 2026"
    how: str
    #: a window (to appeal, to comment) may be left unused; an obligation may not
    optional: bool

    @property
    def sentence(self) -> str:
        """The whole sentence: what to do and by when."""
        return f"{self.todo} by {self.due_date:%-d %B %Y}"


def _group(days_left: int) -> Group:
    if days_left < 0:
        return Group.OVERDUE
    if days_left < 7:
        return Group.THIS_WEEK
    return Group.LATER


def work_items(*, user: Any, now: datetime | None = None) -> list[WorkItem]:
    """Everything `user` must act on, soonest first. Two queries (the due dates with their
    contract, agency and pack; nothing else), whatever their number."""
    now = now or timezone.now()
    todays: dict[int, date] = {}
    items = []
    for due in owed_open(user=user):
        kind = KINDS[due.kind]
        if due.agency_id not in todays:
            todays[due.agency_id] = due.agency.today(now)
        days_left = (due.due_date - todays[due.agency_id]).days
        items.append(
            WorkItem(
                due=due,
                todo=kind.sentence(
                    contract=due.contract.number if due.contract is not None else "",
                    agency=due.agency.name,
                ),
                kind_name=kind.name,
                due_date=due.due_date,
                days_left=days_left,
                group=_group(days_left),
                url=due_page(due),
                how=due.explain(),
                optional=kind.nature == Nature.WINDOW,
            )
        )
    return items


def work_count(*, user: Any) -> int:
    """How many open items `user` must act on (one query)."""
    return owed_open(user=user).count()


def grouped(items: list[WorkItem]) -> list[tuple[Group, str, list[WorkItem]]]:
    """`items` in the three groups, in order, each with its title (empty groups kept)."""
    return [(g, GROUP_TITLES[g], [i for i in items if i.group == g]) for g in Group]


@dataclass(frozen=True)
class GroupPreview:
    """A group of the work list as the home page shows it: the first few items and the count."""

    group: Group
    title: str
    items: list[WorkItem]
    total: int

    @property
    def more(self) -> int:
        """How many items of the group are not shown (on the full work list instead)."""
        return self.total - len(self.items)


def previews(items: list[WorkItem], limit: int) -> list[GroupPreview]:
    """The three groups, each cut to its first `limit` items (soonest first)."""
    return [
        GroupPreview(group=g, title=title, items=group_items[:limit], total=len(group_items))
        for g, title, group_items in grouped(items)
    ]
