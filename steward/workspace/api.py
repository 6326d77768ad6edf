"""API: the caller's work list (GET /me/work)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from steward.core.errors import PermissionDeniedError
from steward.core.history import record_history
from steward.core.mail import absolute_url
from steward.core.schemas import READ_ERRORS, AuditEntryOut
from steward.parties.access_log import access_log, personal_data_read
from steward.workspace.selectors import (
    Group,
    group_expression,
    work_group_counts,
    work_group_query,
    work_page_items,
)

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
    count: int = Field(description="Every item the caller owes (of the group asked for, if any)")
    overdue: int = Field(description="Items overdue, whatever the group asked for")
    this_week: int = Field(description="Items due within seven days")
    later: int = Field(description="Items due later")
    limit: int = Field(description="The most items in this response")
    offset: int = Field(description="Items skipped before the first in this response")
    items: list[WorkItemOut] = Field(description="The items, soonest first")


#: items in one response unless the caller asks for fewer (or more, up to WORK_MAX_LIMIT)
WORK_DEFAULT_LIMIT = 100
WORK_MAX_LIMIT = 500


class WorkQuery(Schema):
    group: Group | None = Field(
        None, description="Only this group: overdue, this_week or later (default: all)"
    )
    limit: int = Field(
        WORK_DEFAULT_LIMIT,
        ge=1,
        le=WORK_MAX_LIMIT,
        description=f"The most items to return (1–{WORK_MAX_LIMIT})",
    )
    offset: int = Field(0, ge=0, description="Items to skip: the next page is offset + limit")


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
        "page where it is done. The home page and the calendar show the same items. "
        f"Paged: `limit` items (default {WORK_DEFAULT_LIMIT}, at most {WORK_MAX_LIMIT}) from "
        "`offset`, optionally of one `group`. `count` is every item of that group (of all "
        "groups without one), so a client knows when it has read them all; the three group "
        "counts are always of every item."
    ),
)
def my_work(request: HttpRequest, query: Query[WorkQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    now = timezone.now()
    grouping = group_expression(now)
    counts = work_group_counts(user=user, grouping=grouping)
    dues = work_group_query(user=user, group=query.group, grouping=grouping)
    items = work_page_items(dues[query.offset : query.offset + query.limit], now)
    return {
        "count": counts[query.group] if query.group else sum(counts.values()),
        **{group.value: n for group, n in counts.items()},
        "limit": query.limit,
        "offset": query.offset,
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


# ---------------------------------------------------------------- audit (issue 19 points 3, 4)


@router.get(
    "/history/{kind}/{record_id}",
    response={200: list[AuditEntryOut], **READ_ERRORS},
    tags=["history"],
    summary="A record's history",
    description="Who changed what on a concern, risk assessment, placement or payment "
    "(`kind`: concern, risk-assessment, placement, payment), newest first (at most 50), for "
    "whoever may read the record (404 otherwise), without the fields hidden from the caller "
    "(a provider never sees who raised a concern).",
)
def record_history_read(request: HttpRequest, kind: str, record_id: int) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    found = record_history(actor=actor, key=kind, pk=record_id)
    if found.personal_fields_shown:
        personal_data_read(
            actor=actor,
            kind=found.kind.key,
            records=[found.record],
            fields=found.personal_fields_shown,
            path=request.path,
            agency_id=found.agency_id,
        )
    return found.entries


class AccessLogOut(Schema):
    at: datetime
    user: str = Field(description="Username of who read")
    agency: str | None = Field(description="Slug of the agency whose records were read")
    kind: str = Field(description="placement or concern")
    record_ids: list[int]
    fields: list[str] = Field(description="The personal fields shown")
    path: str

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_agency(obj: Any) -> str | None:
        return obj.agency.slug if obj.agency_id else None


@router.get(
    "/access-log",
    response={200: list[AccessLogOut], **READ_ERRORS},
    tags=["history"],
    summary="Reads of service users' personal data",
    description="Who was shown placements' case references or complainants' details, when and "
    "where, newest first; filter by `agency` (slug). Administrators only (403 otherwise).",
)
@paginate(LimitOffsetPagination)
def access_log_index(request: HttpRequest, agency: str = "") -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not actor.has_perm("audit.view_access_log"):
        raise PermissionDeniedError("Only administrators may read the access log.")
    return access_log(actor=actor, agency=agency)
