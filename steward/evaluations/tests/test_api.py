"""The evaluations API end to end (seeds 000 and 001): the workflow, the refusals with their
messages, what the provider sees, compliance numbers, and query budgets of the lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.contracts import services as contract_services
from steward.core.formatting import fmt_date
from steward.core.tests.api_support import API, call, pdf_upload, session_client
from steward.evaluations import services
from steward.evaluations.tests.factories import COMPLETED_ON, all_ratings, completed_contract, walk
from steward.parties.models import Role
from steward.performance.tests.factories import with_plan
from steward.testing.factories import ContractFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Reports in lieu uploaded here are written under a temporary directory."""
    settings.MEDIA_ROOT = tmp_path


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def senior(make_user):
    return make_user(Role.SENIOR_MANAGER, username="senior")


@pytest.fixture
def closed(manager, provider):
    return completed_contract(manager, provider=provider, number="DCF-25-100")


# ---------------------------------------------------------------- the workflow


def test_workflow_end_to_end(closed, manager, senior, make_user, other_agency):
    author = session_client(manager)
    provider_client = session_client(make_user(Role.PROVIDER_USER))
    elsewhere = session_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency))

    with _at(date(2026, 7, 15)):
        started = call(author, "post", f"/contracts/{closed.pk}/evaluations", {"kind": "closeout"})
        assert started.status_code == 201, started.content
        data = started.json()
        pk = data["id"]
        assert data["status"] == "draft"
        assert (data["version"], data["supersedes"], data["superseded_by"]) == (1, None, None)
        assert data["contract"]["number"] == "DCF-25-100"
        assert data["agency"]["slug"] == "dcf"
        assert data["author"] and data["arithmetic"] == []
        assert (data["period_start"], data["period_end"]) == ("2025-07-01", "2026-06-30")
        keys = [r["criterion_key"] for r in data["ratings"]]
        assert keys and all(r["rating"] is None for r in data["ratings"])
        assert sum(r["weight"] for r in data["ratings"]) == 100
        # the provider does not see a draft
        assert call(provider_client, "get", f"/evaluations/{pk}").status_code == 404

        # rate all but the last criterion; releasing then names the one left
        patched = call(
            author,
            "patch",
            f"/evaluations/{pk}",
            {
                "ratings": {k: 4 for k in keys[:-1]},
                "narratives": {k: "As the returns show." for k in keys},
                "summary": "A good year of service.",
            },
        )
        assert patched.status_code == 200, patched.content
        assert patched.json()["ratings"][0]["rating_label"]
        refused = call(author, "post", f"/evaluations/{pk}/release")
        assert refused.status_code == 422
        assert refused.json()["code"] == "validation_failed"
        assert refused.json()["detail"] == "Rate every criterion before releasing the evaluation."
        assert list(refused.json()["errors"]) == [keys[-1]]

        last = call(author, "patch", f"/evaluations/{pk}", {"ratings": {keys[-1]: 3}})
        assert last.status_code == 200, last.content

    with _at(date(2026, 7, 20)):
        released = call(author, "post", f"/evaluations/{pk}/release")
        assert released.status_code == 200, released.content
        data = released.json()
        assert data["status"] == "released" and data["released_on"] == "2026-07-20"
        assert Decimal(data["score"]) > 0
        assert data["arithmetic"][-1].startswith("Score = ")
        assert data["comment_due"] > "2026-07-20"
        # ratings are fixed once released
        late_patch = call(author, "patch", f"/evaluations/{pk}", {"summary": "Rewritten."})
        assert late_patch.status_code == 409

        # the provider sees it now, acknowledges and comments
        commented = call(
            provider_client,
            "post",
            f"/evaluations/{pk}/comment",
            {"comments": "We accept the findings.", "acknowledge": True},
        )
        assert commented.status_code == 200, commented.content
        assert commented.json()["acknowledged_on"] == "2026-07-20"
        assert commented.json()["provider_comments"] == "We accept the findings."

    with _at(date(2026, 7, 22)):
        # the author may not finalise their own evaluation
        own = call(author, "post", f"/evaluations/{pk}/finalise")
        assert own.status_code == 409
        assert own.json()["detail"] == (
            "A reviewing official other than the author finalises the evaluation."
        )
        # another agency does not see it yet
        assert call(elsewhere, "get", f"/evaluations/{pk}").status_code == 404
        finalised = call(session_client(senior), "post", f"/evaluations/{pk}/finalise")
        assert finalised.status_code == 200, finalised.content
        assert finalised.json()["status"] == "finalised"
        assert finalised.json()["finalised_on"] == "2026-07-22"
        assert finalised.json()["finalised_by"] == (senior.get_full_name() or senior.username)

        # immutable: patching a finalised evaluation is refused
        frozen = call(author, "patch", f"/evaluations/{pk}", {"ratings": {keys[0]: 1}})
        assert frozen.status_code == 409
        assert "record a correction" in frozen.json()["detail"]
        # shared with every agency once finalised
        assert call(elsewhere, "get", f"/evaluations/{pk}").status_code == 200
        # a correction needs a reason
        assert (
            call(author, "post", f"/evaluations/{pk}/correct", {"reason": " "}).status_code == 422
        )

    with _at(date(2026, 8, 3)):
        corrected = call(
            author, "post", f"/evaluations/{pk}/correct", {"reason": "A rating was mistyped."}
        )
        assert corrected.status_code == 201, corrected.content
        v2 = corrected.json()
        assert (v2["version"], v2["supersedes"], v2["status"]) == (2, pk, "draft")
        assert v2["correction_reason"] == "A rating was mistyped."
        assert [r["rating"] for r in v2["ratings"]] == [4] * (len(keys) - 1) + [3]

        v1 = call(author, "get", f"/evaluations/{pk}").json()
        assert (v1["status"], v1["superseded_by"]) == ("finalised", v2["id"])
        listed = call(author, "get", f"/evaluations?contract={closed.pk}").json()
        assert [i["id"] for i in listed["items"]] == [v2["id"], pk]
        # the provider and other agencies see version 1 only until the correction is final
        for client in (provider_client, elsewhere):
            seen = call(client, "get", f"/evaluations/{pk}").json()
            assert seen["superseded_by"] is None
            assert call(client, "get", f"/evaluations/{v2['id']}").status_code == 404
        # a second correction of version 1 is refused
        again = call(author, "post", f"/evaluations/{pk}/correct", {"reason": "Twice."})
        assert again.status_code == 409


