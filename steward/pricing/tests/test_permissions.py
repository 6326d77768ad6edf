"""Permission matrix for the pricing API and pages: own agency writes (managers, finance
officers), agency staff read, oversight reads all, a provider reads its own contract's rate
calculations and payments but nothing internal; others 404; anonymous 401 / redirect."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from steward.contracts.models import ContractStatus
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.pricing import services
from steward.pricing.models import Payment
from steward.testing.factories import ContractFactory
from steward.tests.pages import signed_in

pytestmark = pytest.mark.django_db

ROLES = {
    "manager": Role.CONTRACT_MANAGER,
    "finance": Role.FINANCE_OFFICER,
    "monitor": Role.CONTRACT_MONITOR,
    "oversight": Role.OVERSIGHT_OFFICER,
    "provider": Role.PROVIDER_USER,
    "admin": Role.ADMINISTRATOR,
}
RATE = {
    "program_cost": "100000",
    "capacity": "2",
    "units_per_period": "365",
    "utilization_factor": "0.85",
}
# endpoint → (method, path suffix, body, {role: (own, other)})
W = {
    "manager": (201, 404),
    "finance": (201, 404),
    "monitor": (403, 404),
    "oversight": (403, 403),
    "provider": (403, 404),
    "admin": (201, 201),
}
R = {
    "manager": (200, 404),
    "finance": (200, 404),
    "monitor": (200, 404),
    "oversight": (200, 200),
    "provider": (200, 404),
    "admin": (200, 200),
}
RI = {**R, "provider": (404, 404)}
WI = {
    **{k: (200 if v[0] == 201 else v[0], 200 if v[1] == 201 else v[1]) for k, v in W.items()},
    "provider": (404, 404),
}
ENDPOINTS = {
    "rate.list": ("get", "/rate-calculations", None, R),
    "rate.create": ("post", "/rate-calculations", RATE, W),
    "payment.list": ("get", "/payments", None, R),
    "payment.create": (
        "post",
        "/payments",
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "units": "50", "amount": "7000"},
        W,
    ),
    "bill_out": ("get", "/bill-out", None, R),
    "fee.get": ("get", "/fee", None, RI),
    "fee.put": ("put", "/fee", {"kind": "zero"}, WI),
    "attachments.list": ("get", "/attachments", None, RI),
    "attachments.put": ("put", "/attachments/1", {"completed": True}, WI),
    "consultation": (
        "post",
        "/risk-consultations",
        {"consulted_on": "2026-01-01", "consulted_with": "OSD"},
        {**W, "provider": (404, 404)},
    ),
    "limits": ("put", "/price-limits", {"client_resources": "10"}, WI),
}


@pytest.fixture
def world(agency, other_agency, provider, other_provider, manager):
    own = ContractFactory(agency=agency, provider=provider, status=ContractStatus.ACTIVE)
    services.commercial_fee_set(actor=manager, contract=own, kind="zero")
    return {
        "own": own,
        "other_agency": ContractFactory(
            agency=other_agency, provider=provider, status=ContractStatus.ACTIVE
        ),
        "other_provider": ContractFactory(
            agency=agency, provider=other_provider, status=ContractStatus.ACTIVE
        ),
    }


def _pick(world, role, org):
    if org == "own":
        return world["own"]
    return world["other_provider"] if role == "provider" else world["other_agency"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("org", ["own", "other"])
def test_api_matrix(endpoint, role, org, world, make_user):
    method, suffix, body, expected = ENDPOINTS[endpoint]
    contract = _pick(world, role, org)
    if endpoint == "fee.get" and org == "other":
        services.commercial_fee_set(
            actor=make_user(Role.ADMINISTRATOR), contract=contract, kind="zero"
        )
    user = make_user(ROLES[role])
    response = call(session_client(user), method, f"/pricing/contracts/{contract.pk}{suffix}", body)
    assert response.status_code == expected[role][0 if org == "own" else 1], response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_anonymous_401(endpoint, world):
    method, suffix, body, _ = ENDPOINTS[endpoint]
    response = call(Client(), method, f"/pricing/contracts/{world['own'].pk}{suffix}", body)
    assert response.status_code == 401


PAGE = {
    "manager": (200, 404),
    "finance": (200, 404),
    "monitor": (200, 404),
    "oversight": (200, 200),
    "provider": (200, 404),
    "admin": (200, 200),
}
POST = {
    "manager": (302, 404),
    "finance": (302, 404),
    "monitor": (403, 404),
    "oversight": (403, 403),
    "provider": (403, 404),
    "admin": (302, 302),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("org", ["own", "other"])
def test_pages_matrix(role, org, world, make_user):
    contract = _pick(world, role, org)
    client = signed_in(Client(), make_user(ROLES[role]))
    i = 0 if org == "own" else 1
    page = client.get(reverse("pricing:contract", args=[contract.pk]))
    assert page.status_code == PAGE[role][i]
    response = client.post(
        reverse("pricing:rate_create", args=[contract.pk]),
        {
            "program_cost": "100000",
            "capacity": "2",
            "units_per_period": "365",
            "utilization_percent": "85",
        },
    )
    assert response.status_code == POST[role][i]


def test_provider_page_hides_internal_sections(world, make_user):
    client = signed_in(Client(), make_user(Role.PROVIDER_USER))
    html = client.get(reverse("pricing:contract", args=[world["own"].pk])).content.decode()
    assert "Payments" in html and "Commercial fee" not in html and "POS attachments" not in html
    assert "Units paid and units delivered" in html  # the cross-check is not internal


def test_anonymous_pages_redirect(world):
    response = Client().get(reverse("pricing:contract", args=[world["own"].pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get(reverse("pricing:export")).status_code == 302


def test_page_computes_85_percent_and_shows_lines(world, manager):
    """seed 004: 2 × 365 = 730; × 0.85 = 620.5; 100,000 ÷ 620.5 = 161.160… → $161.16."""
    client = signed_in(Client(), manager)
    url = reverse("pricing:rate_create", args=[world["own"].pk])
    client.post(
        url,
        {
            "program_cost": "100000",
            "capacity": "2",
            "units_per_period": "365",
            "utilization_percent": "85",
        },
    )
    html = client.get(reverse("pricing:contract", args=[world["own"].pk])).content.decode()
    assert "$161.16" in html and "line 5 × line 6" in html
    bad = client.post(
        url,
        {
            "program_cost": "100000",
            "capacity": "2",
            "units_per_period": "365",
            "utilization_percent": "84.99",
        },
    )
    assert bad.status_code == 422 and "exceptional circumstances" in bad.content.decode()


def test_contract_page_shows_panel(world, manager):
    html = (
        signed_in(Client(), manager)
        .get(reverse("contracts:detail", args=[world["own"].pk]))
        .content.decode()
    )
    assert "Pricing and payments for" in html


def test_export_xlsx_only_visible(world, manager, make_user, other_agency):
    from io import BytesIO

    from openpyxl import load_workbook

    services.rate_calculation_create(
        actor=manager,
        contract=world["own"],
        program_cost=D("1000"),
        capacity=D("1"),
        units_per_period=D("10"),
        utilization_factor=D("1"),
    )
    ma = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    services.rate_calculation_create(
        actor=ma,
        contract=world["other_agency"],
        program_cost=D("1000"),
        capacity=D("1"),
        units_per_period=D("10"),
        utilization_factor=D("1"),
    )
    response = signed_in(Client(), manager).get(reverse("pricing:export"))
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == world["own"].number
    assert rows[1][11] == 100  # unit rate 1000 ÷ 10


def test_query_budget_payments_page_and_api(world, manager, django_assert_max_num_queries):
    own = world["own"]
    Payment.objects.bulk_create(
        Payment(
            contract=own,
            period_start=own.start_date,
            period_end=own.start_date,
            units=D("1"),
            amount=D("10"),
        )
        for _ in range(60)
    )
    client = signed_in(Client(), manager)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("pricing:contract", args=[own.pk])).status_code == 200
    api = session_client(manager)
    with django_assert_max_num_queries(12):
        assert call(api, "get", f"/pricing/contracts/{own.pk}/payments").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_limits_and_consultation_pages(role, world, make_user):
    """Writers record limits and consultations from the page; others get 403 / 404."""
    contract = world["own"]
    client = signed_in(Client(), make_user(ROLES[role]))
    limits = client.post(
        reverse("pricing:limits_update", args=[contract.pk]),
        {"lowest_price_to_others": "200", "client_resources": "5"},
    )
    consult = client.post(
        reverse("pricing:consultation_create", args=[contract.pk]),
        {"consulted_on": "2026-01-05", "consulted_with": "OSD and EOHHS"},
    )
    assert limits.status_code == POST[role][0]
    assert consult.status_code == POST[role][0]
    if POST[role][0] == 302:
        html = client.get(reverse("pricing:contract", args=[contract.pk])).content.decode()
        assert "$200.00" in html and "OSD and EOHHS" in html


def test_authorised_rate_refused_on_page_for_non_rate_set(world, manager):
    """seed 004: only a rate-set contract has an authorised price (422, error on the field)."""
    response = signed_in(Client(), manager).post(
        reverse("pricing:limits_update", args=[world["own"].pk]), {"authorised_rate": "90"}
    )
    assert response.status_code == 422 and "Mark the contract rate-set first" in (
        response.content.decode()
    )


def test_bill_out_list_flags_early_and_hides_others(
    world, manager, make_user, django_assert_max_num_queries
):
    """seed 004: a contract billing $1,000/day against $273,000 bills out 30 September 2026; only
    visible contracts are listed; query count bounded."""
    from datetime import date

    own = world["own"]
    own.maximum_obligation = D("273000")
    own.save()
    Payment.objects.create(
        contract=own,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        units=D("1"),
        amount=D("90000"),
    )
    for c in (world["other_agency"], world["other_provider"]):
        Payment.objects.create(
            contract=c,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            units=D("1"),
            amount=D("249000"),
        )
    client = signed_in(Client(), manager)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("pricing:bill_out")).content.decode()
    assert own.number in html and "30 September 2026" in html
    assert world["other_agency"].number not in html
    assert world["other_provider"].number in html  # same agency, other provider
    provider_html = (
        signed_in(Client(), make_user(Role.PROVIDER_USER))
        .get(reverse("pricing:bill_out"))
        .content.decode()
    )
    assert own.number in provider_html and world["other_provider"].number not in provider_html
