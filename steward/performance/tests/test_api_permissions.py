"""API permission matrix of the performance area (DOMAIN.md §1, seeds 001 and 003).

Cells are "own/other": own = a contract of the user's agency (for a provider user, of their
own organisation); other = another agency's contract with another provider. A contract the
user may not see answers 404; one they may see but not change, 403."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import Role
from steward.performance import services
from steward.performance.models import Return
from steward.performance.tests.factories import with_plan
from steward.testing.factories import ContractFactory, UserFactory

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

# endpoint          admin   oversight manager monitor budget  finance procure senior  provider
MATRIX = """
summary             200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
specification.get   200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
specification.put   200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 403/404
milestone.add       201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 403/404
indicators.list     200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
indicator.add       201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 403/404
indicator.patch     200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 403/404
plan.get            200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
plan.put            200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 403/404
returns.list        200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
return.submit       200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 200/404
return.correct      200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 200/404
surveys.list        200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
survey.add          201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 403/404
inspection.add      201/201 201/201 201/403 201/403 403/403 403/403 403/403 403/403 403/404
evidence.list       200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
evidence.add        201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 201/404
"""

# endpoint          admin oversight manager monitor budget finance procure senior provider
ROLE_ONLY = """
library.list        200   200       200     200     200    200     200     200    200
library.add         403   403       201     201     403    403     403     403    403
portfolio           200   200       200     200     200    200     200     200    403
import              403   403       200     200     403    403     403     403    403
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
    admin = UserFactory(role=Role.ADMINISTRATOR, agency=None)
    out = {}
    for key, (a, p) in {"own": (agency, provider), "other": (other_agency, other_provider)}.items():
        contract = ContractFactory(
            agency=a,
            provider=p,
            status="active",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
        )
        indicators = with_plan(contract, admin)
        q1 = Return.objects.get(contract=contract, period_start=date(2026, 1, 1))
        q2 = Return.objects.get(contract=contract, period_start=date(2026, 4, 1))
        services.return_submit(actor=admin, ret=q2, values={}, on=date(2026, 7, 1))
        out[key] = (contract, indicators[0], q1, q2)
    return out