def test_filters_of_the_list(closed, manager, senior):
    finalised = walk(closed, author=manager, to="finalised", reviewer=senior)
    other = completed_contract(manager, number="DCF-25-101")
    draft = walk(other, author=manager, to="draft")
    client = session_client(manager)

    def ids(query):
        response = call(client, "get", f"/evaluations?{query}")
        assert response.status_code == 200
        return [i["id"] for i in response.json()["items"]]

    assert set(ids("")) == {finalised.pk, draft.pk}
    assert ids("status=finalised") == [finalised.pk]
    assert ids(f"contract={other.pk}") == [draft.pk]
    assert ids(f"provider={closed.provider_id}") == [finalised.pk]
    assert ids("kind=interim") == []
    assert ids("limit=1")[0] in {finalised.pk, draft.pk}


def test_start_refusals(closed, manager, contract):
    client = session_client(manager)
    # the contract is still active: no closeout evaluation yet
    active = call(client, "post", f"/contracts/{contract.pk}/evaluations", {"kind": "closeout"})
    assert active.status_code == 409
    assert "once the contract is completed" in active.json()["detail"]
    bad_kind = call(client, "post", f"/contracts/{closed.pk}/evaluations", {"kind": "yearly"})
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.json()["errors"]
    first = call(client, "post", f"/contracts/{closed.pk}/evaluations", {"kind": "closeout"})
    assert first.status_code == 201
    second = call(client, "post", f"/contracts/{closed.pk}/evaluations", {"kind": "closeout"})
    assert second.status_code == 409
    assert "under way" in second.json()["detail"]
    assert call(client, "post", "/contracts/999999/evaluations", {}).status_code == 404


