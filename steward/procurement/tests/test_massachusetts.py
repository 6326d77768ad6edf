"""Massachusetts OSD Appendix F (seed 004) as written: the award of any scored bid, with a
reason when it is not the top-ranked; what bidders send by letter or email recorded by staff
with the day it came; the debriefing scheduled within the window; refused appeals kept; the
RFR's contacts shown to bidders; bidders emailed their notices. Each rule walked through the
service, the API and the page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_execute
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.models import OutboundEmail
from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import Role
from steward.pricing.services import attachment_set
from steward.procurement import services
from steward.procurement.models import BidAppeal, DebriefingRequest
from steward.testing.factories import AgencyFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTIFIED = date(2026, 3, 2)
NOON = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # after the notices, inside the windows


@pytest.fixture
def dmh(packs):
    return AgencyFactory(
        name="Department of Mental Health", slug="ma-dmh", pack=packs["massachusetts-osd"]
    )


@pytest.fixture
def manager(dmh):
    return UserFactory(role=Role.CONTRACT_MANAGER, agency=dmh, username="ma-manager")


@pytest.fixture
def rfr(dmh, manager):
    """An RFR with three bidders, all scored: A ranks first, B second, C third."""
    solicitation = services.solicitation_create(
        actor=manager,
        agency=dmh,
        data={
            "reference": "DMH-RFR-01",
            "title": "Clubhouse services",
            "estimated_value": "500000",
            "debriefing_contact": "Pat Doe, pat.doe@dmh.example",
            "appeal_contact": "Lee Roe, lee.roe@dmh.example",
        },
        criteria=[("Program", "70"), ("Cost", "30")],
    )
    providers = [
        ProviderFactory(legal_name=f"Bidder {x}", slug=f"bidder-{x}", email=f"{x}@bid.example")
        for x in "abc"
    ]
    bids = []
    for provider, price, marks in zip(
        providers, ("480000", "450000", "470000"), ((90, 80), (85, 90), (60, 70)), strict=True
    ):
        bid = services.bid_record(
            actor=manager,
            solicitation=solicitation,
            provider=provider,
            price=price,
            received_on=date(2026, 1, 10),
        )
        for criterion, mark in zip(solicitation.criteria.all(), marks, strict=True):
            services.score_record(actor=manager, bid=bid, criterion=criterion, score=mark)
        bids.append(bid)
    return solicitation, bids


AWARD = {"number": "DMH-C-01", "start_date": date(2026, 4, 1), "end_date": date(2027, 6, 30)}


def _award_and_notify(solicitation, bid, manager, reason=""):
    services.solicitation_award(
        actor=manager, solicitation=solicitation, bid=bid, contract_data=AWARD, reason=reason
    )
    solicitation.refresh_from_db()
    # seed 004: POS Attachment 1 (Program Cover Page) is required at execution
    attachment_set(
        actor=manager, contract=solicitation.contract, number=1, required=True, completed=True
    )
    contract_execute(actor=manager, contract=solicitation.contract, executed_on=NOTIFIED)
    services.notices_send(actor=manager, solicitation=solicitation, notified_on=NOTIFIED)
    solicitation.refresh_from_db()


def test_award_of_the_second_ranked_bid_needs_a_recorded_reason_seed_004(rfr, manager):
    """seed 004: awarding other than the top-ranked bid needs a reason, kept with the award."""
    solicitation, (first, second, _third) = rfr
    ranking = services.solicitation_ranking(solicitation)
    assert [r.bid_id for r in ranking][:2] == [first.pk, second.pk]
    with pytest.raises(ValidationFailed) as exc:
        services.solicitation_award(
            actor=manager, solicitation=solicitation, bid=second, contract_data=AWARD
        )
    assert "reason" in exc.value.errors
    services.solicitation_award(
        actor=manager,
        solicitation=solicitation,
        bid=second,
        contract_data=AWARD,
        reason="Bid A's capacity letter was withdrawn after scoring.",
    )
    solicitation.refresh_from_db()
    assert solicitation.awarded_bid == second
    assert solicitation.award_reason.startswith("Bid A's capacity")
    assert "capacity letter" in solicitation.history.first().history_change_reason


def test_the_top_ranked_bid_is_awarded_without_a_reason_seed_004(rfr, manager):
    solicitation, (first, *_rest) = rfr
    services.solicitation_award(
        actor=manager, solicitation=solicitation, bid=first, contract_data=AWARD, reason="x"
    )
    solicitation.refresh_from_db()
    assert solicitation.award_reason == ""  # no departure from the ranking to explain


def test_award_refused_until_every_bid_is_scored_seed_004(dmh, manager, provider, other_provider):
    """seed 004: the award follows the evaluation of every response (409 until scored)."""
    solicitation = services.solicitation_create(
        actor=manager,
        agency=dmh,
        data={"reference": "DMH-RFR-02", "title": "Respite", "estimated_value": "1000"},
        criteria=[("Program", "1"), ("Cost", "1")],
    )
    bids = [
        services.bid_record(
            actor=manager,
            solicitation=solicitation,
            provider=p,
            price="10",
            received_on=date(2026, 1, 1),
        )
        for p in (provider, other_provider)
    ]
    program = solicitation.criteria.get(name="Program")
    services.score_record(actor=manager, bid=bids[0], criterion=program, score=50)
    with pytest.raises(TransitionNotAllowed, match="Score every bid"):
        services.solicitation_award(
            actor=manager, solicitation=solicitation, bid=bids[0], contract_data=AWARD
        )
    response = call(
        token_client(manager),
        "post",
        f"/procurement/solicitations/{solicitation.pk}/award",
        {"bid_id": bids[0].pk, "number": "X", "start_date": "2026-04-01", "end_date": "2027-01-01"},
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert f"the bid from {provider.legal_name}; the bid from {other_provider.legal_name}" in detail


def test_award_of_the_second_bid_through_the_page_and_the_api_seed_004(rfr, manager):
    """seed 004: the page awarded only the first bid listed (any other gave a server error);
    the second-ranked is awarded with its reason, and without one the page says why."""
    solicitation, (_first, second, _third) = rfr
    client = session_client(manager)
    url = reverse("procurement:action", args=[solicitation.pk, "award"])
    form = {
        "award-bid": second.pk,
        "award-number": "DMH-C-01",
        "award-start_date": "2026-04-01",
        "award-end_date": "2027-06-30",
        "confirm": "yes",
    }
    refused = client.post(url, form, follow=True)
    assert refused.status_code == 200
    assert "is not the top-ranked bid" in refused.content.decode()
    done = client.post(url, {**form, "award-reason": "Capacity withdrawn"}, follow=True)
    assert done.status_code == 200
    solicitation.refresh_from_db()
    assert solicitation.awarded_bid_id == second.pk
    page = done.content.decode()
    assert "Why not the top-ranked bid" in page and "Capacity withdrawn" in page
    body = call(token_client(manager), "get", f"/procurement/solicitations/{solicitation.pk}")
    assert body.json()["award_reason"] == "Capacity withdrawn"


def test_api_award_needs_the_reason_seed_004(rfr, manager):
    solicitation, (_first, second, _third) = rfr
    api = token_client(manager)
    path = f"/procurement/solicitations/{solicitation.pk}/award"
    payload = {"bid_id": second.pk, "number": "N", "start_date": "2026-04-01"}
    payload["end_date"] = "2027-01-01"
    missing = call(api, "post", path, payload)
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    assert call(api, "post", path, {**payload, "reason": "Why"}).status_code == 200


def test_bidders_are_emailed_their_notices_with_the_rfr_contacts_seed_004(
    rfr, manager, django_capture_on_commit_callbacks, mailoutbox
):
    """seed 004: each bidder is notified of the execution; the non-successful are told who
    debriefing requests and appeals go to (the persons the RFR names)."""
    solicitation, bids = rfr
    for bid in bids:
        UserFactory(
            role=Role.PROVIDER_USER,
            provider=bid.provider,
            agency=None,
            email=bid.provider.email,
        )
    with django_capture_on_commit_callbacks(execute=True):
        _award_and_notify(solicitation, bids[0], manager)
    assert OutboundEmail.objects.count() == 3
    by_to = {m.to[0]: m for m in mailoutbox}
    assert "was successful" in by_to["a@bid.example"].body
    loser = by_to["b@bid.example"].body
    assert "not successful" in loser and "16 March 2026" in loser
    assert "Pat Doe" in loser and "Lee Roe" in loser


def test_contacts_are_shown_to_the_bidder_seed_004(rfr, manager):
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    bidder = UserFactory(role=Role.PROVIDER_USER, provider=bids[1].provider, agency=None)
    page = session_client(bidder).get(reverse("procurement:bid", args=[bids[1].pk]))
    html = page.content.decode()
    assert "Debriefing requests go to" in html and "Pat Doe, pat.doe@dmh.example" in html
    assert "Appeals go to" in html and "Lee Roe" in html
    body = call(token_client(bidder), "get", f"/procurement/solicitations/{solicitation.pk}")
    assert body.json()["appeal_contact"].startswith("Lee Roe")
    assert body.json()["award_reason"] is None  # the agency's reasons are not the bidder's


@time_machine.travel(NOON)
def test_staff_record_a_debriefing_request_sent_by_letter_dated_when_received_seed_004(
    rfr, manager
):
    """seed 004 / issue 19: the request a bidder emailed takes the day it was received: never
    in the future, never before the notice; after the window it is a closed window (409)."""
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    lose = bids[1]
    api = token_client(manager)
    path = f"/procurement/bids/{lose.pk}/debriefing-request"
    assert call(api, "post", path, {"on": "2026-03-21"}).status_code == 422  # tomorrow
    assert call(api, "post", path, {"on": "2026-03-01"}).status_code == 422  # before the notice
    late = call(api, "post", path, {"on": "2026-03-19"})
    assert late.status_code == 409 and "16 March 2026" in late.json()["detail"]
    made = call(api, "post", path, {"on": "2026-03-10"})
    assert made.status_code == 201, made.content
    request = DebriefingRequest.objects.get(bid=lose)
    assert request.requested_on == date(2026, 3, 10) and request.requested_by == manager
    # the audit keeps both dates: the day it was received and the day it was recorded
    row = request.history.first()
    assert row.requested_on == date(2026, 3, 10) and row.history_date.date() == NOON.date()
    window = DueDate.objects.get(kind="debriefing_request", subject_id=lose.pk)
    assert window.status == DueDateStatus.DONE and window.completed_on == date(2026, 3, 10)


@time_machine.travel(NOON)
def test_staff_record_a_request_through_the_page_seed_004(rfr, manager):
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    client = session_client(manager)
    page = client.get(reverse("procurement:bid", args=[bids[2].pk])).content.decode()
    assert "Record a debriefing request bid" in page
    url = reverse("procurement:bid_action", args=[solicitation.pk, bids[2].pk, "debriefing"])
    future = client.post(url, {"on": "2026-03-25"}, follow=True)
    assert "cannot be in the future" in future.content.decode()
    client.post(url, {"on": "2026-03-12"})
    assert DebriefingRequest.objects.get(bid=bids[2]).requested_on == date(2026, 3, 12)


def test_a_provider_user_of_another_bidder_and_other_agency_staff_cannot_record(rfr, manager):
    """Pages and API: only the bidder itself or the agency's procurement staff record."""
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    stranger_staff = UserFactory(
        role=Role.CONTRACT_MANAGER, agency=AgencyFactory(slug="elsewhere"), username="else"
    )
    monitor = UserFactory(role=Role.CONTRACT_MONITOR, agency=solicitation.agency)
    path = f"/procurement/bids/{bids[1].pk}/debriefing-request"
    assert call(token_client(stranger_staff), "post", path).status_code == 404
    assert call(token_client(monitor), "post", path).status_code == 403
    other_bidder = UserFactory(role=Role.PROVIDER_USER, provider=bids[2].provider, agency=None)
    assert call(token_client(other_bidder), "post", path).status_code == 404
    url = reverse("procurement:bid_action", args=[solicitation.pk, bids[1].pk, "schedule"])
    assert session_client(monitor).post(url, {"meeting_on": "2026-03-20"}).status_code in (
        302,
        403,
    )
    assert not DebriefingRequest.objects.exists()


