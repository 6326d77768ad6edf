"""`steward send-reminders [--as-of DATE]` (issue 6): the daily run, idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from steward.monitoring.tests.factories import walk
from steward.parties.models import Role


def _run(*args: str) -> str:
    out = StringIO()
    call_command("send-reminders", *args, stdout=out)
    return out.getvalue()


def test_send_reminders_as_of_a_date_sends_once(
    contract, manager, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    provider_user = make_user(Role.PROVIDER_USER, email="p@provider.example")
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="notified")
    day = cycle.self_assessment_due.due_date - timedelta(days=5)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out = _run("--as-of", day.isoformat())
    assert out.startswith(f"{day}: 1 reminder(s), 1 email(s) sent")
    assert len(mailoutbox) == 1
    assert "0 reminder(s)" in _run("--as-of", day.isoformat())
    assert len(mailoutbox) == 1


def test_send_reminders_closes_cycles_after_the_appeal_window(contract, manager, make_user):
    provider_user = make_user(Role.PROVIDER_USER)
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="letter")
    after = cycle.appeal_due.due_date + timedelta(days=1)
    assert "1 monitoring cycle(s) closed" in _run("--as-of", after.isoformat())


def test_bad_date_refused():
    with pytest.raises(CommandError, match="not a date"):
        _run("--as-of", "tomorrow")


def test_default_is_today(db):
    assert _run().startswith(f"{date.today()}:")