def test_patch_names_unknown_criteria_and_values_off_the_scale(closed, manager):
    draft = walk(closed, author=manager, to="draft")
    key = draft.criteria[0]["key"]
    response = call(
        session_client(manager),
        "patch",
        f"/evaluations/{draft.pk}",
        {"ratings": {key: 42, "charm": 3}},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {key, "charm"}
    assert "not on the rating scale" in errors[key][0]
    assert "not a criterion" in errors["charm"][0]


def test_comment_after_the_window_is_refused(closed, manager, make_user):
    released = walk(closed, author=manager, to="released", released_on=date(2026, 7, 20))
    client = session_client(make_user(Role.PROVIDER_USER))
    with _at(released.comment_due + timedelta(days=1)):
        response = call(
            client, "post", f"/evaluations/{released.pk}/comment", {"comments": "Too late?"}
        )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"The window for comments closed on {fmt_date(released.comment_due)}."
    )
    with _at(released.comment_due):
        empty = call(client, "post", f"/evaluations/{released.pk}/comment", {})
        assert empty.status_code == 422
        ok = call(client, "post", f"/evaluations/{released.pk}/comment", {"comments": "Just in."})
        assert ok.status_code == 200


def test_finalise_waits_for_the_window_or_the_acknowledgement(closed, manager, senior):
    released = walk(closed, author=manager, to="released", released_on=date(2026, 7, 20))
    client = session_client(senior)
    with _at(released.comment_due):
        early = call(client, "post", f"/evaluations/{released.pk}/finalise")
    assert early.status_code == 409
    assert f"may comment until {fmt_date(released.comment_due)}" in early.json()["detail"]
    with _at(released.comment_due + timedelta(days=1)):
        assert call(client, "post", f"/evaluations/{released.pk}/finalise").status_code == 200


def test_the_provider_never_sees_internal_evidence(agency, provider, manager, make_user):
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        start_date=date(2025, 7, 1),
        end_date=date(2026, 6, 30),
    )
    with_plan(contract, manager)  # indicators: evidence the provider may see
    contract_services.contract_complete(actor=manager, contract=contract, completed_on=COMPLETED_ON)
    released = walk(contract, author=manager, to="released")
    internal = [e for e in released.evidence if e["internal"]]
    assert internal  # the concerns count is always gathered
    agency_view = call(session_client(manager), "get", f"/evaluations/{released.pk}").json()
    provider_view = call(
        session_client(make_user(Role.PROVIDER_USER)), "get", f"/evaluations/{released.pk}"
    ).json()
    assert {e["source"] for e in agency_view["evidence"]} >= {"concerns"}
    assert any(e["internal"] for e in agency_view["evidence"])
    assert provider_view["evidence"]
    assert not any(e["internal"] for e in provider_view["evidence"])
    assert "concerns" not in {e["source"] for e in provider_view["evidence"]}
    assert len(provider_view["evidence"]) == len(released.evidence) - len(internal)


def test_refresh_evidence_of_a_draft(closed, manager):
    draft = walk(closed, author=manager, to="draft")
    client = session_client(manager)
    with _at(date(2026, 8, 1)):
        response = call(client, "post", f"/evaluations/{draft.pk}/evidence")
    assert response.status_code == 200
    assert response.json()["evidence_gathered_on"] == "2026-08-01"


# ---------------------------------------------------------------- due, compliance, in lieu


def test_due_list(closed, manager, make_user, other_agency):
    with _at(date(2026, 9, 1)):
        response = call(session_client(manager), "get", "/evaluations/due")
    assert response.status_code == 200
    [row] = response.json()["items"]
    assert row["contract"]["number"] == "DCF-25-100"
    assert (row["rule_key"], row["due_date"]) == ("closeout_evaluation", "2026-08-29")
    assert row["overdue"] is True and row["under_way"] == 0
    # another agency's staff do not answer for it
    other = session_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    assert call(other, "get", "/evaluations/due").json()["count"] == 0


