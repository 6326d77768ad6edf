"""Register imports with real, messy files that arrive over time (issue 18): encodings, title
rows, accounting zeros, ISO timestamps, currencies, duplicates, long titles, joint suppliers,
line breaks, unknown profit status, every problem listed, later files that never undo newer
ones, status left to the workflow, the round trip, and the real Philadelphia file."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from steward.contracts import services
from steward.contracts.exporting import HEADERS, SHEET_TITLE, export_rows
from steward.contracts.importing import import_contracts
from steward.contracts.models import Amendment, Contract, ContractStatus, DueDate
from steward.contracts.tabular import parse_date, parse_money
from steward.core.exports import Sheet, write_csv, write_xlsx
from steward.parties.models import Provider
from steward.testing.factories import AgencyFactory

TODAY = date(2026, 11, 25)
# ../shared/data/philadelphia, next to the repository (never committed)
PHILADELPHIA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "philadelphia"
Q4 = PHILADELPHIA / "FY-2019-Q4.csv"

NATIVE_HEADER = (
    "Number,Title,Description,Provider,Provider Tax ID,Contract Type,Start Date,End Date,"
    "Maximum Obligation,Payments to date,Compensation Structure,Procurement Method\n"
)
US_HEADER = (
    "original_contract_id,current_item_id,department_name,vendor,contract_structure_type,"
    "short_desc,start_dt,end_dt,days_remaining,amt,tot_payments,orig_vendor,exempt_status,"
    "adv_or_exempt,profit_status\n"
)
UK_HEADER = "Reference,Title,Description,Supplier Name,Start Date,End Date,Value\n"


def run(agency, data: str | bytes, *, fmt="native", name="register.csv", today=TODAY, **kw):
    raw = data.encode() if isinstance(data, str) else data
    return import_contracts(
        actor=None,
        agency=agency,
        stream=io.BytesIO(raw),
        filename=name,
        fmt=fmt,
        today=today,
        **kw,
    )


def us_row(number, item, start, end, amount, payments="0", vendor="Acme Care", profit="For Profit"):
    return (
        f'{number},{item},HUMAN SERVICES,"{vendor}",Human Services Department,Care,{start},{end},'
        f'0,"{amount}","{payments}","{vendor}",1,ADVERTISED,{profit}\n'
    )


@pytest.fixture
def uk_agency(packs):
    return AgencyFactory(name="West London Council", slug="wl", pack=packs["west-london-sp"])


# ------------------------------------------------------------------ 1. encoding


def test_windows_1252_after_the_first_4_kb_is_read_not_a_crash(agency):
    """Issue 18 point 1: the whole file decides the encoding, not its first 4 KB."""
    rows = "".join(
        f"N-{i},Family support {i},,Acme Care,06-1,pos,2026-01-01,2026-12-31,100,,"
        "unit_rate,tendered\n"
        for i in range(80)
    )
    late = "N-999,Caf\xe9 and cr\xe8che support,,Acme Care,06-1,pos,2026-01-01,2026-12-31,100,,"
    data = (NATIVE_HEADER + rows).encode() + (late + "unit_rate,tendered\n").encode("cp1252")
    assert len(data) > 4096 and data.index(b"\xe9") > 4096
    report = run(agency, data)
    assert report.ok, report.errors
    assert Contract.objects.get(number="N-999").title == "Café and crèche support"


def test_a_file_neither_utf8_nor_windows_1252_names_the_line(agency):
    """Issue 18 point 1: a clear error naming the line, nothing written (byte 0x81 is text in
    neither encoding)."""
    data = NATIVE_HEADER + "A-1,T,,Acme,06-1,pos,2026-01-01,2026-12-31,1,,unit_rate,tendered\n"
    report = run(agency, data.encode() + b"A-2,Bad \x81 byte,,Acme\n")
    assert not report.ok and Contract.objects.count() == 0
    assert "Line 3" in report.errors[0].reason and "UTF-8" in report.errors[0].reason


def test_late_windows_1252_and_a_bad_byte_through_the_api(manager):
    """Issue 18 point 1: the API imports a file whose Windows-1252 character comes after the
    upload check's first 8 KB (it answered 500), and a byte that is neither encoding is a
    422 naming the line, never a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from steward.core.tests.api_support import call, token_client

    rows = "".join(
        f"N-{i},Family support {i},,Acme Care,06-1,pos,2026-01-01,2026-12-31,100,,"
        "unit_rate,tendered\n"
        for i in range(150)
    ).encode()
    late = "N-999,Caf\xe9,,Acme Care,06-1,pos,2026-01-01,2026-12-31,1,,unit_rate,tendered\n"
    for tail, status in ((late.encode("cp1252"), 200), (b"N-999,Bad \x81 byte,,Acme\n", 422)):
        data = NATIVE_HEADER.encode() + rows + tail
        assert len(data) > 8192
        response = call(
            token_client(manager),
            "post",
            "/contracts/import",
            {
                "background": False,
                "file": SimpleUploadedFile("register.csv", data, content_type="text/csv"),
            },
        )
        assert response.status_code == status, response.content
    assert "Line 152" in response.content.decode()
    assert Contract.objects.get(number="N-999").title == "Café"


