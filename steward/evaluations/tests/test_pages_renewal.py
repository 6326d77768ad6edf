"""Renewal eligibility (seed 001): the page at and below the pack's threshold, the senior
manager's override, who may open it, and what the contract page's panel and the renewal form
show of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from steward.contracts.models import Contract
from steward.evaluations import services
from steward.evaluations.models import RenewalOverride
from steward.evaluations.tests.factories import completed_contract, walk
from steward.evaluations.tests.pages import signed_in, url
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def mps(packs):
    return AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])


@pytest.fixture
def mps_staff(make_user, mps):
    return {
        "manager": make_user(Role.CONTRACT_MANAGER, username="mps-manager", agency=mps),
        "monitor": make_user(Role.CONTRACT_MONITOR, username="mps-monitor", agency=mps),
        "senior": make_user(Role.SENIOR_MANAGER, username="mps-senior", agency=mps),
    }


@pytest.fixture
def mps_contract(mps_staff, provider):
    # seed 001's gate: professional services let by RFP for more than a year
    return completed_contract(
        mps_staff["manager"],
        provider=provider,
        number="MPS-25-007",
        renewal_options=2,
        contract_type="professional_services",
        start_date=date(2024, 7, 1),
    )


def _score_8875(contract, staff):
    """4 on every criterion but service delivery (30) and financial management (15) at 3:
    100 − 7.5 − 3.75 = 88.75, below the Milwaukee pack's 90."""
    ratings = {
        "service_delivery": 3,
        "quality": 4,
        "timeliness": 4,
        "financial": 3,
        "management": 4,
    }
    return walk(
        contract,
        author=staff["monitor"],
        to="finalised",
        ratings=ratings,
        reviewer=staff["manager"],
    )


def test_renewal_not_eligible_below_the_milwaukee_threshold(mps_contract, mps_staff):
    evaluation = _score_8875(mps_contract, mps_staff)
    assert evaluation.score == Decimal("88.75")
    response = signed_in(mps_staff["manager"]).get(url("renewal", mps_contract.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not eligible for renewal or extension" in body
    assert "88.75" in body
    assert "90.0 or higher" in body
    assert "Record the override" not in body
    assert services.renewal_eligibility(mps_contract).reason in body


def test_renewal_page_at_89_99(mps_contract, mps_staff, monkeypatch):
    monkeypatch.setattr(services, "latest_scores", lambda ids: {mps_contract.pk: Decimal("89.99")})
    body = signed_in(mps_staff["manager"]).get(url("renewal", mps_contract.pk)).content.decode()
    assert "Not eligible for renewal or extension" in body
    assert "The latest evaluation scored 89.99, below the 90 needed" in body
    monkeypatch.setattr(services, "latest_scores", lambda ids: {mps_contract.pk: Decimal("90.00")})
    body = signed_in(mps_staff["manager"]).get(url("renewal", mps_contract.pk)).content.decode()
    assert "Eligible for renewal or extension" in body


def test_renewal_override_by_a_senior_manager(mps_contract, mps_staff):
    _score_8875(mps_contract, mps_staff)
    # the same contract still running (an override is only for an executed or active one)
    Contract.objects.filter(pk=mps_contract.pk).update(status="active")
    manager_client = signed_in(mps_staff["manager"])
    response = manager_client.post(
        url("renewal", mps_contract.pk),
        {"justification": "The provider is the only one serving this area."},
    )
    assert response.status_code == 403
    assert not RenewalOverride.objects.exists()

    senior = signed_in(mps_staff["senior"])
    body = senior.get(url("renewal", mps_contract.pk)).content.decode()
    assert "Record the override" in body
    response = senior.post(url("renewal", mps_contract.pk), {"justification": "Too short"})
    assert response.status_code == 200
    assert "At least 20 characters" in response.content.decode()
    assert not RenewalOverride.objects.exists()
    response = senior.post(
        url("renewal", mps_contract.pk),
        {"justification": "The provider is the only one serving this area."},
    )
    assert response.status_code == 302
    override = RenewalOverride.objects.get()
    assert override.renewal_number == 1
    assert override.score_at_override == Decimal("88.75")
    body = senior.get(url("renewal", mps_contract.pk)).content.decode()
    assert "allowed by an override" in body
    assert "Record the override" not in body
    assert "The provider is the only one serving this area." in body


def test_renewal_page_permissions(mps_contract, mps_staff, provider_user, other_manager, officer):
    assert signed_in(officer).get(url("renewal", mps_contract.pk)).status_code == 200
    assert signed_in(provider_user).get(url("renewal", mps_contract.pk)).status_code == 403
    assert signed_in(other_manager).get(url("renewal", mps_contract.pk)).status_code == 404
    assert (
        signed_in(officer)
        .post(url("renewal", mps_contract.pk), {"justification": "x" * 30})
        .status_code
        == 403
    )


def test_contract_panel_shows_renewal_and_the_override_button(mps_contract, mps_staff):
    _score_8875(mps_contract, mps_staff)
    Contract.objects.filter(pk=mps_contract.pk).update(status="active")  # still running
    body = (
        signed_in(mps_staff["senior"])
        .get(reverse("contracts:detail", args=[mps_contract.pk]))
        .content.decode()
    )
    assert "<strong>Not eligible</strong> for renewal or extension." in body
    assert "Record a renewal override" in body
    body = (
        signed_in(mps_staff["manager"])
        .get(reverse("contracts:detail", args=[mps_contract.pk]))
        .content.decode()
    )
    assert "<strong>Not eligible</strong>" in body
    assert "Record a renewal override" not in body


def test_renewal_form_shows_the_eligibility(mps_contract, mps_staff):
    body = (
        signed_in(mps_staff["manager"])
        .get(reverse("contracts:renewal_create", args=[mps_contract.pk]))
        .content.decode()
    )
    assert "Not eligible for renewal" in body
    assert url("renewal", mps_contract.pk) in body
