"""Reports as of a date are computed as of that date (issue 18 point 6; seed 000's expiring
contracts and annual POS/PSA report): a contract's status, end date and maximum obligation on a
past day follow from its dates, amendments and status history — not from today's status."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from steward.contracts import services
from steward.contracts.register_reports import AmendmentOn, status_on, terms_on
from steward.contracts.reports import annual_report, expiring_report, expiring_rows
from steward.contracts.selectors import contract_state_on
from steward.core.tests.api_support import call, session_client
from steward.parties.models import Role
from steward.tests.pages import signed_in

pytestmark = pytest.mark.django_db

# A Philadelphia-style register (us-open-data): contract 1820407 runs 2018-05-01..2019-04-30,
# renewed from 2019-05-01 to 2020-04-30 (+32,000) and again to 2021-04-30; 9999 runs one
# fiscal year. Imported "today" (2026), both are expired today.
US_FILE = (
    "original_contract_id,current_item_id,department_name,vendor,contract_structure_type,"
    "short_desc,start_dt,end_dt,days_remaining,amt,tot_payments,orig_vendor,exempt_status,"
    "adv_or_exempt,profit_status\n"
    '1820407,1820407,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
    '5/1/2018,4/30/2019,0,"45,000.00",100,"Granicus, Inc.",1,ADVERTISED,For Profit\n'
    "9999,9999,HUMAN SERVICES,Acme,Human Services Department,Care,7/1/2018,6/30/2019,0,"
    '"10,000.00","2,000.00",Acme,1,EXEMPT,Non-Profit\n'
    '1820407,182040701,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
    '5/1/2019,4/30/2020,304,"32,000.00",0,"Granicus, Inc.",1,ADVERTISED,For Profit\n'
    '1820407,182040702,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
    '5/1/2020,4/30/2021,0,0,"5,000.00","Granicus, Inc.",1,ADVERTISED,For Profit\n'
)
TODAY = date(2026, 12, 1)


@pytest.fixture
def imported(agency, tmp_path):
    """The register imported today through the command line (Connecticut pack: FY July 1)."""
    path = tmp_path / "register.csv"
    path.write_text(US_FILE, encoding="utf-8")
    with time_machine.travel("2026-12-01 12:00:00+00:00", tick=False):
        call_command(
            "import-contracts", str(path), "--agency", agency.slug, "--format", "us-open-data"
        )
    return agency


def report_json(capsys, *args: str) -> list[dict]:
    """The report command's JSON (written to standard output), amounts as Decimal."""
    capsys.readouterr()
    call_command("report", *args, "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    for row in rows:
        for key in ("maximum_obligation", "value"):
            if key in row:
                row[key] = Decimal(row[key])
    return rows


# ---------------------------------------------------------------- the rules (no database)

A1 = AmendmentOn(date(2019, 5, 1), 1, date(2019, 4, 30), Decimal("45000.00"))
A2 = AmendmentOn(date(2020, 5, 1), 2, date(2020, 4, 30), Decimal("77000.00"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 4, 30), (date(2019, 4, 30), Decimal("45000.00"))),
        (date(2019, 5, 1), (date(2020, 4, 30), Decimal("77000.00"))),  # the effective day
        (date(2020, 5, 1), (date(2021, 4, 30), Decimal("77000.00"))),  # today's terms
    ],
)
def test_terms_on_a_day_are_those_before_the_first_later_amendment(day, expected):
    """Issue 18 (seed 000): the end date and obligation on a day, amendments undone after it."""
    terms = terms_on(
        day,
        end_date=date(2021, 4, 30),
        maximum_obligation=Decimal("77000.00"),
        amendments=[A2, A1],
    )
    assert terms == expected


BASE = {
    "status": "expired",
    "start_date": date(2018, 7, 1),
    "end_date_then": date(2019, 6, 30),
    "executed_on": date(2018, 6, 15),
    "executed_by_history": False,
    "completed_on": None,
    "terminated_on": None,
}