def test_windows_1252_in_the_first_line_through_the_api(manager):
    """Issue 18 point 1: a spreadsheet saved as Windows-1252 with an accented name on its
    first row passes the upload check and imports; a byte neither encoding can read early in
    the file is refused with a clear message, never a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from steward.core.tests.api_support import call, token_client

    row = (
        "N-1,Soci\xe9t\xe9 d'aide,,Acme Care,06-1,pos,2026-01-01,2026-12-31,1,,unit_rate,tendered\n"
    )
    response = call(
        token_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": SimpleUploadedFile(
                "register.csv", (NATIVE_HEADER + row).encode("cp1252"), content_type="text/csv"
            ),
        },
    )
    assert response.status_code == 200, response.content
    assert Contract.objects.get(number="N-1").title == "Soci\xe9t\xe9 d'aide"
    bad = NATIVE_HEADER.encode() + b"N-2,Bad \x81 byte,,Acme\n"
    refused = call(
        token_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": SimpleUploadedFile("register.csv", bad, content_type="text/csv"),
        },
    )
    assert refused.status_code == 422
    assert "Windows-1252" in refused.json()["detail"]


# ------------------------------------------------------------------ 4. formats real files use


def test_iso_timestamps_and_accounting_zeros():
    """Issue 18 point 4: open-data timestamps and Excel's accounting dash for zero."""
    assert parse_date("2013-06-30T00:00:00Z", date_order="MDY") == date(2013, 6, 30)
    assert parse_date("2013-06-30T00:00:00.000+01:00", date_order="DMY") == date(2013, 6, 30)
    assert parse_date("2013-06-30 14:05", date_order="MDY") == date(2013, 6, 30)
    for dash in ("-", " $ -   ", "£ -", "–"):
        assert parse_money(dash, currency=None) == Decimal("0.00")


def test_iso_timestamps_and_dashes_in_a_file(agency):
    report = run(
        agency,
        NATIVE_HEADER + "A-1,T,,Acme,06-1,pos,2026-01-01T00:00:00Z,2026-12-31T00:00:00Z,"
        '"$1,000.00"," $ -   ",unit_rate,tendered\n',
    )
    assert report.ok, report.errors
    contract = Contract.objects.get()
    assert (contract.start_date, contract.end_date) == (date(2026, 1, 1), date(2026, 12, 31))
    assert contract.payments_to_date == Decimal("0.00")


