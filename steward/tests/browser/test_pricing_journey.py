"""Pricing journey in Chromium (seed 004), each page checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import pytest

from steward.contracts.models import ContractStatus
from steward.parties.models import Role
from steward.testing.factories import PASSWORD, ContractFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_officer_computes_a_rate_at_85_percent(watched, make_user, agency, provider):
    """seed 004: 2 places × 365 days = 730; × 85% = 620.5 funded units; $100,000 ÷ 620.5 =
    $161.16 a unit; maximum obligation 161.16 × 620.5 = $99,999.78."""
    finance = make_user(Role.FINANCE_OFFICER, username="finance")
    contract = ContractFactory(
        agency=agency, provider=provider, number="DCF-26-085", status=ContractStatus.ACTIVE
    )
    page = watched.page
    sign_in(watched, finance.username, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    page.get_by_role("link", name="Pricing and payments for DCF-26-085").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Pricing: DCF-26-085").is_visible()
    watched.check()

    page.get_by_label("Program cost (USD)").fill("100000")
    page.get_by_label("Capacity").fill("2")
    page.get_by_label("Units per period").fill("365")
    page.get_by_label("Utilization factor (percent)").fill("85")
    page.get_by_role("button", name="Compute and record the rate").click()
    page.wait_for_load_state()
    table = page.locator("table[aria-labelledby=rate-heading]")
    text = table.inner_text()
    assert "$161.16" in text
    assert "620.5" in text
    assert "line 3 ÷ line 7" in text
    assert "$99,999.78" in text
    watched.check()

    # below 85% without a reason: refused, with the error on the form
    page.get_by_label("Program cost (USD)").fill("100000")
    page.get_by_label("Capacity").fill("2")
    page.get_by_label("Units per period").fill("365")
    page.get_by_label("Utilization factor (percent)").fill("84.99")
    page.get_by_role("button", name="Compute and record the rate").click()
    page.wait_for_load_state()
    assert page.get_by_text("There is a problem").is_visible()
    watched.check()

    page.goto("/pricing/bill-out/")
    assert page.get_by_role("heading", name="Contracts billing out early").is_visible()
    watched.check()
