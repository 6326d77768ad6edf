"""History views of the records people edit (issue 19 point 4) and the log of reads of service
users' personal data (issue 19 point 3; DOMAIN.md §1: "every read of it is logged")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from steward.core.tests.api_support import session_client
from steward.parties.models import PersonalDataRead, Role
from steward.pricing.services import payment_record
from steward.procurement import services_placements as placement_services
from steward.risk.services import concern_log, concern_update
from steward.risk.tests.factories import category
from steward.testing.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(agency, provider, contract, manager):
    c = concern_log(
        actor=manager,
        agency=agency,
        provider=provider,
        data={
            "contract": contract,
            "category": category(agency),
            "kind": "complaint",
            "received_on": date(2026, 3, 2),
            "severity": "medium",
            "summary": "Late visits",
            "description": "Carers late three times.",
            "source": "family",
            "channel": "phone",
            "complainant_reference": "CASE-77",
        },
    )
    concern_update(actor=manager, concern=c, data={"source": "staff"})  # only a hidden field
    concern_update(actor=manager, concern=c, data={"severity": "high"})
    return c


def test_staff_see_every_change_of_a_concern(concern, manager):
    """seed 003 concerns log: the agency sees who changed what, including the source."""
    entries = session_client(manager).get(f"/api/v1/history/concern/{concern.pk}").json()
    changed = [c["field"] for e in entries for c in e["changes"]]
    assert changed == ["severity", "source"]
    assert PersonalDataRead.objects.filter(kind="concern", record_ids=[concern.pk]).count() == 1


def test_a_provider_sees_the_history_of_its_concern_without_who_raised_it(
    concern, make_user, client
):
    """DOMAIN.md §1: a provider never learns who raised a concern, not even from its history:
    the change of source alone is left out, as are the source and case reference."""
    provider_user = make_user(Role.PROVIDER_USER)
    response = session_client(provider_user).get(f"/api/v1/history/concern/{concern.pk}")
    assert response.status_code == 200
    entries = response.json()
    assert [e["action"] for e in entries] == ["changed", "created"]
    assert [c["field"] for e in entries for c in e["changes"]] == ["severity"]
    assert "staff" not in response.content.decode().lower().replace("steward", "")
    client.force_login(provider_user)
    page = client.get(f"/history/concern/{concern.pk}/")
    assert page.status_code == 200
    assert "CASE-77" not in page.content.decode()
    assert not PersonalDataRead.objects.filter(user=provider_user).exists()


def test_no_history_for_those_who_may_not_read_the_record(concern, packs):
    stranger = UserFactory(
        role=Role.CONTRACT_MANAGER, agency=AgencyFactory(slug="elsewhere"), username="stranger"
    )
    client = session_client(stranger)
    assert client.get(f"/api/v1/history/concern/{concern.pk}").status_code == 404
    assert client.get("/api/v1/history/no-such-kind/1").status_code == 404


def test_risk_assessment_history_is_internal(concern, contract, manager, make_user):
    """Risk is internal (seed 002 step 1): providers are not told a rating exists."""
    assessment = contract.risk_assessments.order_by("-pk").first()
    assert assessment is not None
    url = f"/api/v1/history/risk-assessment/{assessment.pk}"
    assert session_client(manager).get(url).status_code == 200
    assert session_client(make_user(Role.PROVIDER_USER)).get(url).status_code == 404


def test_payment_history_for_pricing_readers(contract, make_user):
    finance = make_user(Role.FINANCE_OFFICER)
    payment = payment_record(
        actor=finance,
        contract=contract,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        units=Decimal("10"),
        amount=Decimal("1000.00"),
    )
    url = f"/api/v1/history/payment/{payment.pk}"
    entries = session_client(finance).get(url).json()
    assert entries[0]["action"] == "created"
    assert entries[0]["who"] == (finance.get_full_name() or finance.username)


@pytest.fixture
def placements(packs, provider):
    """Three children placed under a Scottish council's category B contract, through the
    placement services (seed 003: the Community Resource Group's decision and a budget holder
    within their delegated limit)."""
    from steward.contracts.services import contract_create, contract_execute
    from steward.procurement.services_compliance import procurement_record_set

    scc = AgencyFactory(name="Scottish Council", slug="scc", pack=packs["scottish-childrens"])
    ccm = UserFactory(role=Role.CONTRACT_MANAGER, agency=scc, username="ccm")
    holder = UserFactory(role=Role.BUDGET_HOLDER, agency=scc, username="holder")
    key = UserFactory(role=Role.KEY_WORKER, agency=scc, username="key")
    placement_services.delegated_limit_set(actor=ccm, user=holder, amount="50000")
    contract = contract_create(
        actor=ccm,
        agency=scc,
        data={
            "number": "SCC-1",
            "title": "Respite placements",
            "contract_type": "block",
            "service_type": "Respite care",
            "provider": provider,
            "start_date": date(2026, 4, 1),
            "end_date": date(2027, 3, 31),
            "maximum_obligation": Decimal("900000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
            "authority_category": "B",
        },
    )
    procurement_record_set(actor=ccm, contract=contract, data={"advertised_on_pcs": True})
    contract = contract_execute(actor=ccm, contract=contract, executed_on=date(2026, 3, 1))
    rows = [
        placement_services.placement_create(
            actor=holder,
            contract=contract,
            data={
                "case_reference": f"CASE-00{n}",
                "category": "B",
                "amount": "5000",
                "key_worker": key,
                "crg_decided_on": date(2026, 3, 20),
                "crg_decision": "CRG minute 14: respite",
                "start_date": date(2026, 4, 1),
                "anticipated_end": date(2026, 9, 30),
            },
            today=date(2026, 3, 25),
        )
        for n in range(3)
    ]
    return contract, ccm, rows


def test_reading_placements_is_logged_once_per_request(
    placements, django_assert_max_num_queries, client
):
    """DOMAIN.md §1 (seed 003 placements): who read which children's case references, when;
    one insert per request however many rows."""
    contract, ccm, rows = placements
    api = session_client(ccm)
    response = api.get(f"/api/v1/procurement/contracts/{contract.pk}/placements")
    assert response.status_code == 200
    log = PersonalDataRead.objects.get()
    assert log.user == ccm
    assert log.agency == contract.agency
    assert sorted(log.record_ids) == sorted(p.pk for p in rows)
    assert "case_reference" in log.fields
    assert log.path == f"/api/v1/procurement/contracts/{contract.pk}/placements"
    client.force_login(ccm)
    assert client.get(f"/procurement/contracts/{contract.pk}/placements/").status_code == 200
    assert PersonalDataRead.objects.count() == 2
    history = client.get(f"/history/placement/{rows[0].pk}/")
    assert history.status_code == 200
    assert PersonalDataRead.objects.count() == 3


def test_the_access_log_is_for_administrators(placements, make_user, client):
    contract, ccm, _ = placements
    session_client(ccm).get(f"/api/v1/procurement/contracts/{contract.pk}/placements")
    admin = make_user(Role.ADMINISTRATOR)
    body = session_client(admin).get("/api/v1/access-log").json()
    assert body["count"] == 1
    assert body["items"][0]["user"] == "ccm"
    assert body["items"][0]["agency"] == "scc"
    assert session_client(ccm).get("/api/v1/access-log").status_code == 403
    client.force_login(admin)
    page = client.get("/access-log/")
    assert page.status_code == 200
    assert "3 placements" in page.content.decode()
    client.force_login(ccm)
    assert client.get("/access-log/").status_code == 403


def test_an_agency_administrator_sees_its_own_agencys_reads_only(placements, make_user, packs):
    """DOMAIN.md §1: the agency's administrator is shown who read its service users' data."""
    from steward.testing.factories import AgencyFactory

    contract, ccm, _ = placements
    session_client(ccm).get(f"/api/v1/procurement/contracts/{contract.pk}/placements")
    own = make_user(Role.AGENCY_ADMINISTRATOR, agency=contract.agency)
    elsewhere = make_user(
        Role.AGENCY_ADMINISTRATOR, agency=AgencyFactory(pack=packs["west-london-sp"])
    )
    assert session_client(own).get("/api/v1/access-log").json()["count"] == 1
    assert session_client(elsewhere).get("/api/v1/access-log").json()["count"] == 0
    assert session_client(own).get("/access-log/").status_code == 200
