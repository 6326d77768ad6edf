"""Who keeps each shared provider fact (issue 19 point 2).

A provider is shared by every agency that contracts with it (DOMAIN.md §2 "Provider"). Its
record (legal name, tax id, for-profit flag, addresses) is kept by the provider itself, the
oversight body and the agency that added it; the regulator's inspection ratings (seed 003
"external inspection reports"), which feed every agency's risk score, are recorded by the
oversight body or by an agency that contracts with the provider, each with who recorded it.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from steward.core.errors import PermissionDeniedError
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.parties.services import provider_create, provider_update
from steward.performance.services import inspection_add
from steward.testing.factories import AgencyFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

RATING = {"body": "State licensing", "rating": "Inadequate", "inspected_on": "2026-02-01"}


@pytest.fixture
def states(packs):
    """Connecticut, Massachusetts and Milwaukee, each with a contract manager; Connecticut adds
    a provider and contracts with it."""
    ct = AgencyFactory(name="Connecticut DCF", slug="ct-dcf", pack=packs["connecticut-opm"])
    ma = AgencyFactory(name="Massachusetts DMH", slug="ma-dmh", pack=packs["massachusetts-osd"])
    mke = AgencyFactory(name="Milwaukee Public Schools", slug="mps")
    people = {
        name: UserFactory(role=Role.CONTRACT_MANAGER, agency=a, username=f"{name}-manager")
        for name, a in (("ct", ct), ("ma", ma), ("mke", mke))
    }
    provider = provider_create(
        actor=people["ct"], data={"legal_name": "Nutmeg Youth Services", "tax_id": "06-1234567"}
    )
    ContractFactory(agency=ct, provider=provider, number="CT-1", status="active")
    people["oversight"] = UserFactory(role=Role.OVERSIGHT_OFFICER, agency=ma, username="osd")
    people["provider"] = UserFactory(
        role=Role.PROVIDER_USER, provider=provider, agency=None, username="nutmeg"
    )
    return provider, people, {"ct": ct, "ma": ma, "mke": mke}


def test_the_agency_that_added_a_provider_keeps_it(states):
    provider, people, agencies = states
    assert provider.created_by_agency == agencies["ct"]
    provider_update(actor=people["ct"], provider=provider, data={"for_profit": True})
    provider.refresh_from_db()
    assert provider.for_profit is True


def test_another_agency_cannot_open_or_save_the_edit_form(client, states):
    """Issue 19: a Massachusetts manager opened a Connecticut provider's edit form."""
    provider, people, _ = states
    client.force_login(people["ma"])
    url = reverse("directory:provider_edit", args=[provider.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, {"legal_name": "Renamed"}).status_code == 403
    detail = client.get(reverse("directory:provider_detail", args=[provider.slug]))
    assert url not in detail.content.decode()
    response = call(
        session_client(people["ma"]), "patch", f"/providers/{provider.slug}", {"tax_id": "1"}
    )
    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.legal_name == "Nutmeg Youth Services"
    assert provider.tax_id == "06-1234567"


@pytest.mark.parametrize("who", ["oversight", "provider"])
def test_the_provider_itself_and_oversight_keep_its_identity(states, who):
    provider, people, _ = states
    response = call(
        session_client(people[who]), "patch", f"/providers/{provider.slug}", {"for_profit": True}
    )
    assert response.status_code == 200
    provider.refresh_from_db()
    assert provider.for_profit is True


def test_an_agency_without_a_contract_cannot_record_an_inspection_rating(states):
    """Issue 19: Milwaukee, with no contract with the provider, flipped a Connecticut contract's
    risk by recording a rating (seed 003 inspection reports feed the risk assessment)."""
    provider, people, _ = states
    response = call(
        session_client(people["mke"]),
        "post",
        f"/performance/providers/{provider.slug}/inspections",
        RATING,
    )
    assert response.status_code == 403
    assert not provider.inspections.exists()
    with pytest.raises(PermissionDeniedError):
        inspection_add(
            actor=people["ma"],
            provider=provider,
            data={"body": "x", "rating": "Poor", "inspected_on": date(2026, 2, 1)},
        )


@pytest.mark.parametrize("who", ["ct", "oversight"])
def test_a_contracting_agency_or_oversight_records_a_rating_with_who_did(client, states, who):
    provider, people, _ = states
    response = call(
        session_client(people[who]),
        "post",
        f"/performance/providers/{provider.slug}/inspections",
        RATING,
    )
    assert response.status_code == 201
    assert response.json()["recorded_by"] == people[who].username
    inspection = provider.inspections.get()
    assert inspection.recorded_by == people[who]
    # every other agency sees who recorded it, and its audit history keeps the change
    client.force_login(people["mke"])
    body = client.get(reverse("directory:provider_detail", args=[provider.slug])).content.decode()
    assert "Recorded by" in body
    assert (people[who].get_full_name() or people[who].username) in body
    assert inspection.history.get().history_user == people[who]


def test_other_agencies_see_who_changed_the_provider(client, states):
    provider, people, _ = states
    provider_update(actor=people["provider"], provider=provider, data={"phone": "860-555-0199"})
    client.force_login(people["ma"])
    body = client.get(reverse("directory:provider_detail", args=[provider.slug])).content.decode()
    assert "860-555-0199" in body
    assert people["provider"].get_full_name() in body
