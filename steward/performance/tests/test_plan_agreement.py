"""Seed 001: the Performance Evaluation Plan is agreed by both sides. The agency proposes the
plan as it stands (outcomes, expectations, the timeline of data, status meetings and reports,
the indicators) as a fixed version; the contractor finds it on their work list and agrees it
or comments; an agreed version never changes; a change is a new version. Through the services,
the API and the pages, with who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from steward.contracts.models import DueDate
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.performance import services
from steward.performance.models import PlanVersion
from steward.performance.tests.factories import with_plan
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def time_machine_at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def executed(agency, provider, manager):
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="executed",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
    )
    with_plan(
        contract,
        manager,
        agreed_expectations="Tutoring three afternoons a week.",
        status_meetings="Every quarter, after the return.",
        reports="A mid-year report in January.",
    )
    return contract


@pytest.fixture
def contractor(make_user):
    return make_user(Role.PROVIDER_USER, username="contractor")


def test_seed_001_plan_proposed_agreed_and_fixed(executed, manager, contractor):
    """Seed 001: "MPS and the contractor work together to establish expectations … a timeline
    for data needs, meetings, and reporting": the proposed version holds all of it, the
    contractor's due date opens, their agreement meets it and fixes the version."""
    version = services.plan_propose(actor=manager, contract=executed, today=TODAY)
    assert version.number == 1 and version.status == "proposed"
    content = version.content
    assert content["status_meetings"] == "Every quarter, after the return."
    assert content["reports"] == "A mid-year report in January."
    assert [i["name"] for i in content["indicators"]] == [
        "Days from referral to first visit",
        "Families engaged within 10 days",
    ]
    due = DueDate.objects.get(kind="plan_agreement", subject_id=version.pk)
    assert due.status == "open" and due.due_date == date(2026, 3, 16)
    services.plan_respond(
        actor=contractor, version=version, agree=True, comments="", today=date(2026, 3, 5)
    )
    version.refresh_from_db()
    assert version.status == "agreed" and version.responded_by == contractor
    due.refresh_from_db()
    assert due.status == "done"
    version.provider_comments = "changed later"
    with pytest.raises(TransitionNotAllowed, match="fixed"):
        version.save()
    with pytest.raises(TransitionNotAllowed, match="already agreed"):
        services.plan_propose(actor=manager, contract=executed, today=TODAY)


def test_seed_001_plan_commented_then_a_new_version(executed, manager, contractor):
    """Seed 001: the contractor may comment instead (comments required); the agency changes
    the plan and proposes version 2, which replaces version 1's due date."""
    first = services.plan_propose(actor=manager, contract=executed, today=TODAY)
    with pytest.raises(ValidationFailed):
        services.plan_respond(
            actor=contractor, version=first, agree=False, comments=" ", today=TODAY
        )
    services.plan_respond(
        actor=contractor,
        version=first,
        agree=False,
        comments="Meet monthly in the first term.",
        today=TODAY,
    )
    services.plan_save(
        actor=manager,
        contract=executed,
        data={"desired_outcomes": "Reading gains", "status_meetings": "Monthly, then quarterly"},
    )
    second = services.plan_propose(actor=manager, contract=executed, today=TODAY)
    assert second.number == 2
    assert second.content["status_meetings"] == "Monthly, then quarterly"
    first.refresh_from_db()
    assert first.status == "commented" and first.content["status_meetings"].startswith("Every")


def test_seed_001_plan_agreement_through_the_api(
    executed, manager, contractor, make_user, other_provider
):
    """Seed 001 through the API: a monitor proposes (201), the contractor sees it on their
    work list and agrees (200); an agency user may not answer (403); a second answer is 409;
    a proposal without a plan's indicators would be 409 (a step out of order)."""
    staff = session_client(manager)
    created = call(staff, "post", f"/performance/contracts/{executed.pk}/plan/versions")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    work = call(session_client(contractor), "get", "/me/work").json()
    assert any("Performance Evaluation Plan" in str(item) for item in work["items"]), work
    path = f"/performance/plan-versions/{pk}/respond"
    assert call(staff, "post", path, {"agree": True}).status_code == 403
    assert call(session_client(contractor), "post", path, {"agree": False}).status_code == 422
    agreed = call(session_client(contractor), "post", path, {"agree": True})
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed"
    assert call(session_client(contractor), "post", path, {"agree": True}).status_code == 409
    listed = call(staff, "get", f"/performance/contracts/{executed.pk}/plan/versions").json()
    assert [v["status"] for v in listed] == ["agreed"]
    other = make_user(Role.PROVIDER_USER, username="other", provider=other_provider)
    assert call(session_client(other), "post", path, {"agree": True}).status_code in (403, 404)


