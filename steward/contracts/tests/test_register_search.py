"""The register's text search: number, title or provider name, any case, on SQLite and on
PostgreSQL (where it is written for the trigram indexes, docs/scaling.md)."""

from __future__ import annotations

import pytest

from steward.contracts.selectors import ContractFilters, contract_list
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, ProviderFactory
from steward.tests.pages import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    return signed_in(client, manager)


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


def test_a_search_counts_its_matches_only_up_to_a_cap(
    agency, provider, manager_client, monkeypatch
):
    """Counting every match of a common word costs as much as the search: past the cap the
    page says "more than" and Next still leads on, page after page."""
    from steward.contracts import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 3)
    for n in range(9):
        ContractFactory(agency=agency, provider=provider, number=f"FOS-{n}", title="Foster care")
    first = manager_client.get("/contracts/", {"q": "foster", "sort": "number"}).content.decode()
    # page 1 counts up to max(cap 3, page 2's end: 4) rows and finds more
    assert "More than 4 contracts, showing 1–2." in first
    assert "Page 1</span>" in first and "Next page" in first
    third = manager_client.get(
        "/contracts/", {"q": "foster", "sort": "number", "page": 3}
    ).content.decode()
    assert "More than 8 contracts, showing 5–6." in third and "Next page" in third
    last = manager_client.get(
        "/contracts/", {"q": "foster", "sort": "number", "page": 5}
    ).content.decode()
    assert "9 contracts, showing 9–9." in last and "More than" not in last
    assert "Page 5 of 5" in last and "Next page" not in last and "FOS-8" in last


def test_a_search_below_the_cap_is_counted_exactly(register, manager_client):
    page = manager_client.get("/contracts/", {"q": "foster"}).content.decode()
    assert "2 contracts." in page and "More than" not in page


def test_a_search_with_few_matches_lists_them_sorted_and_paged(
    agency, provider, manager_client, monkeypatch, django_assert_max_num_queries
):
    """A few matches are read by their ids (on PostgreSQL, so that one contract's number does not
    walk the whole register in its sort order): the same rows, in the asked order, in pages."""
    from steward.contracts import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n, amount in enumerate((300, 100, 200)):
        ContractFactory(
            agency=agency,
            provider=provider,
            number=f"RARE-{n}",
            title="Respite",
            maximum_obligation=amount * 1000,
        )
    ContractFactory(agency=agency, provider=provider, number="OTHER-1", title="Other")
    with django_assert_max_num_queries(12):
        first = manager_client.get(
            "/contracts/", {"q": "rare", "sort": "-maximum_obligation"}
        ).content.decode()
    assert "3 contracts, showing 1–2." in first
    assert first.index("RARE-0") < first.index("RARE-2") and "RARE-1" not in first
    second = manager_client.get(
        "/contracts/", {"q": "rare", "sort": "-maximum_obligation", "page": 2}
    ).content.decode()
    assert "RARE-1" in second and "RARE-0" not in second and "OTHER-1" not in second


def test_the_register_without_a_search_counts_exactly_up_to_its_cap(
    agency, provider, manager_client, monkeypatch
):
    """A state-wide register is not counted row by row on every page: past the cap the page
    says "more than"; below it the count is exact."""
    from steward.contracts import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "REGISTER_COUNT_CAP", 3)
    ContractFactory.create_batch(5, agency=agency, provider=provider)
    page = manager_client.get("/contracts/").content.decode()
    assert "More than 4 contracts, showing 1–2." in page
    monkeypatch.setattr(views, "REGISTER_COUNT_CAP", 10)
    assert "5 contracts, showing 1–2." in manager_client.get("/contracts/").content.decode()


@pytest.mark.parametrize("named", [0, 1, 100])
def test_a_search_finds_providers_named_or_many_alike(
    register, make_user, monkeypatch, named, django_assert_max_num_queries
):
    """However many providers' names match (a few named in the query, or many left as a
    subquery on PostgreSQL), the same contracts are found, within what the person may see."""
    from steward.contracts import selectors

    monkeypatch.setattr(selectors, "PROVIDERS_NAMED_IN_SEARCH", named)
    manager = make_user(Role.CONTRACT_MANAGER)
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    assert numbers(manager, "foster") == ["DCF-200", "DCF-300"]
    assert numbers(manager, "pathways") == ["DCF-300"]
    assert numbers(oversight, "pathways") == ["DCF-300", "DMH-1"]
    assert numbers(oversight, "no provider is called this") == []
    with django_assert_max_num_queries(2):  # the providers' names, then the contracts
        numbers(oversight, "foster")
