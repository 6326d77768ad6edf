"""Every role, from its work list: each person signs in, lands on their home page with what they
need to do, and follows the navigation to the pages of their main tasks. Run at both screen
sizes (see conftest.py): on a phone the navigation opens from its Menu button and no page is
wider than the screen. With STEWARD_SCREENSHOTS set, the pictures of docs/user-guide/ are
taken here (and in the journeys)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from steward.contracts.models import ContractStatus
from steward.parties.models import Role
from steward.testing.factories import PASSWORD, ContractFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each role: the navigation links (group, then link) to its main pages after the work list.
MAIN_PAGES: dict[str, list[str]] = {
    Role.CONTRACT_MANAGER: ["Contracts", "Providers"],
    Role.CONTRACT_MONITOR: ["Monitoring cycles", "Concerns"],
    Role.BUDGET_HOLDER: ["Procurement"],
    Role.FINANCE_OFFICER: ["Contracts"],
    Role.PROCUREMENT_OFFICER: ["Procurement"],
    Role.SENIOR_MANAGER: ["Performance", "Risk"],
    Role.OVERSIGHT_OFFICER: ["Expiring contracts", "Policy packs"],
    Role.KEY_WORKER: ["Contracts"],
    Role.REVIEWING_OFFICER: ["Contracts"],
    Role.RAG_ADMINISTRATOR: ["Procurement"],
    Role.CHARTER_REVIEW_TEAM: ["Evaluations"],
    Role.RESEARCH_DATA: ["Performance"],
    Role.PROVIDER_USER: ["Contracts"],
    Role.ADMINISTRATOR: ["People", "Agencies"],
    Role.AGENCY_ADMINISTRATOR: ["People"],
}


def test_main_pages_cover_every_role():
    assert set(MAIN_PAGES) == set(Role)


def test_every_role_starts_from_its_work_list(watched, make_user, manager, agency, provider):
    today = timezone.localdate()
    ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-24-101",
        title="Intensive family preservation",
        status=ContractStatus.ACTIVE,
        contract_manager=manager,
    )
    ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-24-102",
        title="Therapeutic foster care for teenagers leaving residential care",
        status=ContractStatus.ACTIVE,
        contract_manager=manager,
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=60),
    )
    page = watched.page
    for role, links in MAIN_PAGES.items():
        person = manager if role == Role.CONTRACT_MANAGER else make_user(role)
        page.context.clear_cookies()
        sign_in(watched, person.username, PASSWORD)
        assert page.get_by_role("heading", name="What you need to do").is_visible(), role
        watched.check()
        slug = role.replace("_", "-")
        watched.screenshot(f"{slug}-work-list")
        for number, name in enumerate(links, start=1):
            watched.nav(name)
            watched.check()
            if number == 1:
                watched.screenshot(f"{slug}-{name.lower().replace(' ', '-')}")