def _request(endpoint, contract, indicator, q1, q2):
    c = f"/performance/contracts/{contract.pk}"
    return {
        "summary": ("get", c, None),
        "specification.get": ("get", c + "/specification", None),
        "specification.put": ("put", c + "/specification", {"outcomes": "Safer at home"}),
        "milestone.add": ("post", c + "/milestones", {"title": "Launch", "due_on": "2026-03-01"}),
        "indicators.list": ("get", c + "/indicators", None),
        "indicator.add": (
            "post",
            c + "/indicators",
            {
                "name": "Starts",
                "category": "output",
                "question": "how_much",
                "unit": "count",
                "target": "40",
            },
        ),
        "indicator.patch": ("patch", f"/performance/indicators/{indicator.pk}", {"target": "91"}),
        "plan.get": ("get", c + "/plan", None),
        "plan.put": ("put", c + "/plan", {"desired_outcomes": "Fewer children in care"}),
        "returns.list": ("get", c + "/returns", None),
        "return.submit": (
            "post",
            f"/performance/returns/{q1.pk}/submit",
            {"values": [{"indicator": indicator.pk, "value": "91"}], "referrals": 3},
        ),
        "return.correct": (
            "post",
            f"/performance/returns/{q2.pk}/correct",
            {"values": [{"indicator": indicator.pk, "value": "80"}], "reason": "Recount"},
        ),
        "surveys.list": ("get", c + "/surveys", None),
        "survey.add": (
            "post",
            c + "/surveys",
            {
                "group": "service_users",
                "round_label": "2026",
                "conducted_on": "2026-05-01",
                "respondents": 10,
                "score": "75",
            },
        ),
        "evidence.list": ("get", f"/performance/returns/{q1.pk}/evidence", None),
        "evidence.add": (
            "post",
            f"/performance/returns/{q1.pk}/evidence",
            {"title": "Register", "file": SimpleUploadedFile("r.csv", b"a,b\n")},
        ),
        "inspection.add": (
            "post",
            f"/performance/providers/{contract.provider.slug}/inspections",
            {"body": "Licensing", "rating": "Good", "inspected_on": "2026-02-01"},
        ),
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
    method, path, body = {
        "library.list": ("get", "/performance/library", None),
        "library.add": (
            "post",
            "/performance/library",
            {"name": "Leavers", "category": "output", "question": "how_much", "unit": "count"},
        ),
        "portfolio": ("get", "/performance/portfolio", None),
        "import": (
            "post",
            "/performance/import",
            {"background": False, "file": _returns_file(world), "dry_run": True},
        ),
    }[endpoint]
    response = call(token_client(user), method, path, body)
    assert response.status_code == expected, response.content


def _returns_file(world):
    contract, indicator, _, _ = world["own"]
    body = (
        f"contract,period start,indicator,value\n{contract.number},2026-01-01,{indicator.name},91\n"
    )
    return SimpleUploadedFile("returns.csv", body.encode())


def test_import_through_the_api(world, make_user):
    client = token_client(make_user(Role.CONTRACT_MANAGER))
    ok = call(
        client, "post", "/performance/import", {"background": False, "file": _returns_file(world)}
    )
    assert ok.status_code == 200 and ok.json()["created"] == 1 and ok.json()["written"]
    bad = SimpleUploadedFile(
        "returns.csv", b"contract,period start,indicator,value\nNOPE,2026-01-01,x,1\n"
    )
    response = call(client, "post", "/performance/import", {"background": False, "file": bad})
    assert response.status_code == 422
    assert response.json()["errors"] == {"line 2: contract": ["no contract 'NOPE' in this agency"]}
    exe = SimpleUploadedFile("returns.exe", b"MZ")
    assert (
        call(client, "post", "/performance/import", {"background": False, "file": exe}).status_code
        == 422
    )


def test_anonymous_401(world):
    from django.test import Client

    contract = world["own"][0]
    for path in (f"/performance/contracts/{contract.pk}", "/performance/portfolio"):
        assert call(Client(), "get", path).status_code == 401


def test_provider_sees_only_its_own_returns(world, make_user, other_provider):
    mine = session_client(make_user(Role.PROVIDER_USER))
    theirs = session_client(make_user(Role.PROVIDER_USER, provider=other_provider))
    own = world["own"][0]
    assert len(call(mine, "get", f"/performance/contracts/{own.pk}/returns").json()) == 4
    assert call(theirs, "get", f"/performance/contracts/{own.pk}/returns").status_code == 404


def test_summary_shape_and_bad_input(world, make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    contract, indicator, q1, _ = world["own"]
    data = call(client, "get", f"/performance/contracts/{contract.pk}").json()
    assert data["metrics_missing"] is False
    names = [a["indicator"]["name"] for a in data["achievement"]]
    assert indicator.name in names
    periods = data["achievement"][names.index(indicator.name)]["periods"]
    assert periods[1]["status"] == "no_data"  # Q2 submitted without this value
    bad = call(
        client,
        "post",
        f"/performance/returns/{q1.pk}/submit",
        {"values": [{"indicator": indicator.pk, "value": "250"}]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {f"values.{indicator.pk}": ["A percentage is from 0 to 100."]}
    q1.refresh_from_db()
    assert q1.submitted_on is None
    no_reason = call(
        client, "post", f"/performance/returns/{world['own'][3].pk}/correct", {"reason": ""}
    )
    assert no_reason.status_code == 422


def test_portfolio_query_budget(world, make_user, agency, provider, django_assert_max_num_queries):
    admin = UserFactory(role=Role.ADMINISTRATOR, agency=None)
    for _ in range(15):
        with_plan(ContractFactory(agency=agency, provider=provider, status="active"), admin)
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(12):
        response = call(client, "get", "/performance/portfolio?limit=100")
    assert response.json()["count"] == 16


def test_summary_query_budget(world, make_user, django_assert_max_num_queries):
    contract = world["own"][0]
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    with django_assert_max_num_queries(20):
        response = call(client, "get", f"/performance/contracts/{contract.pk}")
    assert response.status_code == 200
