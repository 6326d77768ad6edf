"""Browser journey (seed 004, Massachusetts OSD Appendix F): a contract manager, from the work
list, opens the procurement file and awards the second-ranked bid. The page first says a
reason is needed (it is not the top-ranked bid), then records the award with the reason; the
reason is shown in the file. Every page axe-checked."""

from __future__ import annotations

from datetime import date

import pytest

from steward.parties.models import Role
from steward.procurement import services
from steward.testing.factories import PASSWORD, AgencyFactory, ProviderFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_awards_the_second_ranked_bid_with_a_reason_seed_004(watched, packs):
    dmh = AgencyFactory(
        name="Department of Mental Health", slug="ma-dmh", pack=packs["massachusetts-osd"]
    )
    manager = UserFactory(role=Role.CONTRACT_MANAGER, agency=dmh, username="manager")
    solicitation = services.solicitation_create(
        actor=manager,
        agency=dmh,
        data={
            "reference": "DMH-RFR-26",
            "title": "Clubhouse services",
            "estimated_value": "500000",
            "debriefing_contact": "Pat Doe, pat.doe@dmh.example",
            "appeal_contact": "Lee Roe, lee.roe@dmh.example",
        },
        criteria=[("Program", "70"), ("Cost", "30")],
    )
    bids = []
    for name, price, marks in (
        ("Harbor Clubhouse", "480000", (90, 80)),
        ("Bay Path Services", "450000", (85, 90)),
    ):
        bid = services.bid_record(
            actor=manager,
            solicitation=solicitation,
            provider=ProviderFactory(legal_name=name),
            price=price,
            received_on=date(2026, 1, 10),
        )
        for criterion, mark in zip(solicitation.criteria.all(), marks, strict=True):
            services.score_record(actor=manager, bid=bid, criterion=criterion, score=mark)
        bids.append(bid)
    second = bids[1]
    page = watched.page

    sign_in(watched, manager.username, PASSWORD)
    watched.check()  # the work list
    watched.nav("Procurement")
    page.wait_for_load_state()
    watched.check()
    page.get_by_role("link", name="DMH-RFR-26").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ranked result").is_visible()
    assert page.get_by_text("Debriefing requests go to").is_visible()
    watched.check()

    page.get_by_label("Winning bid").select_option(str(second.pk))
    page.get_by_label("Contract number").fill("DMH-C-26")
    page.get_by_label("Contract starts").fill("2026-07-01")
    page.get_by_label("Contract ends").fill("2027-06-30")
    page.get_by_role("button", name="Award").click()
    page.wait_for_load_state()
    # issue 21: what awarding does and who is told, before anything happens
    assert page.get_by_role("heading", name="What will happen").is_visible()
    watched.check()
    page.get_by_role("button", name="Award").click()
    page.wait_for_load_state()
    assert page.get_by_text("is not the top-ranked bid").first.is_visible()
    watched.check()

    page.get_by_label("Winning bid").select_option(str(second.pk))
    page.get_by_label("Contract number").fill("DMH-C-26")
    page.get_by_label("Contract starts").fill("2026-07-01")
    page.get_by_label("Contract ends").fill("2027-06-30")
    page.get_by_label("Reason for the award").fill(
        "Harbor Clubhouse withdrew its site letter after scoring."
    )
    page.get_by_role("button", name="Award").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Award").click()  # confirmed
    page.wait_for_load_state()
    assert page.get_by_text("Awarded to Bay Path Services").is_visible()
    assert page.get_by_text("Why not the top-ranked bid").is_visible()
    assert page.get_by_text("withdrew its site letter").is_visible()
    watched.check()
    solicitation.refresh_from_db()
    assert solicitation.awarded_bid_id == second.pk
