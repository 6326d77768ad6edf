"""Register reads: filters, expiring window bounds, due dates."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts.selectors import (
    ContractFilters,
    contract_list,
    due_dates_open,
    expiring_contracts,
)
from steward.parties.models import Role
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_provider_filter_takes_a_slug_or_part_of_the_name(
    manager, agency, provider, other_provider
):
    mine = ContractFactory(agency=agency, provider=provider)
    ContractFactory(agency=agency, provider=other_provider)
    by_name = contract_list(actor=manager, filters=ContractFilters(provider="bright fut"))
    by_slug = contract_list(actor=manager, filters=ContractFilters(provider="bright-futures"))
    assert list(by_name) == [mine]
    assert list(by_slug) == [mine]


def test_expiring_window_includes_both_ends(manager, agency, provider):
    today = date(2026, 11, 23)
    ends = {
        "yesterday": date(2026, 11, 22),
        "today": today,
        "last day": date(2027, 3, 23),  # today + 120 days
        "day after": date(2027, 3, 24),
    }
    made = {
        label: ContractFactory(
            agency=agency,
            provider=provider,
            status="active",
            start_date=date(2026, 1, 1),
            end_date=end,
            number=label,
        )
        for label, end in ends.items()
    }
    ContractFactory(agency=agency, provider=provider, status="draft", end_date=today, number="d")
    found = set(expiring_contracts(actor=manager, today=today).values_list("number", flat=True))
    assert found == {"today", "last day"}
    assert made["today"].number in found


def test_due_dates_are_agency_duties_not_shown_to_providers(manager, make_user, contract):
    from steward.contracts.services import contract_complete

    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 12, 31))
    assert due_dates_open(actor=manager).count() == 1
    assert due_dates_open(actor=make_user(Role.PROVIDER_USER)).count() == 0


def test_another_agencys_due_dates_are_not_listed(manager, make_user, other_agency, contract):
    from steward.contracts.services import contract_complete

    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 12, 31))
    stranger = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    assert due_dates_open(actor=stranger).count() == 0