def test_xlsx_with_title_rows_above_the_header(uk_agency):
    """Issue 18 point 4: a council's spreadsheet with a title and a date above its header."""
    book = Workbook()
    sheet = book.active
    sheet.append(["West London Council: contracts over £5,000"])
    sheet.append(["Published 1 October 2026"])
    sheet.append([])
    sheet.append(
        [
            "Contract number",
            "Title",
            "Vendor",
            "Validity Period Start",
            "Validity Period End",
            "Original Contract Value",
        ]
    )
    sheet.append(["WL-1", "Day care", "Acme Care Ltd", "01/04/2026", "31/03/2027", "£12,000"])
    out = io.BytesIO()
    book.save(out)
    report = run(uk_agency, out.getvalue(), fmt="uk-transparency", name="register.xlsx")
    assert report.ok, report.errors
    contract = Contract.objects.get(number="WL-1")
    assert contract.maximum_obligation == Decimal("12000.00")
    assert contract.end_date == date(2027, 3, 31)
    assert report.skipped == []


@pytest.mark.parametrize(
    ("number", "provider", "start", "end", "value"),
    [
        (
            "Contract number",
            "Vendor",
            "Validity Period Start",
            "Validity Period End",
            "Original Contract Value",
        ),
        (
            "Contract Id",
            "Supplier Name",
            "Contract Start Date",
            "Contract End Date",
            "Total Contract Value",
        ),
        ("Reference Number", "Name of Supplier", "Start Date", "Expiry Date", "Contract Value"),
    ],
)
def test_uk_transparency_code_header_synonyms(uk_agency, number, provider, start, end, value):
    """Issue 18 point 4: the headers UK councils publish their contracts dataset under."""
    report = run(
        uk_agency,
        f"{number},Title of agreement,{provider},{start},{end},{value}\n"
        "C-9,Home care,Acme Care Ltd,01/04/2026,31/03/2027,5000\n",
        fmt="uk-transparency",
    )
    assert report.ok, report.errors
    assert Contract.objects.get(number="C-9").title == "Home care"


def test_a_reduction_whose_base_item_is_not_in_the_file_is_imported(agency):
    """Issue 18 point 4: a quarterly file may list only a reduction row; the obligation before
    it is at least the reduction (never negative), and a notice says so."""
    report = run(
        agency,
        US_HEADER + us_row("1710001", "171000102", "7/1/2018", "6/30/2019", "(450,000.00)"),
        fmt="us-open-data",
    )
    assert report.ok, report.errors
    contract = Contract.objects.get(number="1710001")
    assert contract.maximum_obligation == Decimal("0.00")
    assert any("at least 450000.00" in n.reason for n in report.notices)


def test_long_titles_are_kept_whole_in_the_description(uk_agency):
    """Issue 18 point 4: a 331-character title no longer blocks the file."""
    title = ("Provision of supported living services for adults with learning disabilities " * 5)[
        :330
    ] + "X"  # 331 characters
    report = run(
        uk_agency,
        UK_HEADER + f'SL-1,"{title}",Scope,Acme Care Ltd,01/04/2026,31/03/2027,5000\n',
        fmt="uk-transparency",
    )
    assert report.ok, report.errors
    contract = Contract.objects.get(number="SL-1")
    assert len(contract.title) <= 250 and contract.title.endswith("…")
    assert contract.description.startswith(title) and "Scope" in contract.description
    assert "331 characters" in report.notices[0].reason


def test_several_suppliers_in_one_cell_are_one_provider_each(uk_agency):
    """Issue 18 point 4: not one composite provider."""
    report = run(
        uk_agency,
        UK_HEADER + 'J-1,Joint venture,,"Acme Care Ltd; Beta Support CIC",01/04/2026,31/03/2027,'
        "5000\n",
        fmt="uk-transparency",
    )
    assert report.ok, report.errors
    assert set(Provider.objects.values_list("legal_name", flat=True)) == {
        "Acme Care Ltd",
        "Beta Support CIC",
    }
    contract = Contract.objects.get(number="J-1")
    assert contract.provider.legal_name == "Acme Care Ltd"
    assert "Joint suppliers: Beta Support CIC" in contract.notes


def test_line_breaks_in_descriptions_are_kept(agency, uk_agency):
    """Issue 18 point 4."""
    run(
        uk_agency,
        UK_HEADER + 'L-1,Title,"First line\nSecond line",Acme,01/04/2026,31/03/2027,5\n',
        fmt="uk-transparency",
    )
    assert Contract.objects.get(number="L-1").description == "First line\nSecond line"
    text = US_HEADER.replace("short_desc", "description") + (
        '77,77,HS,Acme,T,"Care\nand support",7/1/2018,6/30/2019,0,100,0,Acme,1,ADV,For Profit\n'
    )
    assert run(agency, text, fmt="us-open-data").ok
    contract = Contract.objects.get(number="77")
    assert contract.description == "Care\nand support" and contract.title == "Care"


