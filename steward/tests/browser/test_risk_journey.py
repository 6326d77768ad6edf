"""Journey: a contract monitor logs a concern, the contract's risk turns amber with its reasons,
a contract manager overrides it, and the quick analysis draws its chart; every page checked
with axe-core (WCAG 2.2 AA). Seed 003."""

from __future__ import annotations

import pytest
from django.utils import timezone

from steward.parties.models import Role
from steward.risk.services import categories_ensure
from steward.testing.factories import PASSWORD, ContractFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monitor_logs_a_concern_and_manager_overrides(
    watched, make_user, manager, agency, provider
):
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-24-880",
        title="Therapeutic foster care",
        status="active",
    )
    categories_ensure(agency)
    monitor = make_user(Role.CONTRACT_MONITOR, username="monitor")
    page = watched.page

    sign_in(watched, monitor.username, PASSWORD)
    page.goto("/risk/concerns/new/")
    watched.check()
    page.get_by_label("Provider", exact=True).select_option(label=provider.legal_name)
    page.get_by_label("Contract").select_option(label=str(contract))
    page.get_by_label("Type").select_option("complaint")
    page.get_by_label("Date received").fill(timezone.localdate().isoformat())
    page.get_by_label("Raised by (kind of person)").select_option("family")
    page.get_by_label("How it was received").select_option("phone")
    page.get_by_label("Category").select_option(label="Safeguarding or abuse")
    page.get_by_label("Severity").select_option("critical")
    page.get_by_label("Summary").fill("Child left unsupervised")
    page.get_by_label("Description").fill("Reported by a grandparent during contact.")
    page.get_by_label("Complainant case reference").fill("CASE-42")
    page.get_by_role("button", name="Log the concern").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Complaint: Child left unsupervised").is_visible()
    watched.check()

    page.goto(f"/risk/contracts/{contract.pk}/")
    assert "1 high-severity concern in 90 days (+2)" in page.content()
    watched.check()

    page.goto("/risk/analysis/?by=category")
    assert page.locator("svg.steward-chart").count() == 1
    watched.check()

    watched.page.context.clear_cookies()
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/risk/contracts/{contract.pk}/")
    page.get_by_label("Rating to apply").select_option("red")
    page.get_by_label("Why the computed rating is overridden").fill("Second incident this month")
    page.get_by_role("button", name="Override").click()
    page.wait_for_load_state()
    assert "Second incident this month" in page.content()
    watched.check()

    page.goto("/risk/")
    assert page.get_by_role("link", name="DCF-24-880").is_visible()
    watched.check()
