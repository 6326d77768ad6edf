"""The procurement area's due dates, each through its whole life: created by the service that
really creates it, reminded by the daily run on the right days to the people who must act,
met by the service that really meets it (closed, linked to the record), never reminded again;
windows lapse unused. Each is on the work list of the person who must act, with a link that
opens for them, and on nobody else's.

The Scottish council of `conftest.py` (pack scottish-childrens, Europe/London): bidders are
notified of the execution of SCC-C-01 on 2 March 2026."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from steward.contracts.models import DueDate, DueDateStatus
from steward.parties.models import Role
from steward.procurement import services
from steward.testing.factories import AgencyFactory, UserFactory
from steward.tests.pages import signed_in
from steward.workspace.selectors import work_items
from steward.workspace.services import daily_run

pytestmark = pytest.mark.django_db


def _due(kind: str, subject) -> DueDate:
    return DueDate.objects.get(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
    )


def _items(user, kind: str) -> list:
    return [item for item in work_items(user=user) if item.due.kind == kind]


def _opens_for(client, user, url: str) -> int:
    return signed_in(client, user).get(url).status_code


@pytest.fixture
def people(scc, other_provider, provider):
    """Everyone who could be told: a second user of the losing bidder, the winner's user, a
    contract monitor, another contract manager of the council, a procurement officer of
    another council."""
    return {
        "bidder2": UserFactory(
            role=Role.PROVIDER_USER, provider=other_provider, agency=None, username="bidder2"
        ),
        "winner": UserFactory(
            role=Role.PROVIDER_USER, provider=provider, agency=None, username="winner"
        ),
        "monitor": UserFactory(role=Role.CONTRACT_MONITOR, agency=scc, username="monitor"),
        "other-manager": UserFactory(
            role=Role.CONTRACT_MANAGER, agency=scc, username="other-manager"
        ),
        "elsewhere": UserFactory(
            role=Role.PROCUREMENT_OFFICER, agency=AgencyFactory(slug="far"), username="elsewhere"
        ),
    }


BIDDERS = ("bidder2@example.org", "bidder@example.org")
MEETING_OWNERS = ("ccm@scc.test", "officer@example.org")


# ---------------------------------------------------------------- the debriefing request window


def test_the_window_to_ask_for_a_debriefing_is_reminded_to_the_bidder_and_lapses_unused(
    notified, bidder, ccm, officer, people, run_days, client
):
    """seed 004: a debriefing is requested within 14 days of the notification of contract
    execution (2 March): the window closes on 16 March; left unused it lapses, not missed."""
    solicitation, win, lose = notified
    window = _due("debriefing_request", lose)
    assert (window.status, window.due_date, window.provider, window.contract) == (
        DueDateStatus.OPEN,
        date(2026, 3, 16),
        lose.provider,
        solicitation.contract,
    )
    assert not DueDate.objects.filter(kind="debriefing_request", subject_id=win.pk).exists()
    [item] = _items(bidder, "debriefing_request")
    assert item.optional and item.url == f"/procurement/bids/{lose.pk}/"
    assert _opens_for(client, bidder, item.url) == 200
    for user in (people["winner"], ccm, officer, people["monitor"]):
        assert _items(user, "debriefing_request") == []
    assert _opens_for(client, people["winner"], item.url) == 404

    sent = run_days(date(2026, 3, 9), date(2026, 3, 20))
    words = "Ask for a debriefing on the award of SCC-C-01, if you wish to"
    assert sent == {
        date(2026, 3, 11): [(f"Due in 5 days: {words}", BIDDERS)],
        date(2026, 3, 16): [(f"Due today: {words}", BIDDERS)],
    }
    window.refresh_from_db()
    assert window.status == DueDateStatus.LAPSED  # closed unused on 17 March: not missed
    assert _items(bidder, "debriefing_request") == []


def test_asking_for_a_debriefing_meets_the_window_and_opens_the_meeting_for_the_agency(
    notified, bidder, ccm, officer, people, run_days, client
):
    """seed 004: requested on 5 March, the meeting is due within 14 days (19 March); it is the
    procurement officers' and the contract manager's to hold, reminded until it is recorded."""
    _, _, lose = notified
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=date(2026, 3, 5))
    window = _due("debriefing_request", lose)
    assert (window.status, window.met_by, window.completed_on) == (
        DueDateStatus.DONE,
        request,
        date(2026, 3, 5),
    )
    meeting_due = _due("debriefing_meeting", request)
    assert meeting_due.status == DueDateStatus.OPEN
    assert meeting_due.due_date == request.meeting_due == date(2026, 3, 19)
    assert meeting_due.provider == lose.provider
    for user in (officer, ccm):
        [item] = _items(user, "debriefing_meeting")
        assert item.url == f"/procurement/debriefings/{request.pk}/"
        assert _opens_for(client, user, item.url) == 200
    for user in (bidder, people["other-manager"], people["monitor"], people["elsewhere"]):
        assert _items(user, "debriefing_meeting") == []
    assert _opens_for(client, people["elsewhere"], f"/procurement/debriefings/{request.pk}/") == 404

    sent = run_days(date(2026, 3, 9), date(2026, 3, 21))
    words = "Hold and record the debriefing meeting a bidder asked for (SCC-C-01)"
    assert sent == {
        date(2026, 3, 14): [(f"Due in 5 days: {words}", MEETING_OWNERS)],
        date(2026, 3, 19): [(f"Due today: {words}", MEETING_OWNERS)],
        date(2026, 3, 20): [(f"Overdue: {words}", MEETING_OWNERS)],
    }  # the bidder's window, met, is never reminded

    meeting = services.debriefing_meeting_record(
        actor=officer,
        request=request,
        held_on=date(2026, 3, 22),
        attendees="Officer; the bidder's director",
        discussion="Quality scores explained",
    )
    meeting_due.refresh_from_db()
    assert (meeting_due.status, meeting_due.met_by, meeting_due.completed_on) == (
        DueDateStatus.DONE,
        meeting,
        date(2026, 3, 22),
    )
    assert _items(officer, "debriefing_meeting") == []
    later = run_days(date(2026, 3, 22), date(2026, 4, 10))
    assert not any("debriefing meeting" in subject for day in later.values() for subject, _ in day)


def test_changing_the_windows_moves_the_open_due_dates(notified, bidder, officer):
    """seed 004: the windows "may be modified at the discretion of the SSST": those still open
    move with them (the meeting's due date and the request's `meeting_due` stay one date)."""
    solicitation, _, lose = notified
    services.solicitation_change_windows(
        actor=officer,
        solicitation=solicitation,
        request_days=21,
        meeting_days=None,
        reason="Easter",
    )
    assert DueDate.objects.get(
        kind="debriefing_request", subject_id=lose.pk, status=DueDateStatus.OPEN
    ).due_date == date(2026, 3, 23)
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=date(2026, 3, 20))
    services.solicitation_change_windows(
        actor=officer, solicitation=solicitation, request_days=21, meeting_days=7, reason="Easter"
    )
    request.refresh_from_db()
    meeting_due = DueDate.objects.get(kind="debriefing_meeting", status=DueDateStatus.OPEN)
    assert meeting_due.due_date == request.meeting_due == date(2026, 3, 27)
    assert meeting_due.explain() == "7 days from 20 March 2026"


def test_a_window_that_lapsed_opens_again_when_the_officer_extends_it(notified, bidder, officer):
    """seed 004: the SSST may modify the timeframes; extending the request window after it
    lapsed gives the bidder its chance again (shortening it never reopens it)."""
    solicitation, _, lose = notified
    daily_run(as_of=date(2026, 3, 17))
    assert _due("debriefing_request", lose).status == DueDateStatus.LAPSED
    services.solicitation_change_windows(
        actor=officer, solicitation=solicitation, request_days=10, meeting_days=None, reason="x"
    )
    assert not DueDate.objects.filter(kind="debriefing_request", status="open").exists()
    services.solicitation_change_windows(
        actor=officer,
        solicitation=solicitation,
        request_days=21,
        meeting_days=None,
        reason="Easter",
    )
    reopened = DueDate.objects.get(kind="debriefing_request", status=DueDateStatus.OPEN)
    assert (reopened.subject, reopened.due_date) == (lose, date(2026, 3, 23))
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=date(2026, 3, 20))
    reopened.refresh_from_db()
    assert (reopened.status, reopened.met_by) == (DueDateStatus.DONE, request)


# ---------------------------------------------------------------- the appeal window


@pytest.fixture
def debriefed(notified, bidder, officer):
    """The debriefing requested on 3 March and held on 10 March: appeals until 24 March."""
    _, _, lose = notified
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=date(2026, 3, 3))
    services.debriefing_meeting_record(
        actor=officer, request=request, held_on=date(2026, 3, 10), attendees="a", discussion="b"
    )
    return lose


APPEAL = "Appeal the award of SCC-C-01, if you wish to"


def test_the_window_to_appeal_opens_at_the_debriefing_and_lapses_unused(
    debriefed, bidder, ccm, officer, people, run_days, client
):
    """seed 004: the bidder may appeal after its debriefing, within the pack's 14 days."""
    window = _due("bid_appeal", debriefed)
    assert (window.status, window.due_date, window.provider) == (
        DueDateStatus.OPEN,
        date(2026, 3, 24),
        debriefed.provider,
    )
    [item] = _items(bidder, "bid_appeal")
    assert item.url == f"/procurement/bids/{debriefed.pk}/"
    assert _opens_for(client, bidder, item.url) == 200
    for user in (people["winner"], ccm, officer):
        assert _items(user, "bid_appeal") == []

    sent = run_days(date(2026, 3, 11), date(2026, 3, 31))
    assert sent == {
        date(2026, 3, 19): [(f"Due in 5 days: {APPEAL}", BIDDERS)],
        date(2026, 3, 24): [(f"Due today: {APPEAL}", BIDDERS)],
    }
    window.refresh_from_db()
    assert window.status == DueDateStatus.LAPSED
    assert _items(bidder, "bid_appeal") == []


