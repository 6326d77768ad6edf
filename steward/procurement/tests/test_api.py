"""Procurement API: the permission matrix (role × own/other organisation) and the flows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import Role
from steward.procurement import services
from steward.procurement.models import Bid, Solicitation
from steward.testing.factories import AgencyFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "admin": Role.ADMINISTRATOR,
    "oversight": Role.OVERSIGHT_OFFICER,
    "manager": Role.CONTRACT_MANAGER,
    "monitor": Role.CONTRACT_MONITOR,
    "budget": Role.BUDGET_HOLDER,
    "procure": Role.PROCUREMENT_OFFICER,
    "senior": Role.SENIOR_MANAGER,
    "provider": Role.PROVIDER_USER,
}

# own/other: own = the solicitation's agency (staff) or the losing bidder (provider)
# debriefing.ask: the bidder asks; the agency records a request sent by letter (seed 004)
# endpoint        admin   oversight manager monitor budget  procure senior  provider
MATRIX = """
solicitation.get  200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404
bids.create       201/201 403/403 201/404 403/404 403/404 201/404 403/404 403/404
debriefing.ask    201/201 403/403 201/404 403/404 403/404 201/404 403/404 201/404
placements.list   200/200 200/200 200/404 200/404 200/404 200/404 200/404 404/404
"""


def _cells() -> list[tuple[str, str, str, int]]:
    rows = []
    for line in MATRIX.strip().splitlines():
        endpoint, *cells = line.split()
        for role, cell in zip(ROLES, cells, strict=True):
            own, other = cell.split("/")
            rows.append((endpoint, role, "own", int(own)))
            rows.append((endpoint, role, "other", int(other)))
    return rows


@pytest.mark.parametrize(("endpoint", "role", "which", "expected"), _cells())
def test_permission_matrix(endpoint, role, which, expected, notified, packs, bidder):
    solicitation, _win, lose = notified
    scc = solicitation.agency
    if ROLES[role] == Role.PROVIDER_USER:
        user = (
            bidder
            if which == "own"
            else UserFactory(role=Role.PROVIDER_USER, provider=ProviderFactory(), agency=None)
        )
    elif ROLES[role] == Role.ADMINISTRATOR:
        user = UserFactory(role=Role.ADMINISTRATOR, agency=None)
    else:
        home = scc if which == "own" else AgencyFactory(pack=packs["west-london-sp"])
        user = UserFactory(role=ROLES[role], agency=home)
    client = session_client(user)
    if endpoint == "solicitation.get":
        response = call(client, "get", f"/procurement/solicitations/{solicitation.pk}")
    elif endpoint == "bids.create":
        solicitation.status = "open"
        solicitation.save()
        response = call(
            client,
            "post",
            f"/procurement/solicitations/{solicitation.pk}/bids",
            {"provider": ProviderFactory().slug, "price": "10", "received_on": "2026-01-01"},
        )
    elif endpoint == "debriefing.ask":
        # the day after the notices, in the agency's own time zone: the window is open
        with time_machine.travel(datetime(2026, 3, 3, 12, 0, tzinfo=UTC)):
            response = call(client, "post", f"/procurement/bids/{lose.pk}/debriefing-request")
    else:
        response = call(
            client, "get", f"/procurement/contracts/{solicitation.contract_id}/placements"
        )
    assert response.status_code == expected, response.content


def test_anonymous_gets_401(solicitation):
    from django.test import Client

    assert call(Client(), "get", "/procurement/solicitations").status_code == 401


def test_api_flow_with_a_token(scc, ccm, officer, provider, other_provider, bidder):
    """seed 004 end to end through the API: create, bid, score, award, notify, debrief, appeal."""
    staff = token_client(ccm)
    created = call(
        staff,
        "post",
        "/procurement/solicitations",
        {
            "reference": "API-1",
            "title": "Respite",
            "estimated_value": "20000.00",
            "criteria": [{"name": "Quality", "weight": "1"}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["tendering_required"] is False  # seed 003: exactly £20,000
    sid = body["id"]
    for p, price in ((provider, "100"), (other_provider, "90")):
        assert (
            call(
                staff,
                "post",
                f"/procurement/solicitations/{sid}/bids",
                {"provider": p.slug, "price": price, "received_on": "2026-01-01"},
            ).status_code
            == 201
        )
    bids = {b.provider_id: b for b in Bid.objects.filter(solicitation_id=sid)}
    criterion = body["criteria"][0]["id"]
    ranked = call(
        staff,
        "post",
        f"/procurement/solicitations/{sid}/scores",
        {"bid_id": bids[provider.pk].pk, "criterion_id": criterion, "score": "90"},
    ).json()
    assert ranked["ranking"][0]["bid_id"] == bids[provider.pk].pk
    unscored = call(
        staff,
        "post",
        f"/procurement/solicitations/{sid}/award",
        {
            "bid_id": bids[provider.pk].pk,
            "number": "API-C",
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
        },
    )
    assert unscored.status_code == 409, unscored.content  # seed 004: every bid scored first
    call(
        staff,
        "post",
        f"/procurement/solicitations/{sid}/scores",
        {"bid_id": bids[other_provider.pk].pk, "criterion_id": criterion, "score": "70"},
    )
    award = call(
        staff,
        "post",
        f"/procurement/solicitations/{sid}/award",
        {
            "bid_id": bids[provider.pk].pk,
            "number": "API-C",
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
        },
    )
    assert award.status_code == 200, award.content
    today = timezone.localdate()
    notices = f"/procurement/solicitations/{sid}/notices"
    draft = call(staff, "post", notices, {"on": today.isoformat()})
    assert draft.status_code == 409 and "Execute the contract API-C" in draft.json()["detail"]
    contract_id = Solicitation.objects.get(pk=sid).contract_id
    execute = f"/contracts/{contract_id}/execute"
    unadvertised = call(staff, "post", execute, {"executed_on": today.isoformat()})
    # seed 003: an opportunity under £20,000 records its risk assessment
    assert unadvertised.status_code == 409
    assert "risk assessment" in unadvertised.json()["detail"]
    record = f"/procurement/contracts/{contract_id}/procurement-record"
    assessed = {"promotion_risk": "low", "risk_assessment": "Three quotations invited."}
    assert call(staff, "post", record, assessed).status_code == 200
    executed = call(staff, "post", execute, {"executed_on": today.isoformat()})
    assert executed.status_code == 200, executed.content
    assert call(staff, "post", notices, {"on": today.isoformat()}).status_code == 200
    lose = bids[other_provider.pk]
    bidder_client = token_client(bidder)
    seen = call(bidder_client, "get", f"/procurement/solicitations/{sid}").json()
    assert [b["id"] for b in seen["bids"]] == [lose.pk] and seen["ranking"] == []
    early = call(
        bidder_client,
        "post",
        f"/procurement/bids/{lose.pk}/appeals",
        {"ground": "non_compliance", "statement": "x"},
    )
    # an out-of-order step is 409 (issue 19 point 12)
    assert early.status_code == 409 and "debriefing" in early.json()["detail"]
    assert (
        call(bidder_client, "post", f"/procurement/bids/{lose.pk}/debriefing-request").status_code
        == 201
    )
    meeting_url = f"/procurement/bids/{lose.pk}/debriefing-meeting"
    future = {"held_on": (today + timedelta(days=1)).isoformat(), "attendees": "a"}
    ahead = call(token_client(officer), "post", meeting_url, {**future, "discussion": "b"})
    assert ahead.status_code == 422, ahead.content  # not recorded before it is held
    meeting = call(
        token_client(officer),
        "post",
        meeting_url,
        {"held_on": today.isoformat(), "attendees": "a", "discussion": "b"},
    )
    assert meeting.status_code == 201, meeting.content
    other = call(
        bidder_client,
        "post",
        f"/procurement/bids/{lose.pk}/appeals",
        {"ground": "too_expensive", "statement": "x"},
    )
    # seed 004: kept in the procurement file, refused with the reason
    assert other.status_code == 201 and other.json()["status"] == "refused"
    assert "two grounds" in other.json()["decision"]
    backdated = call(
        bidder_client,
        "post",
        f"/procurement/bids/{lose.pk}/appeals",
        {"ground": "non_compliance", "statement": "x", "on": "2026-01-01"},
    )
    assert backdated.status_code == 422  # a bidder's own appeal is dated today


def test_solicitation_list_query_budget(scc, ccm, officer, django_assert_max_num_queries):
    for i in range(25):
        services.solicitation_create(
            actor=ccm,
            agency=scc,
            data={"reference": f"L-{i}", "title": "t", "estimated_value": "1"},
            criteria=[("Q", "1")],
        )
    client = session_client(officer)
    with django_assert_max_num_queries(6):
        response = call(client, "get", "/procurement/solicitations?limit=100")
    assert response.json()["count"] == 25
