"""The register's text search: number, title or provider name, any case, on SQLite and on
PostgreSQL (where it is written for the trigram indexes, docs/scaling.md)."""

from __future__ import annotations

import pytest

from steward.contracts.selectors import ContractFilters, contract_list
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(agency, provider, other_agency):
    foster = ProviderFactory(legal_name="Foster Pathways Trust", slug="foster-pathways")
    ContractFactory(agency=agency, provider=provider, number="DCF-100", title="Respite care")
    ContractFactory(
        agency=agency, provider=provider, number="DCF-200", title="Therapeutic FOSTER care"
    )
    ContractFactory(agency=agency, provider=foster, number="DCF-300", title="Family support")
    ContractFactory(agency=agency, provider=provider, number="DCF-50%_A", title="Odd number")
    # another agency's contract, which a contract manager may not see
    ContractFactory(agency=other_agency, provider=foster, number="DMH-1", title="Foster care")


def numbers(user, q: str) -> list[str]:
    return sorted(c.number for c in contract_list(actor=user, filters=ContractFilters(q=q)))


def test_search_matches_number_title_and_provider_in_any_case(register, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    assert numbers(manager, "foster") == ["DCF-200", "DCF-300"]
    assert numbers(manager, "dcf-1") == ["DCF-100"]
    assert numbers(manager, "PATHWAYS") == ["DCF-300"]
    assert numbers(manager, "nothing like it") == []


def test_search_treats_like_wildcards_as_text(register, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    assert numbers(manager, "50%_") == ["DCF-50%_A"]
    assert numbers(manager, "%") == ["DCF-50%_A"]
    assert numbers(manager, "_") == ["DCF-50%_A"]


def test_search_stays_within_what_the_person_may_see(register, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    assert "DMH-1" not in numbers(manager, "foster")
    assert "DMH-1" in numbers(oversight, "foster")


def test_the_register_page_and_api_search_the_same_way(register, make_user, client):
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    page = client.get("/contracts/", {"q": "pathways"})
    assert page.status_code == 200 and "DCF-300" in page.content.decode()
    api = client.get("/api/v1/contracts", {"q": "pathways"})
    assert [c["number"] for c in api.json()["items"]] == ["DCF-300"]