def test_compliance_numbers(agency, other_agency, manager, make_user, provider):
    # on time: released on the due date (completion + 60 days, seed 000)
    walk(completed_contract(manager), author=manager, to="released", released_on=date(2026, 8, 29))
    # late: released the day after
    walk(completed_contract(manager), author=manager, to="released", released_on=date(2026, 8, 30))
    # missing: never written
    completed_contract(manager)
    # done late by a report accepted in lieu
    in_lieu = completed_contract(manager)
    report = services.in_lieu_submit(
        actor=manager,
        contract=in_lieu,
        kind="report_card",
        title="Report card 2026",
        link="https://example.org/card",
        today=date(2026, 9, 10),
    )
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    services.in_lieu_decide(
        actor=oversight, report=report, accept=True, reason="", today=date(2026, 9, 12)
    )
    # still due: completed later
    recent = ContractFactory(agency=agency, provider=provider, status="active")
    contract_services.contract_complete(
        actor=manager, contract=recent, completed_on=date(2026, 9, 15)
    )
    # another agency: one missing
    other_manager = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    completed_contract(other_manager)

    with _at(date(2026, 10, 1)):
        mine = call(session_client(manager), "get", "/evaluations/compliance").json()
        everyone = call(session_client(oversight), "get", "/evaluations/compliance").json()
        window = call(
            session_client(manager),
            "get",
            "/evaluations/compliance?since=2026-08-30&until=2026-12-31",
        ).json()
    expected_own = {
        "agency": {"slug": "dcf", "name": agency.name},
        "due": 1,
        "on_time": 1,
        "late": 2,
        "missing": 1,
        "on_time_percent": "25.0",
    }
    assert mine == [expected_own]
    by_slug = {row["agency"]["slug"]: row for row in everyone}
    assert by_slug["dcf"] == expected_own
    assert by_slug["dmh"] == {
        "agency": {"slug": "dmh", "name": other_agency.name},
        "due": 0,
        "on_time": 0,
        "late": 0,
        "missing": 1,
        "on_time_percent": "0.0",
    }
    # only the one completed in September falls due in the window
    assert window == [
        {**expected_own, "on_time": 0, "late": 0, "missing": 0, "on_time_percent": None}
    ]


