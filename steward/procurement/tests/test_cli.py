"""`steward procurement due`: the open debriefing_meeting and bid_appeal due dates (the same the
work list and the pages show), and the appeals pending decision."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services_due_dates import due_date_not_needed
from steward.procurement import services

from .conftest import NOTIFIED

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("procurement", "due", *args, stdout=out)
    return out.getvalue()


def test_due_lists_meetings_to_hold_with_overdue_marked(notified, bidder):
    """seed 004: the meeting is due within 14 days of the request."""
    assert _run("--agency", "scc") == "Nothing due.\n"
    services.debriefing_request(actor=bidder, bid=notified[2], requested_on=NOTIFIED)
    out = _run("--agency", "scc", "--today", (NOTIFIED + timedelta(days=15)).isoformat())
    assert "SCC-T-01" in out and "meeting due 2026-03-16 (OVERDUE)" in out
    assert "(OVERDUE)" not in _run("--agency", "scc", "--as-of", "2026-03-16")
    assert _run("--agency", "other") == "Nothing due.\n"


def test_due_reads_the_due_dates_as_the_work_list_does(notified, bidder, officer):
    """A meeting's due date moved with the windows is listed at its new date; one marked not
    needed leaves the list; once held, the bidder's window to appeal is listed instead."""
    solicitation, _, lose = notified
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=NOTIFIED)
    services.solicitation_change_windows(
        actor=officer, solicitation=solicitation, request_days=None, meeting_days=21, reason="Leave"
    )
    assert "meeting due 2026-03-23" in _run("--agency", "scc")
    due = DueDate.objects.get(kind="debriefing_meeting", status=DueDateStatus.OPEN)
    due_date_not_needed(actor=officer, due=due, reason="The bidder withdrew", today=NOTIFIED)
    assert _run("--agency", "scc") == "Nothing due.\n"
    services.debriefing_meeting_record(
        actor=officer, request=request, held_on=date(2026, 3, 10), attendees="a", discussion="b"
    )
    out = _run("--agency", "scc")
    assert out == "may appeal  SCC-T-01  Harbor Youth Alliance  until 2026-03-24\n"
    services.appeal_lodge(
        actor=bidder,
        bid=lose,
        ground="fundamental_unfairness",
        statement="x",
        lodged_on=date(2026, 3, 12),
    )
    out = _run("--agency", "scc")
    assert "may appeal" not in out
    assert "appeal      SCC-T-01  Harbor Youth Alliance  lodged 2026-03-12" in out
