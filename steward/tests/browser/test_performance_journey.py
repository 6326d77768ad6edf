"""Journey: a provider user submits a quarterly return in the provider's own view, and the
contract manager sees the indicator's chart and data table update; every page checked with
axe-core (WCAG 2.2 AA). Seeds 001 and 003."""

from __future__ import annotations

from datetime import date

import pytest

from steward.parties.models import Role
from steward.performance.models import Return
from steward.performance.tests.factories import with_plan
from steward.testing.factories import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_submits_a_quarterly_return_and_the_manager_sees_the_chart(
    watched, make_user, manager, contract
):
    engaged, days = with_plan(contract, manager)
    q1 = Return.objects.get(contract=contract, period_start=date(2026, 1, 1))
    provider_user = make_user(Role.PROVIDER_USER, username="provider")
    page = watched.page

    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/performance/contracts/{contract.pk}/")
    chart = page.locator("figure.steward-trend", has_text=engaged.name)
    assert chart.locator("svg").count() == 0  # nothing submitted yet: no line to draw
    watched.check()
    page.context.clear_cookies()

    sign_in(watched, provider_user.username, PASSWORD)
    page.goto(f"/performance/contracts/{contract.pk}/")
    watched.check()
    page.get_by_role("link", name="1 January 2026 – 31 March 2026").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label(f"{engaged.name} (percentage)").fill("93.5")
    page.get_by_label(f"{days.name} (days)").fill("11")
    page.get_by_label("Units delivered").fill("310")
    page.get_by_role("button", name="Submit the return").click()
    page.wait_for_load_state()
    assert "Return submitted." in page.content()
    watched.check()
    page.context.clear_cookies()

    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/performance/contracts/{contract.pk}/")
    chart = page.locator("figure.steward-trend", has_text=engaged.name)
    assert chart.locator("svg circle").count() == 1
    row = chart.locator("tr[data-period='2026-01-01']")
    assert "93.5" in row.inner_text() and "Met" in row.inner_text()
    other = page.locator("figure.steward-trend", has_text=days.name)
    assert "Within tolerance" in other.locator("tr[data-period='2026-01-01']").inner_text()
    q1.refresh_from_db()
    assert q1.submitted_by == provider_user
    watched.check()