def test_seed_001_plan_version_page_permissions(
    executed, manager, contractor, make_user, other_provider
):
    """Seed 001 on the pages: the contract manager proposes from the performance page; the
    contractor opens the version and agrees it; a monitor sees the version but gets no form
    and may not post an answer (403); a stranger gets 403/404."""
    client = session_client(manager)
    response = client.post(reverse("performance:plan_propose", args=[executed.pk]))
    assert response.status_code == 302
    version = PlanVersion.objects.get(contract=executed)
    url = reverse("performance:plan_version", args=[version.pk])
    monitor = session_client(make_user(Role.CONTRACT_MONITOR, username="watcher"))
    page = monitor.get(url)
    assert page.status_code == 200 and "Send the answer" not in page.content.decode()
    assert monitor.post(url, {"answer": "agree"}).status_code == 403
    own = session_client(contractor)
    body = own.get(url).content.decode()
    assert "Every quarter, after the return." in body and "Send the answer" in body
    assert own.post(url, {"answer": "agree"}).status_code == 302
    version.refresh_from_db()
    assert version.status == "agreed"
    stranger = session_client(
        make_user(Role.PROVIDER_USER, username="stranger", provider=other_provider)
    )
    assert stranger.get(url).status_code in (403, 404)


# ---------------------------------------------------------------- PEP eligibility (seed 001)


@pytest.fixture
def mps_people(packs, make_user):
    from steward.testing.factories import AgencyFactory

    mps = AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])
    return mps, make_user(Role.CONTRACT_MANAGER, username="mps-manager", agency=mps)


def _live(mps, manager, provider, number, value, *, kind="professional_services", library=None):
    contract = ContractFactory(
        agency=mps,
        provider=provider,
        number=number,
        status="active",
        contract_type=kind,
        maximum_obligation=Decimal(value),
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
    )
    if library is not None:
        services.indicator_save(
            actor=manager, contract=contract, library=library, data={"target": Decimal("90")}
        )
    return contract


def test_seed_001_pep_eligibility_and_phase_in(mps_people, contractor, provider):
    """Seed 001's PEP opportunities: "high-dollar contracts, service-based, easily align to
    assessment tools already in place … establish threshold … phase in approach or rotation".
    The Milwaukee pack's rule (250,000 or more, professional services, a measure from the
    library; 3 a fiscal year) lists the eligible contracts, those already in the plan first,
    then by value, with the fiscal year each joins (service, page, API; the contractor: 403)."""
    from steward.performance import selectors

    mps, manager = mps_people
    library = services.definition_save(
        actor=manager,
        agency=mps,
        data={
            "name": "MAP reading growth",
            "category": "outcome",
            "question": "better_off",
            "unit": "percentage",
            "direction": "higher",
            "frequency": "quarterly",
        },
    )
    big = [
        _live(mps, manager, provider, f"MPS-PS-{n}", f"{n}000.00", library=library)
        for n in (900, 800, 700, 600)
    ]
    _live(mps, manager, provider, "MPS-PS-LOW", "100000.00", library=library)  # not high-dollar
    _live(mps, manager, provider, "MPS-PS-NOTOOL", "990000.00")  # no assessment tool
    _live(mps, manager, provider, "MPS-CS-1", "9000000.00", kind="charter_school", library=library)
    # the smallest is already in the plan: agreed with its contractor
    smallest = big[-1]
    services.plan_save(actor=manager, contract=smallest, data={"desired_outcomes": "Reading"})
    version = services.plan_propose(actor=manager, contract=smallest, today=TODAY)
    services.plan_respond(actor=contractor, version=version, agree=True, comments="", today=TODAY)
    result = selectors.pep_list(actor=manager, agency=mps, today=TODAY)
    assert result is not None and result.this_year == 2026
    assert [(r.contract.number, r.in_plan, r.fiscal_year) for r in result.rows] == [
        ("MPS-PS-600", True, 2026),
        ("MPS-PS-900", False, 2026),
        ("MPS-PS-800", False, 2026),
        ("MPS-PS-700", False, 2027),
    ]
    assert result.not_eligible == 3
    with time_machine_at(TODAY):
        page = session_client(manager).get(reverse("performance:pep"))
        assert page.status_code == 200
        body = page.content.decode()
        assert "FY2027" in body and "Agreed with the contractor" in body
        assert session_client(contractor).get(reverse("performance:pep")).status_code == 403
        data = call(session_client(manager), "get", "/performance/pep").json()
        assert data["contracts"][0]["number"] == "MPS-PS-600"
        assert call(session_client(contractor), "get", "/performance/pep").status_code == 403


def test_seed_001_pep_rule_absent_in_other_packs(agency, manager):
    """Seed 001 is Milwaukee's: Connecticut's pack sets no PEP rule; the page says so."""
    from steward.performance import selectors

    assert selectors.pep_list(actor=manager, agency=agency, today=TODAY) is None
    body = session_client(manager).get(reverse("performance:pep")).content.decode()
    assert "sets no rule" in body