# ------------------------------------------------------------------ 5. no silent changes


@pytest.mark.parametrize(
    ("fmt", "cell", "named"),
    [
        ("uk", "$1,000", "USD"),
        ("uk", "€500", "EUR"),
        ("us", "£1,000", "GBP"),
        ("us", "GBP 99", "GBP"),
    ],
)
def test_an_amount_in_another_currency_is_refused_not_stripped(agency, uk_agency, fmt, cell, named):
    """Issue 18 point 5: '€500' is not 500 pounds."""
    if fmt == "uk":
        report = run(
            uk_agency,
            UK_HEADER + f'X-1,T,,Acme,01/04/2026,31/03/2027,"{cell}"\n',
            fmt="uk-transparency",
        )
    else:
        report = run(
            agency,
            NATIVE_HEADER
            + f'X-1,T,,Acme,06-1,pos,2026-01-01,2026-12-31,"{cell}",,unit_rate,tendered\n',
        )
    assert not report.ok and Contract.objects.count() == 0
    assert named in report.errors[0].reason and report.errors[0].line == 2


def test_the_agencys_own_currency_is_read(uk_agency):
    report = run(
        uk_agency,
        UK_HEADER + 'X-1,T,,Acme,01/04/2026,31/03/2027,"£1,000"\n',
        fmt="uk-transparency",
    )
    assert report.ok and Contract.objects.get().maximum_obligation == Decimal("1000.00")


def test_the_same_item_twice_with_different_amounts_is_reported(agency):
    """Issue 18 point 5: not resolved by keeping the first row."""
    report = run(
        agency,
        US_HEADER
        + us_row("88", "8801", "7/1/2018", "6/30/2019", "100")
        + us_row("88", "88", "7/1/2017", "6/30/2018", "500")
        + us_row("88", "8801", "7/1/2018", "6/30/2019", "300"),
        fmt="us-open-data",
    )
    assert not report.ok and Contract.objects.count() == 0
    assert "also on line 2" in report.errors[0].reason and report.errors[0].line == 4


def test_unknown_profit_status_stays_unknown(agency):
    """Issue 18 point 5."""
    report = run(
        agency,
        US_HEADER
        + us_row("1", "1", "7/1/2018", "6/30/2019", "100", vendor="A Inc", profit="Unknown")
        + us_row("2", "2", "7/1/2018", "6/30/2019", "100", vendor="B Inc", profit="Non-Profit")
        + us_row("3", "3", "7/1/2018", "6/30/2019", "100", vendor="C Inc", profit="For Profit"),
        fmt="us-open-data",
    )
    assert report.ok, report.errors
    profit = dict(Provider.objects.values_list("legal_name", "for_profit"))
    assert profit == {"A Inc": None, "B Inc": False, "C Inc": True}


def test_imported_n_rows_counts_only_the_rows_taken(agency):
    """Issue 18 point 5: with --skip-invalid the rejected rows are not counted as imported."""
    report = run(
        agency,
        NATIVE_HEADER
        + "A-1,T,,Acme,06-1,pos,2026-01-01,2026-12-31,100,,unit_rate,tendered\n"
        + "A-2,T,,Acme,06-1,pos,2026-01-01,2026-12-31,lots,,unit_rate,tendered\n"
        + "A-3,T,,Acme,06-1,pos,2026-01-01,2026-12-31,100,,unit_rate,tendered\n",
        skip_invalid=True,
    )
    assert report.written and report.rows_read == 3 and report.rows_taken == 2
    assert "imported 2 rows" in report.summary()


