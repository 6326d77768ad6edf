"""Seed 001's contracted schools, through the services, the API and the page: "embedded in each
school's contract are specific performance requirements; the Charter School Contract Review
Team analyzes the school's data and performance as it relates to the requirements established
in the contract". The team is a role; its review (each requirement met or not with evidence,
the outcome, the date and the reviewers) decides the charter school's renewal or extension,
which is not gated at 90 points; the review's due date is on the work list until it is
recorded."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts import services as contract_services
from steward.contracts.models import ContractType, DueDate
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.evaluations import services, services_charter
from steward.evaluations.models import CharterReview
from steward.parties.models import Role
from steward.performance import services as performance_services
from steward.performance.tests.factories import indicator_data
from steward.testing.factories import AgencyFactory, ContractFactory

pytestmark = pytest.mark.django_db

START, END = date(2025, 7, 1), date(2030, 6, 30)


@pytest.fixture
def mps(packs):
    return AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])


@pytest.fixture
def staff(make_user, mps, provider, other_agency):
    return {
        "manager": make_user(Role.CONTRACT_MANAGER, username="mps-manager", agency=mps),
        "team": make_user(Role.CHARTER_REVIEW_TEAM, username="mps-charter", agency=mps),
        "senior": make_user(Role.SENIOR_MANAGER, username="mps-senior", agency=mps),
        "other_team": make_user(
            Role.CHARTER_REVIEW_TEAM, username="other-charter", agency=other_agency
        ),
        "school": make_user(Role.PROVIDER_USER, username="school", provider=provider),
    }


@pytest.fixture
def school(mps, provider, staff):
    """A five-year charter school contract with two requirements in it, executed."""
    contract = ContractFactory(
        agency=mps,
        provider=provider,
        number="MPS-CS-0042",
        contract_type=ContractType.CHARTER_SCHOOL,
        start_date=START,
        end_date=END,
        renewal_options=1,
    )
    for data in (
        indicator_data("Students proficient in reading", target=60),
        indicator_data("Attendance rate", target=92),
    ):
        performance_services.indicator_save(actor=staff["manager"], contract=contract, data=data)
    return contract_services.contract_execute(
        actor=staff["manager"], contract=contract, executed_on=date(2025, 6, 15)
    )


def _findings(contract, *, met=True, evidence="State test results 2029: 64 %"):
    return [
        {"indicator": i.pk, "met": met, "evidence": evidence} for i in contract.indicators.all()
    ]


def _record(contract, actor, **over):
    data = {
        "reviewed_on": date(2026, 11, 1),
        "reviewers": "A. Rivera, B. Chen",
        "outcome": "renew",
        "findings": _findings(contract),
        "today": date(2026, 11, 3),
    }
    data.update(over)
    return services_charter.charter_review_record(actor=actor, contract=contract, **data)


def test_seed_001_charter_school_renewal_reads_the_teams_outcome(school, staff):
    """Seed 001: a charter school is not gated at 90 points; its renewal reads the Charter
    School Contract Review Team's outcome (none yet: not eligible; renew: eligible; do not
    renew for the next option: not eligible), through the service and the API."""
    assert services.charter_review_applies(school)
    eligibility = services.renewal_eligibility(school)
    assert not eligibility.eligible and eligibility.threshold is None
    assert "has not recorded its review" in eligibility.reason
    client = session_client(staff["manager"])
    data = call(client, "get", f"/contracts/{school.pk}/renewal-eligibility").json()
    assert data["eligible"] is False and data["threshold"] is None

    review = _record(school, staff["team"], outcome="renew_with_conditions", conditions="Tutor.")
    assert review.renewal_number == 1 and review.findings.count() == 2
    eligibility = services.renewal_eligibility(school)
    assert eligibility.eligible and "renew with conditions" in eligibility.reason
    data = call(client, "get", f"/contracts/{school.pk}/renewal-eligibility").json()
    assert data["eligible"] is True

    # a later review deciding not to renew replaces it
    _record(school, staff["team"], reviewed_on=date(2026, 11, 3), outcome="do_not_renew")
    assert not services.renewal_eligibility(school).eligible
    assert "not renewed" in services.renewal_eligibility(school).reason


def test_seed_001_charter_review_through_the_api(school, staff):
    """Seed 001: the team records its review through the API (201) with each requirement met
    or not and its evidence; the list shows the requirements and the review; audited."""
    client = session_client(staff["team"])
    path = f"/contracts/{school.pk}/charter-reviews"
    listed = call(client, "get", path).json()
    assert listed["applies"] is True and len(listed["requirements"]) == 2
    findings = [
        {"indicator": r["indicator"], "met": i == 0, "evidence": "District dashboard 2029"}
        for i, r in enumerate(listed["requirements"])
    ]
    body = {
        "reviewed_on": "2026-11-01",
        "reviewers": "A. Rivera, B. Chen",
        "outcome": "renew_with_conditions",
        "conditions": "Attendance plan by September.",
        "findings": findings,
    }
    response = call(client, "post", path, body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["outcome_label"] == "Renew with conditions"
    assert [f["met"] for f in out["findings"]] == [True, False]
    audit = CharterReview.objects.get(pk=out["id"]).history.first()
    assert "renew with conditions" in audit.history_change_reason
    assert call(client, "get", path).json()["reviews"][0]["id"] == out["id"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"findings": []}, "findings"),
        ({"evidence": ""}, "findings"),
        ({"outcome": "renew_with_conditions"}, "conditions"),
        ({"reviewers": " "}, "reviewers"),
        ({"reviewed_on": date(2026, 11, 4)}, "reviewed_on"),
    ],
)
def test_seed_001_charter_review_is_complete(school, staff, over, field):
    """Seed 001: the review covers every requirement in the contract, each with evidence; renew
    with conditions states them; reviewers are named; not dated in the future (422)."""
    if "evidence" in over:
        over = {"findings": _findings(school, evidence=over["evidence"])}
    with pytest.raises(ValidationFailed) as refused:
        _record(school, staff["team"], **over)
    assert field in refused.value.errors


def test_seed_001_charter_review_api_refusals(school, staff):
    """Seed 001: the API answers 422 for a requirement left out, 409 for a contract that is not
    a charter school's."""
    client = session_client(staff["team"])
    body = {"reviewed_on": "2026-11-01", "reviewers": "A. Rivera", "outcome": "renew"}
    response = call(
        client, "post", f"/contracts/{school.pk}/charter-reviews", body | {"findings": []}
    )
    assert response.status_code == 422
    other = ContractFactory(agency=school.agency, provider=school.provider, number="MPS-PS-1")
    response = call(
        client, "post", f"/contracts/{other.pk}/charter-reviews", body | {"findings": []}
    )
    assert response.status_code == 409


