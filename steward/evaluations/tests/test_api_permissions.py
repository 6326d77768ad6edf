"""API permission matrix of the evaluations area (DOMAIN.md §1; seeds 000 and 001).

Cells are "own/other": own = an object of the user's agency (for a provider user, of their own
organisation); other = another agency's, with another provider. An object the user may not see
answers 404; one they may see but not change, 403. A draft stays with its agency; a released
evaluation is also the provider's; a finalised one is shared with every agency's staff. The
world is built lazily: each request builds only the objects it needs."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from steward.core.tests.api_support import call, pdf_upload, session_client, token_client
from steward.evaluations import services
from steward.evaluations.tests.factories import all_ratings, completed_contract, walk
from steward.parties.models import Role
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
draft.get           200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 404/404
released.get        200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
finalised.get       200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/404
start               201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 403/404
patch               200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 404/404
evidence            200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 404/404
release             200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 404/404
comment             403/403 403/403 403/404 403/404 403/404 403/404 403/404 403/404 200/404
finalise            200/200 403/403 200/404 403/404 403/404 403/404 403/404 200/404 403/404
finalised.patch     409/409 403/403 409/403 409/403 403/403 403/403 403/403 403/403 403/404
correct             201/201 403/403 201/403 201/403 403/403 403/403 403/403 403/403 403/404
in_lieu.submit      201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 403/404
in_lieu.decide      200/200 200/200 403/404 403/404 403/404 403/404 403/404 403/404 404/404
renewal.get         200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 404/404
renewal.override    201/201 403/403 403/404 403/404 403/404 403/404 403/404 201/404 404/404
past_performance    200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/404
"""

# endpoint          admin oversight manager monitor budget finance procure senior provider
ROLE_ONLY = """
list                200   200       200     200     200    200     200     200    200
due                 200   200       200     200     200    200     200     200    403
compliance          200   200       200     200     200    200     200     200    403
in_lieu.list        200   200       200     200     200    200     200     200    200
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Reports in lieu uploaded here are written under a temporary directory."""
    settings.MEDIA_ROOT = tmp_path


def _parse(table: str) -> list[tuple[str, str, str]]:
    names = list(ROLES)
    rows = []
    for line in table.strip().splitlines():
        endpoint, *cells = line.split()
        assert len(cells) == len(names), line
        rows.extend((endpoint, role, cell) for role, cell in zip(names, cells, strict=True))
    return rows


class World:
    """Per organisation ("own", "other"): the agency, its provider and an author (a contract
    manager of the agency who writes the evaluations; the users under test are others). Both
    agencies use the Milwaukee pack, whose renewal threshold (90, seed 001) makes an override
    meaningful."""

    def __init__(self, agency, other_agency, provider, other_provider, packs):
        self.orgs = {}
        for key, (a, p) in {
            "own": (agency, provider),
            "other": (other_agency, other_provider),
        }.items():
            a.pack = packs["milwaukee-mps"]
            a.save()
            author = UserFactory(role=Role.CONTRACT_MANAGER, agency=a)
            self.orgs[key] = (a, p, author)
        self.today = timezone.localdate()

    def contract(self, org, **over):
        a, p, author = self.orgs[org]
        return completed_contract(author, provider=p, agency=a, **over)

    def evaluation(self, org, to, **kwargs):
        _, _, author = self.orgs[org]
        reviewer = UserFactory(role=Role.SENIOR_MANAGER, agency=author.agency)
        return walk(
            self.contract(org),
            author=author,
            to=to,
            reviewer=reviewer,
            released_on=self.today,
            **kwargs,
        )

    def acknowledged(self, org):
        evaluation = self.evaluation(org, "released")
        provider_user = UserFactory(
            role=Role.PROVIDER_USER, provider=self.orgs[org][1], agency=None
        )
        services.evaluation_comment(
            actor=provider_user,
            evaluation=evaluation,
            comments="",
            acknowledge=True,
            today=self.today,
        )
        return evaluation

    def in_lieu(self, org):
        _, _, author = self.orgs[org]
        return services.in_lieu_submit(
            actor=author,
            contract=self.contract(org),
            kind="report_card",
            title="Annual report card",
            link="https://example.org/report-card",
            today=self.today,
        )


@pytest.fixture
def world(agency, other_agency, provider, other_provider, packs):
    return World(agency, other_agency, provider, other_provider, packs)


