"""The audit trail is visible on the provider and agency pages (issue 2: audit on every record)."""

from __future__ import annotations

import pytest

from steward.parties.models import Role
from steward.parties.services import provider_create, provider_update
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_provider_page_shows_who_changed_it_to_staff(client, manager):
    provider = provider_create(actor=manager, data={"legal_name": "Bright Futures"})
    provider_update(actor=manager, provider=provider, data={"phone": "860-555-0101"})
    client.force_login(manager)
    response = client.get(f"/providers/{provider.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "History" in body
    assert "860-555-0101" in body
    assert manager.get_full_name() in body


def test_provider_users_do_not_see_the_audit_trail(client, make_user, provider):
    client.force_login(make_user(Role.PROVIDER_USER, provider=provider))
    response = client.get(f"/providers/{provider.slug}/")
    assert response.status_code == 200
    assert 'id="history"' not in response.content.decode()


def test_agency_page_shows_its_history(client, manager, agency):
    client.force_login(manager)
    response = client.get(f"/agencies/{agency.slug}/")
    assert response.status_code == 200
    assert 'id="history"' in response.content.decode()


def test_provider_page_lists_only_that_providers_contracts(client, manager, agency):
    acme = ProviderFactory(legal_name="Acme Care", slug="acme")
    lookalike = ProviderFactory(legal_name="Acme Care West", slug="acme-west")
    ContractFactory(agency=agency, provider=acme, number="OURS-1", status="active")
    ContractFactory(agency=agency, provider=lookalike, number="THEIRS-1", status="active")
    client.force_login(manager)
    body = client.get("/providers/acme/").content.decode()
    assert "OURS-1" in body
    assert "THEIRS-1" not in body
