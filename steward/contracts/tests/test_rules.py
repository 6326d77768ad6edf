"""The permission rules: object predicates and list filters must agree for every role."""

from __future__ import annotations

import pytest

from steward.contracts.models import Contract
from steward.contracts.rules import visible_contracts_q
from steward.parties.models import Provider, Role
from steward.parties.rules import visible_providers_q
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency, other_agency, provider, other_provider):
    return [
        ContractFactory(agency=agency, provider=provider, status="active"),
        ContractFactory(agency=agency, provider=provider, status="draft"),
        ContractFactory(agency=agency, provider=other_provider, status="completed"),
        ContractFactory(agency=other_agency, provider=provider, status="executed"),
        ContractFactory(agency=other_agency, provider=other_provider, status="active"),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_contract_filter_agrees_with_the_object_rule(world, make_user, role):
    user = make_user(role)
    by_filter = set(Contract.objects.filter(visible_contracts_q(user)).values_list("pk", flat=True))
    by_rule = {c.pk for c in world if user.has_perm("contracts.view_contract", c)}
    assert by_filter == by_rule


@pytest.mark.parametrize("role", list(Role))
def test_provider_filter_agrees_with_the_object_rule(world, make_user, role):
    user = make_user(role)
    by_filter = set(Provider.objects.filter(visible_providers_q(user)).values_list("pk", flat=True))
    by_rule = {p.pk for p in Provider.objects.all() if user.has_perm("providers.view_provider", p)}
    assert by_filter == by_rule


def test_provider_user_sees_only_its_own_released_contracts(world, make_user, provider):
    """DOMAIN.md §1: a provider sees only its own organisation's contracts, once released."""
    user = make_user(Role.PROVIDER_USER, provider=provider)
    visible = Contract.objects.filter(visible_contracts_q(user))
    assert {c.provider_id for c in visible} == {provider.pk}
    assert "draft" not in {c.status for c in visible}
    assert visible.count() == 2  # across both agencies


def test_oversight_officer_reads_everything_but_writes_nothing(world, make_user):
    """DOMAIN.md §1: oversight sees everything, read-only on agency records."""
    officer = make_user(Role.OVERSIGHT_OFFICER)
    for contract in world:
        assert officer.has_perm("contracts.view_contract", contract)
        assert not officer.has_perm("contracts.change_contract", contract)
        assert not officer.has_perm("contracts.amend_contract", contract)


def test_inactive_users_hold_no_permission(world, make_user):
    user = make_user(Role.ADMINISTRATOR, is_active=False)
    assert not user.has_perm("contracts.view_contract", world[0])
    assert not Contract.objects.filter(visible_contracts_q(user)).exists()


def test_provider_users_never_see_internal_notes(world, make_user, provider):
    user = make_user(Role.PROVIDER_USER, provider=provider)
    assert user.has_perm("contracts.view_contract", world[0])
    assert not user.has_perm("contracts.view_internal", world[0])