@pytest.mark.parametrize(
    ("day", "changes", "expected"),
    [
        (date(2018, 6, 14), {}, "draft"),
        (date(2018, 6, 15), {}, "executed"),
        (date(2018, 7, 1), {}, "active"),
        (date(2019, 6, 30), {}, "active"),  # the last day is still live
        (date(2019, 7, 1), {}, "expired"),
        (date(2019, 1, 1), {"status": "draft", "executed_on": None}, "draft"),
        (date(2019, 1, 1), {"status": "terminated", "terminated_on": date(2019, 1, 2)}, "active"),
        (
            date(2019, 1, 2),
            {"status": "terminated", "terminated_on": date(2019, 1, 2)},
            "terminated",
        ),
        (date(2019, 3, 1), {"status": "completed", "completed_on": date(2019, 3, 1)}, "completed"),
        # imported today as executed with a later start as its execution date: history says so
        (
            date(2026, 12, 1),
            {
                "status": "executed",
                "start_date": date(2027, 1, 1),
                "end_date_then": date(2027, 12, 31),
                "executed_on": date(2027, 1, 1),
                "executed_by_history": True,
            },
            "executed",
        ),
    ],
)
def test_status_on_a_day_follows_the_dates_and_history(day, changes, expected):
    """Issue 18 (seed 000): a contract's status on a past day."""
    assert status_on(day, **{**BASE, **changes}) == expected


# ---------------------------------------------------------------- through the services


