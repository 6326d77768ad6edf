"""API permission matrix of the annual monitoring cycle (DOMAIN.md §1 and §3.1; seeds 002, 003;
steward/monitoring/rules.py).

Cells are "own/other": own = a contract of the user's agency (for a provider user, of their own
organisation); other = another agency's contract with another provider. A cycle or contract the
user may not see answers 404; one they may see but not change, 403. Each cell sets up the cycle
at the stage the endpoint acts on (through the services, on dates before today), then calls the
endpoint as of today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from steward.core.tests.api_support import PDF, call, session_client, token_client
from steward.monitoring import calc, services
from steward.monitoring.models import Action, Cycle, ReviewMeeting
from steward.monitoring.tests.factories import answers, walk
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
cycles.get          200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
cycle.start         201/201 403/403 201/404 403/404 403/404 403/404 403/404 403/404 403/404
cycle.notify        200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 404/404
self_assessment     200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 200/404
assess              200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
visit               200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 403/404
visit.date          200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 403/404
judgement           200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
discussion          200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
letter              200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
appeal              422/422 403/403 422/404 403/404 403/404 403/404 403/404 403/404 200/404
appeal.record       200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 422/404
appeal.decision     200/200 403/403 200/404 403/404 403/404 403/404 403/404 200/404 403/404
close               200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
actions.list        200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
action.done         200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 403/404
reviews.list        200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 404/404
reviews.schedule    201/201 403/403 201/404 201/404 403/404 403/404 403/404 403/404 404/404
review.record       200/200 403/403 200/404 200/404 403/404 403/404 403/404 403/404 404/404
commissioning.get   200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 403/403
commissioning.add   201/201 403/403 201/403 403/403 403/403 403/403 403/403 403/403 403/403
"""

# endpoint          admin oversight manager monitor budget finance procure senior provider
ROLE_ONLY = """
cycles.list         200   200       200     200     200    200     200     200    200
calendar            200   200       200     200     200    200     200     200    200
exceptions          200   200       200     200     200    200     200     200    403
commissioning.list  200   200       200     200     200    200     200     200    403
"""


def _parse(table: str) -> list[tuple[str, str, str]]:
    names = list(ROLES)
    rows = []
    for line in table.strip().splitlines():
        endpoint, *cells = line.split()
        assert len(cells) == len(names), line
        rows.extend((endpoint, role, cell) for role, cell in zip(names, cells, strict=True))
    return rows


@pytest.fixture(autouse=True)
def _quick_letters(monkeypatch):
    """The results letter's PDF is rendered in test_api.py; here a stub keeps the matrix fast."""
    monkeypatch.setattr(services, "letter_pdf", lambda cycle, actions, appeal_by=None: PDF)


@pytest.fixture
def world(agency, other_agency, provider, other_provider):
    """Per side: the contract, the administrator who walks its cycle, its provider's user."""
    admin = UserFactory(role=Role.ADMINISTRATOR, agency=None)
    out = {}
    for key, (a, p) in {"own": (agency, provider), "other": (other_agency, other_provider)}.items():
        contract = ContractFactory(agency=a, provider=p, status="active")
        provider_user = UserFactory(role=Role.PROVIDER_USER, provider=p, agency=None)
        out[key] = (contract, admin, provider_user)
    return out


def _walk(side, to, *, days_ago=30, route="full"):
    contract, admin, provider_user = side
    start = timezone.localdate() - timedelta(days=days_ago)
    return walk(
        contract, manager=admin, provider_user=provider_user, to=to, route=route, start=start
    )


def _action(side):
    """An action of the side's results letter (with its due date)."""
    return Action.objects.filter(cycle=_walk(side, "letter")).order_by("due_on").first()


def _half_year_start(agency):
    return calc.half_year(timezone.localdate(), agency.pack.parsed.fiscal_year.start_month)[0]


