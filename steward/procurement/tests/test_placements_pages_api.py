"""Placement and early-termination pages and API (seed 003): a page for each step, shown to the
people who take it and refused (403) to the others; the API flow of the category C chain;
bounded queries on the lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from steward.core.tests.api_support import call, token_client
from steward.parties.models import Role
from steward.procurement import services_placements as ps
from steward.procurement.models import Placement, PlacementStatus, TerminationReview
from steward.testing.factories import AgencyFactory, UserFactory
from steward.tests.pages import signed_in

from .test_placements import _placed_c, _refer, _specify

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def _get(client, user, url):
    return signed_in(client, user).get(url)


def test_each_step_has_its_page_for_the_person_who_takes_it(client, team, contracts):
    """seed 003: the RAG administrator records the decision, the key worker gives Schedule C,
    the contract manager issues the contract and records the signature, the key worker reviews
    and ends the placement: each on its own page, refused to the others."""
    with time_machine.travel(NOON):
        placement = _refer(team)
        steps = [
            ("decide", "rag", ("ccm", "key", "finance", "big")),
        ]
        for step, who, others in steps:
            url = reverse("procurement:placement_step", args=[placement.pk, step])
            assert _get(client, team[who], url).status_code == 200
            for other in others:
                assert _get(client, team[other], url).status_code == 403, other
        url = reverse("procurement:placement_step", args=[placement.pk, "decide"])
        response = signed_in(client, team["rag"]).post(
            url, {"place": "yes", "decided_on": "2026-03-11", "decision": "Place for nine months"}
        )
        assert response.status_code == 302
        placement.refresh_from_db()
        assert placement.status == PlacementStatus.AWAITING_SPECIFICATION
        url = reverse("procurement:placement_step", args=[placement.pk, "specify"])
        assert _get(client, team["key2"], url).status_code == 403
        assert _get(client, team["ccm"], url).status_code == 403
        body = _get(client, team["key"], url).content.decode()
        assert "Individual specification of need (Schedule C)" in body
        bad = signed_in(client, team["key"]).post(
            url,
            {
                "needs": "n",
                "outcome": "o",
                "plan_kind": "iep",
                "plan_reference": "IEP-1",
                "responsibility": "outcome",
                "support": "s",
                "review_dates": "2028-01-01",
            },
        )
        assert "outside the placement" in bad.content.decode()
        _specify(team, placement)
        url = reverse("procurement:placement_step", args=[placement.pk, "issue"])
        assert _get(client, team["key"], url).status_code == 403
        assert _get(client, team["ccm"], url).status_code == 200
        response = signed_in(client, team["ccm"]).post(url, {"contract": contracts["C"].pk})
        assert response.status_code == 302
        url = reverse("procurement:placement_step", args=[placement.pk, "signed"])
        assert _get(client, team["rag"], url).status_code == 403
        response = signed_in(client, team["ccm"]).post(url, {"signed_on": "2026-03-11"})
        assert response.status_code == 302
        placement.refresh_from_db()
        assert placement.status == PlacementStatus.ACTIVE
        for step in ("review", "end", "move", "outcome"):
            url = reverse("procurement:placement_step", args=[placement.pk, step])
            assert _get(client, team["key"], url).status_code == 200, step
            assert _get(client, team["finance"], url).status_code == 403, step
        # the detail page: child details only for those who work with the child
        url = reverse("procurement:placement", args=[placement.pk])
        assert "CP-2291" in _get(client, team["key"], url).content.decode()
        finance_view = _get(client, team["finance"], url)
        assert finance_view.status_code == 200
        assert "CP-2291" not in finance_view.content.decode()
        outsider = UserFactory(role=Role.CONTRACT_MANAGER, agency=AgencyFactory(slug="far"))
        assert _get(client, outsider, url).status_code == 404
        provider_user = team["supplier"]
        assert _get(client, provider_user, url).status_code == 404


def test_pages_need_sign_in(client, team):
    placement = _refer(team)
    for url in (
        reverse("procurement:agency_placements"),
        reverse("procurement:placement", args=[placement.pk]),
        reverse("procurement:placement_step", args=[placement.pk, "decide"]),
        reverse("procurement:finance_notices"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


def test_the_referral_page_is_for_the_lead_professional(client, team):
    """seed 003: the lead professional gives the group the information for its decision."""
    url = reverse("procurement:agency_placements")
    with time_machine.travel(NOON):
        body = _get(client, team["lead"], url).content.decode()
        assert "Refer a placement to the Resource Allocation Group" in body
        assert "Refer a placement" not in _get(client, team["finance"], url).content.decode()
        assert signed_in(client, team["finance"]).post(url, {}).status_code == 403
        response = signed_in(client, team["lead"]).post(
            url,
            {
                "case_reference": "CASE-P1",
                "service_type": "Fostering",
                "amount": "40000",
                "start_date": "2026-04-01",
                "anticipated_end": "2026-12-31",
                "key_worker": team["key"].pk,
                "reviewing_officer": team["reviewer"].pk,
                "lead_information": "Needs a long-term foster placement",
            },
        )
    assert response.status_code == 302
    assert Placement.objects.get(case_reference="CASE-P1").status == PlacementStatus.REFERRED
    assert _get(client, team["supplier"], url).status_code == 403


def test_the_placements_are_reached_from_the_procurement_page(client, team):
    """seed 003 flow chart: the category C chain starts with a referral; the agency's
    placements (where it is made) and Finance's notices are linked from the Procurement page
    for the agency's staff, never for a provider's users."""
    url = reverse("procurement:list")
    links = (reverse("procurement:agency_placements"), reverse("procurement:finance_notices"))
    for person in ("lead", "finance"):
        body = _get(client, team[person], url).content.decode()
        assert all(f'href="{link}"' in body for link in links), person
    body = _get(client, team["supplier"], url).content.decode()
    assert not any(link in body for link in links)


def test_lists_have_bounded_queries(client, team, contracts, django_assert_max_num_queries):
    for i in range(3):
        _placed_c(team, contracts, case=f"CASE-Q{i}")
    with time_machine.travel(NOON):
        for url, user in (
            (reverse("procurement:agency_placements"), team["lead"]),
            (reverse("procurement:finance_notices"), team["finance"]),
            (reverse("procurement:placements", args=[contracts["C"].pk]), team["ccm"]),
        ):
            signed_in(client, user)
            with django_assert_max_num_queries(25):
                assert client.get(url).status_code == 200


def test_finance_acknowledges_on_its_page(client, team, contracts):
    placement = _placed_c(team, contracts)
    notice = placement.notifications.get(kind="start")
    url = reverse("procurement:finance_notices")
    assert signed_in(client, team["lead"]).post(url, {"notice": notice.pk}).status_code == 403
    with time_machine.travel(NOON):
        assert (
            signed_in(client, team["finance"]).post(url, {"notice": notice.pk}).status_code == 302
        )
    notice.refresh_from_db()
    assert notice.acknowledged_by == team["finance"]


def test_the_termination_page_walks_request_review_notice(client, team, contracts):
    """seed 003 early termination on its page: the lead professional asks, the contract
    manager reviews and sends the notice; the contract runs until the effective date."""
    contract = contracts["B"]
    url = reverse("procurement:termination", args=[contract.pk])
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC)):
        body = _get(client, team["lead"], url).content.decode()
        assert "Ask the contract manager to terminate early" in body
        action = reverse("procurement:termination_action", args=[contract.pk, "request"])
        assert signed_in(client, team["key"]).post(action, {"reason": "x"}).status_code == 403
        assert (
            signed_in(client, team["lead"]).post(action, {"reason": "Failures"}).status_code == 302
        )
        assert signed_in(client, team["lead"]).post(url, {}).status_code == 403
        response = signed_in(client, team["ccm"]).post(
            url,
            {
                "reason": "Failures",
                "alternative_providers": "Harbor",
                "capacity_clause": "Clause 21",
                "notice_period_days": "30",
                "notice_on": "2026-05-01",
            },
        )
        assert response.status_code == 302
        notice = reverse("procurement:termination_action", args=[contract.pk, "notice"])
        assert signed_in(client, team["lead"]).post(notice).status_code == 403
        confirm = signed_in(client, team["ccm"]).post(notice).content.decode()
        assert "What will happen" in confirm and "emailed the notice" in confirm  # issue 21
        contract.refresh_from_db()
        assert not TerminationReview.objects.get(contract=contract).notice_sent
        page = client.post(notice, {"confirm": "yes"}, follow=True).content.decode()
        assert "The contract runs until the termination takes effect on 31 May 2026" in page
        pdf = client.get(reverse("procurement:termination_pdf", args=[contract.pk]))
        assert pdf.content.startswith(b"%PDF")
    contract.refresh_from_db()
    assert contract.status == "executed"
    assert _get(client, team["supplier"], url).status_code == 404


# ------------------------------------------------------------------ API


def test_the_category_c_chain_through_the_api(team, contracts):
    """seed 003 flow chart through /api/v1/procurement/: referral, decision, Schedule C,
    issue, signature, review, end; a refusal is a 422 or 409 with its reason."""
    lead, rag, key, ccm = (token_client(team[n]) for n in ("lead", "rag", "key", "ccm"))
    with time_machine.travel(NOON):
        made = call(
            lead,
            "post",
            "/procurement/placements",
            {
                "case_reference": "CASE-API",
                "service_type": "Residential school",
                "amount": "120000",
                "start_date": "2026-04-01",
                "anticipated_end": "2026-12-31",
                "key_worker_id": team["key"].pk,
                "reviewing_officer_id": team["reviewer"].pk,
                "lead_information": "Needs specialist education",
            },
        )
        assert made.status_code == 201, made.content
        pid = made.json()["id"]
        assert made.json()["status"] == "referred"
        base = f"/procurement/placements/{pid}"
        assert (
            call(
                key,
                "post",
                f"{base}/rag-decision",
                {"place": True, "decision": "x", "decided_on": "2026-03-11"},
            ).status_code
            == 403
        )
        decided = call(
            rag,
            "post",
            f"{base}/rag-decision",
            {"place": True, "decision": "Place", "decided_on": "2026-03-11"},
        )
        assert decided.json()["status"] == "awaiting_specification"
        spec = {
            "needs": "Specialist teaching",
            "support": "1:1 support",
            "review_dates": ["2026-07-01"],
            "outcomes": [
                {
                    "outcome": "Reads at age level",
                    "plan_kind": "csp",
                    "plan_reference": "CSP-88",
                    "responsibility": "outcome",
                }
            ],
        }
        bad = call(key, "post", f"{base}/specification", {**spec, "review_dates": []})
        assert bad.status_code == 422 and "review date" in bad.content.decode()
        assert call(key, "post", f"{base}/specification", spec).status_code == 200
        wrong = call(ccm, "post", f"{base}/issue", {"contract_id": contracts["A"].pk})
        assert wrong.status_code == 422
        issued = call(ccm, "post", f"{base}/issue", {"contract_id": contracts["C"].pk})
        assert issued.json()["status"] == "awaiting_signature"
        signed = call(ccm, "post", f"{base}/signed", {"signed_on": "2026-03-11"})
        assert signed.json()["status"] == "active"
        outcomes = call(key, "get", f"{base}/outcomes").json()
        assert outcomes[0]["plan_reference"] == "CSP-88"
        assert call(token_client(team["finance"]), "get", f"{base}/outcomes").status_code == 404
        reviewed = call(
            key,
            "post",
            f"{base}/reviews",
            {
                "held_on": "2026-03-11",
                "actions": "Speech therapy",
                "progress": [{"outcome_id": outcomes[0]["id"], "progress": "on_track"}],
            },
        )
        assert reviewed.status_code == 201
        ended = call(key, "post", f"{base}/end", {"ended_on": "2026-04-01", "reason": "Moved away"})
        assert ended.status_code == 200, ended.content
        assert ended.json()["status"] == "ended"
        again = call(key, "post", f"{base}/end", {"ended_on": "2026-04-01", "reason": "x"})
        assert again.status_code == 409
        notices = call(token_client(team["finance"]), "get", "/procurement/finance-notices")
        assert {n["kind"] for n in notices.json()} >= {"start", "termination", "contract_dates"}
        first = notices.json()[0]["id"]
        ack = call(
            token_client(team["finance"]),
            "post",
            f"/procurement/finance-notices/{first}/acknowledge",
        )
        assert ack.status_code == 200 and ack.json()["acknowledged_on"] == "2026-03-11"


def test_category_b_through_the_api_needs_both(team, contracts):
    """seed 003 category B through the API: the group alone is refused (422); a budget holder
    over their limit leaves it waiting for one within theirs."""
    holder = token_client(team["holder"])
    path = f"/procurement/contracts/{contracts['B'].pk}/placements"
    body = {
        "case_reference": "CASE-BA",
        "category": "B",
        "authoriser": "community_resource_group",
        "amount": "50000",
        "key_worker_id": team["key"].pk,
        "crg_decided_on": "2026-03-01",
        "crg_decision": "CRG minute 3",
        "start_date": "2026-04-01",
        "anticipated_end": "2026-09-30",
    }
    with time_machine.travel(NOON):
        refused = call(holder, "post", path, body)
        assert refused.status_code == 422 and "both" in refused.content.decode()
        waiting = call(holder, "post", path, {**body, "authoriser": ""})
        assert waiting.status_code == 201 and waiting.json()["status"] == "awaiting_authorisation"
        pid = waiting.json()["id"]
        over = call(holder, "post", f"/procurement/placements/{pid}/authorise")
        assert over.status_code == 422 and "delegated limit" in over.content.decode()
        done = call(token_client(team["big"]), "post", f"/procurement/placements/{pid}/authorise")
        assert done.json()["status"] == "active"
        wrong = call(holder, "post", path, {**body, "category": "A", "authoriser": ""})
        assert wrong.status_code == 422 and "category B" in wrong.content.decode()


def test_early_termination_through_the_api(team, contracts):
    """seed 003 early termination through the API: request (lead professional), review,
    notice; taking effect is refused before the effective date (409)."""
    contract = contracts["A"]
    base = f"/procurement/contracts/{contract.pk}/termination"
    ccm = token_client(team["ccm"])
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC)):
        assert call(ccm, "post", f"{base}/request", {"reason": "x"}).status_code == 403
        asked = call(token_client(team["lead"]), "post", f"{base}/request", {"reason": "Failures"})
        assert asked.status_code == 201 and asked.json()["status"] == "requested"
        reviewed = call(
            ccm,
            "post",
            f"{base}/review",
            {
                "reason": "Failures",
                "alternative_providers": "Harbor",
                "notice_period_days": 30,
                "notice_on": "2026-05-01",
            },
        )
        assert reviewed.json()["effective_on"] == "2026-05-31"
        sent = call(ccm, "post", f"{base}/notice")
        assert sent.json()["notice_sent"] is True
        early = call(ccm, "post", f"{base}/takes-effect")
        assert early.status_code == 409
    with time_machine.travel(datetime(2026, 5, 31, 12, 0, tzinfo=UTC)):
        done = call(ccm, "post", f"{base}/takes-effect")
        assert done.json()["status"] == "effective"
    ps_contract = type(contract).objects.get(pk=contract.pk)
    assert ps_contract.status == "terminated"
    assert ps  # the services module is the one the API calls
    assert date(2026, 5, 31) == ps_contract.terminated_on