def test_every_problem_is_in_the_downloadable_report(agency, tmp_path):
    """Issue 18 point 5: all 250 problems, not the first 200 (the command writes them all)."""
    bad = "".join(
        f"B-{i},T,,Acme,06-1,pos,2026-01-01,2026-12-31,lots,,unit_rate,tendered\n"
        for i in range(250)
    )
    report = run(agency, NATIVE_HEADER + bad)
    assert len(report.errors) == 250
    listed = list(csv.DictReader(io.StringIO(report.problems_csv())))
    assert len(listed) == 250 and listed[-1]["line"] == "251"
    path = tmp_path / "register.csv"
    path.write_text(NATIVE_HEADER + bad)
    with pytest.raises(CommandError):
        call_command("import-contracts", str(path), "--agency", agency.slug)
    written = list(csv.DictReader((tmp_path / "register.problems.csv").open()))
    assert len(written) == 250


def test_payments_above_the_obligation_are_flagged(agency, client, manager):
    """Issue 18 point 5: in the report and on the contract's page."""
    from django.urls import reverse

    from steward.tests.pages import signed_in

    report = run(
        agency,
        US_HEADER + us_row("5", "5", "7/1/2026", "6/30/2027", "100", payments="250"),
        fmt="us-open-data",
    )
    assert report.ok, report.errors
    flagged = [n for n in report.notices if n.column == "payments to date"]
    assert len(flagged) == 1 and flagged[0].number == "5"
    contract = Contract.objects.get(number="5")
    assert contract.payments_exceed_obligation
    signed_in(client, manager)
    page = client.get(reverse("contracts:detail", args=[contract.pk]))
    assert b"Above the maximum obligation" in page.content


# ------------------------------------------------------------------ 2. files that arrive over time

Q3_FILE = (
    US_HEADER
    + us_row("1620378", "1620378", "7/1/2016", "6/30/2017", "4,000,000.00", payments="1,000")
    + us_row("1620378", "162037801", "7/1/2017", "6/30/2018", "422,500.00", payments="2,000")
    + us_row("1720001", "1720001", "7/1/2017", "6/30/2018", "500,000.00", payments="100")
)
# Q4 lists only the items live in Q4: 1620378's original term is gone, a time-only renewal is
# new; 1720001 gets a reduction
Q4_FILE = (
    US_HEADER
    + us_row("1620378", "162037801", "7/1/2017", "6/30/2018", "422,500.00", payments="3,000")
    + us_row("1620378", "162037802", "7/1/2018", "6/30/2027", "0.00", payments="3,000")
    + us_row("1720001", "172000101", "7/1/2018", "6/30/2019", "(50,000.00)", payments="200")
)


def _state():
    return {
        c.number: (c.start_date, c.end_date, c.maximum_obligation, c.payments_to_date)
        for c in Contract.objects.all()
    }


def _amendments():
    return set(
        Amendment.objects.values_list(
            "contract__number",
            "reference",
            "previous_maximum_obligation",
            "new_maximum_obligation",
            "new_end_date",
        )
    )


def test_a_later_quarter_adds_to_the_register_and_never_loses_history(agency):
    """Issue 18 point 2: Q3 then Q4. No obligation goes down for an item no longer listed,
    no start date moves later, the new renewal is an amendment naming its file, and the
    expired contract it renews is active again (through the contract services)."""
    assert run(agency, Q3_FILE, fmt="us-open-data", name="Q3.csv").ok
    renewed = Contract.objects.get(number="1620378")
    assert renewed.status == ContractStatus.EXPIRED
    assert renewed.maximum_obligation == Decimal("4422500.00")
    q3_amendments = _amendments()

    report = run(agency, Q4_FILE, fmt="us-open-data", name="Q4.csv")
    assert report.ok, report.errors
    renewed.refresh_from_db()
    assert renewed.start_date == date(2016, 7, 1)  # not moved to Q4's first listed term
    assert renewed.maximum_obligation == Decimal("4422500.00")  # not $0 or $422,500
    assert renewed.end_date == date(2027, 6, 30)
    assert renewed.payments_to_date == Decimal("6000.00")  # Q4's, summed over its items
    renewal = renewed.amendments.get(reference="162037802")
    assert renewal.kind == "renewal" and "Q4.csv" in renewal.reason
    assert renewed.status == ContractStatus.ACTIVE and report.reopened == 1
    assert renewed.history.first().history_change_reason == "Renewed in Q4.csv: running again"
    reduced = Contract.objects.get(number="1720001")
    assert reduced.maximum_obligation == Decimal("450000.00")
    assert reduced.start_date == date(2017, 7, 1)
    assert q3_amendments <= _amendments()  # every amendment is still there, unchanged


