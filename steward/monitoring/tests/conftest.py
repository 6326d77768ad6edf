"""Fixtures of the monitoring tests (a module's own fixture of the same name wins)."""

from __future__ import annotations

from datetime import date

import pytest

from steward.parties.models import Role


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider-user", email="p@provider.example")


@pytest.fixture
def live(contract, manager):
    contract.contract_manager = manager
    contract.end_date = date(2027, 12, 31)
    contract.save()
    return contract