def _request(endpoint, side):
    """(method, path, body) of `endpoint` on `side`, with the cycle at the stage it acts on."""
    contract, _admin, provider_user = side
    today = timezone.localdate()
    c = f"/contracts/{contract.pk}/monitoring"

    def cycle_at(to, **kwargs):
        return f"/monitoring/cycles/{_walk(side, to, **kwargs).pk}"

    if endpoint == "cycles.get":
        return "get", cycle_at("notified"), None
    if endpoint == "cycle.start":
        return "post", c + "/cycles", None
    if endpoint == "cycle.notify":
        return "post", cycle_at("started", days_ago=0) + "/notify", None
    if endpoint == "self_assessment":
        body = {"answers": answers(), "qaf_level": "B", "qaf_upgrades": ""}
        return "put", cycle_at("notified") + "/self-assessment", body
    if endpoint == "assess":
        body = {
            "route": "full",
            "notes": "Credible.",
            "visit_planned_for": today.isoformat(),
            "visit_agenda": "10:00 staff",
            "user_consultation": "Tenants' meeting",
        }
        return "post", cycle_at("submitted") + "/assess", body
    if endpoint == "visit":
        body = {
            "visited_on": today.isoformat(),
            "staff_met": "Manager",
            "self_assessment_review": "Agreed.",
            "service_users_met": "Four tenants",
            "dq_sampled": 5,
            "dq_matched": 5,
        }
        return "post", cycle_at("assessed") + "/visit", body
    if endpoint == "visit.date":
        body = {"visit_planned_for": (today + timedelta(days=2)).isoformat()}
        return "post", cycle_at("assessed", days_ago=0) + "/visit/date", body
    if endpoint == "judgement":
        body = {"areas": {k: {**v, "comments": ""} for k, v in answers().items()}}
        return "post", cycle_at("visited") + "/judgement", body
    if endpoint == "discussion":
        body = {"discussed_on": today.isoformat(), "method": "call", "notes": "Plan agreed."}
        return "post", cycle_at("judged", route="light") + "/discussion", body
    if endpoint == "letter":
        body = {
            "results_summary": "Good.",
            "future_funding": "Continues.",
            "future_specification": "No change.",
            "actions": [
                {"description": "Review plans", "owner": "Team leader", "horizon_months": 6}
            ],
        }
        return "post", cycle_at("judged") + "/letter", body
    if endpoint == "appeal":
        return "post", cycle_at("letter") + "/appeal", {"grounds": "Area 2 misjudged."}
    if endpoint == "appeal.record":
        body = {"grounds": "Area 2 misjudged.", "received_via": "letter", "on": today.isoformat()}
        return "post", cycle_at("letter") + "/appeal", body
    if endpoint == "appeal.decision":
        cycle = _walk(side, "letter")
        services.appeal_lodge(actor=provider_user, cycle=cycle, grounds="Unfair.", today=today)
        body = {"outcome": "dismissed", "decision": "The evidence supports the rating."}
        return "post", f"/monitoring/cycles/{cycle.pk}/appeal/decision", body
    if endpoint == "close":
        return "post", cycle_at("letter", days_ago=60) + "/close", None
    if endpoint == "actions.list":
        _action(side)
        return "get", c + "/actions", None
    if endpoint == "action.done":
        return "post", f"/monitoring/actions/{_action(side).pk}/done", {"note": "Trained."}
    if endpoint == "reviews.list":
        return "get", c + "/reviews", None
    if endpoint == "reviews.schedule":
        return "post", c + "/reviews/schedule", None
    if endpoint == "review.record":
        services.reviews_plan(actor=_admin, contract=contract, today=contract.start_date)
        meeting = ReviewMeeting.objects.get(contract=contract, kind="biannual")
        body = {"held_on": today.isoformat(), "chair": "Operations manager", "minutes": "Fine."}
        return "post", f"/monitoring/reviews/{meeting.pk}/record", body
    if endpoint == "commissioning.get":
        report = services.services_report_create(
            actor=_admin,
            agency=contract.agency,
            period_start=_half_year_start(contract.agency),
            recommendations="Recommission the service.",
            today=today,
        )
        return "get", f"/monitoring/reports/commissioning/{report.pk}", None
    if endpoint == "commissioning.add":
        body = {
            "agency": contract.agency.slug,
            "period_start": _half_year_start(contract.agency).isoformat(),
            "recommendations": "Recommission the service.",
        }
        return "post", "/monitoring/reports/commissioning", body
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
    method, path, body = _request(endpoint, world[org])
    response = call(session_client(user), method, path, body)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [pytest.param(e, role, int(cell), id=f"{e}-{role}") for e, role, cell in _parse(ROLE_ONLY)],
)
def test_role_only(world, make_user, endpoint, role, expected):
    user = make_user(ROLES[role])
    path = {
        "cycles.list": "/monitoring/cycles",
        "calendar": "/monitoring/calendar",
        "exceptions": "/monitoring/reports/exceptions",
        "commissioning.list": "/monitoring/reports/commissioning",
    }[endpoint]
    response = call(token_client(user), "get", path)
    assert response.status_code == expected, response.content


