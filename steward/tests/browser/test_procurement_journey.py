"""Browser journeys of procurement, each starting from the person's work list on the home page.

A non-successful bidder (provider user) clicks its window to ask for a debriefing and asks for
one; the procurement officer clicks the debriefing meeting due and records it; the bidder clicks
its window to appeal and appeals (first on a ground seed 004 does not allow, refused with the
reason and kept in the file; then on fundamental unfairness), after which the item has left its
work list. Every page axe-checked."""

from __future__ import annotations

import re
from datetime import date

import pytest

from steward.contracts.services import contract_execute
from steward.parties.models import Role
from steward.procurement import services
from steward.procurement.services_compliance import procurement_record_set
from steward.testing.factories import PASSWORD, AgencyFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bidder_requests_a_debriefing_and_then_appeals(watched, packs, provider, other_provider):
    scc = AgencyFactory(name="Highland Council", slug="hc", pack=packs["scottish-childrens"])
    ccm = UserFactory(role=Role.CONTRACT_MANAGER, agency=scc, username="ccm")
    officer = UserFactory(role=Role.PROCUREMENT_OFFICER, agency=scc, username="officer")
    bidder = UserFactory(
        role=Role.PROVIDER_USER, provider=other_provider, agency=None, username="bidder"
    )
    solicitation = services.solicitation_create(
        actor=ccm,
        agency=scc,
        data={"reference": "HC-T-7", "title": "Supported lodgings", "estimated_value": "90000"},
        criteria=[("Quality", "60"), ("Price", "40")],
    )
    win = services.bid_record(
        actor=ccm,
        solicitation=solicitation,
        provider=provider,
        price="85000",
        received_on=date(2026, 1, 5),
    )
    lose = services.bid_record(
        actor=ccm,
        solicitation=solicitation,
        provider=other_provider,
        price="80000",
        received_on=date(2026, 1, 6),
    )
    for criterion in solicitation.criteria.all():
        services.score_record(actor=ccm, bid=win, criterion=criterion, score=85)
        services.score_record(actor=ccm, bid=lose, criterion=criterion, score=70)
    contract = services.solicitation_award(
        actor=ccm,
        solicitation=solicitation,
        bid=win,
        contract_data={
            "number": "HC-C-7",
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
        },
    )
    today = scc.today()
    procurement_record_set(actor=ccm, contract=contract, data={"advertised_on_pcs": True})
    contract_execute(actor=ccm, contract=contract, executed_on=today)
    services.notices_send(actor=ccm, solicitation=solicitation, notified_on=today)
    page = watched.page

    # the bidder: from its work list to the debriefing request
    sign_in(watched, bidder.username, PASSWORD)
    assert page.get_by_role("heading", name="What you need to do").is_visible()
    watched.check()
    page.get_by_role(
        "link", name="Ask for a debriefing on the award of HC-C-7, if you wish to"
    ).click()
    page.wait_for_load_state()
    assert page.get_by_role(
        "heading", name=f"Bid {lose.pk}: {other_provider.legal_name}"
    ).is_visible()
    assert "85000" not in page.content()  # never the winner's price
    watched.check()
    page.get_by_role("button", name="Request a debriefing").click()
    page.wait_for_load_state()
    assert page.get_by_text("Debriefing requested.").is_visible()
    watched.check()
    page.context.clear_cookies()

    # the procurement officer: from the work list to the meeting
    sign_in(watched, officer.username, PASSWORD)
    page.get_by_role(
        "link", name="Hold and record the debriefing meeting a bidder asked for (HC-C-7)"
    ).click()
    page.wait_for_load_state()
    assert page.get_by_text("14 days left").is_visible()
    watched.check()
    page.get_by_label("Who attended").fill("L. Ortega (officer); J. Avery (bidder)")
    page.get_by_label("What was discussed").fill("Quality scores and the evaluation method")
    page.get_by_role("button", name="Record the debriefing").click()
    page.wait_for_load_state()
    assert page.get_by_text("Debriefing recorded in the procurement file.").is_visible()
    watched.check()
    page.context.clear_cookies()

    # the bidder again: from the work list to the appeal
    sign_in(watched, bidder.username, PASSWORD)
    page.get_by_role("link", name="Appeal the award of HC-C-7, if you wish to").click()
    page.wait_for_load_state()
    assert page.get_by_text("released at the debriefing").is_visible()
    watched.check()
    page.locator("label[for=ground-other]").click()  # USWDS hides the input itself
    page.get_by_label("Your appeal").fill("Our price was lower")
    page.get_by_role("button", name="Lodge the appeal").click()
    page.wait_for_load_state()
    # seed 004: refused with the reason, and kept in the procurement file
    assert page.get_by_text("Appeal kept in the file and refused").is_visible()
    watched.check()
    page.locator("label[for=ground-fundamental_unfairness]").click()
    page.get_by_label("Your appeal").fill("The presentation slot was shorter for us")
    page.get_by_role("button", name="Lodge the appeal").click()
    page.wait_for_load_state()
    assert page.get_by_text("Appeal lodged.").is_visible()
    assert page.get_by_role("heading", name=re.compile(r"Appeal lodged .*: Pending")).is_visible()
    watched.check()
    page.goto("/")
    assert page.get_by_text("You have nothing to do at the moment.").is_visible()
    watched.check()


