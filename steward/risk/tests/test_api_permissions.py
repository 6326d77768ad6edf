"""API permission matrix for the concerns log and risk (DOMAIN.md §1, seed 003).

Cells are "own/other": own = a concern or contract of the user's agency (for a provider user,
about their own organisation); other = another agency's record about another provider.
Risk is internal: a provider user gets 404 on every risk endpoint, even for its own contract.
"""

from __future__ import annotations

from datetime import date

import pytest

from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import Role
from steward.risk import services
from steward.risk.tests.factories import make_concern
from steward.testing.factories import ContractFactory

ROLES = {
    "admin": Role.ADMINISTRATOR,
    "oversight": Role.OVERSIGHT_OFFICER,
    "manager": Role.CONTRACT_MANAGER,
    "monitor": Role.CONTRACT_MONITOR,
    "budget": Role.BUDGET_HOLDER,
    "finance": Role.FINANCE_OFFICER,
    "procure": Role.PROCUREMENT_OFFICER,
    "senior": Role.SENIOR_MANAGER,
    "provider": Role.PROVIDER_USER,
}

# endpoint         admin   oversight manager monitor budget  finance procure senior  provider
MATRIX = """
concern.detail     200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
concern.update     200/200 403/403 200/404 200/404 403/404 403/404 403/404 200/404 403/404
concern.create     201/201 403/403 201/403 201/403 403/403 403/403 403/403 201/403 403/403
referral.create    201/201 403/403 201/404 201/404 403/404 403/404 403/404 201/404 404/404
risk.list          200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 404/404
risk.recompute     200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 404/404
risk.override      200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 404/404
risk.review        200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 404/404
"""

# endpoint         admin oversight manager monitor budget finance procure senior provider
ROLE_ONLY = """
concerns.list      200   200       200     200     200    200     200     200    200
assessments.list   200   200       200     200     200    200     200     200    404
counts.category    200   200       200     200     200    200     200     200    404
categories.list    404   200       200     200     200    200     200     200    404
"""


def _parse(table: str) -> list[tuple[str, str, str]]:
    names = list(ROLES)
    rows = []
    for line in table.strip().splitlines():
        endpoint, *cells = line.split()
        assert len(cells) == len(names), line
        rows.extend((endpoint, role, cell) for role, cell in zip(names, cells, strict=True))
    return rows


@pytest.fixture
def world(agency, other_agency, provider, other_provider, packs):
    own = ContractFactory(agency=agency, provider=provider, status="active")
    other = ContractFactory(agency=other_agency, provider=other_provider, status="active")
    day = date(2026, 6, 1)
    services.recompute(as_of=day)
    return {
        "own": (make_concern(agency, provider, own, received_on=day), own, agency, provider),
        "other": (
            make_concern(other_agency, other_provider, other, received_on=day),
            other,
            other_agency,
            other_provider,
        ),
    }


def _request(endpoint: str, concern, contract, agency, provider):
    c = f"/concerns/{concern.pk}"
    r = f"/contracts/{contract.pk}/risk"
    return {
        "concern.detail": ("get", c, None),
        "concern.update": ("patch", c, {"severity": "low"}),
        "concern.create": (
            "post",
            "/concerns",
            {
                "agency": agency.slug,
                "provider": provider.slug,
                "kind": "concern",
                "received_on": "2026-06-10",
                "source": "anonymous",
                "channel": "online",
                "category": "staffing",
                "severity": "medium",
                "summary": "Night staffing",
                "description": "One waking night staff for twelve residents.",
            },
        ),
        "referral.create": (
            "post",
            c + "/referrals",
            {"party": "licensing", "referred_on": "2026-06-02"},
        ),
        "risk.list": ("get", r, None),
        "risk.recompute": ("post", r + "/recompute", {"as_of": "2026-06-15"}),
        "risk.override": ("post", r + "/override", {"rating": "red", "reason": "Police inquiry"}),
        "risk.review": ("post", r + "/review", {"on": "2026-06-15"}),
    }[endpoint]


@pytest.mark.parametrize(
    ("endpoint", "role", "org", "expected"),
    [
        pytest.param(e, role, org, int(cell.split("/")[i]), id=f"{e}-{role}-{org}")
        for e, role, cell in _parse(MATRIX)
        for i, org in enumerate(("own", "other"))
    ],
)
def test_matrix(world, make_user, endpoint, role, org, expected):
    user = make_user(ROLES[role])
    method, path, body = _request(endpoint, *world[org])
    response = call(session_client(user), method, path, body)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [pytest.param(e, role, int(cell), id=f"{e}-{role}") for e, role, cell in _parse(ROLE_ONLY)],
)
def test_role_only(world, make_user, endpoint, role, expected):
    user = make_user(ROLES[role])
    path = {
        "concerns.list": "/concerns",
        "assessments.list": "/risk/assessments",
        "counts.category": "/risk/concern-counts?by=category",
        "categories.list": "/risk/categories",
    }[endpoint]
    response = call(token_client(user), "get", path)
    assert response.status_code == expected, response.content


def test_anonymous_401(world):
    from django.test import Client

    for path in ("/concerns", "/risk/assessments", f"/concerns/{world['own'][0].pk}"):
        assert call(Client(), "get", path).status_code == 401


IDENTITY = ("source", "channel", "complainant_reference", "responsible", "referrals")


def test_provider_never_sees_who_raised_it(world, make_user):
    """seed 003 / DOMAIN.md §1: provider users never see who raised a concern."""
    client = session_client(make_user(Role.PROVIDER_USER))
    concern = world["own"][0]
    detail = call(client, "get", f"/concerns/{concern.pk}").json()
    listing = call(client, "get", "/concerns").json()
    assert listing["count"] == 1
    for data in (detail, listing["items"][0]):
        assert data["summary"] == concern.summary
        for key in IDENTITY:
            assert key not in data
        assert "CASE-0001" not in str(data)


def test_staff_see_the_case_reference(world, make_user):
    client = session_client(make_user(Role.CONTRACT_MONITOR))
    data = call(client, "get", f"/concerns/{world['own'][0].pk}").json()
    assert data["complainant_reference"] == "CASE-0001" and data["source"] == "family"


def test_list_query_budget(world, make_user, agency, provider, django_assert_max_num_queries):
    for i in range(40):
        make_concern(agency, provider, None, received_on=date(2026, 5, 1 + i % 28))
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(12):
        response = call(client, "get", "/concerns?limit=100")
    assert response.json()["count"] == 41


def test_portfolio_query_budget(world, make_user, agency, provider, django_assert_max_num_queries):
    ContractFactory.create_batch(30, agency=agency, provider=provider, status="active")
    services.recompute(as_of=date(2026, 6, 2))
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(10):
        response = call(client, "get", "/risk/assessments?limit=100")
    assert response.json()["count"] == 31


def test_override_via_api_and_bad_input(world, make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    contract = world["own"][1]
    bad = call(
        client,
        "post",
        f"/contracts/{contract.pk}/risk/override",
        {"rating": "purple", "reason": ""},
    )
    assert bad.status_code == 422
    ok = call(
        client,
        "post",
        f"/contracts/{contract.pk}/risk/override",
        {"rating": "amber", "reason": "New manager"},
    )
    assert ok.json()["rating"] == "amber" and ok.json()["computed_rating"] == "green"


def test_counts_by_every_dimension(world, make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    for by in ("category", "provider", "contract", "source", "month"):
        rows = call(client, "get", f"/risk/concern-counts?by={by}").json()
        assert sum(r["count"] for r in rows) == 1, by
    assert call(client, "get", "/risk/concern-counts?by=colour").status_code == 422
