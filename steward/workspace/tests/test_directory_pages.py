"""Provider and agency pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.contracts.models import ContractStatus
from steward.parties.models import InspectionRating, Provider, ProviderContact, Role
from steward.parties.services import provider_create
from steward.testing.factories import AgencyFactory, ContractFactory, ProviderFactory, UserFactory
from steward.tests.pages import signed_in


def test_provider_search_finds_by_name(client, manager, provider, other_provider):
    body = (
        signed_in(client, manager)
        .get(reverse("directory:provider_list"), {"q": "harbor"})
        .content.decode()
    )
    assert "Harbor Youth Alliance" in body
    assert "Bright Futures" not in body


def test_provider_user_sees_only_their_provider_in_the_list(client, make_user, other_provider):
    body = (
        signed_in(client, make_user(Role.PROVIDER_USER))
        .get(reverse("directory:provider_list"))
        .content.decode()
    )
    assert "Bright Futures" in body
    assert "Harbor Youth Alliance" not in body


@pytest.mark.parametrize("rows", [5, 40])
def test_provider_list_query_count_does_not_grow(
    client, manager, rows, django_assert_max_num_queries
):
    ProviderFactory.create_batch(rows)
    signed_in(client, manager)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("directory:provider_list")).status_code == 200


def test_provider_detail_lists_contacts_inspections_and_visible_contracts(
    client, manager, provider, agency, other_agency
):
    ProviderContact.objects.create(provider=provider, name="Dana Reyes", role="Director")
    InspectionRating.objects.create(
        provider=provider, body="State licensing", rating="Good", inspected_on="2025-11-03"
    )
    ContractFactory(agency=agency, provider=provider, number="MINE-1", status=ContractStatus.ACTIVE)
    ContractFactory(
        agency=other_agency, provider=provider, number="THEIRS-1", status=ContractStatus.ACTIVE
    )
    body = (
        signed_in(client, manager)
        .get(reverse("directory:provider_detail", args=[provider.slug]))
        .content.decode()
    )
    assert "Dana Reyes" in body
    assert "State licensing" in body
    assert "MINE-1" in body
    assert "THEIRS-1" not in body


def test_provider_create_through_the_form(client, manager):
    response = signed_in(client, manager).post(
        reverse("directory:provider_create"),
        {"legal_name": "New Horizons Care Ltd", "country": "GB", "website": ""},
    )
    provider = Provider.objects.get(legal_name="New Horizons Care Ltd")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:provider_detail", args=[provider.slug])


def test_provider_create_with_taken_tax_id_shows_the_error(client, manager, provider):
    response = signed_in(client, manager).post(
        reverse("directory:provider_create"),
        {"legal_name": "Copycat Inc", "tax_id": provider.tax_id, "country": "US"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Provider.objects.filter(legal_name="Copycat Inc").exists()


def test_provider_edit_saves_changes(client, manager):
    """The agency that added the provider keeps its record (issue 19 point 2)."""
    provider = provider_create(actor=manager, data={"legal_name": "Bright Futures"})
    signed_in(client, manager)
    url = reverse("directory:provider_edit", args=[provider.slug])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["city"] = "Hartford"
    data["for_profit"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.city == "Hartford"


def test_agency_pages_show_pack_staff_and_contract_counts(client, manager, agency, contract):
    signed_in(client, manager)
    body = client.get(reverse("directory:agency_detail", args=[agency.slug])).content.decode()
    assert "Connecticut OPM" in body
    assert "Staff</dt><dd>1" in body
    assert "Contracts you can see</dt><dd>1" in body


@pytest.mark.parametrize("rows", [3, 20])
def test_agency_list_query_count_does_not_grow(
    client, manager, packs, rows, django_assert_max_num_queries
):
    for agency in AgencyFactory.create_batch(rows):
        UserFactory(agency=agency)
        ContractFactory(agency=agency)
    signed_in(client, manager)
    # 6: one more than before for the "add an agency" permission (a constant)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("directory:agency_list"))
    assert response.status_code == 200
