"""`steward daily` (issue 20): the daily jobs once a day, claimed in the database with a
conditional update, safe to run twice, missed days caught up."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command

from steward.core.models import DailyRun
from steward.workspace import daily

TODAY = date(2026, 6, 10)


def test_a_day_runs_once_however_often_it_is_asked(db):
    ran = daily.daily(today=TODAY)
    assert [day for day, result in ran if result is not None] == [TODAY]  # a new installation
    assert DailyRun.objects.get(day=TODAY).status == daily.DONE
    assert daily.daily(today=TODAY) == []  # run twice: nothing to do


def test_only_one_of_several_runs_claims_a_day(db):
    """Two workers at once: the conditional update lets exactly one take the day."""
    assert daily.claim(TODAY) is True
    assert daily.claim(TODAY) is False
    DailyRun.objects.filter(day=TODAY).update(status=daily.DONE)
    assert daily.claim(TODAY) is False
    assert daily.claim(TODAY, force=True) is True


def test_a_missed_day_is_caught_up(db):
    daily.daily(today=TODAY)
    later = TODAY + timedelta(days=3)  # the worker was stopped for two days
    ran = daily.daily(today=later)
    assert [day for day, _ in ran] == [TODAY + timedelta(days=n) for n in (1, 2, 3)]
    # a long stop: at most CATCH_UP_DAYS days are caught up
    much_later = later + timedelta(days=30)
    ran = daily.daily(today=much_later)
    assert len(ran) == daily.CATCH_UP_DAYS and ran[-1][0] == much_later


def test_a_claim_left_by_a_runner_that_died_is_taken_again(db):
    from django.utils import timezone

    assert daily.claim(TODAY)
    later = timezone.now() + daily.CLAIM_EXPIRES + timedelta(minutes=1)
    assert daily.claim(TODAY, now=later)


def test_the_command(db):
    out = StringIO()
    call_command("daily", "--as-of", "2026-06-10", stdout=out)
    assert "2026-06-10:" in out.getvalue() and "contracts expired" in out.getvalue()
    out = StringIO()
    call_command("daily", "--as-of", "2026-06-10", stdout=out)
    assert "already ran" in out.getvalue()
    out = StringIO()
    call_command("daily", "--enqueue", stdout=out)
    assert "handed to a worker" in out.getvalue()
