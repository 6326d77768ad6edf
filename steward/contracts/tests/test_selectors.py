"""Register reads: one contract by id for whoever may see it, filters, expiring window bounds,
due dates."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts.selectors import (
    ContractFilters,
    contract_get,
    contract_list,
    due_dates_open,
    expiring_contracts,
)
from steward.core.errors import NotFoundError
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

    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 11, 30))
    assert due_dates_open(actor=manager).count() == 1
    assert due_dates_open(actor=make_user(Role.PROVIDER_USER)).count() == 0


def test_another_agencys_due_dates_are_not_listed(manager, make_user, other_agency, contract):
    from steward.contracts.services import contract_complete

    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 11, 30))
    stranger = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    assert due_dates_open(actor=stranger).count() == 0


# ---------------------------------------------------------------- one contract by id


def _refused(actor, contract) -> bool:
    try:
        contract_get(actor=actor, pk=contract.pk)
    except NotFoundError as exc:
        assert exc.message == "No such contract."
        return True
    return False


def test_contract_get_gives_own_agency_staff_their_contracts_drafts_included(
    make_user, agency, provider
):
    """DOMAIN.md §1: agency staff act within their own agency."""
    draft = ContractFactory(agency=agency, provider=provider, status="draft")
    active = ContractFactory(agency=agency, provider=provider, status="active")
    for role in (Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.FINANCE_OFFICER):
        staff = make_user(role)
        assert contract_get(actor=staff, pk=draft.pk) == draft
        assert contract_get(actor=staff, pk=active.pk) == active


def test_contract_get_refuses_another_agencys_staff(make_user, other_agency, contract):
    """DOMAIN.md §1: another agency's contract is not found, not forbidden."""
    assert _refused(make_user(Role.CONTRACT_MANAGER, agency=other_agency), contract)
    assert _refused(make_user(Role.SENIOR_MANAGER, agency=other_agency), contract)


def test_contract_get_gives_a_provider_user_only_their_released_contracts(
    make_user, agency, provider, other_provider
):
    """DOMAIN.md §1: a provider user sees its own organisation's contracts once released."""
    provider_user = make_user(Role.PROVIDER_USER)
    own = ContractFactory(agency=agency, provider=provider, status="active")
    own_draft = ContractFactory(agency=agency, provider=provider, status="draft")
    theirs = ContractFactory(agency=agency, provider=other_provider, status="active")
    assert contract_get(actor=provider_user, pk=own.pk) == own
    assert _refused(provider_user, own_draft)
    assert _refused(provider_user, theirs)


def test_contract_get_oversight_and_administrators_see_every_agency(make_user, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, status="draft")
    assert contract_get(actor=make_user(Role.OVERSIGHT_OFFICER), pk=draft.pk) == draft
    assert contract_get(actor=make_user(Role.ADMINISTRATOR), pk=draft.pk) == draft


def test_contract_get_refuses_an_unknown_id_and_an_inactive_user(manager, contract):
    with pytest.raises(NotFoundError):
        contract_get(actor=manager, pk=contract.pk + 1000)
    manager.is_active = False
    assert _refused(manager, contract)


def test_contract_get_joins_what_the_pages_read(
    manager, agency, provider, django_assert_num_queries
):
    """The monitoring and evaluation pages read the agency's pack, the provider and the
    contract manager of the contract they fetch: one query for all."""
    made = ContractFactory(agency=agency, provider=provider, contract_manager=manager)
    with django_assert_num_queries(1):
        contract = contract_get(actor=manager, pk=made.pk)
        assert contract.agency.pack.slug == "connecticut-opm"
        assert contract.provider.slug == "bright-futures"
        assert contract.contract_manager == manager