def test_contract_state_on_past_days_through_the_services(manager, agency, provider):
    """Issue 18 (seed 000): built through the services — executed, extended, terminated —
    the state on each day is the one the contract had then."""
    contract = services.contract_create(
        actor=manager,
        agency=agency,
        data={
            "number": "DCF-19-1",
            "title": "Family support",
            "contract_type": "pos",
            "start_date": date(2019, 1, 1),
            "end_date": date(2019, 12, 31),
            "maximum_obligation": Decimal("100000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
            "provider": provider,
        },
    )
    services.contract_execute(actor=manager, contract=contract, executed_on=date(2018, 12, 1))
    services.amendment_create(
        actor=manager,
        contract=contract,
        effective_on=date(2019, 10, 1),
        reason="Extended for six months",
        new_end_date=date(2020, 6, 30),
        new_maximum_obligation=Decimal("150000.00"),
    )
    contract.refresh_from_db()
    services.contract_terminate(
        actor=manager, contract=contract, terminated_on=date(2020, 3, 31), reason="Service ended"
    )
    contract.refresh_from_db()

    def state(day: date) -> tuple[str, date, Decimal]:
        s = contract_state_on(contract=contract, day=day)
        return s.status, s.end_date, s.maximum_obligation

    assert state(date(2018, 11, 30))[0] == "draft"
    assert state(date(2018, 12, 1)) == ("executed", date(2019, 12, 31), Decimal("100000.00"))
    assert state(date(2019, 9, 30)) == ("active", date(2019, 12, 31), Decimal("100000.00"))
    assert state(date(2019, 10, 1)) == ("active", date(2020, 6, 30), Decimal("150000.00"))
    assert state(date(2020, 3, 31))[0] == "terminated"
    # the expiring report as of 30 September 2019 sees the end date it had then
    oversight_rows = list(
        expiring_rows(
            expiring_report(actor=manager, as_of=date(2019, 9, 30), within_days=92),
            date(2019, 9, 30),
        )
    )
    assert [(r.contract.number, r.state.end_date, r.days_left) for r in oversight_rows] == [
        ("DCF-19-1", date(2019, 12, 31), 92)
    ]
    assert list(expiring_report(actor=manager, as_of=date(2019, 10, 1), within_days=91)) == []


# ---------------------------------------------------------------- the command line


def test_cli_expiring_as_of_a_past_date_over_a_register_imported_today(imported, capsys):
    """Issue 18: `steward report expiring --as-of 2019-06-30` over a register imported today
    lists the contracts live and ending then (today both are expired)."""

    def expiring_json(*args: str) -> list[dict]:
        return report_json(capsys, "expiring", *args)

    rows = expiring_json("--as-of", "2019-06-30", "--within", "30")
    assert [(r["number"], r["end_date"], r["days_left"], r["status"]) for r in rows] == [
        ("9999", "2019-06-30", 0, "active")
    ]
    rows = expiring_json("--as-of", "2019-04-15", "--within", "30")
    assert [(r["number"], r["end_date"], r["maximum_obligation"]) for r in rows] == [
        ("1820407", "2019-04-30", Decimal("45000.00"))
    ]
    rows = expiring_json("--as-of", "2019-06-30", "--within", "366")
    assert [(r["number"], r["end_date"], r["maximum_obligation"]) for r in rows] == [
        ("9999", "2019-06-30", Decimal("10000.00")),
        ("1820407", "2020-04-30", Decimal("77000.00")),
    ]
    assert expiring_json("--as-of", "2026-12-01", "--within", "366") == []


def test_annual_report_ending_next_fiscal_year_as_of_the_years_last_day(
    imported, make_user, capsys
):
    """Issue 18 (seed 000): FY2019 (to 30 June 2019) — 1820407 was then due to end in FY2020
    (30 April 2020, 77,000 after its first renewal); 9999 ended on the year's last day."""
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    (line,) = annual_report(actor=oversight, fiscal_year=2019, agency_slug=imported.slug)
    assert (line.expiring_next_year, line.expiring_next_year_value) == (1, Decimal("77000.00"))
    assert line.total_count == 2
    assert line.total_value == Decimal("87000.00")  # obligations on 30 June 2019
    out = report_json(capsys, "annual", "--fiscal-year", "2019")
    ending = [r for r in out if r["contract_type"] == "ending_next_fiscal_year"]
    assert [(r["contracts"], r["value"]) for r in ending] == [(1, Decimal("77000.00"))]


# ---------------------------------------------------------------- API and page


def test_api_and_page_expiring_as_of_a_past_date(imported, make_user, client):
    """Issue 18: the API and the page give the same past-dated report."""
    manager = make_user(Role.CONTRACT_MANAGER)
    response = call(
        session_client(manager), "get", "/reports/expiring", {"within": 30, "as_of": "2019-04-15"}
    )
    assert response.status_code == 200
    assert [(r["number"], r["end_date"], r["status"]) for r in response.json()] == [
        ("1820407", "2019-04-30", "active")
    ]
    annual = call(session_client(manager), "get", "/reports/annual", {"fiscal_year": 2019}).json()
    assert annual[0]["ending_next_fiscal_year"] == 1
    signed_in(client, manager)
    page = client.get(reverse("contracts:report_expiring"), {"within": 30, "as_of": "2019-04-15"})
    assert page.status_code == 200
    assert [row.contract.number for row in page.context["rows"]] == ["1820407"]
    assert b"30 April 2019" in page.content


def test_status_history_says_when_a_contract_starting_later_was_executed(agency, tmp_path, capsys):
    """Issue 18 (seed 000): an import today records a contract starting next month as
    executed, with its start date as the execution date; its status history says it was
    executed from the day of the import (and not before)."""
    path = tmp_path / "later.csv"
    path.write_text(
        US_FILE.splitlines()[0]
        + "\n7777,7777,HUMAN SERVICES,Acme,Human Services Department,Care,1/1/2027,3/31/2027,0,"
        '"5,000.00",0,Acme,1,EXEMPT,Non-Profit\n',
        encoding="utf-8",
    )
    with time_machine.travel("2026-12-01 12:00:00+00:00", tick=False):
        call_command(
            "import-contracts", str(path), "--agency", agency.slug, "--format", "us-open-data"
        )
    rows = report_json(capsys, "expiring", "--as-of", "2026-12-01", "--within", "120")
    assert [(r["number"], r["status"]) for r in rows] == [("7777", "executed")]
    assert report_json(capsys, "expiring", "--as-of", "2026-11-30", "--within", "121") == []
