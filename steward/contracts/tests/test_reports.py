"""The register's reports (issue 3; seed 000): expiring contracts and the annual POS and PSA
report — inclusive date bounds, fiscal-year edges, permissions, CLI, API and pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from steward.contracts.register_reports import (
    active_in,
    days_left,
    expiring_window,
    is_expiring,
    options_left,
)
from steward.contracts.reports import annual_report, expiring_report
from steward.core.errors import PermissionDeniedError
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, ContractFactory
from steward.tests.pages import signed_in

AS_OF = date(2026, 11, 25)


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("end", "status", "expected"),
    [
        (date(2026, 11, 25), "active", True),  # ends on the as-of day: included
        (date(2026, 12, 25), "active", True),  # as-of + 30: included
        (date(2026, 12, 26), "active", False),  # as-of + 31: outside
        (date(2026, 11, 24), "active", False),  # ended yesterday
        (date(2026, 12, 1), "executed", True),
        (date(2026, 12, 1), "draft", False),
        (date(2026, 12, 1), "completed", False),
    ],
)
def test_expiring_window_is_inclusive_at_both_ends(end, status, expected):
    """Seed 000: contracts whose end date falls from the as-of date to as-of + DAYS."""
    assert is_expiring(end, status, as_of=AS_OF, within_days=30) is expected


def test_days_and_options_left():
    assert expiring_window(AS_OF, 0) == (AS_OF, AS_OF)
    assert days_left(date(2026, 11, 25), AS_OF) == 0
    assert days_left(date(2026, 12, 25), AS_OF) == 30
    assert options_left(2, 1) == 1 and options_left(1, 1) == 0


FY27 = (date(2026, 7, 1), date(2027, 6, 30))


@pytest.mark.parametrize(
    ("start", "end", "terminated", "status", "expected"),
    [
        (date(2027, 6, 30), date(2028, 6, 30), None, "active", True),  # starts on the last day
        (date(2027, 7, 1), date(2028, 6, 30), None, "executed", False),  # starts the day after
        (date(2025, 7, 1), date(2026, 7, 1), None, "expired", True),  # ends on the first day
        (date(2025, 7, 1), date(2026, 6, 30), None, "expired", False),  # ends the day before
        (date(2025, 7, 1), date(2027, 6, 30), date(2026, 6, 30), "terminated", False),
        (date(2025, 7, 1), date(2027, 6, 30), date(2026, 7, 1), "terminated", True),
        (date(2026, 8, 1), date(2027, 6, 30), None, "draft", False),
    ],
)
def test_active_in_fiscal_year_edges(start, end, terminated, status, expected):
    """Seed 000 annual report: in force on at least one day of the fiscal year."""
    assert active_in(start, end, terminated, status, first=FY27[0], last=FY27[1]) is expected


# ---------------------------------------------------------------- the annual report


@pytest.fixture
def oversight(make_user):
    return make_user(Role.OVERSIGHT_OFFICER)


def test_annual_report_counts_by_type_on_each_packs_fiscal_year(agency, packs, provider, oversight):
    """Issue 3: July 1 for CT, April 1 for the UK packs; POS and PSA counted and valued, other
    types apart; contracts ending in the following fiscal year."""
    uk = AgencyFactory(name="West London", slug="wl", pack=packs["west-london-sp"])
    make = ContractFactory
    # Connecticut FY2027 = 2026-07-01 .. 2027-06-30
    make(
        agency=agency,
        provider=provider,
        contract_type="pos",
        status="active",
        start_date=date(2026, 7, 1),
        end_date=date(2027, 6, 30),
        maximum_obligation=Decimal("100.00"),
    )
    make(
        agency=agency,
        provider=provider,
        contract_type="psa",
        status="expired",
        start_date=date(2025, 7, 1),
        end_date=date(2026, 7, 1),
        maximum_obligation=Decimal("50.00"),
    )
    make(
        agency=agency,
        provider=provider,
        contract_type="psa",
        status="expired",
        start_date=date(2025, 7, 1),
        end_date=date(2026, 6, 30),
        maximum_obligation=Decimal("999.00"),
    )  # ended the day before FY2027
    make(
        agency=agency,
        provider=provider,
        contract_type="block",
        status="active",
        start_date=date(2027, 1, 1),
        end_date=date(2028, 3, 31),
        maximum_obligation=Decimal("7.00"),
    )  # ends in FY2028
    make(
        agency=agency,
        provider=provider,
        contract_type="pos",
        status="draft",
        start_date=date(2026, 8, 1),
        end_date=date(2027, 6, 30),
    )
    # UK FY2027 = 2026-04-01 .. 2027-03-31: this one ends on 2026-04-01, the first day
    make(
        agency=uk,
        provider=provider,
        contract_type="pos",
        status="expired",
        start_date=date(2025, 4, 1),
        end_date=date(2026, 4, 1),
        currency="GBP",
        maximum_obligation=Decimal("20.00"),
    )
    lines = {line.agency: line for line in annual_report(actor=oversight, fiscal_year=2027)}
    ct = lines[agency.name]
    assert (ct.first_day, ct.last_day) == FY27
    assert [(t.contract_type, t.count, t.value) for t in ct.reported] == [
        ("pos", 1, Decimal("100.00")),
        ("psa", 1, Decimal("50.00")),
    ]
    assert [(t.contract_type, t.count) for t in ct.others] == [("block", 1)]
    assert (ct.expiring_next_year, ct.expiring_next_year_value) == (1, Decimal("7.00"))
    wl = lines["West London"]
    assert (wl.first_day, wl.last_day) == (date(2026, 4, 1), date(2027, 3, 31))
    assert wl.reported[0].count == 1 and wl.reported[1].count == 0


def test_annual_report_agency_staff_see_only_their_agency(agency, other_agency, make_user):
    manager = make_user(Role.CONTRACT_MANAGER)
    assert [line.agency for line in annual_report(actor=manager, fiscal_year=2027)] == [agency.name]
    with pytest.raises(Exception, match="No agency"):
        annual_report(actor=manager, fiscal_year=2027, agency_slug=other_agency.slug)


def test_provider_users_may_not_run_the_reports(make_user):
    provider_user = make_user(Role.PROVIDER_USER)
    with pytest.raises(PermissionDeniedError):
        annual_report(actor=provider_user, fiscal_year=2027)
    with pytest.raises(PermissionDeniedError):
        expiring_report(actor=provider_user, as_of=AS_OF, within_days=30)


def test_expiring_report_filters_by_agency_and_window(agency, other_agency, provider, oversight):
    inside = ContractFactory(
        agency=agency, provider=provider, status="active", end_date=date(2026, 12, 25)
    )
    ContractFactory(agency=agency, provider=provider, status="active", end_date=date(2026, 12, 26))
    elsewhere = ContractFactory(
        agency=other_agency, provider=provider, status="active", end_date=date(2026, 12, 1)
    )
    everyone = expiring_report(actor=oversight, as_of=AS_OF, within_days=30)
    assert set(everyone) == {inside, elsewhere}
    only = expiring_report(actor=oversight, as_of=AS_OF, within_days=30, agency_slug="dcf")
    assert list(only) == [inside]


# ---------------------------------------------------------------- CLI


def test_cli_expiring_json_and_annual_csv(agency, provider, capsys, tmp_path):
    ContractFactory(
        agency=agency,
        provider=provider,
        number="E-1",
        status="active",
        end_date=date(2026, 12, 1),
        renewal_options=2,
        renewals_exercised=1,
    )
    call_command(
        "report", "expiring", "--within", "30", "--as-of", "2026-11-25", "--format", "json"
    )
    records = json.loads(capsys.readouterr().out)
    assert records[0]["number"] == "E-1"
    assert records[0]["days_left"] == 6 and records[0]["renewal_options_left"] == 1
    assert records[0]["latest_evaluation_score"] is None
    call_command("report", "annual", "--fiscal-year", "2027", "--format", "csv")
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0] == "agency,fiscal_year,first_day,last_day,contract_type,contracts,value"
    )
    assert "ending_next_fiscal_year" in out
    target = tmp_path / "fy.xlsx"
    call_command("report", "annual", "--fiscal-year", "2027", "--format", "xlsx", "-o", str(target))
    assert target.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError, match="No agency"):
        call_command("report", "annual", "--fiscal-year", "2027", "--agency", "nope")
    with pytest.raises(CommandError, match="needs -o"):
        call_command("report", "expiring", "--within", "5", "--format", "xlsx")


# ---------------------------------------------------------------- API and pages


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMINISTRATOR, 200),
        (Role.OVERSIGHT_OFFICER, 200),
        (Role.CONTRACT_MANAGER, 200),
        (Role.SENIOR_MANAGER, 200),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_report_endpoints_and_pages_permissions(client, make_user, role, expected):
    user = make_user(role)
    api = session_client(user)
    assert call(api, "get", "/reports/expiring", {"within": 30}).status_code == expected
    assert call(api, "get", "/reports/annual", {"fiscal_year": 2027}).status_code == expected
    signed_in(client, user)
    assert client.get(reverse("contracts:report_expiring")).status_code == expected
    assert client.get(reverse("contracts:report_annual")).status_code == expected


def test_reports_need_authentication(client):
    assert client.get("/api/v1/reports/expiring").status_code == 401
    assert client.get(reverse("contracts:report_expiring")).status_code == 302


def test_api_expiring_for_agency_staff_is_their_agency(make_user, agency, other_agency, provider):
    ContractFactory(
        agency=agency, provider=provider, number="MINE", status="active", end_date=date(2026, 12, 1)
    )
    ContractFactory(
        agency=other_agency,
        provider=provider,
        number="THEIRS",
        status="active",
        end_date=date(2026, 12, 1),
    )
    manager = make_user(Role.CONTRACT_MANAGER)
    response = call(
        session_client(manager), "get", "/reports/expiring", {"within": 30, "as_of": "2026-11-25"}
    )
    assert [r["number"] for r in response.json()] == ["MINE"]
    response = call(
        session_client(manager), "get", "/reports/expiring", {"within": -1, "as_of": "2026-11-25"}
    )
    assert response.status_code == 422


def test_pages_query_budget_and_downloads(
    client, make_user, agency, provider, django_assert_max_num_queries
):
    ContractFactory.create_batch(
        40, agency=agency, provider=provider, status="active", end_date=date(2026, 12, 1)
    )
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    signed_in(client, oversight)
    url = reverse("contracts:report_expiring")
    with django_assert_max_num_queries(11):  # one counts the person's work for the navigation
        response = client.get(url, {"within": 30, "as_of": "2026-11-25"})
    assert response.status_code == 200 and len(response.context["rows"]) == 40
    # each row opens its renewal decision (issue 21)
    first = response.context["rows"][0].contract
    renewal = reverse("evaluations:renewal", args=[first.pk])
    assert f'href="{renewal}"' in response.content.decode()
    assert client.get(renewal).status_code == 200
    download = client.get(url, {"within": 30, "as_of": "2026-11-25", "format": "xlsx"})
    assert download.content.startswith(b"PK")
    with django_assert_max_num_queries(11):
        response = client.get(reverse("contracts:report_annual"), {"fiscal_year": 2027})
    assert response.status_code == 200
    assert b"Annual POS and PSA report" in response.content
    csv_body = client.get(
        reverse("contracts:report_annual"), {"fiscal_year": 2027, "format": "csv"}
    ).content.decode()
    assert "ending_next_fiscal_year" in csv_body
