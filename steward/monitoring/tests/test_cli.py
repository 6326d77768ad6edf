"""`steward send-reminders [--as-of DATE]` (the daily job, `workspace.services.daily_run`) as
it bears on monitoring, and `steward reviews plan` (seed 003)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from steward.monitoring.models import ReviewMeeting
from steward.monitoring.tests.factories import walk
from steward.parties.models import Role


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


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
    assert out.startswith(f"{day}: ")
    assert "1 reminders, 1 emails" in out
    assert [m.to for m in mailoutbox] == [["p@provider.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 reminders, 0 emails" in _run("--as-of", day.isoformat())
    assert len(mailoutbox) == 1


def test_send_reminders_closes_cycles_after_the_appeal_window(contract, manager, make_user):
    provider_user = make_user(Role.PROVIDER_USER)
    cycle = walk(contract, manager=manager, provider_user=provider_user, to="letter")
    after = cycle.appeal_due.due_date + timedelta(days=1)
    out = _run("--as-of", after.isoformat())
    assert "1 windows lapsed" in out and "1 monitoring cycles closed" in out


def test_bad_date_refused():
    with pytest.raises(CommandError, match="not a date"):
        _run("--as-of", "tomorrow")


def test_default_is_today(db):
    assert _run().startswith("Today: ")


def _plan(*args: str) -> str:
    out = StringIO()
    call_command("reviews", "plan", *args, stdout=out)
    return out.getvalue()


def test_reviews_plan_plans_every_live_contract_once(contract, agency, other_agency):
    """seed 003: the review cycle of contracts executed before it was planned at execution"""
    assert _plan("--as-of", "2026-03-01") == (
        "1 contract(s): 2 review meeting(s) planned, 0 cancelled.\n"
    )
    assert [(m.kind, m.scheduled_for) for m in ReviewMeeting.objects.filter(contract=contract)] == [
        ("biannual", date(2026, 6, 30)),
        ("annual", date(2026, 12, 31)),
    ]
    assert _plan("--as-of", "2026-03-01").startswith("1 contract(s): 0 review meeting(s) planned")
    assert _plan("--agency", other_agency.slug).startswith("0 contract(s)")
    with pytest.raises(CommandError, match="No agency 'nowhere'"):
        _plan("--agency", "nowhere")
