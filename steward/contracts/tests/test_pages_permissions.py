"""The page permission matrix: role × page × own/other organisation → HTTP status.

"own" is a contract of the user's agency with the user's provider (so a provider user's own
contract too); "other" is a contract of another agency with another provider. 404 means the
person may not know the record exists; 403 that they may see it but not do this.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.contracts.models import ContractStatus
from steward.parties.models import Role
from steward.testing.factories import ContractFactory
from steward.tests.pages import signed_in

ROLES = {
    "manager": Role.CONTRACT_MANAGER,
    "monitor": Role.CONTRACT_MONITOR,
    "finance": Role.FINANCE_OFFICER,
    "procure": Role.PROCUREMENT_OFFICER,
    "senior": Role.SENIOR_MANAGER,
    "oversight": Role.OVERSIGHT_OFFICER,
    "provider": Role.PROVIDER_USER,
    "admin": Role.ADMINISTRATOR,
}

# page → role → (own, other)
CONTRACT_PAGES: dict[str, dict[str, tuple[int, int]]] = {
    "contracts:detail": {
        "manager": (200, 404),
        "monitor": (200, 404),
        "finance": (200, 404),
        "procure": (200, 404),
        "senior": (200, 404),
        "oversight": (200, 200),
        "provider": (200, 404),
        "admin": (200, 200),
    },
    "contracts:edit": {
        "manager": (200, 404),
        "monitor": (403, 404),
        "finance": (403, 404),
        "procure": (403, 404),
        "senior": (403, 404),
        "oversight": (403, 403),
        "provider": (403, 404),
        "admin": (200, 200),
    },
    "contracts:amendment_create": {
        "manager": (200, 404),
        "monitor": (403, 404),
        "finance": (200, 404),
        "procure": (403, 404),
        "senior": (403, 404),
        "oversight": (403, 403),
        "provider": (403, 404),
        "admin": (200, 200),
    },
    "contracts:renewal_create": {
        "manager": (200, 404),
        "monitor": (403, 404),
        "finance": (200, 404),
        "procure": (403, 404),
        "senior": (403, 404),
        "oversight": (403, 403),
        "provider": (403, 404),
        "admin": (200, 200),
    },
    "contracts:document_create": {
        "manager": (200, 404),
        "monitor": (200, 404),
        "finance": (403, 404),
        "procure": (200, 404),
        "senior": (403, 404),
        "oversight": (403, 403),
        "provider": (403, 404),
        "admin": (200, 200),
    },
}

CASES = [
    (page, role, org, statuses[0] if org == "own" else statuses[1])
    for page, by_role in CONTRACT_PAGES.items()
    for role, statuses in by_role.items()
    for org in ("own", "other")
]


@pytest.fixture
def own_and_other(agency, other_agency, provider, other_provider):
    own = ContractFactory(
        agency=agency, provider=provider, number="OWN-1", status=ContractStatus.ACTIVE
    )
    other = ContractFactory(
        agency=other_agency, provider=other_provider, number="OTHER-1", status=ContractStatus.ACTIVE
    )
    return {"own": own, "other": other}


@pytest.mark.parametrize(("page", "role", "org", "expected"), CASES)
def test_contract_page_permission_matrix(
    client, make_user, own_and_other, page, role, org, expected
):
    user = make_user(ROLES[role])
    contract = own_and_other[org]
    response = signed_in(client, user).get(reverse(page, args=[contract.pk]))
    assert response.status_code == expected


# role → (own, other) for POST /contracts/<id>/status/expire/ on a contract not yet ended:
# allowed people get the refusal as a message and a redirect back (302), nothing changes.
TRANSITION = {
    "manager": (302, 404),
    "monitor": (403, 404),
    "finance": (403, 404),
    "senior": (403, 404),
    "oversight": (403, 403),
    "provider": (403, 404),
    "admin": (302, 302),
}


@pytest.mark.parametrize(
    ("role", "org", "expected"),
    [(r, o, s[0] if o == "own" else s[1]) for r, s in TRANSITION.items() for o in ("own", "other")],
)
def test_transition_permission_matrix(client, make_user, own_and_other, role, org, expected):
    user = make_user(ROLES[role])
    contract = own_and_other[org]
    url = reverse("contracts:transition", args=[contract.pk, "expire"])
    response = signed_in(client, user).post(url)
    assert response.status_code == expected
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


# page (by provider slug) → role → (own provider, other provider)
PROVIDER_PAGES: dict[str, dict[str, tuple[int, int]]] = {
    "directory:provider_detail": {
        "manager": (200, 200),
        "senior": (200, 200),
        "oversight": (200, 200),
        "provider": (200, 404),
        "admin": (200, 200),
    },
    # Identity fields are kept by the provider itself, the oversight body, administrators and
    # the agency that added the provider (issue 19 point 2); these providers were added by
    # none of the agencies, so their staff may not edit them
    # (steward/parties/tests/test_provider_keepers.py covers the adding agency).
    "directory:provider_edit": {
        "manager": (403, 403),
        "procure": (403, 403),
        "monitor": (403, 403),
        "senior": (403, 403),
        "oversight": (200, 200),
        "provider": (200, 404),
        "admin": (200, 200),
    },
}


@pytest.mark.parametrize(
    ("page", "role", "org", "expected"),
    [
        (page, role, org, s[0] if org == "own" else s[1])
        for page, by_role in PROVIDER_PAGES.items()
        for role, s in by_role.items()
        for org in ("own", "other")
    ],
)
def test_provider_page_permission_matrix(
    client, make_user, provider, other_provider, page, role, org, expected
):
    user = make_user(ROLES[role])
    target = provider if org == "own" else other_provider
    response = signed_in(client, user).get(reverse(page, args=[target.slug]))
    assert response.status_code == expected


# page (by agency slug) → role → (own agency, other agency). Everyone signed in may see every
# agency, so a refusal is 403, never 404; an oversight officer's edit page has only the pack.
AGENCY_PAGES: dict[str, dict[str, tuple[int, int]]] = {
    "directory:agency_detail": {
        "manager": (200, 200),
        "senior": (200, 200),
        "oversight": (200, 200),
        "provider": (200, 200),
        "admin": (200, 200),
    },
    "directory:agency_edit": {
        "manager": (403, 403),
        "monitor": (403, 403),
        "finance": (403, 403),
        "procure": (403, 403),
        "senior": (403, 403),
        "oversight": (200, 200),
        "provider": (403, 403),
        "admin": (200, 200),
    },
}


@pytest.mark.parametrize(
    ("page", "role", "org", "expected"),
    [
        (page, role, org, s[0] if org == "own" else s[1])
        for page, by_role in AGENCY_PAGES.items()
        for role, s in by_role.items()
        for org in ("own", "other")
    ],
)
def test_agency_page_permission_matrix(
    client, make_user, agency, other_agency, page, role, org, expected
):
    user = make_user(ROLES[role])
    target = agency if org == "own" else other_agency
    response = signed_in(client, user).get(reverse(page, args=[target.slug]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, 200 if role == "admin" else 403) for role in ROLES],
)
def test_only_administrators_open_the_add_agency_page(client, make_user, role, expected):
    user = make_user(ROLES[role])
    response = signed_in(client, user).get(reverse("directory:agency_create"))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager", 403),
        ("senior", 403),
        ("provider", 403),
        ("oversight", 200),
        ("admin", 200),
    ],
)
@pytest.mark.parametrize("page", ["core:pack_copy", "core:pack_edit"])
def test_pack_write_pages_are_for_oversight_and_administrators(
    client, make_user, packs, page, role, expected
):
    from steward.core.services import policy_pack_copy

    admin = make_user(Role.ADMINISTRATOR)
    copy = policy_pack_copy(
        actor=admin, source=packs["connecticut-opm"], slug="dcf-2027", name="DCF 2027"
    )
    user = make_user(ROLES[role])
    response = signed_in(client, user).get(reverse(page, args=[copy.slug]))
    assert response.status_code == expected


def test_shipped_pack_cannot_be_edited_even_by_oversight(client, make_user, packs):
    user = make_user(Role.OVERSIGHT_OFFICER)
    response = signed_in(client, user).get(reverse("core:pack_edit", args=["connecticut-opm"]))
    assert response.status_code == 403


def test_provider_cannot_open_another_providers_contract(client, make_user, own_and_other):
    user = make_user(Role.PROVIDER_USER)
    response = signed_in(client, user).get(
        reverse("contracts:detail", args=[own_and_other["other"].pk])
    )
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"OTHER-1" not in response.content


def test_provider_cannot_see_own_draft_contract(client, make_user, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, status=ContractStatus.DRAFT)
    user = make_user(Role.PROVIDER_USER)
    response = signed_in(client, user).get(reverse("contracts:detail", args=[draft.pk]))
    assert response.status_code == 404


def test_other_agencys_manager_cannot_edit_transition_or_amend(
    client, make_user, other_agency, own_and_other
):
    """Agency B's contract manager posting to agency A's contract changes nothing."""
    contract = own_and_other["own"]
    intruder = signed_in(client, make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    posts = [
        (reverse("contracts:edit", args=[contract.pk]), {"title": "Hijacked"}),
        (
            reverse("contracts:transition", args=[contract.pk, "terminate"]),
            {"on": "2026-03-01", "reason": "Hijacked"},
        ),
        (
            reverse("contracts:amendment_create", args=[contract.pk]),
            {"effective_on": "2026-03-01", "new_end_date": "2027-12-31", "reason": "Hijacked"},
        ),
    ]
    for url, data in posts:
        assert intruder.post(url, data).status_code == 404
    contract.refresh_from_db()
    assert contract.title != "Hijacked"
    assert contract.status == ContractStatus.ACTIVE
    assert contract.amendments.count() == 0