def test_in_lieu_submit_list_and_decide(closed, manager, make_user):
    client = session_client(manager)
    url = f"{API}/contracts/{closed.pk}/in-lieu"  # multipart form, with or without a file
    no_file = client.post(url, {"kind": "report_card", "title": "Card"})
    assert no_file.status_code == 422
    assert no_file.json()["errors"] == {"file": ["Attach the report or give a link to it."]}
    bad_kind = client.post(url, {"kind": "gossip", "title": "Card", "link": "https://x.org"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["errors"]
    with _at(date(2026, 8, 1)):
        submitted = client.post(
            url, {"kind": "report_card", "title": "Card", "link": "https://example.org/card"}
        )
    assert submitted.status_code == 201, submitted.content
    report = submitted.json()
    assert (report["status"], report["submitted_on"]) == ("submitted", "2026-08-01")
    assert call(client, "get", "/evaluations/in-lieu").json()["count"] == 1
    oversight = session_client(make_user(Role.OVERSIGHT_OFFICER))
    path = f"/evaluations/in-lieu/{report['id']}/decision"
    no_reason = call(oversight, "post", path, {"accept": False})
    assert no_reason.status_code == 422
    decided = call(oversight, "post", path, {"accept": True})
    assert decided.status_code == 200
    assert decided.json()["status"] == "accepted" and decided.json()["decided_by"]
    assert call(oversight, "post", path, {"accept": False, "reason": "No."}).status_code == 409
    # the due date it answers is met on the day it was submitted
    due = call(client, "get", "/evaluations/due").json()
    assert due["count"] == 0
    # a file instead of a link: checked and kept with its name, type and size
    with_file = call(
        client,
        "post",
        f"/contracts/{closed.pk}/in-lieu",
        {"kind": "quality_assurance", "title": "QA", "file": pdf_upload("qa.pdf")},
    )
    assert with_file.status_code == 201, with_file.content
    assert (with_file.json()["original_name"], with_file.json()["content_type"]) == (
        "qa.pdf",
        "application/pdf",
    )
    assert with_file.json()["size"] > 0


# ---------------------------------------------------------------- renewal (seed 001)


def test_renewal_eligibility_and_override(agency, packs, manager, senior, provider):
    agency.pack = packs["milwaukee-mps"]
    agency.save()
    # an active contract (an override is refused on one that is completed)
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        renewal_options=1,
        # seed 001's gate: professional services let by RFP for more than a year
        contract_type="professional_services",
        start_date=date(2025, 1, 1),
    )
    client = session_client(manager)
    path = f"/contracts/{contract.pk}/renewal-eligibility"
    before = call(client, "get", path).json()
    assert before == {
        "contract": contract.pk,
        "eligible": False,
        "reason": before["reason"],
        "threshold": "90",
        "score": None,
        "options_left": 1,
        "override": None,
        "may_renew": False,
    }
    assert "no finalised evaluation" in before["reason"]
    overrides = f"/contracts/{contract.pk}/renewal-overrides"
    assert call(client, "post", overrides, {"justification": "Because."}).status_code == 403
    short = call(session_client(senior), "post", overrides, {"justification": "Because."})
    assert short.status_code == 422
    justification = "The only provider in the county; an improvement plan is agreed."
    made = call(session_client(senior), "post", overrides, {"justification": justification})
    assert made.status_code == 201, made.content
    after = call(client, "get", path).json()
    assert after["eligible"] is False and after["may_renew"] is True
    assert after["override"]["renewal_number"] == 1
    assert after["override"]["justification"] == justification
    again = call(session_client(senior), "post", overrides, {"justification": justification})
    assert again.status_code == 409


def test_renewal_eligible_at_90(agency, packs, manager, senior):
    agency.pack = packs["milwaukee-mps"]
    agency.save()
    contract = completed_contract(
        manager,
        renewal_options=1,
        contract_type="professional_services",
        start_date=date(2024, 7, 1),
    )
    evaluation = walk(contract, author=manager, to="draft")
    top = max(int(p["value"]) for p in evaluation.scale)
    walk_ratings = all_ratings(evaluation, top)
    services.evaluation_update(actor=manager, evaluation=evaluation, ratings=walk_ratings)
    services.evaluation_release(actor=manager, evaluation=evaluation, today=date(2026, 7, 20))
    services.evaluation_finalise(actor=senior, evaluation=evaluation, today=date(2026, 12, 1))
    data = call(
        session_client(manager), "get", f"/contracts/{contract.pk}/renewal-eligibility"
    ).json()
    assert (data["eligible"], data["score"], data["may_renew"]) == (True, "100.00", True)
    override = call(
        session_client(senior),
        "post",
        f"/contracts/{contract.pk}/renewal-overrides",
        {"justification": "Not needed, but asked for anyway by someone."},
    )
    assert override.status_code == 409
    assert "this one is completed" in override.json()["detail"]


# ---------------------------------------------------------------- past performance


def test_past_performance_across_agencies(
    provider, manager, senior, make_user, other_agency, closed
):
    mine = walk(closed, author=manager, to="finalised", reviewer=senior)
    other_manager = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    other_senior = make_user(Role.SENIOR_MANAGER, agency=other_agency)
    theirs = walk(
        completed_contract(other_manager, provider=provider),
        author=other_manager,
        to="finalised",
        reviewer=other_senior,
        ratings=None,
    )
    their_draft = walk(
        completed_contract(other_manager, provider=provider, number="DMH-1"),
        author=other_manager,
        to="draft",
    )
    data = call(session_client(manager), "get", f"/providers/{provider.pk}/past-performance")
    assert data.status_code == 200
    body = data.json()
    assert body["provider"]["slug"] == provider.slug
    assert {e["id"] for e in body["evaluations"]} == {mine.pk, theirs.pk}
    assert their_draft.pk not in {e["id"] for e in body["evaluations"]}
    assert {h["evaluation"] for h in body["history"]} == {mine.pk, theirs.pk}
    assert body["average"] == f"{(mine.score + theirs.score) / 2:.2f}"
    provider_view = call(
        session_client(make_user(Role.PROVIDER_USER)),
        "get",
        f"/providers/{provider.pk}/past-performance",
    ).json()
    assert {e["id"] for e in provider_view["evaluations"]} == {mine.pk, theirs.pk}


# ---------------------------------------------------------------- query budgets


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "get", path)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_list_queries_do_not_grow_with_rows(
    manager, senior, provider, make_user, django_assert_max_num_queries
):
    client = session_client(manager)
    counts = {}
    for target in (3, 15):
        while len(counts.get("made", [])) < target:
            contract = completed_contract(manager, provider=provider)
            counts.setdefault("made", []).append(
                walk(contract, author=manager, to="finalised", reviewer=senior)
            )
        # session, user, count, page
        with django_assert_max_num_queries(5):
            n_list, data = _count(client, "/evaluations?limit=100")
        assert data["count"] == target
        # session, user, provider, evaluations, reports in lieu
        with django_assert_max_num_queries(6):
            n_past, data = _count(client, f"/providers/{provider.pk}/past-performance")
        assert len(data["evaluations"]) == target
        counts[target] = (n_list, n_past)
    assert counts[3] == counts[15]