@time_machine.travel(NOON)
def test_the_debriefing_is_scheduled_within_14_days_and_held_later_seed_004(rfr, manager):
    """seed 004: "scheduling of debriefing meetings (within 14 days of the receipt of the
    request)": scheduling meets the due date; the meeting may be held later, and a meeting
    held late still opens the bidder's right to appeal."""
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    lose = bids[1]
    request = services.debriefing_request(actor=manager, bid=lose, requested_on=date(2026, 3, 3))
    assert request.meeting_due == date(2026, 3, 17)
    api = token_client(manager)
    path = f"/procurement/bids/{lose.pk}/debriefing-schedule"
    before = call(api, "post", path, {"meeting_on": "2026-03-01", "scheduled_on": "2026-03-05"})
    assert before.status_code == 422
    done = call(api, "post", path, {"meeting_on": "2026-03-19", "scheduled_on": "2026-03-05"})
    assert done.status_code == 200, done.content
    assert done.json()["meeting_on"] == "2026-03-19"
    due = DueDate.objects.get(kind="debriefing_meeting", subject_id=request.pk)
    assert due.status == DueDateStatus.DONE and due.completed_on == date(2026, 3, 5)
    meeting = services.debriefing_meeting_record(
        actor=manager,
        request=request,
        held_on=date(2026, 3, 19),
        attendees="Pat Doe; Bidder B",
        discussion="Scores",
    )
    assert meeting.held_on > request.meeting_due  # held after the 14 days: recorded
    appeal = DueDate.objects.get(kind="bid_appeal", subject_id=lose.pk)
    assert appeal.status == DueDateStatus.OPEN and appeal.start_date == date(2026, 3, 19)