def _request(endpoint, world, org):
    e = "/evaluations"
    if endpoint in ("draft.get", "released.get", "finalised.get"):
        return ("get", f"{e}/{world.evaluation(org, endpoint.split('.')[0]).pk}", None)
    if endpoint == "start":
        return ("post", f"/contracts/{world.contract(org).pk}/evaluations", {"kind": "closeout"})
    if endpoint == "patch":
        draft = world.evaluation(org, "draft")
        body = {"ratings": all_ratings(draft, 3), "summary": "Steady."}
        return ("patch", f"{e}/{draft.pk}", body)
    if endpoint == "evidence":
        return ("post", f"{e}/{world.evaluation(org, 'draft').pk}/evidence", None)
    if endpoint == "release":
        return ("post", f"{e}/{world.evaluation(org, 'draft').pk}/release", None)
    if endpoint == "comment":
        released = world.evaluation(org, "released")
        return ("post", f"{e}/{released.pk}/comment", {"comments": "Noted.", "acknowledge": True})
    if endpoint == "finalise":
        return ("post", f"{e}/{world.acknowledged(org).pk}/finalise", None)
    if endpoint == "finalised.patch":
        return ("patch", f"{e}/{world.evaluation(org, 'finalised').pk}", {"summary": "Changed."})
    if endpoint == "correct":
        finalised = world.evaluation(org, "finalised")
        return ("post", f"{e}/{finalised.pk}/correct", {"reason": "A rating was mistyped."})
    if endpoint == "in_lieu.submit":
        body = {
            "kind": "quality_assurance",
            "title": "QA report",
            "file": pdf_upload("qa.pdf"),
        }
        return ("post", f"/contracts/{world.contract(org).pk}/in-lieu", body)
    if endpoint == "in_lieu.decide":
        report = world.in_lieu(org)
        return ("post", f"{e}/in-lieu/{report.pk}/decision", {"accept": True, "reason": ""})
    if endpoint == "renewal.get":
        return (
            "get",
            f"/contracts/{world.contract(org, renewal_options=2).pk}/renewal-eligibility",
        )
    if endpoint == "renewal.override":
        # an override is for a contract still running (executed or active) that the gate
        # covers (seed 001: professional services let by RFP for more than a year)
        a, p, _ = world.orgs[org]
        contract = ContractFactory(
            agency=a,
            provider=p,
            status="active",
            renewal_options=2,
            contract_type="professional_services",
            start_date=date(2025, 7, 1),
            end_date=date(2027, 6, 30),
        )
        body = {"justification": "No other provider serves this county; plan agreed."}
        return ("post", f"/contracts/{contract.pk}/renewal-overrides", body)
    if endpoint == "past_performance":
        world.evaluation(org, "finalised")
        return ("get", f"/providers/{world.orgs[org][1].pk}/past-performance", None)
    raise AssertionError(endpoint)


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
    method, path, *body = _request(endpoint, world, org)
    response = call(session_client(user), method, path, body[0] if body else None)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"detail", "code", "errors"}


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [pytest.param(e, role, int(cell), id=f"{e}-{role}") for e, role, cell in _parse(ROLE_ONLY)],
)
def test_role_only(world, make_user, endpoint, role, expected):
    user = make_user(ROLES[role])
    path = {
        "list": "/evaluations",
        "due": "/evaluations/due",
        "compliance": "/evaluations/compliance",
        "in_lieu.list": "/evaluations/in-lieu",
    }[endpoint]
    response = call(token_client(user), "get", path)
    assert response.status_code == expected, response.content


ALL = {"draft", "released", "finalised"}
FINAL = {"finalised"}


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("admin", ALL, ALL),
        ("oversight", ALL, ALL),
        # agency staff: all of their own agency's, only what is finalised of another agency's
        ("manager", ALL, FINAL),
        ("budget", ALL, FINAL),
        ("senior", ALL, FINAL),
        # the provider: its own once released, nothing of another provider's
        ("provider", {"released", "finalised"}, set()),
    ],
)
def test_list_shows_exactly_what_the_caller_may_read(world, make_user, role, own, other):
    made = {
        (org, stage): world.evaluation(org, stage).pk
        for org in ("own", "other")
        for stage in ("draft", "released", "finalised")
    }
    client = session_client(make_user(ROLES[role]))
    items = call(client, "get", "/evaluations?limit=100").json()["items"]
    seen = {i["id"] for i in items}
    for org, expected in (("own", own), ("other", other)):
        assert {stage for (o, stage), pk in made.items() if o == org and pk in seen} == expected


def test_provider_cannot_see_another_providers_evaluation(world, make_user, other_provider):
    released = world.evaluation("own", "released")
    finalised = world.evaluation("own", "finalised")
    theirs = session_client(make_user(Role.PROVIDER_USER, provider=other_provider))
    for evaluation in (released, finalised):
        assert call(theirs, "get", f"/evaluations/{evaluation.pk}").status_code == 404
        response = call(
            theirs, "post", f"/evaluations/{evaluation.pk}/comment", {"acknowledge": True}
        )
        assert response.status_code == 404
    own = world.orgs["own"][1]
    assert call(theirs, "get", f"/providers/{own.pk}/past-performance").status_code == 404
    assert call(theirs, "get", f"/evaluations?provider={own.pk}").json()["count"] == 0


def test_another_agencys_staff_read_the_finalised_version_but_never_write(world, make_user):
    draft = world.evaluation("other", "draft")
    released = world.evaluation("other", "released")
    finalised = world.evaluation("other", "finalised")
    client = session_client(make_user(Role.CONTRACT_MANAGER))
    assert call(client, "get", f"/evaluations/{draft.pk}").status_code == 404
    assert call(client, "get", f"/evaluations/{released.pk}").status_code == 404
    assert call(client, "get", f"/evaluations/{finalised.pk}").status_code == 200
    for method, suffix, body in (
        ("patch", "", {"summary": "x"}),
        ("post", "/evidence", None),
        ("post", "/release", None),
        ("post", "/finalise", None),
        ("post", "/correct", {"reason": "Ours now."}),
    ):
        response = call(client, method, f"/evaluations/{finalised.pk}{suffix}", body)
        assert response.status_code == 403, (suffix, response.content)
        assert response.json()["code"] == "permission_denied"


def test_anonymous_callers_get_401(world):
    finalised = world.evaluation("own", "finalised")
    for path in (
        "/evaluations",
        "/evaluations/due",
        f"/evaluations/{finalised.pk}",
        f"/providers/{finalised.provider_id}/past-performance",
    ):
        assert call(Client(), "get", path).status_code == 401