def test_due_queries_do_not_grow_with_rows(manager, django_assert_max_num_queries):
    client = session_client(manager)
    counts = {}
    made = 0
    for target in (3, 15):
        while made < target:
            completed_contract(manager)
            made += 1
        with django_assert_max_num_queries(5):
            n, data = _count(client, "/evaluations/due?limit=100")
        assert data["count"] == target
        counts[target] = n
    assert counts[3] == counts[15]


def test_in_lieu_and_compliance_queries_are_bounded(
    manager, make_user, django_assert_max_num_queries
):
    oversight = session_client(make_user(Role.OVERSIGHT_OFFICER))
    for i in range(6):
        services.in_lieu_submit(
            actor=manager,
            contract=completed_contract(manager),
            kind="report_card",
            title=f"Card {i}",
            link="https://example.org/card",
            today=COMPLETED_ON + timedelta(days=10),
        )
    with django_assert_max_num_queries(8):
        _, data = _count(oversight, "/evaluations/in-lieu?limit=100")
    assert data["count"] == 6
    with django_assert_max_num_queries(8):
        _count(oversight, "/evaluations/compliance")


# ---------------------------------------------------------------- reopening (issue 21)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CONTRACT_MANAGER, 200),
        (Role.CONTRACT_MONITOR, 403),
        (Role.SENIOR_MANAGER, 403),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_reopen_a_released_evaluation_by_role(closed, manager, make_user, role, status):
    released = walk(closed, author=manager, to="released")
    client = session_client(make_user(role))
    response = call(client, "post", f"/evaluations/{released.pk}/reopen", {"reason": "Wrong"})
    assert response.status_code == status, response.content
    released.refresh_from_db()
    assert released.status == ("draft" if status == 200 else "released")
    if status == 200:
        assert response.json()["status"] == "draft"
        due = closed.due_dates.get(kind="closeout_evaluation")
        assert due.status == "open"  # the release met it; open again


def test_reopen_is_refused_for_another_agency_a_finalised_one_and_without_reason(
    closed, manager, senior, make_user, other_agency
):
    """Finalised evaluations never change: a correction is a new version (409)."""
    released = walk(closed, author=manager, to="released")
    stranger = session_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    assert (
        call(stranger, "post", f"/evaluations/{released.pk}/reopen", {"reason": "x"}).status_code
        == 404
    )
    own = session_client(manager)
    assert (
        call(own, "post", f"/evaluations/{released.pk}/reopen", {"reason": " "}).status_code == 422
    )
    final = services.evaluation_finalise(
        actor=senior, evaluation=released, today=released.comment_due + timedelta(days=1)
    )
    response = call(own, "post", f"/evaluations/{final.pk}/reopen", {"reason": "x"})
    assert response.status_code == 409
    assert "correction" in response.json()["detail"]