@time_machine.travel(datetime(2026, 4, 2, 12, 0, tzinfo=UTC))
def test_staff_record_an_appeal_sent_by_letter_and_a_refused_one_is_kept_seed_004(rfr, manager):
    """seed 004: "All documentation pertaining to appeals must be placed in the procurement
    file": an appeal on another ground is kept, refused with the reason; one received by
    letter takes the day it came, not before the debriefing (issue 19)."""
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    lose = bids[1]
    request = services.debriefing_request(actor=manager, bid=lose, requested_on=date(2026, 3, 3))
    services.debriefing_meeting_record(
        actor=manager, request=request, held_on=date(2026, 3, 10), attendees="a", discussion="b"
    )
    client = session_client(manager)
    url = reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "appeal"])
    early = client.post(
        url, {"ground": "non_compliance", "statement": "x", "on": "2026-03-09"}, follow=True
    )
    assert "cannot be before the debriefing" in early.content.decode()
    client.post(url, {"ground": "other", "statement": "Our price was lower", "on": "2026-03-12"})
    refused = BidAppeal.objects.get(bid=lose)
    assert refused.status == "refused" and refused.lodged_by == manager
    assert refused.lodged_on == date(2026, 3, 12)
    api = token_client(manager)
    made = call(
        api,
        "post",
        f"/procurement/bids/{lose.pk}/appeals",
        {"ground": "fundamental_unfairness", "statement": "y", "on": "2026-03-20"},
    )
    assert made.status_code == 201 and made.json()["status"] == "pending"
    late = call(
        api,
        "post",
        f"/procurement/bids/{bids[2].pk}/appeals",
        {"ground": "non_compliance", "statement": "z"},
    )
    assert late.status_code == 409  # no debriefing: an out-of-order step
    page = client.get(reverse("procurement:detail", args=[solicitation.pk])).content.decode()
    assert "Refused: not on the grounds of appeal" in page


def test_the_notice_of_execution_waits_for_the_execution_seed_004(rfr, manager):
    solicitation, bids = rfr
    services.solicitation_award(
        actor=manager, solicitation=solicitation, bid=bids[0], contract_data=AWARD
    )
    response = call(
        token_client(manager),
        "post",
        f"/procurement/solicitations/{solicitation.pk}/notices",
        {"on": "2026-03-02"},
    )
    assert response.status_code == 409 and "Execute the contract" in response.json()["detail"]
