"""Seed 001's departments and their part in the Performance Evaluation Plan (issue 22):
"Implementation of the plan requires significant effort on the part of MPS staff (Department of
Research Assessment and Data, Department of Procurement & Risk Management, and contract's
sponsors)".

- Research, Assessment and Data (a role) sees the PEP eligibility list and phase-in and keeps
  each plan's timeline of data;
- Procurement & Risk Management (the procurement officer) signs off the performance metrics as
  developed with the sponsor; in Milwaukee's pack execution waits for it;
- the sponsor (the contract manager of the sponsoring department) sets and proposes the plan.

Through the services, the API and the pages, with who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from steward.contracts import services as contract_services
from steward.contracts.models import ContractType, DueDate
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, session_client
from steward.parties.forms import grantable_roles
from steward.parties.models import AGENCY_ROLES, Role
from steward.parties.services import person_invite
from steward.performance import selectors, services, services_pep
from steward.performance.models import MetricsSignOff, Plan, Return
from steward.performance.tests.factories import indicator_data, with_plan
from steward.testing.factories import AgencyFactory, ContractFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
START, END = date(2026, 7, 1), date(2028, 6, 30)


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def mps(packs):
    return AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])


@pytest.fixture
def people(make_user, mps, other_agency, provider):
    return {
        "manager": make_user(Role.CONTRACT_MANAGER, username="mps-sponsor", agency=mps),
        "research": make_user(Role.RESEARCH_DATA, username="mps-research", agency=mps),
        "buyer": make_user(Role.PROCUREMENT_OFFICER, username="mps-buyer", agency=mps),
        "other_research": make_user(
            Role.RESEARCH_DATA, username="dmh-research", agency=other_agency
        ),
        "other_buyer": make_user(
            Role.PROCUREMENT_OFFICER, username="dmh-buyer", agency=other_agency
        ),
        "provider": make_user(Role.PROVIDER_USER, username="tutor", provider=provider),
        "admin": make_user(Role.ADMINISTRATOR, username="root"),
    }


@pytest.fixture
def draft(mps, provider, people):
    """A two-year professional-services contract let by RFP (the metrics requirement's scope),
    sponsored by the Office of Academics, whose contract manager is its sponsor."""
    return ContractFactory(
        agency=mps,
        provider=provider,
        number="MPS-PS-4100",
        contract_type=ContractType.PROFESSIONAL_SERVICES,
        start_date=START,
        end_date=END,
        sponsor="Office of Academics",
        contract_manager=people["manager"],
        maximum_obligation=Decimal("400000.00"),
    )


# ---------------------------------------------------------------- the role


def test_seed_001_research_assessment_data_is_an_agency_role_people_can_be_given(mps, make_user):
    """Seed 001 names the Department of Research, Assessment and Data: it is an agency role an
    agency administrator grants (people management)."""
    assert Role.RESEARCH_DATA in AGENCY_ROLES
    assert Role.RESEARCH_DATA.label == "Research, Assessment and Data"
    admin = make_user(Role.AGENCY_ADMINISTRATOR, username="mps-people", agency=mps)
    assert (Role.RESEARCH_DATA.value, Role.RESEARCH_DATA.label) in grantable_roles(admin)
    person = person_invite(
        actor=admin,
        data={"email": "analyst@mps.example.org", "first_name": "Ana", "role": "research_data"},
    )
    assert person.role == Role.RESEARCH_DATA and person.agency_id == mps.pk


# ---------------------------------------------------------------- Research, Assessment and Data


def test_seed_001_research_sees_the_pep_list_and_phase_in(people, draft, mps):
    """Seed 001 "establish threshold for contract eligibility; phase in approach or rotation":
    Research, Assessment and Data sees the eligible contracts and the fiscal year each joins
    (service, page, API); another agency's analyst sees their own agency's, the provider none."""
    research = people["research"]
    assert research.has_perm("performance.view_portfolio")
    result = selectors.pep_list(actor=research, agency=mps, today=TODAY)
    assert result is not None  # the pack sets the rule
    with _at(TODAY):
        page = session_client(research).get(reverse("performance:pep"))
        assert page.status_code == 200
        data = call(session_client(research), "get", "/performance/pep")
        assert data.status_code == 200 and data.json()["agency"] == "mps"
        other = call(session_client(people["other_research"]), "get", "/performance/pep")
        assert other.status_code == 200 and other.json()["agency"] == "dmh"
        assert call(session_client(people["provider"]), "get", "/performance/pep").status_code == (
            403
        )


@_at(TODAY)
def test_seed_001_research_keeps_the_timeline_of_data(people, draft):
    """Seed 001 "MPS and the contractor establish a timeline for data needs, meetings, and
    reporting": the analyst changes the plan's return frequency, status meetings and reports
    (audited) and the missing returns are generated; the sponsor's outcomes are not theirs to
    change, and before the sponsor writes the plan the timeline waits (409)."""
    research = people["research"]
    with pytest.raises(TransitionNotAllowed, match="sponsor"):
        services_pep.plan_timeline_save(
            actor=research, contract=draft, data={"return_frequency": "monthly"}
        )
    with_plan(draft, people["manager"])
    quarterly = Return.objects.filter(contract=draft).count()
    plan = services_pep.plan_timeline_save(
        actor=research,
        contract=draft,
        data={
            "return_frequency": "monthly",
            "status_meetings": " Monthly, after each return. ",
            "reports": "A mid-year report in January.",
        },
    )
    assert plan.return_frequency == "monthly"
    assert plan.status_meetings == "Monthly, after each return."
    # the periods not yet begun are replaced: 24 monthly returns for the two years, no overlap
    assert quarterly == 8
    assert Return.objects.filter(contract=draft).count() == 24
    assert DueDate.objects.filter(contract=draft, kind="return", status="open").count() == 24
    last = plan.history.first()
    assert last.history_change_reason in ("Timeline of data", "Timeline generated")
    assert plan.history.filter(history_change_reason="Timeline of data", history_user=research)
    with pytest.raises(ValidationFailed, match="Unknown fields"):
        services_pep.plan_timeline_save(
            actor=research, contract=draft, data={"desired_outcomes": "Something else"}
        )
    with pytest.raises(PermissionDeniedError):
        services.plan_save(actor=research, contract=draft, data={"desired_outcomes": "Mine"})


@_at(TODAY)
def test_seed_001_timeline_through_the_api_and_page(people, draft):
    """Seed 001: the timeline of data through the API (409 before the plan, 200 after, 412 on a
    stale version) and the page; another agency's analyst and the provider may not."""
    url = f"/performance/contracts/{draft.pk}/plan/timeline"
    client = session_client(people["research"])
    assert call(client, "put", url, {"return_frequency": "monthly"}).status_code == 409
    with_plan(draft, people["manager"])
    done = call(client, "put", url, {"return_frequency": "monthly", "reports": "Yearly report"})
    assert done.status_code == 200, done.content
    assert (
        done.json()["return_frequency"] == "monthly" and done.json()["reports"] == "Yearly report"
    )
    stale = client.put(
        "/api/v1" + url,
        {"return_frequency": "annual"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert call(session_client(people["other_research"]), "put", url, {}).status_code in (403, 404)
    assert call(session_client(people["provider"]), "put", url, {}).status_code in (403, 404)
    assert call(session_client(people["buyer"]), "put", url, {}).status_code == 403
    assert call(session_client(people["admin"]), "put", url, {}).status_code == 200
    page_url = reverse("performance:plan_timeline", args=[draft.pk])
    assert client.get(page_url).status_code == 200
    plan = Plan.objects.get(contract=draft)
    posted = client.post(
        page_url,
        {
            "return_frequency": "quarterly",
            "status_meetings": "Each quarter",
            "reports": "",
            "version": plan.row_version,
        },
    )
    assert posted.status_code == 302
    plan.refresh_from_db()
    assert plan.status_meetings == "Each quarter"
    contract_page = client.get(reverse("performance:contract", args=[draft.pk])).content.decode()
    assert "Change the timeline of data" in contract_page
    assert session_client(people["provider"]).get(page_url).status_code in (403, 404)
    assert session_client(people["other_research"]).get(page_url).status_code in (403, 404)


# ---------------------------------------------------------------- Procurement & Risk Management


def test_seed_001_procurement_signs_off_the_metrics_before_execution(people, draft):
    """Seed 001 "Performance metrics are developed by the contract's sponsor in collaboration
    with the Department of Procurement & Risk Management": in Milwaukee's pack a professional
    services contract let by RFP for more than a year executes only once its metrics are in and
    signed off; in order (409 before the metrics, 409 when already signed off, 409 after
    execution); a change to the metrics needs a new sign-off; audited."""
    buyer, manager = people["buyer"], people["manager"]
    with pytest.raises(TransitionNotAllowed, match="not added"):
        services_pep.metrics_sign_off(
            actor=buyer, contract=draft, today=TODAY, developed_with_sponsor=True
        )
    with_plan(draft, manager)
    with pytest.raises(TransitionNotAllowed, match="sign-off"):
        contract_services.contract_execute(actor=manager, contract=draft, executed_on=TODAY)
    with pytest.raises(ValidationFailed):
        services_pep.metrics_sign_off(
            actor=buyer, contract=draft, today=TODAY, developed_with_sponsor=False
        )
    with pytest.raises(PermissionDeniedError):
        services_pep.metrics_sign_off(
            actor=manager, contract=draft, today=TODAY, developed_with_sponsor=True
        )
    signed = services_pep.metrics_sign_off(
        actor=buyer, contract=draft, today=TODAY, developed_with_sponsor=True, notes=" RFP 26-4 "
    )
    assert signed.signed_by == buyer and signed.notes == "RFP 26-4"
    assert len(signed.metrics) == 2
    assert signed.history.get().history_change_reason == (
        "Performance metrics signed off by procurement"
    )
    with pytest.raises(TransitionNotAllowed, match="already signed off"):
        services_pep.metrics_sign_off(
            actor=buyer, contract=draft, today=TODAY, developed_with_sponsor=True
        )
    # the sponsor changes a target: the sign-off no longer covers the metrics
    services.indicator_save(
        actor=manager, contract=draft, data=indicator_data("Attendance", target=Decimal("85"))
    )
    assert selectors.current_sign_off(draft) is None
    with pytest.raises(TransitionNotAllowed, match="sign-off"):
        contract_services.contract_execute(actor=manager, contract=draft, executed_on=TODAY)
    services_pep.metrics_sign_off(
        actor=buyer, contract=draft, today=TODAY, developed_with_sponsor=True
    )
    executed = contract_services.contract_execute(actor=manager, contract=draft, executed_on=TODAY)
    assert executed.status == "executed"
    services.indicator_save(
        actor=manager, contract=draft, data=indicator_data("Graduation", target=Decimal("70"))
    )
    with pytest.raises(TransitionNotAllowed, match="before the contract is executed"):
        services_pep.metrics_sign_off(
            actor=buyer, contract=executed, today=TODAY, developed_with_sponsor=True
        )


def test_seed_001_sign_off_through_the_api_and_page(people, draft):
    """Seed 001: the sign-off through the API (201, then 409; 409 before the metrics) and the
    page; the sponsor, another agency's buyer and the provider may not sign."""
    url = f"/performance/contracts/{draft.pk}/metrics/sign-offs"
    buyer = session_client(people["buyer"])
    body = {"developed_with_sponsor": True, "notes": "Developed with the Office of Academics"}
    assert call(buyer, "post", url, body).status_code == 409
    with_plan(draft, people["manager"])
    status = call(buyer, "get", url).json()
    assert status["covered"] and status["blocks_execution"] and not status["signed_off"]
    assert call(buyer, "post", url, {"developed_with_sponsor": False}).status_code == 422
    assert call(session_client(people["manager"]), "post", url, body).status_code == 403
    assert call(session_client(people["other_buyer"]), "post", url, body).status_code in (403, 404)
    assert call(session_client(people["provider"]), "post", url, body).status_code in (403, 404)
    assert call(session_client(people["provider"]), "get", url).status_code in (403, 404)
    done = call(buyer, "post", url, body)
    assert done.status_code == 201, done.content
    assert done.json()["signed_by"] == "mps-buyer" and done.json()["current"]
    assert call(buyer, "post", url, body).status_code == 409
    status = call(session_client(people["manager"]), "get", url).json()
    assert status["signed_off"] and len(status["sign_offs"]) == 1
    page = session_client(people["manager"]).get(reverse("performance:contract", args=[draft.pk]))
    assert "Signed off by procurement" in page.content.decode()
    # the page: a new sign-off after the metrics change
    services.indicator_save(
        actor=people["manager"], contract=draft, data=indicator_data("Attendance")
    )
    page_url = reverse("performance:metrics_sign_off", args=[draft.pk])
    assert buyer.get(page_url).status_code == 200
    assert session_client(people["manager"]).get(page_url).status_code == 403
    posted = buyer.post(page_url, {"developed_with_sponsor": "on", "notes": ""})
    assert posted.status_code == 302
    assert MetricsSignOff.objects.filter(contract=draft).count() == 2
    assert selectors.current_sign_off(draft) is not None


def test_seed_001_sign_off_not_needed_outside_the_requirement(people, mps, provider, agency):
    """Seed 001's requirement covers RFPs for professional services over a year: a one-year
    contract executes on its metrics alone; Connecticut's pack does not block at all."""
    one_year = ContractFactory(
        agency=mps,
        provider=provider,
        number="MPS-PS-1Y",
        contract_type=ContractType.PROFESSIONAL_SERVICES,
        start_date=START,
        end_date=date(2027, 6, 30),
    )
    assert not selectors.metrics_covered(one_year)
    executed = contract_services.contract_execute(
        actor=people["manager"], contract=one_year, executed_on=TODAY
    )
    assert executed.status == "executed"


# ---------------------------------------------------------------- the sponsor


def test_seed_001_the_sponsor_is_the_contract_manager_who_sets_and_proposes_the_plan(people, draft):
    """Seed 001 "The contract's sponsor determines desired outcomes": the sponsor is the
    contract manager of the sponsoring department; they set the plan and propose it to the
    provider (service and API); Research and procurement may not."""
    manager = people["manager"]
    assert draft.sponsor == "Office of Academics" and draft.contract_manager == manager
    with_plan(draft, manager)
    version = services.plan_propose(actor=manager, contract=draft, today=TODAY)
    assert version.number == 1 and version.proposed_by == manager
    for who in ("research", "buyer"):
        with pytest.raises(PermissionDeniedError):
            services.plan_propose(actor=people[who], contract=draft, today=TODAY)
    url = f"/performance/contracts/{draft.pk}/plan"
    api = session_client(manager)
    put = call(api, "put", url, {"desired_outcomes": "Reading at grade level by grade 3."})
    assert put.status_code == 200, put.content
    proposed = call(api, "post", f"{url}/versions")
    assert proposed.status_code == 201 and proposed.json()["number"] == 2
    for who in ("research", "buyer"):
        refused = call(session_client(people[who]), "post", f"{url}/versions")
        assert refused.status_code == 403