# ---------------------------------------------------------------- who sees which cycle


def test_provider_sees_neither_another_providers_cycle_nor_its_own_before_notification(
    world, make_user
):
    own_started = _walk(world["own"], "started", days_ago=0)
    other_notified = _walk(world["other"], "notified")
    client = session_client(make_user(Role.PROVIDER_USER))
    assert call(client, "get", f"/monitoring/cycles/{own_started.pk}").status_code == 404
    assert call(client, "get", f"/monitoring/cycles/{other_notified.pk}").status_code == 404
    assert call(client, "get", "/monitoring/cycles").json()["count"] == 0
    services.cycle_notify(actor=world["own"][1], cycle=own_started, today=timezone.localdate())
    listed = call(client, "get", "/monitoring/cycles").json()
    assert [row["id"] for row in listed["items"]] == [own_started.pk]
    assert listed["items"][0]["risk_rating"] is None


def test_cycle_list_is_what_each_caller_may_see(world, make_user, other_agency):
    own = _walk(world["own"], "notified")
    other = _walk(world["other"], "started", days_ago=0)

    def ids(user, query=""):
        response = call(session_client(user), "get", "/monitoring/cycles" + query)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["items"])

    manager = make_user(Role.CONTRACT_MANAGER)
    assert ids(manager) == [own.pk]
    assert ids(make_user(Role.CONTRACT_MANAGER, agency=other_agency)) == [other.pk]
    assert ids(make_user(Role.OVERSIGHT_OFFICER)) == sorted([own.pk, other.pk])
    admin = world["own"][1]
    assert ids(admin) == sorted([own.pk, other.pk])
    assert ids(admin, "?agency=dmh") == [other.pk]
    assert ids(admin, f"?contract={own.contract_id}") == [own.pk]
    assert ids(admin, "?status=closed") == []
    bad = call(session_client(admin), "get", "/monitoring/cycles?status=shut")
    assert bad.status_code == 422 and "status" in bad.json()["errors"]
    assert call(session_client(admin), "get", "/monitoring/cycles?agency=nope").status_code == 404


def test_another_agency_cannot_write_to_a_cycle_it_cannot_see(world, make_user, other_agency):
    cycle = _walk(world["own"], "submitted")
    outsider = session_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    response = call(
        outsider,
        "post",
        f"/monitoring/cycles/{cycle.pk}/assess",
        {"route": "light", "notes": "Fine."},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Cycle.objects.get(pk=cycle.pk).stage == calc.Stage.NOTIFIED


def test_only_the_provider_appeals_and_a_manager_or_senior_manager_decides(world, make_user):
    cycle = _walk(world["own"], "letter")
    path = f"/monitoring/cycles/{cycle.pk}"
    manager = session_client(make_user(Role.CONTRACT_MANAGER))
    # the contract manager records a written appeal only with how and when it came (seed 004)
    refused = call(manager, "post", path + "/appeal", {"grounds": "On the provider's behalf."})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"received_via", "on"}
    monitor = session_client(make_user(Role.CONTRACT_MONITOR))
    refused = call(monitor, "post", path + "/appeal", {"grounds": "On the provider's behalf."})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You do not have permission to appeal this decision."
    provider = session_client(make_user(Role.PROVIDER_USER))
    assert call(provider, "post", path + "/appeal", {"grounds": "Unfair."}).status_code == 200
    decision = {"outcome": "partly_upheld", "decision": "Area 2 re-rated."}
    assert call(monitor, "post", path + "/appeal/decision", decision).status_code == 403
    assert call(provider, "post", path + "/appeal/decision", decision).status_code == 403
    senior = session_client(make_user(Role.SENIOR_MANAGER))
    decided = call(senior, "post", path + "/appeal/decision", decision)
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "closed"
    assert decided.json()["appeal"]["outcome"] == "partly_upheld"


def test_anonymous_callers_get_401(world):
    cycle = _walk(world["own"], "notified")
    for method, path in (
        ("get", "/monitoring/cycles"),
        ("get", f"/monitoring/cycles/{cycle.pk}"),
        ("post", f"/monitoring/cycles/{cycle.pk}/assess"),
        ("get", "/monitoring/calendar"),
    ):
        assert call(Client(), method, path, {}).status_code == 401
