"""Procurement pages: the procurement file (agency and bidder views), its PDF, placements and
termination; permissions (anonymous redirect, other provider/agency 404 or 403)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from steward.contracts.services import contract_execute
from steward.core.models import Job
from steward.parties.models import Role
from steward.procurement import services
from steward.procurement.models import BidAppeal, DebriefingRequest, Solicitation
from steward.procurement.services_compliance import procurement_record_set
from steward.testing.factories import ProviderFactory, UserFactory
from steward.testing.pdf_check import is_tagged, page_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_notified(solicitation, bids, ccm):
    """Awarded and notified today, so the windows are open on the pages."""
    win, lose = bids
    services.solicitation_award(
        actor=ccm,
        solicitation=solicitation,
        bid=win,
        contract_data={
            "number": "SCC-C-09",
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
        },
    )
    solicitation.refresh_from_db()
    procurement_record_set(
        actor=ccm, contract=solicitation.contract, data={"advertised_on_pcs": True}
    )
    contract_execute(actor=ccm, contract=solicitation.contract, executed_on=timezone.localdate())
    services.notices_send(actor=ccm, solicitation=solicitation, notified_on=timezone.localdate())
    return solicitation, win, lose


def test_anonymous_is_sent_to_sign_in(client, solicitation):
    for url in (
        reverse("procurement:list"),
        reverse("procurement:create"),
        reverse("procurement:detail", args=[solicitation.pk]),
        reverse("procurement:pdf", args=[solicitation.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_officer_creates_a_solicitation_through_the_form(client, officer):
    """seed 003: the form says the threshold; exactly £20,000 is recorded as not tendered."""
    client.force_login(officer)
    page = client.get(reverse("procurement:create"))
    assert "£20,000.00" in page.content.decode()
    response = client.post(
        reverse("procurement:create"),
        {
            "reference": "T-1",
            "title": "Respite",
            "estimated_value": "20000",
            "criteria": "Quality: 70\nPrice: 30",
        },
    )
    solicitation = Solicitation.objects.get(reference="T-1")
    assert response.status_code == 302
    assert solicitation.tendering_required is False
    assert solicitation.criteria.count() == 2
    bad = client.post(
        reverse("procurement:create"),
        {"reference": "T-2", "title": "x", "estimated_value": "1", "criteria": "Quality"},
    )
    assert "name: weight" in bad.content.decode()


def test_provider_views_are_limited(client, other_provider, provider):
    """A provider user cannot create solicitations."""
    user = UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None)
    client.force_login(user)
    assert client.get(reverse("procurement:create")).status_code == 403


def test_bidder_sees_only_its_own_bid_and_requests_a_debriefing(client, today_notified, bidder):
    """seed 004: the non-successful bidder asks for a debriefing from its page."""
    solicitation, win, lose = today_notified
    client.force_login(bidder)
    page = client.get(reverse("procurement:detail", args=[solicitation.pk])).content.decode()
    assert f"Bid {lose.pk}" in page
    assert f"Bid {win.pk}:" not in page and "140000" not in page  # not the winner's price
    assert "Ranked result" not in page
    assert client.post(reverse("procurement:pdf", args=[solicitation.pk])).status_code == 403
    assert not Job.objects.exists()
    client.post(reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "debriefing"]))
    assert DebriefingRequest.objects.filter(bid=lose).exists()
    # the winner's bid is not the bidder's to act on: 404
    response = client.post(
        reverse("procurement:bid_action", args=[solicitation.pk, win.pk, "debriefing"])
    )
    assert response.status_code == 404


def test_other_provider_and_other_agency_get_404_or_403(client, today_notified, make_user, packs):
    solicitation, _, lose = today_notified
    stranger = UserFactory(role=Role.PROVIDER_USER, provider=ProviderFactory(), agency=None)
    client.force_login(stranger)
    assert client.get(reverse("procurement:detail", args=[solicitation.pk])).status_code == 404
    assert (
        client.post(
            reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "debriefing"])
        ).status_code
        == 404
    )
    other_staff = make_user(Role.PROCUREMENT_OFFICER)  # agency dcf
    client.force_login(other_staff)
    assert client.get(reverse("procurement:detail", args=[solicitation.pk])).status_code == 404
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    client.force_login(oversight)
    assert client.get(reverse("procurement:detail", args=[solicitation.pk])).status_code == 200
    response = client.post(
        reverse("procurement:action", args=[solicitation.pk, "windows"]), {"windows-reason": "x"}
    )
    assert response.status_code == 403


def test_full_cycle_through_the_pages(client, today_notified, bidder, officer):
    """seed 004: request, meeting, appeal on another ground refused, appeal, decision."""
    solicitation, _, lose = today_notified
    detail = reverse("procurement:detail", args=[solicitation.pk])
    client.force_login(bidder)
    client.post(reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "debriefing"]))
    refused = client.post(
        reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "appeal"]),
        {"ground": "fundamental_unfairness", "statement": "x"},
        follow=True,
    )
    assert "debriefing must take place" in refused.content.decode()
    client.force_login(officer)
    # a refused record keeps what the officer typed, once (issue 21)
    future = client.post(
        reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "meeting"]),
        {
            "held_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "attendees": "Ann Lee, Bo Chen",
            "discussion": "Scores for quality",
        },
        follow=True,
    ).content.decode()
    assert "future" in future
    assert ">Ann Lee, Bo Chen</textarea>" in future and ">Scores for quality</textarea>" in future
    assert "Ann Lee, Bo Chen" not in client.get(detail).content.decode()
    client.post(
        reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "meeting"]),
        {
            "held_on": timezone.localdate().isoformat(),
            "attendees": "A, B",
            "discussion": "Quality scores",
        },
    )
    client.force_login(bidder)
    page = client.get(detail).content.decode()
    assert "released at the debriefing" in page and "Quality scores" in page
    other = client.post(
        reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "appeal"]),
        {"ground": "other", "statement": "Price was too low"},
        follow=True,
    )
    assert "only on two grounds" in other.content.decode()
    client.post(
        reverse("procurement:bid_action", args=[solicitation.pk, lose.pk, "appeal"]),
        {"ground": "non_compliance", "statement": "The RFR said otherwise"},
    )
    appeal = BidAppeal.objects.get(bid=lose, status="pending")
    client.force_login(officer)
    assert client.get(detail).status_code == 200
    client.post(
        reverse("procurement:appeal_decide", args=[solicitation.pk, appeal.pk]),
        {
            "status": "dismissed",
            "decision": "Complied",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    appeal.refresh_from_db()
    assert appeal.status == "dismissed"
    # the procurement file is made in the background (issue 20): a job, then its download
    started = client.post(reverse("procurement:pdf", args=[solicitation.pk]))
    job = Job.objects.get()
    assert started.status_code == 302 and started.url == reverse("core:job", args=[job.pk])
    page = client.get(started.url).content.decode()
    assert "Download the procurement file (PDF)" in page and "is ready" in page
    pdf = client.get(reverse("core:job_report", args=[job.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF") and is_tagged(data)
    assert page_sizes(data) == {(595, 842)}  # the Scottish agency writes on A4


def test_agency_runs_bids_scores_award_and_notice_through_the_pages(
    client, solicitation, ccm, provider, other_provider
):
    client.force_login(ccm)
    url = lambda a: reverse("procurement:action", args=[solicitation.pk, a])  # noqa: E731
    for p, price in ((provider, "100"), (other_provider, "90")):
        client.post(
            url("bid"), {"bid-provider": p.pk, "bid-price": price, "bid-received_on": "2026-01-05"}
        )
    bids = list(solicitation.bids.all())
    assert len(bids) == 2
    for c in solicitation.criteria.all():
        for bid, score in ((bids[0], "80"), (bids[1], "70")):
            client.post(
                url("score"), {"score-bid": bid.pk, "score-criterion": c.pk, "score-score": score}
            )
    page = client.get(reverse("procurement:detail", args=[solicitation.pk])).content.decode()
    assert "<td>80.0</td>" in page and "80.0000" not in page  # scores with one decimal
    award = {
        "award-bid": bids[0].pk,
        "award-number": "SCC-9",
        "award-start_date": "2026-04-01",
        "award-end_date": "2027-03-31",
    }
    confirm = client.post(url("award"), award)  # issue 21: what awarding does, first
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "What will happen" in body and "Who is told" in body
    assert 'name="award-number" value="SCC-9"' in body  # carried to the confirmation
    solicitation.refresh_from_db()
    assert solicitation.status == "open"
    client.post(url("award"), {**award, "confirm": "yes"})
    solicitation.refresh_from_db()
    page = client.get(reverse("procurement:detail", args=[solicitation.pk])).content.decode()
    assert "Contract" in page and "SCC-9</a> is a draft" in page
    refused = client.post(url("notify"), {"notify-on": "2026-03-02", "confirm": "yes"}, follow=True)
    assert "Execute the contract SCC-9 first" in refused.content.decode()
    procurement_record_set(
        actor=ccm, contract=solicitation.contract, data={"advertised_on_pcs": True}
    )
    contract_execute(actor=ccm, contract=solicitation.contract, executed_on=date(2026, 3, 1))
    confirm = client.post(url("notify"), {"notify-on": "2026-03-02"})
    assert confirm.status_code == 200 and "emailed their notice" in confirm.content.decode()
    solicitation.refresh_from_db()
    assert solicitation.status == "awarded"
    client.post(url("notify"), {"notify-on": "2026-03-02", "confirm": "yes"})
    solicitation.refresh_from_db()
    assert solicitation.status == "notified"
    assert solicitation.contract.number == "SCC-9"


def test_list_query_budget(client, officer, scc, ccm, django_assert_max_num_queries):
    for i in range(30):
        services.solicitation_create(
            actor=ccm,
            agency=scc,
            data={"reference": f"Q-{i}", "title": "t", "estimated_value": "1"},
            criteria=[("Q", "1")],
        )
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("procurement:list"))
    assert response.content.decode().count("Q-") >= 30


def test_file_page_query_budget(client, solicitation, ccm, officer, django_assert_max_num_queries):
    """The procurement file with many bids, notices and debriefings: a bounded query count."""
    providers = [ProviderFactory() for _ in range(15)]
    bids = [
        services.bid_record(
            actor=ccm,
            solicitation=solicitation,
            provider=p,
            price="100",
            received_on=date(2026, 1, 1),
        )
        for p in providers
    ]
    for c in solicitation.criteria.all():
        for b in bids:
            services.score_record(actor=ccm, bid=b, criterion=c, score=50)
    services.solicitation_award(
        actor=ccm,
        solicitation=solicitation,
        bid=bids[0],
        contract_data={
            "number": "QB-1",
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
        },
    )
    today = timezone.localdate()
    solicitation.refresh_from_db()
    procurement_record_set(
        actor=ccm, contract=solicitation.contract, data={"advertised_on_pcs": True}
    )
    contract_execute(actor=ccm, contract=solicitation.contract, executed_on=timezone.localdate())
    services.notices_send(actor=ccm, solicitation=solicitation, notified_on=today)
    for b, p in zip(bids[1:], providers[1:], strict=True):
        user = UserFactory(role=Role.PROVIDER_USER, provider=p, agency=None)
        request = services.debriefing_request(actor=user, bid=b, requested_on=today)
        services.debriefing_meeting_record(
            actor=officer, request=request, held_on=today, attendees="a", discussion="b"
        )
    client.force_login(officer)
    url = reverse("procurement:detail", args=[solicitation.pk])
    # 13: the file's documents (debriefings and appeals), one query whatever the bids (issue 22)
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200


def test_delegated_limits_page(client, scc, ccm, make_user):
    """seed 003: contract managers set limits; other staff read; providers and others refused."""
    holder = UserFactory(role=Role.BUDGET_HOLDER, agency=scc, username="holder2")
    url = reverse("procurement:limits")
    client.force_login(ccm)
    assert client.post(url, {"person": holder.pk, "amount": "2500"}).status_code == 302
    assert "£2,500.00" in client.get(url).content.decode()
    client.force_login(holder)
    assert client.get(url).status_code == 200
    assert client.post(url, {"person": holder.pk, "amount": "9999999"}).status_code == 403
    client.force_login(make_user(Role.PROVIDER_USER))
    assert client.get(url).status_code == 403


def test_the_work_list_pages_of_a_bid_and_a_debriefing_guard_and_never_fail(
    client, notified, bidder, officer, ccm, django_assert_max_num_queries
):
    """/procurement/bids/<id>/ and /procurement/debriefings/<id>/: sign-in needed, 404 for an
    unknown id or another provider's bid, a bounded number of queries."""
    _, win, lose = notified
    request = services.debriefing_request(actor=bidder, bid=lose, requested_on=date(2026, 3, 3))
    bid_url = reverse("procurement:bid", args=[lose.pk])
    debriefing_url = reverse("procurement:debriefing", args=[request.pk])
    for url in (bid_url, debriefing_url):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    client.force_login(bidder)
    assert client.get(bid_url).status_code == 200
    assert client.get(reverse("procurement:bid", args=[win.pk])).status_code == 404
    assert client.get(reverse("procurement:bid", args=[999999])).status_code == 404
    assert client.get(reverse("procurement:debriefing", args=[999999])).status_code == 404
    outsider = UserFactory(role=Role.PROVIDER_USER, provider=ProviderFactory(), agency=None)
    client.force_login(outsider)
    assert client.get(bid_url).status_code == 404
    assert client.get(debriefing_url).status_code == 404
    client.force_login(officer)
    # 17: the file's documents of debriefings and appeals (issue 22)
    with django_assert_max_num_queries(17):
        body = client.get(debriefing_url).content.decode()
    assert "Record the debriefing of bid" in body
    assert f'id="bid-{lose.pk}"' in body