def test_seed_001_only_the_agencys_team_records_the_review(school, staff):
    """Seed 001: the agency's Charter School Contract Review Team records the review; a contract
    manager or senior manager may not (403), another agency's team and the school do not see the
    contract's reviews (404)."""
    for name in ("manager", "senior"):
        with pytest.raises(PermissionDeniedError):
            _record(school, staff[name])
        response = call(
            session_client(staff[name]),
            "post",
            f"/contracts/{school.pk}/charter-reviews",
            {"reviewed_on": "2026-11-01", "reviewers": "x", "outcome": "renew", "findings": []},
        )
        assert response.status_code == 403
    for name in ("other_team", "school"):
        response = call(
            session_client(staff[name]), "get", f"/contracts/{school.pk}/charter-reviews"
        )
        assert response.status_code == 404
    assert not CharterReview.objects.exists()


def test_seed_001_charter_review_due_date_on_the_work_list(school, staff):
    """Seed 001: executing the school's contract opens the team's review due date in the
    deadline registry (on the renewal decision day); it is on the team's work list (not the
    contract manager's), and recording the review meets it."""
    due = DueDate.objects.get(contract=school, kind="charter_review", status="open")
    days = school.agency.pack.parsed.renewal.decision_days_before_end
    assert (school.end_date - due.due_date).days == days
    work = call(session_client(staff["team"]), "get", "/me/work").json()
    assert [i["kind"] for i in work["items"]].count("charter_review") == 1
    manager_work = call(session_client(staff["manager"]), "get", "/me/work").json()
    assert "charter_review" not in [i["kind"] for i in manager_work["items"]]
    review = _record(school, staff["team"])
    due.refresh_from_db()
    assert due.status == "done" and due.met_by_id == review.pk


def test_seed_001_charter_review_no_option_left(school, staff):
    """Seed 001: with no renewal option left there is nothing to decide (409)."""
    school.renewal_options = 0
    school.save()
    with pytest.raises(TransitionNotAllowed):
        _record(school, staff["team"])


def test_seed_001_charter_review_page(client, school, staff):
    """Seed 001: the page lists the requirements and, for the team, records the review; a
    contract manager sees it without the form."""
    client.force_login(staff["team"])
    url = f"/evaluations/contracts/{school.pk}/charter-review/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Students proficient in reading" in page.content
    assert b"Record the review" in page.content
    form = {"reviewed_on": "2026-11-01", "reviewers": "A. Rivera", "outcome": "renew"}
    for indicator in school.indicators.all():
        form[f"met_{indicator.pk}"] = "yes"
        form[f"evidence_{indicator.pk}"] = "Dashboard"
    refused = client.post(url, form | {"reviewers": ""})
    assert refused.status_code == 200 and b"Name the members" in refused.content
    done = client.post(url, form, follow=True)
    assert done.status_code == 200 and b"Renew (renewal option 1)" in done.content
    assert CharterReview.objects.filter(contract=school).count() == 1
    client.force_login(staff["manager"])
    page = client.get(url)
    assert page.status_code == 200 and b"Record the review" not in page.content
    assert client.post(url, form).status_code == 403


def test_seed_001_professional_services_not_reviewed_by_the_team(mps, provider, staff):
    """Seed 001: the team's review is for contracted schools; a professional-services contract
    stays gated at 90 and opens no review due date."""
    contract = ContractFactory(
        agency=mps,
        provider=provider,
        number="MPS-PS-77",
        contract_type=ContractType.PROFESSIONAL_SERVICES,
        procurement_method="sole_source",
        start_date=START,
        end_date=END,
        renewal_options=1,
    )
    contract_services.contract_execute(
        actor=staff["manager"], contract=contract, executed_on=date(2025, 6, 15)
    )
    assert not services.charter_review_applies(contract)
    assert not DueDate.objects.filter(contract=contract, kind="charter_review").exists()