def test_lodging_an_appeal_meets_the_window_and_stops_its_reminders(
    debriefed, bidder, people, run_days
):
    """seed 004: an appeal on one of the two grounds, in time, closes the window."""
    refused = services.appeal_lodge(
        actor=bidder, bid=debriefed, ground="price", statement="x", lodged_on=date(2026, 3, 20)
    )
    assert refused.status == "refused"  # kept in the file, with the reason
    assert _due("bid_appeal", debriefed).status == DueDateStatus.OPEN  # a refusal meets nothing
    assert run_days(date(2026, 3, 19), date(2026, 3, 19)) == {
        date(2026, 3, 19): [(f"Due in 5 days: {APPEAL}", BIDDERS)]
    }
    appeal = services.appeal_lodge(
        actor=bidder,
        bid=debriefed,
        ground="fundamental_unfairness",
        statement="The presentation slot was shorter for us",
        lodged_on=date(2026, 3, 20),
    )
    window = _due("bid_appeal", debriefed)
    assert (window.status, window.met_by, window.completed_on) == (
        DueDateStatus.DONE,
        appeal,
        date(2026, 3, 20),
    )
    assert run_days(date(2026, 3, 20), date(2026, 3, 31)) == {}


# ---------------------------------------------------------------- the agency's own today


