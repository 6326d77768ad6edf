"""API: the caller's work list (GET /me/work)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from steward.core.mail import absolute_url
from steward.core.schemas import READ_ERRORS
from steward.workspace.selectors import GROUP_TITLES, work_items

router = Router()


class WorkItemOut(Schema):
    id: int = Field(description="The due date's id")
    kind: str = Field(description="The kind of due date (see docs/deadlines.md)")
    kind_name: str = Field(description="The kind in plain words, e.g. 'Return'")
    sentence: str = Field(description="What to do and by when, in plain words")
    todo: str = Field(description="What to do, without the date")
    due_date: date
    days_left: int = Field(
        description="Calendar days from today in the agency's time zone (negative: overdue)"
    )
    group: str = Field(description="overdue, this_week or later")
    optional: bool = Field(description="A window the person may leave unused (an appeal)")
    how: str = Field(description="How the date was worked out")
    url: str | None = Field(description="The page where it is done (absolute)")
    contract_id: int | None
    contract_number: str | None
    agency: str


class WorkOut(Schema):
    count: int
    overdue: int
    this_week: int
    later: int
    items: list[WorkItemOut]


def _number(contract: Any) -> str | None:
    return contract.number if contract is not None else None


@router.get(
    "/me/work",
    response={200: WorkOut, **READ_ERRORS},
    tags=["me"],
    summary="My work list",
    description=(
        "Everything the caller must do, soonest first: each open due date they must act on "
        "(by role and organisation, or named on it), with a plain sentence, the days left in "
        "its agency's own time zone, its group (overdue, this week, later) and a link to the "
        "page where it is done. The home page and the calendar show the same items."
    ),
)
def my_work(request: HttpRequest) -> Any:
    items = work_items(user=request.auth)  # type: ignore[attr-defined]
    counts = {group.value: sum(1 for i in items if i.group == group) for group in GROUP_TITLES}
    return {
        "count": len(items),
        **counts,
        "items": [
            {
                "id": item.due.pk,
                "kind": item.due.kind,
                "kind_name": item.kind_name,
                "sentence": item.sentence,
                "todo": item.todo,
                "due_date": item.due_date,
                "days_left": item.days_left,
                "group": item.group.value,
                "optional": item.optional,
                "how": item.how,
                "url": absolute_url(item.url) if item.url else None,
                "contract_id": item.due.contract_id,
                "contract_number": _number(item.due.contract),
                "agency": item.due.agency.name,
            }
            for item in items
        ],
    }
