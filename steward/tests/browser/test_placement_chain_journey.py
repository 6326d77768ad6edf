"""Browser journey of a category C placement (seed 003 flow chart), each person starting from
their work list on the home page: the lead professional refers the child to the Resource
Allocation Group; the group's administrator records its decision to place, which asks the
contract manager for a contract; the key worker gives the Individual Specification of Need
(Schedule C); the contract manager issues the contract and records its signature (the key
worker and Finance told); at the end of the placement the key worker sends the termination
proforma to Finance and the contract manager. Every page axe-checked.

The people and the contract are built through the services (the contract manager creates and
executes a category C contract, the model terms); each step of the chain is taken on its page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from steward.contracts.services import contract_create, contract_execute
from steward.parties.models import Role
from steward.procurement.models import NotificationKind, Placement, PlacementStatus
from steward.procurement.services_compliance import procurement_record_set
from steward.testing.factories import PASSWORD, AgencyFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _home(watched, username):
    page = watched.page
    page.context.clear_cookies()
    sign_in(watched, username, PASSWORD)
    assert page.get_by_role("heading", name="What you need to do").is_visible()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    watched.check()
    return page


def _click(page, watched, name):
    page.get_by_role("link", name=name).first.click()
    page.wait_for_load_state()
    watched.check()


def test_a_category_c_placement_walks_from_referral_to_its_termination_proforma(
    watched, packs, provider
):
    """seed 003 flow chart, category C: "RAG decision to place. RAG requests CCM to issue
    contract" → "Key worker to provide CCM with Individual Specification of Need (Schedule C)"
    → "CCM issues contract." → "Informs key worker and Finance when signed." → "Key worker
    notifies Finance and CCM at end of placement." Each step from the person's work list."""
    scc = AgencyFactory(name="Highland Council", slug="hc", pack=packs["scottish-childrens"])
    ccm = UserFactory(role=Role.CONTRACT_MANAGER, agency=scc, username="ccm", email="c@hc.test")

    def person(role, name):
        return UserFactory(role=role, agency=scc, username=name, email=f"{name}@hc.test")

    lead = person(Role.CONTRACT_MONITOR, "lead")
    rag = person(Role.RAG_ADMINISTRATOR, "rag")
    key = person(Role.KEY_WORKER, "key")
    reviewer = person(Role.REVIEWING_OFFICER, "reviewer")
    person(Role.FINANCE_OFFICER, "finance")
    today = scc.today()
    contract = contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": "HC-C-9",
            "title": "Residential care for children",
            "contract_type": "framework",
            "service_type": "Residential care",
            "provider": provider,
            "start_date": today - timedelta(days=30),
            "end_date": today + timedelta(days=700),
            "maximum_obligation": Decimal("900000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
            "authority_category": "C",
        },
    )
    # seed 003: a tender above the threshold records where it was advertised
    procurement_record_set(
        actor=ccm,
        contract=contract,
        data={"advertised_on_pcs": True, "advertised_on": today - timedelta(days=120)},
    )
    contract_execute(actor=ccm, contract=contract, executed_on=today - timedelta(days=30))
    start, end = today, today + timedelta(days=180)

    # the lead professional: nothing on the list yet; Procurement → Placements → the referral
    page = _home(watched, lead.username)
    watched.nav("Procurement")
    page.wait_for_load_state()
    watched.check()
    _click(page, watched, "Placements and referrals to the Resource Allocation Group")
    page.get_by_label("Case reference").fill("CASE-77")
    page.get_by_label("Service needed").fill("Residential care")
    page.get_by_label("Provider proposed").select_option(str(provider.pk))
    page.get_by_label("Cost").fill("90000")
    page.get_by_label("Intended start").fill(start.isoformat())
    page.get_by_label("Anticipated end").fill(end.isoformat())
    page.get_by_label("Key worker").select_option(str(key.pk))
    page.get_by_label("Reviewing officer").select_option(str(reviewer.pk))
    page.get_by_label("Information for the group's decision (feeds Schedule C)").fill(
        "Assessment of 2 March: needs a small residential unit near her school."
    )
    page.get_by_role("button", name="Refer to the group").click()
    page.wait_for_load_state()
    assert page.get_by_text("Referred; the group's administrator").is_visible()
    watched.check()
    placement = Placement.objects.get(case_reference="CASE-77")

    # the group's administrator: the decision to place (the contract manager is asked)
    page = _home(watched, rag.username)
    _click(page, watched, "Record the Resource Allocation Group's decision on a placement request")
    _click(page, watched, "The Resource Allocation Group's decision")
    page.get_by_label("The group's decision").select_option("yes")
    page.get_by_label("Date of the decision").fill(today.isoformat())
    page.get_by_label("The decision as minuted").fill("RAG minute 31: place at Bright Homes")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert page.get_by_text("the key worker owes the specification of need").is_visible()
    watched.check()

    # the key worker: the Individual Specification of Need (Schedule C)
    page = _home(watched, key.username)
    _click(
        page, watched, "Give the contract manager the child's specification of need (Schedule C)"
    )
    _click(page, watched, "Individual specification of need (Schedule C)")
    page.get_by_label("The child's needs").fill("Stable residential care near her school")
    page.get_by_label("Outcome agreed for the child").fill("Attends school every day")
    page.get_by_label("The child's plan").select_option("childs_plan")
    page.get_by_label("Plan reference").fill("CP-2291")
    page.get_by_label("The provider's responsibility").select_option("outcome")
    page.get_by_label("Support to be provided").fill("Key-worker sessions twice a week")
    page.get_by_label("Review dates").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Give the specification to the contract manager").click()
    page.wait_for_load_state()
    assert page.get_by_text("the contract manager owes the contract").is_visible()
    watched.check()

    # the contract manager: issues the contract, then records its signature
    page = _home(watched, ccm.username)
    _click(
        page, watched, "Issue the contract for a placement the Resource Allocation Group decided"
    )
    _click(page, watched, "Issue the contract against the model terms")
    page.get_by_label("Contract (model terms)").select_option(str(contract.pk))
    page.get_by_role("button", name="Issue the contract").click()
    page.wait_for_load_state()
    assert page.get_by_text("Contract issued: a copy to the provider").is_visible()
    watched.check()
    page = _home(watched, ccm.username)
    _click(page, watched, "Record the signature of the placement contract under HC-C-9")
    _click(page, watched, "The contract is signed")
    page.get_by_label("Signed on").fill(today.isoformat())
    page.get_by_role("button", name="Record the signature").click()
    page.wait_for_load_state()
    assert page.get_by_text("the key worker and Finance are told").is_visible()
    watched.check()
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    told = set(placement.notifications.values_list("kind", flat=True))
    assert {NotificationKind.ISSUED, NotificationKind.SIGNED, NotificationKind.START} <= told

    # Finance: the placement's dates on its work list
    page = _home(watched, "finance")
    _click(page, watched, "Record the dates Finance was told of, and acknowledge the notice")
    assert page.get_by_role("heading", name="Notices to Finance").is_visible()
    assert page.get_by_text(re.compile("CASE-77")).first.is_visible()

    # the key worker, at the end of the placement: the termination proforma
    page = _home(watched, key.username)
    _click(page, watched, "End the placement under HC-C-9 and send the termination proforma")
    _click(page, watched, re.compile("End the placement"))
    page.get_by_label("Ended on").fill(today.isoformat())
    page.get_by_label("Reason").fill("Returned home to her family")
    page.get_by_role("button", name="End and send the proforma").click()
    page.wait_for_load_state()
    assert page.get_by_text("termination proforma sent to Finance").is_visible()
    watched.check()
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED
    proforma = placement.notifications.get(kind=NotificationKind.TERMINATION)
    assert proforma.to_finance and "c@hc.test" in proforma.sent_to

    # Finance sees the proforma to acknowledge
    page = _home(watched, "finance")
    _click(page, watched, "Record the dates Finance was told of, and acknowledge the notice")
    assert page.get_by_role(
        "rowheader", name="Termination proforma: placement CASE-77 under HC-C-9"
    ).is_visible()
    page.get_by_role("button", name=re.compile(r"Acknowledge\W*Termination proforma")).click()
    page.wait_for_load_state()
    watched.check()
    proforma.refresh_from_db()
    assert proforma.acknowledged_on is not None
