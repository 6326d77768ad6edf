"""A person's work list: every open due date they must act on, in plain words, grouped overdue
/ this week / later, each with the days left in its agency's own time zone and a link to the
page where it is done. The home page, `GET /api/v1/me/work`, the calendar and the iCalendar
feed all read it, so they hold exactly the same items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from steward.contracts.due_kinds import KINDS, Nature
from steward.contracts.models import DueDate
from steward.contracts.selectors_due_dates import owed_open
from steward.contracts.services_due_dates import due_page
from steward.core.deadlines import local_date
from steward.core.models import PolicyPack


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


def _item(due: DueDate, today: date) -> WorkItem:
    """The work item of `due`, counted from its agency's `today`."""
    kind = KINDS[due.kind]
    days_left = (due.due_date - today).days
    return WorkItem(
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


def _items(dues: Any, now: datetime) -> list[WorkItem]:
    todays: dict[int, date] = {}
    items = []
    for due in dues:
        if due.agency_id not in todays:
            todays[due.agency_id] = due.agency.today(now)
        items.append(_item(due, todays[due.agency_id]))
    return items


def work_items(*, user: Any, now: datetime | None = None) -> list[WorkItem]:
    """Everything `user` must act on, soonest first. Three queries (the due dates with their
    contract; the agencies; their packs), whatever their number. The home page and the work
    list read only what they show (`work_previews`, `work_group_page`)."""
    return _items(owed_open(user=user), now or timezone.now())


def group_expression(now: datetime) -> Case:
    """The group of a due date (overdue, this week, later) as a database expression, counted
    from its agency's own today (each pack's time zone) exactly as `_group` counts it in
    Python: one query groups, counts and cuts a work list of any size."""
    by_today: dict[date, list[int]] = {}
    for pack in PolicyPack.objects.only("pk", "rules"):
        by_today.setdefault(local_date(now, pack.parsed.time_zone), []).append(pack.pk)
    whens = []
    for today, pack_ids in sorted(by_today.items()):
        in_packs = Q(agency__pack_id__in=pack_ids)
        whens.append(When(in_packs & Q(due_date__lt=today), then=Value(Group.OVERDUE.value)))
        whens.append(
            When(
                in_packs & Q(due_date__lt=today + timedelta(days=7)),
                then=Value(Group.THIS_WEEK.value),
            )
        )
    return Case(*whens, default=Value(Group.LATER.value), output_field=CharField())


def work_previews(
    *, user: Any, limit: int, now: datetime | None = None
) -> tuple[list[GroupPreview], int]:
    """The home page's work list: the first `limit` items of each group with the group's count,
    and the count of every item. The database numbers the items of each group and counts them
    (window functions) over their ids, then reads whole only the 3 x `limit` shown, however
    many are open: at 1,000,000 contracts a manager owes thousands (docs/performance.md)."""
    now = now or timezone.now()
    ordered = [F("due_date").asc(), F("pk").asc()]
    # numbered and counted on narrow rows (ids); the few shown are then read whole
    ranked = (
        owed_open(user=user)
        .order_by()
        .annotate(work_group=group_expression(now))
        .annotate(
            position=Window(RowNumber(), partition_by=[F("work_group")], order_by=ordered),
            group_total=Window(Count("pk"), partition_by=[F("work_group")]),
        )
        .filter(position__lte=limit)
        .values_list("pk", "work_group", "group_total")
    )
    totals: dict[str, int] = {}
    shown: list[int] = []
    for pk, group, total in ranked:
        totals[group] = total
        shown.append(pk)
    items = _items(owed_open(user=user).filter(pk__in=shown), now) if shown else []
    previews = [
        GroupPreview(
            group=g,
            title=GROUP_TITLES[g],
            items=[i for i in items if i.group == g],
            total=totals.get(g.value, 0),
        )
        for g in Group
    ]
    return previews, sum(totals.values())


def work_group_query(
    *, user: Any, group: Group | None, now: datetime | None = None, grouping: Case | None = None
) -> QuerySet[DueDate]:
    """The open due dates `user` owes, of one group (or all), soonest first: a query to
    paginate; `work_page_items` turns a page of it into work items. `grouping` is
    `group_expression(now)` when the caller already has it (one query fewer)."""
    dues = owed_open(user=user)
    if group is not None:
        grouping = grouping if grouping is not None else group_expression(now or timezone.now())
        dues = dues.annotate(work_group=grouping).filter(work_group=group.value)
    return dues


def work_group_counts(
    *, user: Any, now: datetime | None = None, grouping: Case | None = None
) -> dict[Group, int]:
    """How many open due dates `user` owes in each group (every group named, 0 when empty):
    one query that groups and counts in the database, however many there are (and one for
    the packs' time zones unless `grouping`, `group_expression(now)`, is given)."""
    grouping = grouping if grouping is not None else group_expression(now or timezone.now())
    counted = (
        owed_open(user=user)
        .order_by()
        .annotate(work_group=grouping)
        .values("work_group")
        .annotate(n=Count("pk"))
        .values_list("work_group", "n")
    )
    totals = dict(counted)
    return {g: totals.get(g.value, 0) for g in Group}


def work_page_items(dues: Any, now: datetime | None = None) -> list[WorkItem]:
    """The work items of `dues` (a page of `work_group_query`)."""
    return _items(dues, now or timezone.now())


#: the navigation counts a person's work up to this many ("99+" past it)
NAV_COUNT_CAP = 99


@dataclass(frozen=True)
class NavCount:
    """The count the navigation shows beside Home: exact up to `NAV_COUNT_CAP`, then "99+"."""

    count: int
    capped: bool = False

    @classmethod
    def of(cls, counted: int) -> NavCount:
        """The navigation's count for `counted` items (counted up to `NAV_COUNT_CAP` + 1 or
        more)."""
        return cls(count=min(counted, NAV_COUNT_CAP), capped=counted > NAV_COUNT_CAP)

    def __str__(self) -> str:
        return f"{NAV_COUNT_CAP}+" if self.capped else str(self.count)


def nav_count(*, user: Any) -> NavCount:
    """The navigation's count of `user`'s open work, on every page: one query counting only up
    to `NAV_COUNT_CAP` + 1 (a manager at 1,000,000 contracts owes thousands, and counting them
    all cost 64 ms a page; docs/performance.md)."""
    return NavCount.of(owed_open(user=user).order_by()[: NAV_COUNT_CAP + 1].count())


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
