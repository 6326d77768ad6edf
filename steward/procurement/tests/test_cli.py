"""`steward procurement due`."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

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
    assert _run("--agency", "other") == "Nothing due.\n"
