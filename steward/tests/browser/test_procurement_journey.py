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


def test_manager_creates_a_solicitation_places_a_person_and_reviews_termination(
    watched, packs, provider
):
    """seed 003: the agency's pages (new solicitation, placements, termination) are axe-clean;
    the notice of early termination puts its effective date on the manager's work list."""
    from steward.testing.factories import ContractFactory

    scc = AgencyFactory(name="Highland Council", slug="hc", pack=packs["scottish-childrens"])
    ccm = UserFactory(role=Role.CONTRACT_MANAGER, agency=scc, username="ccm")
    contract = ContractFactory(
        agency=scc,
        provider=provider,
        number="HC-C-1",
        status="active",
        currency="GBP",
        end_date=date(2030, 3, 31),
        contract_manager=ccm,
    )
    page = watched.page
    sign_in(watched, ccm.username, PASSWORD)

    page.goto("/procurement/new/")
    watched.check()
    page.get_by_label("Reference").fill("HC-T-1")
    page.get_by_label("Title").fill("Respite care")
    page.get_by_label("Estimated value").fill("20000")
    page.get_by_label("Evaluation criteria and weights").fill("Quality: 70\nPrice: 30")
    page.get_by_role("button", name="Create the solicitation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Not required: at or under the tender threshold").is_visible()
    watched.check()

    page.goto("/procurement/limits/")
    watched.check()

    page.goto(f"/contracts/{contract.pk}/")
    page.get_by_role("link", name="Placements").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Case reference").fill("CASE-9")
    page.get_by_label("Authorisation category").select_option("A")
    page.get_by_label("Authorised by").select_option("criteria_met")
    page.get_by_label("Cost of the purchase").fill("1200")
    page.get_by_label("Individual specification of need (Schedule C)").fill("Supported lodgings")
    page.get_by_label("Start", exact=True).fill("2026-04-01")
    page.get_by_label("Anticipated end").fill("2026-09-30")
    page.get_by_role("button", name="Record the placement").click()
    page.wait_for_load_state()
    assert page.get_by_text("Finance notified").first.is_visible()
    watched.check()

    page.goto(f"/procurement/contracts/{contract.pk}/termination/")
    watched.check()
    page.get_by_label("Why terminate early").fill("Persistent failure to meet standards")
    page.get_by_label("Alternative providers (supply repercussions)").fill("Harbor Youth")
    page.get_by_label("Contractual notice period (days)").fill("30")
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_load_state()
    assert page.get_by_text("CASE-9").first.is_visible()
    watched.check()
    page.get_by_role("button", name="Issue the notice to the provider").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "The contract runs until the termination takes effect"
    ).first.is_visible()
    assert page.get_by_text("Status: Active").is_visible()
    watched.check()

    # the termination taking effect is on the manager's work list (due in 30 days: under
    # "Later", which the person opens), and leads back here
    page.goto("/")
    watched.check()
    page.locator("details.steward-work__later > summary").click()
    page.get_by_role(
        "link", name="Record the end of HC-C-1: its early termination takes effect"
    ).click()
    page.wait_for_load_state()
    assert page.get_by_text("30 days left").is_visible()
    watched.check()