def test_a_bidder_may_ask_until_midnight_in_the_agencys_time_zone_not_utc(
    packs, provider, other_provider, client
):
    """Connecticut: 23:30 on 16 March in Hartford is 03:30 on 17 March in UTC. On the window's
    last day the bidder (a provider user, whose session has no agency time zone) still sees the
    form and its request is dated the 16th."""
    import time_machine

    from steward.contracts.services import contract_execute

    dcf = AgencyFactory(name="DCF", slug="dcf-tz", pack=packs["connecticut-opm"])
    manager = UserFactory(role=Role.CONTRACT_MANAGER, agency=dcf, username="tz-manager")
    bidder = UserFactory(
        role=Role.PROVIDER_USER, provider=other_provider, agency=None, username="tz-bidder"
    )
    solicitation = services.solicitation_create(
        actor=manager,
        agency=dcf,
        data={"reference": "TZ-1", "title": "Respite", "estimated_value": "5000"},
        criteria=[("Quality", "1")],
    )
    win, lose = (
        services.bid_record(
            actor=manager,
            solicitation=solicitation,
            provider=p,
            price="100",
            received_on=date(2026, 1, 5),
        )
        for p in (provider, other_provider)
    )
    for bid in (win, lose):
        services.score_record(
            actor=manager, bid=bid, criterion=solicitation.criteria.get(), score=80
        )
    contract = services.solicitation_award(
        actor=manager,
        solicitation=solicitation,
        bid=win,
        contract_data={
            "number": "TZ-C",
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
        },
    )
    contract_execute(actor=manager, contract=contract, executed_on=date(2026, 3, 2))
    services.notices_send(actor=manager, solicitation=solicitation, notified_on=date(2026, 3, 2))
    assert _due("debriefing_request", lose).due_date == date(2026, 3, 16)
    signed_in(client, bidder)
    with time_machine.travel("2026-03-17 03:30Z"):
        [item] = _items(bidder, "debriefing_request")
        assert item.days_left == 0
        body = client.get(item.url).content.decode()
        assert "today is the last day" in body
        client.post(
            reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "debriefing"])
        )
    lose.refresh_from_db()
    assert lose.debriefing_request.requested_on == date(2026, 3, 16)
    assert _due("debriefing_request", lose).status == DueDateStatus.DONE