def test_an_older_file_never_undoes_a_newer_one(agency):
    """Issue 18 point 2: re-importing Q3 after Q4 reverts nothing and says why."""
    run(agency, Q3_FILE, fmt="us-open-data", name="Q3.csv")
    run(agency, Q4_FILE, fmt="us-open-data", name="Q4.csv")
    before, amendments = _state(), _amendments()
    again = run(agency, Q3_FILE, fmt="us-open-data", name="Q3.csv")
    assert again.ok, again.errors
    assert (again.created, again.updated, again.amendments_created) == (0, 0, 0)
    assert _state() == before and _amendments() == amendments
    assert any("older" in n.reason for n in again.notices)
    # and the newer file again changes nothing either
    last = run(agency, Q4_FILE, fmt="us-open-data", name="Q4.csv")
    assert (last.updated, last.amendments_created) == (0, 0) and _state() == before


def test_a_recorded_item_with_another_amount_is_a_notice_not_a_change(agency):
    run(agency, Q3_FILE, fmt="us-open-data", name="Q3.csv")
    changed = Q3_FILE.replace('"422,500.00"', '"400,000.00"')
    report = run(agency, changed, fmt="us-open-data", name="Q3-revised.csv")
    assert report.ok and report.updated == 0
    assert Contract.objects.get(number="1620378").maximum_obligation == Decimal("4422500.00")
    assert any("kept as recorded" in n.reason for n in report.notices)


def test_native_changes_of_term_are_amendments_naming_the_file(agency):
    """Issue 18 point 2: each change is an amendment or an audited change with its file."""
    row = "A-1,T,,Acme,06-1,pos,2026-01-01,{end},{amount},,unit_rate,tendered\n"
    run(agency, NATIVE_HEADER + row.format(end="2026-12-31", amount="100"), name="v1.csv")
    report = run(agency, NATIVE_HEADER + row.format(end="2027-06-30", amount="80"), name="v2.csv")
    assert report.ok and report.updated == 1
    amendment = Amendment.objects.get()
    assert "v2.csv" in amendment.reason
    assert (amendment.previous_maximum_obligation, amendment.new_maximum_obligation) == (
        Decimal("100.00"),
        Decimal("80.00"),
    )
    assert any("lowers the obligation" in n.reason for n in report.notices)
    contract = Contract.objects.get()
    assert contract.history.first().history_change_reason == "Imported from v2.csv"


def test_a_renewal_in_a_native_file_reopens_an_expired_contract(agency):
    """Issue 18 point 2: expired by the daily job (closeout due), renewed by a later file:
    active again, the closeout no longer due."""
    row = "A-1,T,,Acme,06-1,pos,2026-01-01,{end},100,,unit_rate,tendered\n"
    run(agency, NATIVE_HEADER + row.format(end="2026-06-30"), today=date(2026, 3, 1))
    services.contracts_expire_due(today=TODAY)
    contract = Contract.objects.get()
    assert contract.status == ContractStatus.EXPIRED
    report = run(agency, NATIVE_HEADER + row.format(end="2027-06-30"), name="renewed.csv")
    assert report.ok and report.reopened == 1
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    closeout = DueDate.objects.get(contract=contract, kind="closeout_evaluation")
    assert closeout.status == "cancelled"


# ------------------------------------------------------------------ 3. status


