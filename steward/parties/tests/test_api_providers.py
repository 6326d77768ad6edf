"""API: providers — list (filters, pagination, visibility), create, detail, change."""

from __future__ import annotations

import pytest

from steward.core.tests.api_support import call, session_client
from steward.parties.models import Provider, Role
from steward.parties.services import provider_create, provider_slug_for
from steward.testing.factories import ProviderFactory, UserFactory


@pytest.fixture
def procurement(make_user):
    return make_user(Role.PROCUREMENT_OFFICER)


@pytest.fixture
def provider(agency):
    """Bright Futures, added by the agency: its staff keep its record (issue 19 point 2)."""
    adder = UserFactory(role=Role.PROCUREMENT_OFFICER, agency=agency, username="adder")
    return provider_create(
        actor=adder,
        data={
            "legal_name": "Bright Futures Family Services, Inc.",
            "slug": "bright-futures",
            "tax_id": "06-1111111",
        },
    )


@pytest.mark.parametrize("rows", [5, 30])
def test_provider_list_query_count_does_not_grow(rows, manager, django_assert_max_num_queries):
    ProviderFactory.create_batch(rows)
    client = session_client(manager)
    with django_assert_max_num_queries(5):
        body = call(client, "get", "/providers", {"limit": 100}).json()
    assert body["count"] == rows + 1  # + the conftest provider the manager fixture made


def test_provider_list_filters_by_q_and_for_profit(manager, provider, other_provider):
    ProviderFactory(legal_name="Harbor Homes LLC", slug="harbor-homes", for_profit=True)
    client = session_client(manager)
    by_q = call(client, "get", "/providers", {"q": "harbor"}).json()
    assert {p["slug"] for p in by_q["items"]} == {"harbor-youth", "harbor-homes"}
    by_profit = call(client, "get", "/providers", {"q": "harbor", "for_profit": "true"}).json()
    assert [p["slug"] for p in by_profit["items"]] == ["harbor-homes"]


def test_provider_list_is_paginated(manager):
    ProviderFactory.create_batch(4)
    body = call(session_client(manager), "get", "/providers", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5
    assert len(body["items"]) == 2


def test_provider_user_lists_only_its_own_provider(make_user, provider, other_provider):
    body = call(session_client(make_user(Role.PROVIDER_USER)), "get", "/providers").json()
    assert [p["slug"] for p in body["items"]] == ["bright-futures"]


def test_provider_user_gets_404_for_another_provider(make_user, other_provider):
    client = session_client(make_user(Role.PROVIDER_USER))
    assert call(client, "get", "/providers/harbor-youth").status_code == 404
    assert call(client, "get", "/providers/bright-futures").status_code == 200


def test_create_makes_a_unique_slug_from_the_legal_name(procurement, db):
    client = session_client(procurement)
    first = call(client, "post", "/providers", {"legal_name": "New Dawn Housing, Inc."})
    second = call(client, "post", "/providers", {"legal_name": "New Dawn Housing Inc"})
    assert first.status_code == second.status_code == 201
    assert first.json()["slug"] == "new-dawn-housing-inc"
    assert second.json()["slug"] == "new-dawn-housing-inc-2"


def test_provider_slug_for_skips_every_taken_suffix(db):
    ProviderFactory(slug="acme")
    ProviderFactory(slug="acme-2")
    assert provider_slug_for("Acme") == "acme-3"


def test_create_keeps_a_given_slug(procurement):
    response = call(
        session_client(procurement),
        "post",
        "/providers",
        {"legal_name": "Open Door", "slug": "open-door", "for_profit": True, "tax_id": "06-1"},
    )
    assert response.status_code == 201
    provider = Provider.objects.get(slug="open-door")
    assert provider.for_profit is True
    assert provider.history.first().history_user == procurement


def test_create_without_legal_name_is_422_naming_it(procurement):
    response = call(session_client(procurement), "post", "/providers", {"city": "Hartford"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["legal_name"]
    assert not Provider.objects.filter(city="Hartford").exists()


def test_create_with_a_tax_id_already_used_is_422_on_tax_id(procurement, provider):
    response = call(
        session_client(procurement),
        "post",
        "/providers",
        {"legal_name": "Copycat Services", "tax_id": provider.tax_id},
    )
    assert response.status_code == 422
    assert "tax_id" in response.json()["errors"]
    assert not Provider.objects.filter(legal_name="Copycat Services").exists()


def test_patch_changes_only_the_fields_sent(procurement, provider):
    response = call(
        session_client(procurement), "patch", "/providers/bright-futures", {"city": "Hartford"}
    )
    assert response.status_code == 200
    provider.refresh_from_db()
    assert provider.city == "Hartford"
    assert provider.legal_name == "Bright Futures Family Services, Inc."


def test_patch_with_bad_country_is_422_on_country(procurement, provider):
    response = call(
        session_client(procurement), "patch", "/providers/bright-futures", {"country": "usa"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["country"]


def test_provider_user_keeps_its_own_record(make_user, provider):
    """Issue 19 point 2: the provider itself keeps its identity and contact details."""
    response = call(
        session_client(make_user(Role.PROVIDER_USER)),
        "patch",
        "/providers/bright-futures",
        {"city": "Elsewhere"},
    )
    assert response.status_code == 200
    provider.refresh_from_db()
    assert provider.city == "Elsewhere"
