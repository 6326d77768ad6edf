"""The personal calendar (a month of the person's work list: everything they must act on, by
date), its iCalendar download and the signed feed: content, who sees what, the feed's token, and
bounded queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from steward.contracts.models import DueDate
from steward.monitoring import ical, services
from steward.monitoring.models import Action
from steward.monitoring.tests.factories import START, walk
from steward.monitoring.tests.pages import at, signed_in, text
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


CAL = reverse("monitoring:calendar")


def _monthly_returns(contract, manager) -> None:
    """The contract's Performance Evaluation Plan with monthly returns (seed 001): one return
    due date per month, the provider's."""
    from steward.performance.services import plan_save

    plan_save(
        actor=manager,
        contract=contract,
        data={"desired_outcomes": "Families stay together.", "return_frequency": "monthly"},
    )


def test_calendar_lists_the_managers_work_grouped_by_date(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed")
    services.reviews_plan(actor=manager, contract=live, today=live.start_date)
    assert cycle.visit_planned_for == date(2026, 12, 13)
    with at(date(2026, 12, 14)):
        page = text(signed_in(manager).get(CAL))
    assert "December 2026" in page
    assert f"Visit the service of {live.number} and record the visit" in page
    assert reverse("monitoring:visit", args=[cycle.pk]) in page
    assert f"Hold the review meeting for {live.number}" in page
    assert 'datetime="2026-12-13"' in page and 'datetime="2026-12-31"' in page
    assert page.index('datetime="2026-12-13"') < page.index('datetime="2026-12-31"')
    # the visit is past and not recorded: overdue
    assert "Overdue by 1 day" in page
    # the biannual review of June, never held, is overdue from an earlier month
    assert "Overdue from earlier months" in page
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


def test_each_person_sees_exactly_their_own_work(
    live, manager, provider_user, make_user, other_provider, agency
):
    walk(live, manager=manager, provider_user=provider_user, to="notified")  # SA due 22 Dec
    services.reviews_plan(actor=manager, contract=live, today=live.start_date)
    _monthly_returns(live, manager)
    theirs = ContractFactory(
        agency=agency, provider=other_provider, status="active", number="DCF-THEIRS"
    )
    _monthly_returns(theirs, manager)
    returns = DueDate.objects.filter(
        contract=live, kind="return", due_date__range=(date(2026, 12, 1), date(2026, 12, 31))
    )
    assert returns.exists()
    with at(date(2026, 12, 1)):
        mine = text(signed_in(provider_user).get(CAL))
        managers = text(signed_in(manager).get(CAL))
    assert f"Complete the self-assessment for {live.number}" in mine
    assert f"Submit the return for {live.number}" in mine
    for ret in returns:
        assert reverse("performance:return", args=[ret.subject_id]) in mine
    assert "DCF-THEIRS" not in mine
    assert "Hold the review meeting" not in mine  # internal
    assert f"Hold the review meeting for {live.number}" in managers
    assert "Submit the return" not in managers  # the provider's to do
    assert "Complete the self-assessment" not in managers


def test_calendar_feed_parses_and_has_the_work(live, manager, provider_user):
    cycle = walk(live, manager=manager, provider_user=provider_user, to="letter")
    action = Action.objects.filter(cycle=cycle).order_by("due_on").first()
    action_due = DueDate.objects.get(kind="action", subject_id=action.pk)
    token = ical.feed_token(manager)
    with at(date(2026, 12, 20)):
        response = Client().get(reverse("monitoring:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    uid = f"due-{action_due.pk}@steward"
    assert uid in events
    event = events[uid]
    assert event.decoded("DTSTART") == action.due_on
    assert event.decoded("DTEND") == action.due_on + timedelta(days=1)
    assert str(event["SUMMARY"]) == f"Complete the action agreed for {live.number}"
    description = str(event["DESCRIPTION"])
    assert "Train two staff in safeguarding" in description
    assert f"http://testserver{reverse('monitoring:contract', args=[live.pk])}" in description
    # the appeal window is the provider's to use, not the manager's
    appeal = DueDate.objects.get(kind="monitoring_appeal")
    assert f"due-{appeal.pk}@steward" not in events
    with at(date(2026, 12, 20)):
        provider_feed = Calendar.from_ical(
            Client()
            .get(reverse("monitoring:calendar_feed", args=[ical.feed_token(provider_user)]))
            .content
        )
    theirs = {str(e["UID"]): e for e in provider_feed.walk("VEVENT")}
    assert str(theirs[f"due-{appeal.pk}@steward"]["SUMMARY"]).startswith("Appeal the monitoring")
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
    cycle = walk(live, manager=manager, provider_user=provider_user, to="assessed")
    visit = DueDate.objects.get(kind="monitoring_visit", subject_id=cycle.pk)
    ics = reverse("monitoring:calendar_ics")
    assert Client().get(ics).status_code == 302
    with at(date(2026, 12, 1)):
        response = signed_in(manager).get(ics)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    uids = {str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert f"due-{visit.pk}@steward" in uids


def test_calendar_queries_do_not_grow_with_rows(
    agency, provider, manager, django_assert_max_num_queries
):
    def make(n: int) -> None:
        for _ in range(n):
            c = ContractFactory(
                agency=agency, provider=provider, status="active", contract_manager=manager
            )
            # a biannual review on 30 June (overdue, from an earlier month) and an annual one
            # on 31 December
            services.reviews_plan(actor=manager, contract=c, today=c.start_date)

    make(2)
    with at(date(2026, 12, 5)):
        client = signed_in(manager)
        with django_assert_max_num_queries(16) as few:
            assert client.get(CAL).status_code == 200
        make(10)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = text(client.get(CAL))
    assert "12 items" in page  # 12 contracts' annual reviews in December
    assert "Overdue from earlier months" in page


def test_navigation_has_the_calendar(manager):
    with at(START):
        page = text(signed_in(manager).get(CAL))
    assert f'<a href="{CAL}" aria-current="page">Calendar</a>' in page


def test_calendar_pages_need_sign_in():
    for name in ("calendar", "calendar_ics"):
        response = Client().get(reverse(f"monitoring:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"]