def test_reimporting_a_native_file_never_overwrites_the_status(agency, manager):
    """Issue 18 point 3: a terminated contract stays terminated; the import reports the
    difference instead."""
    text = NATIVE_HEADER.replace("\n", ",Status,Executed on\n") + (
        "A-1,T,,Acme,06-1,pos,2026-01-01,2026-12-31,100,,unit_rate,tendered,active,2025-12-01\n"
    )
    assert run(agency, text).ok
    contract = Contract.objects.get()
    contract.contract_manager = manager
    services.contract_terminate(
        actor=manager, contract=contract, terminated_on=date(2026, 9, 1), reason="Closed"
    )
    report = run(agency, text, name="again.csv")
    assert report.ok and report.updated == 0
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert contract.terminated_on == date(2026, 9, 1) and contract.termination_reason == "Closed"
    (notice,) = report.notices
    assert notice.column == "status" and "terminated in Steward" in notice.reason


# ------------------------------------------------------------------ 8. round trip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_register_reimports_with_no_change(agency, fmt):
    """Issue 18 point 8: export in the native template, import into the same register:
    nothing changes, nothing to report."""
    text = NATIVE_HEADER.replace("\n", ",Status,Executed on,Notes,Provider for profit\n") + (
        'A-1,"=Title","Line one\nline two",Acme,06-1,pos,2026-01-01,2026-12-31,"1,000.50",'
        "12.5,unit_rate,tendered,active,2025-12-01,A note,\n"
        "A-2,T2,,Beta,07-1,psa,2027-01-01,2027-12-31,100,,fixed_price,sole_source,executed,"
        "2026-11-01,,yes\n"
    )
    assert run(agency, text).ok
    rows = list(export_rows(Contract.objects.filter(agency=agency)))
    if fmt == "csv":
        out = io.StringIO()
        write_csv(HEADERS, rows, out)
        data: bytes = out.getvalue().encode()
    else:
        binary = io.BytesIO()
        write_xlsx([Sheet(SHEET_TITLE, HEADERS, rows)], binary)
        data = binary.getvalue()
    before = _state()
    report = run(agency, data, name=f"export.{fmt}")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.notices == [] and _state() == before
    assert Provider.objects.get(legal_name="Acme").for_profit is None


# ------------------------------------------------------------------ the real Philadelphia file


def _previous_quarter(q4: Path) -> str:
    """A hand-made "previous quarter" derived from the real FY2019 Q4 file: each contract's
    newest item is not yet there (it is new in Q4), and a contract whose Q4 rows lack its
    original term had that term listed (a year before its first Q4 item, with its amount)."""
    with q4.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        fields = reader.fieldnames
        rows = list(reader)
    by_number: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_number.setdefault(row["original_contract_id"], []).append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for number, items in by_number.items():
        references = sorted({r["current_item_id"] for r in items}, key=lambda r: (len(r), r))
        newest = references[-1] if len(references) > 1 else None
        if number not in references:
            first = min(items, key=lambda r: (len(r["current_item_id"]), r["current_item_id"]))
            start = parse_date(first["start_dt"], date_order="MDY")
            base = dict(first)
            base.update(
                current_item_id=number,
                start_dt=f"{start.month}/{start.day}/{start.year - 1}",
                end_dt=f"{start.month}/{start.day}/{start.year}",
                amt="1,000,000.00",
            )
            writer.writerow(base)
        for row in items:
            if row["current_item_id"] != newest:
                writer.writerow(row)
    return out.getvalue()


