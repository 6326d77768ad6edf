"""The annual monitoring cycle through the API (seeds 002 and 003; DOMAIN.md §3.1): the whole
cycle stage by stage as of today, the refusals (409 out of order, 422 with field errors), what a
provider user is not shown, and the query budgets of the lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from steward.contracts.models import ContractDocument
from steward.core.formatting import fmt_date
from steward.core.tests.api_support import call, session_client, token_client
from steward.monitoring import calc, services
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import answers, walk
from steward.parties.models import Role
from steward.testing.factories import ContractFactory


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider", email="contracts@provider.example")


@pytest.fixture
def live(contract, manager):
    contract.contract_manager = manager
    contract.save()
    return contract


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


# ---------------------------------------------------------------- the whole cycle


def test_full_route_end_to_end_through_the_api(
    live, manager, provider_user, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    cm = session_client(manager)
    pu = token_client(provider_user)

    started = _ok(call(cm, "post", f"/contracts/{live.pk}/monitoring/cycles"), 201)
    path = f"/monitoring/cycles/{started['id']}"
    assert (started["stage"], started["status"], started["year"]) == (1, "open", today.year)
    assert started["risk"]["rating"] in ("red", "amber", "green")
    assert [s["state"] for s in started["steps"]][:2] == ["complete", "current"]
    # before the notification the provider does not know the cycle exists
    assert call(pu, "get", path).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        notified = _ok(call(cm, "post", path + "/notify"))
    assert notified["stage"] == 2
    due = notified["notification"]["self_assessment_due"]
    assert due["status"] == "open" and due["due_date"] > today.isoformat()
    assert notified["self_assessment_due"] == due["due_date"]
    assert mailoutbox[-1].to == ["contracts@provider.example"]

    body = {"answers": answers(), "qaf_level": "B", "qaf_upgrades": "C to B on support plans."}
    submitted = _ok(call(pu, "put", path + "/self-assessment", body))
    assert submitted["self_assessment"]["submitted_on"] == today.isoformat()
    assert [a["area"] for a in submitted["self_assessment"]["answers"]] == [
        key for key, _ in calc.JUDGEMENT_AREAS
    ]
    assert submitted["notification"]["self_assessment_due"]["status"] == "done"

    assessed = _ok(
        call(
            cm,
            "post",
            path + "/assess",
            {
                "route": "full",
                "notes": "Self-assessment credible.",
                "visit_planned_for": today.isoformat(),
                "visit_agenda": "10:00 staff; 11:30 service users",
                "user_consultation": "Group meeting with tenants",
                "evidence_requested": "Support plans",
            },
        )
    )
    assert (assessed["stage"], assessed["route"], assessed["next_stage"]) == (3, "full", 4)

    visited = _ok(
        call(
            cm,
            "post",
            path + "/visit",
            {
                "visited_on": today.isoformat(),
                "staff_met": "Service manager",
                "self_assessment_review": "Agreed; QAF upgrade confirmed.",
                "action_plan_review": "Last year's actions done.",
                "service_users_met": "Six tenants",
                "qaf_spot_check": "1.2 met",
                "dq_sampled": 10,
                "dq_matched": 9,
                "dq_notes": "One value transposed.",
            },
        )
    )
    assert visited["visit"]["dq_percent"] == "90.0"
    assert visited["letter"]["letter_due"]["status"] == "open"
    assert visited["letter"]["information_complete_on"] == today.isoformat()

    judged = _ok(
        call(
            cm,
            "post",
            path + "/judgement",
            {"areas": {k: {**v, "comments": "Seen at the visit."} for k, v in answers().items()}},
        )
    )
    assert len(judged["judgement"]["areas"]) == 6
    # the judgement stays internal until the letter is sent
    assert _ok(call(pu, "get", path))["judgement"]["areas"] is None

    letter = {
        "results_summary": "A good service meeting its targets.",
        "future_funding": "Funding continues.",
        "future_specification": "No change.",
        "actions": [
            {"description": "Train two staff", "owner": "Service manager", "horizon_months": 3},
            {"description": "Review support plans", "owner": "Team leader", "horizon_months": 6},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        sent = _ok(call(cm, "post", path + "/letter", letter))
    assert sent["stage"] == 7 and sent["letter"]["letter_on"] == today.isoformat()
    assert [(a["owner"], a["due_on"], a["state"]) for a in sent["letter"]["actions"]] == [
        ("Service manager", calc.action_due(today, 3).isoformat(), "open"),
        ("Team leader", calc.action_due(today, 6).isoformat(), "open"),
    ]
    document = ContractDocument.objects.get(pk=sent["letter"]["document"])
    assert document.released_to_provider and document.file.read(4) == b"%PDF"
    assert sent["appeal"]["appeal_due"]["due_date"] == (today + timedelta(days=14)).isoformat()
    assert [s["state"] for s in sent["steps"]][-1] == "current"

    seen = _ok(call(pu, "get", path))
    assert len(seen["judgement"]["areas"]) == 6  # released with the letter
    actions = _ok(call(pu, "get", f"/contracts/{live.pk}/monitoring/actions"))
    assert [a["description"] for a in actions] == ["Train two staff", "Review support plans"]

    appealed = _ok(call(pu, "post", path + "/appeal", {"grounds": "Area 2 was misjudged."}))
    assert appealed["stage"] == 8 and appealed["appeal"]["lodged_on"] == today.isoformat()
    assert appealed["appeal"]["lodged_by"] in (provider_user.get_full_name(), "provider")
    again = call(pu, "post", path + "/appeal", {"grounds": "Again."})
    assert again.status_code == 409

    with django_capture_on_commit_callbacks(execute=True):
        decided = _ok(
            call(
                cm,
                "post",
                path + "/appeal/decision",
                {"outcome": "dismissed", "decision": "The evidence supports the rating."},
            )
        )
    assert (decided["status"], decided["closed_on"]) == ("closed", today.isoformat())
    assert decided["appeal"]["outcome_sent_on"] == today.isoformat()
    assert all(s["state"] == "complete" for s in decided["steps"])
    assert mailoutbox[-1].subject.startswith("Your appeal on contract")

    done = _ok(
        call(
            session_client(make_user(Role.CONTRACT_MONITOR)),
            "post",
            f"/monitoring/actions/{actions[0]['id']}/done",
            {"note": "Both trained."},
        )
    )
    assert (done["state"], done["done_note"]) == ("done", "Both trained.")


# ---------------------------------------------------------------- refusals


def test_a_stage_out_of_order_is_409_naming_the_stage_that_comes_first(
    live, manager, provider_user
):
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="notified",
        start=timezone.localdate(),
    )
    cm = session_client(manager)
    path = f"/monitoring/cycles/{cycle.pk}"
    body = {"areas": {k: {**v, "comments": ""} for k, v in answers().items()}}
    response = call(cm, "post", path + "/judgement", body)
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["detail"] == (
        "Stage 5 (Judgement on the six areas) comes after stage 3 (Assessment of the "
        "self-assessment and QAF), which is not done yet."
    )
    early = call(cm, "post", path + "/assess", {"route": "light", "notes": "x"})
    assert early.status_code == 409
    assert early.json()["detail"].startswith("The provider has not submitted the self-assessment")
    assert (
        call(
            cm,
            "post",
            path + "/discussion",
            {"discussed_on": timezone.localdate().isoformat(), "method": "call", "notes": "x"},
        ).status_code
        == 409
    )
    assert Cycle.objects.get(pk=cycle.pk).stage == calc.Stage.NOTIFIED


def test_a_self_assessment_missing_an_area_is_422_with_field_errors(live, manager, provider_user):
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="notified",
        start=timezone.localdate(),
    )
    partial = answers()
    del partial["access"]
    partial["quality"]["rating"] = "brilliant"
    response = call(
        token_client(provider_user),
        "put",
        f"/monitoring/cycles/{cycle.pk}/self-assessment",
        {"answers": {**partial, "bogus": {"rating": "good"}}, "qaf_level": "E"},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == {
        "answers.quality.rating": ["Rate quality and performance of the service."],
        "answers.access.rating": ["Rate referral and access arrangements."],
        "answers.access.evidence": ["Give the evidence for referral and access arrangements."],
        "answers.bogus": ["'bogus' is not one of the six areas."],
        "qaf_level": ["Choose the QAF level: A, B, C or D."],
    }
    assert response.json()["code"] == "validation_failed"
    assert Cycle.objects.get(pk=cycle.pk).sa_submitted_on is None


def test_letter_errors_name_the_action(live, manager, provider_user):
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="judged",
        start=timezone.localdate() - timedelta(days=30),
    )
    response = call(
        session_client(manager),
        "post",
        f"/monitoring/cycles/{cycle.pk}/letter",
        {
            "results_summary": "Good.",
            "future_funding": "",
            "future_specification": "Same.",
            "actions": [
                {"description": "Train", "owner": "Manager", "horizon_months": 3},
                {"description": "Review", "owner": "", "horizon_months": 9},
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "future_funding": ["Confirm the future funding."],
        "actions.1.owner": ["Action 2: say who owns it."],
        "actions.1.horizon_months": ["Action 2: due in 3, 6 or 12 months."],
    }


def test_an_appeal_after_the_window_is_409(live, manager, provider_user):
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="letter",
        start=timezone.localdate() - timedelta(days=60),
    )
    assert cycle.appeal_due.due_date < timezone.localdate()
    response = call(
        token_client(provider_user),
        "post",
        f"/monitoring/cycles/{cycle.pk}/appeal",
        {"grounds": "Too late?"},
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"The 14 days to appeal ended on {fmt_date(cycle.appeal_due.due_date)}; an appeal can no "
        "longer be lodged."
    )
    # and the contract manager may now close the cycle
    closed = call(session_client(manager), "post", f"/monitoring/cycles/{cycle.pk}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_closing_inside_the_appeal_window_is_409(live, manager, provider_user):
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="letter",
        start=timezone.localdate() - timedelta(days=30),
    )
    response = call(session_client(manager), "post", f"/monitoring/cycles/{cycle.pk}/close")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("The provider may appeal until")


# ---------------------------------------------------------------- what the provider sees


INTERNAL = {
    "risk": ("rating", "monitoring_level", "reasons"),
    "assessment": ("notes",),
    "visit": (
        "staff_met",
        "self_assessment_review",
        "action_plan_review",
        "service_users_met",
        "qaf_spot_check",
        "dq_sampled",
        "dq_matched",
        "dq_percent",
        "dq_notes",
    ),
    "judgement": ("areas",),
}


def test_the_providers_view_of_a_cycle_hides_the_internal_fields(live, manager, provider_user):
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="judged",
        start=timezone.localdate() - timedelta(days=30),
    )
    path = f"/monitoring/cycles/{cycle.pk}"
    staff = _ok(call(session_client(manager), "get", path))
    mine = _ok(call(token_client(provider_user), "get", path))
    assert staff["can_view_internal"] is True and mine["can_view_internal"] is False
    for section, fields in INTERNAL.items():
        for name in fields:
            assert staff[section][name] is not None, (section, name)
            assert mine[section][name] is None, (section, name)
    assert staff["risk_rating"] and mine["risk_rating"] is None
    # what the provider is told stays: the visit's date and agenda, its own answers, the steps
    assert mine["visit"]["visited_on"] == staff["visit"]["visited_on"]
    assert mine["assessment"]["visit_agenda"] == staff["assessment"]["visit_agenda"]
    assert len(mine["self_assessment"]["answers"]) == 6
    assert [s["state"] for s in mine["steps"]] == [s["state"] for s in staff["steps"]]
    assert "Evidence for compliance" not in str(mine["judgement"])


def test_provider_cannot_see_review_meetings(live, manager, provider_user):
    services.reviews_plan(actor=manager, contract=live, today=live.start_date)
    path = f"/contracts/{live.pk}/monitoring/reviews"
    assert len(_ok(call(session_client(manager), "get", path))) == 2
    assert call(token_client(provider_user), "get", path).status_code == 404


# ---------------------------------------------------------------- reviews and reports


def test_review_meetings_are_scheduled_and_recorded(agency, provider, manager):
    today = timezone.localdate()
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=400),
    )
    cm = session_client(manager)
    path = f"/contracts/{contract.pk}/monitoring/reviews"
    new = _ok(call(cm, "post", path + "/schedule"), 201)
    assert {m["kind"] for m in new} == {"biannual", "annual"}
    assert all(m["scheduled_for"] >= str(today) for m in new)  # from today on
    assert _ok(call(cm, "post", path + "/schedule"), 201) == []  # kept, not repeated
    annual = next(m for m in new if m["kind"] == "annual")
    record = f"/monitoring/reviews/{annual['id']}/record"
    body = {"held_on": today.isoformat(), "chair": "Operations manager", "minutes": "Fine."}
    refused = call(cm, "post", record, body)
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["contract_manager_attended"]
    held = _ok(call(cm, "post", record, {**body, "contract_manager_attended": True}))
    assert held["held_on"] == today.isoformat() and held["recorded_by"]


def test_reports_to_senior_managers_and_the_commissioning_body(
    live, manager, provider_user, make_user, agency
):
    today = timezone.localdate()
    cycle = walk(
        live,
        manager=manager,
        provider_user=provider_user,
        to="letter",
        start=today - timedelta(days=30),
    )
    services.appeal_lodge(actor=provider_user, cycle=cycle, grounds="Unfair.", today=today)
    senior = session_client(make_user(Role.SENIOR_MANAGER))
    report = _ok(call(senior, "get", "/monitoring/reports/exceptions"))
    assert [a["cycle"] for a in report["appeals"]] == [cycle.pk]
    assert report["since"] == (today - timedelta(days=90)).isoformat()
    later = _ok(
        call(senior, "get", f"/monitoring/reports/exceptions?since={today + timedelta(days=1)}")
    )
    assert later["appeals"] == []
    assert call(senior, "get", "/monitoring/reports/exceptions?agency=nope").status_code == 404

    start = calc.half_year(today, agency.pack.parsed.fiscal_year.start_month)[0]
    cm = session_client(manager)
    body = {"period_start": start.isoformat(), "recommendations": "Recommission."}
    made = _ok(call(cm, "post", "/monitoring/reports/commissioning", body), 201)
    assert made["agency"]["slug"] == agency.slug  # the caller's agency
    assert made["figures"]["cycles_completed"] == (1 if cycle.letter_on >= start else 0)
    assert set(made["figures"]["actions"]) == {"done", "overdue"}
    again = call(cm, "post", "/monitoring/reports/commissioning", body)
    assert again.status_code == 422 and list(again.json()["errors"]) == ["period_start"]
    listed = _ok(call(senior, "get", "/monitoring/reports/commissioning"))
    assert [r["id"] for r in listed["items"]] == [made["id"]]
    one = _ok(call(senior, "get", f"/monitoring/reports/commissioning/{made['id']}"))
    assert one["recommendations"] == "Recommission."
    admin = session_client(make_user(Role.ADMINISTRATOR))
    unnamed = call(admin, "post", "/monitoring/reports/commissioning", body)
    assert unnamed.status_code == 422 and list(unnamed.json()["errors"]) == ["agency"]


def test_calendar_bounds(manager):
    cm = session_client(manager)
    today = timezone.localdate()
    assert (
        call(
            cm, "get", f"/monitoring/calendar?start={today}&end={today - timedelta(days=1)}"
        ).status_code
        == 422
    )
    assert (
        call(
            cm, "get", f"/monitoring/calendar?start={today}&end={today + timedelta(days=400)}"
        ).status_code
        == 422
    )
    assert _ok(call(cm, "get", "/monitoring/calendar")) == []


# ---------------------------------------------------------------- query budgets


def _cycles(agency, provider, manager, provider_user, n, to="notified"):
    today = timezone.localdate()
    for i in range(n):
        contract = ContractFactory(
            agency=agency,
            provider=provider,
            status="active",
            start_date=today - timedelta(days=150),
            end_date=today + timedelta(days=600),
        )
        walk(
            contract,
            manager=manager,
            provider_user=provider_user,
            to=to if i % 2 else "notified",
            start=today,
        )
        services.reviews_plan(actor=manager, contract=contract, today=today)


@pytest.mark.parametrize("n", [1, 12])
def test_cycle_list_query_budget(
    agency, provider, manager, provider_user, n, django_assert_max_num_queries
):
    _cycles(agency, provider, manager, provider_user, n)
    for client in (session_client(manager), token_client(provider_user)):
        with django_assert_max_num_queries(5):
            response = call(client, "get", "/monitoring/cycles?limit=50")
        assert response.json()["count"] == n


@pytest.mark.parametrize("n", [1, 12])
def test_calendar_query_budget(
    agency, provider, manager, provider_user, n, django_assert_max_num_queries
):
    _cycles(agency, provider, manager, provider_user, n, to="assessed")
    # the manager's review meetings and visits; the provider's self-assessments
    for client, least in ((session_client(manager), n), (token_client(provider_user), n // 2)):
        with django_assert_max_num_queries(7):
            response = call(client, "get", "/monitoring/calendar")
        assert response.status_code == 200
        assert len(response.json()) >= least