def test_an_early_termination_walks_from_the_request_to_its_effective_date(
    watched, packs, provider
):
    """seed 003 early termination, each person from their work list: the lead professional
    asks; the contract manager reviews the supply and the contractual capacity and sends the
    notice (dated 30 days ago, 30 days' notice: it takes effect today); the contract still
    runs while a child is placed under it; the key worker ends the placement (the proforma to
    Finance and the contract manager); the contract manager records the termination. Every
    page axe-checked."""
    from datetime import timedelta

    from steward.procurement import services_placements
    from steward.testing.factories import ContractFactory

    scc = AgencyFactory(name="Highland Council", slug="hc", pack=packs["scottish-childrens"])
    ccm = UserFactory(role=Role.CONTRACT_MANAGER, agency=scc, username="ccm")
    lead = UserFactory(role=Role.CONTRACT_MONITOR, agency=scc, username="lead")
    key = UserFactory(role=Role.KEY_WORKER, agency=scc, username="key")
    UserFactory(role=Role.FINANCE_OFFICER, agency=scc, username="finance")
    UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None, username="supplier")
    contract = ContractFactory(
        agency=scc,
        provider=provider,
        number="HC-C-1",
        status="active",
        currency="GBP",
        authority_category="A",
        end_date=date(2030, 3, 31),
        contract_manager=ccm,
    )
    today = scc.today()
    services_placements.placement_create(
        actor=lead,
        contract=contract,
        data={
            "case_reference": "CASE-9",
            "category": "A",
            "amount": "1200",
            "key_worker": key,
            "start_date": today - timedelta(days=60),
            "anticipated_end": today + timedelta(days=200),
        },
        today=today - timedelta(days=60),
    )
    page = watched.page

    # the lead professional asks the contract manager
    sign_in(watched, lead.username, PASSWORD)
    page.goto(f"/procurement/contracts/{contract.pk}/termination/")
    watched.check()
    page.get_by_label("Why the contract should end early").fill("Repeated safeguarding concerns")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert page.get_by_text("Request sent to the contract manager.").is_visible()
    watched.check()
    page.context.clear_cookies()

    # the contract manager: from the work list to the review and the notice
    sign_in(watched, ccm.username, PASSWORD)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.get_by_role(
        "link", name=re.compile("Review the request to terminate HC-C-1 early")
    ).first.click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Why terminate early").fill("Repeated safeguarding concerns")
    page.get_by_label("Alternative providers (supply repercussions)").fill("Harbor Youth")
    page.get_by_label("Contract terms that allow the termination").fill("Clause 21.2")
    page.get_by_label("Contractual notice period (days)").fill("30")
    page.get_by_label("Date of the written notice").fill((today - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_load_state()
    assert page.get_by_text("CASE-9").first.is_visible()
    watched.check()
    # the notice is sent from its preview (issue 21 point 7)
    page.get_by_role("link", name="Preview the notice, then send it").click()
    page.wait_for_load_state()
    assert page.get_by_text("Preview of the notice").is_visible()
    watched.check()
    # the preview says what is sent and to whom: sending from it is the confirmation
    page.get_by_role("button", name="Send the notice to the provider").click()
    page.wait_for_load_state()
    runs_on = page.get_by_text("The contract runs until the termination takes effect")
    assert runs_on.first.is_visible()
    assert page.get_by_text("Status: Active").is_visible()
    watched.check()
    page.context.clear_cookies()

    # the key worker: from the work list to the placement's end
    sign_in(watched, key.username, PASSWORD)
    page.get_by_role(
        "link", name="End the placement under HC-C-1 and send the termination proforma"
    ).click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_role("link", name=re.compile("End the placement")).click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Reason").fill("Moved to kinship care")
    page.get_by_role("button", name="End and send the proforma").click()
    page.wait_for_load_state()
    assert page.get_by_text("termination proforma sent to Finance").is_visible()
    watched.check()
    page.context.clear_cookies()

    # the contract manager records the termination, which takes effect today
    sign_in(watched, ccm.username, PASSWORD)
    page.get_by_role(
        "link", name="Record the end of HC-C-1: its early termination takes effect"
    ).click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_role("button", name="Record the termination").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What will happen").is_visible()  # issue 21
    watched.check()
    page.get_by_role("button", name="Record the termination").click()
    page.wait_for_load_state()
    assert page.get_by_text("The contract is terminated").is_visible()
    watched.check()
    contract.refresh_from_db()
    assert contract.status == "terminated"
