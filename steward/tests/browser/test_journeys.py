"""Journeys through the pages in Chromium, each page checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import re

import pytest

from steward.contracts.models import ContractStatus
from steward.contracts.services import contract_update
from steward.core.services import policy_pack_copy
from steward.parties.models import Role
from steward.testing.factories import PASSWORD, ContractFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_finds_a_contract_and_reads_its_history(watched, manager, agency, provider):
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-24-777",
        title="Kinship navigation",
        status=ContractStatus.ACTIVE,
    )
    ContractFactory.create_batch(3, agency=agency, provider=provider)
    contract_update(actor=manager, contract=contract, data={"title": "Kinship navigator service"})
    page = watched.page

    sign_in(watched, manager.username, PASSWORD)
    assert page.url.endswith("/")
    assert page.get_by_role("heading", name="What you need to do").is_visible()
    watched.check()
    # USWDS's stylesheet and fonts really loaded (hashed names, served by WhiteNoise)
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith(
        '"Source Sans Pro Web"'
    )

    watched.nav("Contracts")
    watched.check()
    button_colour = page.evaluate(
        "getComputedStyle(document.querySelector('.steward-filters .usa-button')).backgroundColor"
    )
    assert button_colour == "rgb(0, 94, 162)"
    assert page.locator("#register-results tbody tr").count() == 4

    page.get_by_label("Search").fill("777")
    page.get_by_role("button", name="Apply filters").click()
    # htmx swaps the results in place and puts the filters in the address bar
    page.wait_for_url(re.compile(r"q=777"))
    page.locator("#register-results tbody tr").first.wait_for()
    assert page.locator("#register-results tbody tr").count() == 1
    watched.check()

    page.get_by_role("link", name="DCF-24-777").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="DCF-24-777: Kinship navigator service").is_visible()
    history = page.locator("section[aria-labelledby=history]")
    assert "Kinship navigation → Kinship navigator service" in history.inner_text()
    assert manager.get_full_name() in history.inner_text()
    watched.check()


def test_register_filters_work_without_javascript(browser, live_server, manager, contract):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/contracts/")
    page.get_by_label("Search").fill("no such contract")
    page.get_by_role("button", name="Apply filters").click()
    assert "q=no+such+contract" in page.url
    assert page.get_by_text("No contracts match these filters.").is_visible()
    context.close()


def test_provider_user_gets_404_for_another_providers_contract(
    watched, make_user, other_agency, other_provider, contract
):
    other = ContractFactory(
        agency=other_agency, provider=other_provider, number="DMH-9", status=ContractStatus.ACTIVE
    )
    user = make_user(Role.PROVIDER_USER)
    page = watched.page
    sign_in(watched, user.username, PASSWORD)
    assert page.get_by_role("heading", name="Your contracts").is_visible()
    watched.check()

    response = page.goto(f"/contracts/{other.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert "DMH-9" not in page.content()
    watched.check()

    page.goto(f"/contracts/{contract.pk}/")
    assert page.get_by_role("heading", name=re.compile(contract.number)).is_visible()
    assert page.locator("#history").count() == 0
    watched.check()


def test_contract_form_errors_are_accessible(watched, manager, provider):
    page = watched.page
    sign_in(watched, manager.username, PASSWORD)
    page.goto("/contracts/new/")
    watched.check()
    page.get_by_label("Number").fill("DCF-26-500")
    page.get_by_label("Title").fill("Respite care")
    page.get_by_label("Provider").select_option(label=provider.legal_name)
    page.get_by_label("Contract type").select_option("pos")
    page.get_by_label("Start date").fill("2026-07-01")
    page.get_by_label("End date").fill("2026-06-01")
    page.get_by_label("Maximum obligation").fill("1000.00")
    page.get_by_label("Compensation structure").select_option("unit_rate")
    page.get_by_label("Procurement method").select_option("tendered")
    page.get_by_role("button", name="Create draft contract").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("End date")).click()
    assert page.evaluate("document.activeElement.id") == "id_end_date"
    assert page.locator("#id_end_date").get_attribute("aria-invalid") == "true"
    watched.check()


def test_pack_pages_are_accessible(watched, make_user, packs):
    officer = make_user(Role.OVERSIGHT_OFFICER)
    policy_pack_copy(actor=officer, source=packs["west-london-sp"], slug="wl-2027", name="WL 2027")
    page = watched.page
    sign_in(watched, officer.username, PASSWORD)
    for path in [
        "/packs/",
        "/packs/west-london-sp/",
        "/packs/west-london-sp/copy/",
        "/packs/wl-2027/",
        "/packs/wl-2027/edit/",
        "/agencies/",
        f"/agencies/{officer.agency.slug}/edit/",
        "/providers/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        watched.check()
