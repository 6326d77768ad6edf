"""The personal calendar (a month of a person's deadlines, visits, review meetings and actions),
its iCalendar download and the signed feed: content, who sees what, the feed's token, and
bounded queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from steward.monitoring import ical
from steward.monitoring.models import Action, ReviewMeeting
from steward.monitoring.tests.factories import START, due, walk
from steward.monitoring.tests.pages import at, signed_in, text
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


CAL = reverse("monitoring:calendar")


def test_calendar_lists_the_managers_visit_and_deadline_grouped_by_date(
    live, manager, provider_user
):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed")
    visit_on = cycle.visit_planned_for  # 2026-12-13
    due(live, on=date(2026, 12, 15), label="Quarterly return")
    with at(date(2026, 12, 14)):
        page = text(signed_in(manager).get(CAL))
    assert "December 2026" in page
    assert "Monitoring visit" in page and reverse("monitoring:cycle", args=[cycle.pk]) in page
    assert "Quarterly return" in page
    assert 'datetime="2026-12-13"' in page and 'datetime="2026-12-15"' in page
    assert page.index('datetime="2026-12-13"') < page.index('datetime="2026-12-15"')
    # the visit is past today and not recorded: marked overdue
    assert "Overdue by 1 day" in page
    assert visit_on == date(2026, 12, 13)
    # the personal feed address and the download
    assert "http://testserver/monitoring/calendar/feed/" in page
    assert reverse("monitoring:calendar_ics") in page


def test_calendar_month_navigation_and_a_bad_month(manager):
    with at(date(2026, 12, 14)):
        client = signed_in(manager)
        page = text(client.get(CAL, {"month": "2027-03"}))
        assert "March 2027" in page
        assert "?month=2027-02" in page and "?month=2027-04" in page
        assert "Nothing is due this month." in page
        bad = text(client.get(CAL, {"month": "2027-13"}))
    assert "Write the month as YYYY-MM" in bad
    assert "December 2026" in bad  # falls back to this month


def test_provider_user_sees_only_their_own_items(
    live, manager, provider_user, make_user, other_provider, agency
):
    walk(live, manager=manager, provider_user=provider_user, to="notified")  # SA due 22 Dec
    ReviewMeeting.objects.create(contract=live, kind="biannual", scheduled_for=date(2026, 12, 10))
    theirs = ContractFactory(agency=agency, provider=other_provider, status="active")
    due(theirs, on=date(2026, 12, 16), label="Their return")
    due(live, on=date(2026, 12, 17), rule_key="closeout_evaluation", label="Agency's evaluation")
    with at(date(2026, 12, 1)):
        mine = text(signed_in(provider_user).get(CAL))
        managers = text(signed_in(manager).get(CAL))
    assert "self-assessment" in mine.lower()
    assert "Their return" not in mine
    assert "Agency&#x27;s evaluation" not in mine and "Agency's evaluation" not in mine
    assert "Review meeting" not in mine.replace("review meeting", "")  # internal
    assert "Biannual review" not in mine
    assert "Biannual review" in managers and "Their return" in managers


def test_calendar_feed_parses_and_has_the_events(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).order_by("due_on").first()
    token = ical.feed_token(manager)
    with at(date(2026, 12, 20)):
        response = Client().get(reverse("monitoring:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    uid = f"action-{action.pk}@steward"
    assert uid in events
    event = events[uid]
    assert event.decoded("DTSTART") == action.due_on
    assert event.decoded("DTEND") == action.due_on + timedelta(days=1)
    assert "Train two staff in safeguarding" in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert "Owner: Service manager" in description
    assert f"http://testserver{reverse('monitoring:contract', args=[live.pk])}" in description
    # the appeal window's deadline is the agency's to watch: it is in the manager's feed
    assert any(u.startswith("due-") for u in events)
    # the UID is stable: the same on the next fetch
    with at(date(2026, 12, 21)):
        again = Calendar.from_ical(
            Client().get(reverse("monitoring:calendar_feed", args=[token])).content
        )
    assert uid in {str(e["UID"]) for e in again.walk("VEVENT")}


def test_calendar_feed_token_tampered_revoked_or_inactive_is_404(manager):
    client = Client()
    token = ical.feed_token(manager)
    assert client.get(reverse("monitoring:calendar_feed", args=[token])).status_code == 200
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("monitoring:calendar_feed", args=[tampered])).status_code == 404
    other_pk = token.replace(f"{manager.pk}:", f"{manager.pk + 1}:", 1)
    assert client.get(reverse("monitoring:calendar_feed", args=[other_pk])).status_code == 404
    assert client.get(reverse("monitoring:calendar_feed", args=["nonsense"])).status_code == 404
    # changing the password revokes the address
    manager.set_password("a new password 123")
    manager.save()
    assert client.get(reverse("monitoring:calendar_feed", args=[token])).status_code == 404
    fresh = ical.feed_token(manager)
    assert fresh != token
    assert client.get(reverse("monitoring:calendar_feed", args=[fresh])).status_code == 200
    manager.is_active = False
    manager.save()
    assert client.get(reverse("monitoring:calendar_feed", args=[fresh])).status_code == 404
    assert client.post(reverse("monitoring:calendar_feed", args=[fresh])).status_code == 405


def test_calendar_download_is_session_authenticated(live, manager, provider_user):
    walk(live, manager=manager, provider_user=provider_user, to="assessed")
    ics = reverse("monitoring:calendar_ics")
    assert Client().get(ics).status_code == 302
    with at(date(2026, 12, 1)):
        response = signed_in(manager).get(ics)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    kinds = {
        str(e["UID"]).split("-")[0] for e in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert "visit" in kinds


def test_calendar_queries_do_not_grow_with_rows(
    agency, provider, manager, django_assert_max_num_queries
):
    def make(n: int) -> None:
        for _ in range(n):
            c = ContractFactory(
                agency=agency, provider=provider, status="active", contract_manager=manager
            )
            due(c, on=date(2026, 12, 9))
            due(
                c, on=date(2026, 11, 20), rule_key="self_assessment"
            )  # overdue, from the month before
            ReviewMeeting.objects.create(
                contract=c, kind="biannual", scheduled_for=date(2026, 12, 3)
            )
            Action.objects.create(
                contract=c,
                description="Fix it",
                owner="Manager",
                horizon_months=3,
                due_on=date(2026, 12, 4),
            )

    make(2)
    with at(date(2026, 12, 5)):
        client = signed_in(manager)
        with django_assert_max_num_queries(16) as few:
            assert client.get(CAL).status_code == 200
        make(10)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = text(client.get(CAL))
    assert "36 items" in page  # 12 contracts × (deadline, review, action) in December
    assert "Overdue from earlier months" in page


def test_navigation_has_the_calendar(manager):
    with at(START):
        page = text(signed_in(manager).get(CAL))
    assert f'<a href="{CAL}" aria-current="page">Calendar</a>' in page


def test_calendar_pages_need_sign_in():
    for name in ("calendar", "calendar_ics"):
        response = Client().get(reverse(f"monitoring:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"]
