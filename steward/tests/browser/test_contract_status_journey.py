"""Browser journey (issue 21): a Connecticut contract manager marks a contract completed from
its page: the confirmation says what will happen and who is told, a date after the end is
refused there with the input kept, the right date completes it, and the contract completed by
mistake is reopened with a reason. On a seed 003 (Scottish) contract "Terminate early" leads to
the early-termination review instead. Every page axe-checked."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts.models import ContractStatus
from steward.parties.models import Role
from steward.testing.factories import PASSWORD, AgencyFactory, ContractFactory, UserFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complete_with_confirmation_then_reopen(watched, packs):
    agency = AgencyFactory(
        name="Department of Children and Families", slug="ct-dcf", pack=packs["connecticut-opm"]
    )
    manager = UserFactory(role=Role.CONTRACT_MANAGER, agency=agency, username="manager")
    contract = ContractFactory(
        agency=agency,
        status=ContractStatus.ACTIVE,
        number="DCF-26-7",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 6, 30),
    )
    page = watched.page
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    page.wait_for_load_state()
    watched.check()
    page.get_by_role("link", name="Mark as completed").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What will happen").is_visible()
    watched.check()
    page.get_by_label("Date").fill("2026-07-15")
    page.get_by_role("button", name="Mark as completed").click()
    page.wait_for_load_state()
    assert page.get_by_text("after the contract's end date (30 June 2026)").first.is_visible()
    watched.check()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    page.get_by_label("Date").fill("2026-06-30")
    page.get_by_role("button", name="Mark as completed").click()
    page.wait_for_load_state()
    assert page.get_by_text("The contract is now completed.").is_visible()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.COMPLETED

    page.get_by_role("link", name="Reopen the contract").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Reason").fill("Completed the wrong contract.")
    page.get_by_role("button", name="Reopen the contract").click()
    page.wait_for_load_state()
    assert page.get_by_text("The contract is now active.").is_visible()
    watched.check()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_seed_003_contract_terminates_through_the_review(watched, packs):
    """seed 003 "Termination of Contract": the contract manager reviews supply and the
    contractual capacity, then gives notice; the page has no one-click termination."""
    council = AgencyFactory(
        name="Children's Services", slug="sc-cs", pack=packs["scottish-childrens"]
    )
    manager = UserFactory(role=Role.CONTRACT_MANAGER, agency=council, username="ccm")
    contract = ContractFactory(agency=council, status=ContractStatus.ACTIVE, number="CS-1")
    page = watched.page
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    page.wait_for_load_state()
    page.get_by_role("link", name="Terminate early (review and notice)").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/contracts/{contract.pk}/termination/")
    watched.check()