@pytest.mark.skipif(
    not Q4.exists(),
    reason="../shared/data/philadelphia/FY-2019-Q4.csv is absent (real data, never committed)",
)
def test_philadelphia_q4_after_its_previous_quarter_loses_nothing(agency):
    """Issue 18 done-when: the real FY2019 Q4 file imported after a hand-made previous
    quarter derived from it: no obligation, start date or amendment is lost; Q4's new items
    are amendments; re-importing the previous quarter afterwards reverts nothing."""
    previous = _previous_quarter(Q4)
    first = run(agency, previous, fmt="us-open-data", name="FY-2019-Q3-derived.csv")
    assert first.ok, first.errors[:5]
    before, amendments = _state(), _amendments()
    obligations_before = {n: s[2] for n, s in before.items()}
    with Q4.open("rb") as stream:
        report = import_contracts(
            actor=None,
            agency=agency,
            stream=stream,
            filename="FY-2019-Q4.csv",
            fmt="us-open-data",
            today=TODAY,
        )
    assert report.ok, report.errors[:5]
    after = _state()
    assert report.amendments_created > 0
    added: dict[str, Decimal] = {}
    for amendment in Amendment.objects.filter(reason__contains="(FY-2019-Q4.csv)").select_related(
        "contract"
    ):
        added[amendment.contract.number] = (
            added.get(amendment.contract.number, Decimal("0")) + amendment.obligation_change
        )
    for number, (start, end, obligation, _) in before.items():
        new_start, new_end, new_obligation, _ = after[number]
        assert new_start == start, number
        assert new_end >= end, number
        assert new_obligation == obligations_before[number] + added.get(number, 0), number
    assert amendments <= _amendments()
    # contracts only in Q4 were created; the previous quarter again changes nothing
    snapshot, all_amendments = _state(), _amendments()
    again = run(agency, previous, fmt="us-open-data", name="FY-2019-Q3-derived.csv")
    assert again.ok and (again.updated, again.amendments_created) == (0, 0)
    assert _state() == snapshot and _amendments() == all_amendments
    paid_above = [n for n in report.notices if n.column == "payments to date"]
    assert paid_above  # the real file has payments above the contract amount


# ------------------------------------------------------------------ the page and the API


def test_upload_page_offers_every_problem_as_a_download(
    client, manager, make_user, settings, tmp_path
):
    """Issue 18 point 5 (and 20): the check's job page lists problems and links to all of
    them as CSV; the download is its owner's only."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from steward.parties.models import Role
    from steward.tests.pages import signed_in

    settings.MEDIA_ROOT = tmp_path / "media"
    bad = "".join(
        f"B-{i},T,,Acme,06-1,pos,2026-01-01,2026-12-31,lots,,unit_rate,tendered\n"
        for i in range(600)
    )
    upload = SimpleUploadedFile(
        "register.csv", (NATIVE_HEADER + bad).encode(), content_type="text/csv"
    )
    signed_in(client, manager)
    response = client.post(
        reverse("contracts:import"), {"file": upload, "format": "native"}, follow=True
    )
    assert response.status_code == 200
    job = response.context["job"]
    url = reverse("core:job_report", args=[job.pk])
    assert url.encode() in response.content
    download = client.get(url)
    assert download.status_code == 200
    content = b"".join(download.streaming_content) if download.streaming else download.content
    assert len(list(csv.DictReader(io.StringIO(content.decode())))) == 600
    other = make_user(Role.CONTRACT_MANAGER, username="other-manager")
    client.logout()
    signed_in(client, other)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # sign in first


def test_api_answer_has_notices_and_the_problems_csv(manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from steward.core.tests.api_support import call, token_client

    data = US_HEADER + us_row("5", "5", "7/1/2026", "6/30/2027", "100", payments="250")
    response = call(
        token_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": SimpleUploadedFile("q.csv", data.encode(), content_type="text/csv"),
            "format": "us-open-data",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rows_taken"] == 1 and body["notices"][0]["column"] == "payments to date"
    assert "payments to date" in body["problems_csv"]


def test_a_new_item_that_changes_neither_term_nor_amount_is_still_recorded(agency):
    """Issue 18 point 2: a $0 item inside the term is history too (an amendment)."""
    run(agency, US_HEADER + us_row("9", "9", "7/1/2026", "6/30/2028", "100"), fmt="us-open-data")
    report = run(
        agency, US_HEADER + us_row("9", "901", "7/1/2027", "6/30/2028", "0"), fmt="us-open-data"
    )
    assert report.ok and report.amendments_created == 1
    assert Amendment.objects.get().reference == "901"
    again = run(
        agency, US_HEADER + us_row("9", "901", "7/1/2027", "6/30/2028", "0"), fmt="us-open-data"
    )
    assert (again.updated, again.amendments_created, again.unchanged) == (0, 0, 1)
