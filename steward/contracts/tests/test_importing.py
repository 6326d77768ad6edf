"""The contract register import (issue 3; seeds 000 and 003): formats, messy cells, all or
nothing, re-import, skip-invalid, the real Philadelphia file."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from steward.contracts.importing import import_contracts
from steward.contracts.models import Amendment, Contract, ContractStatus
from steward.parties.models import Provider
from steward.testing.factories import AgencyFactory, ProviderFactory

TODAY = date(2026, 11, 25)
PHILADELPHIA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "philadelphia"

NATIVE_HEADER = (
    "Number,Title,Provider,Provider Tax ID,Contract Type,Start Date,End Date,"
    "Maximum Obligation,Compensation Structure,Procurement Method\n"
)


def run(agency, text: str | bytes, *, fmt="native", name="register.csv", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    return import_contracts(
        actor=None,
        agency=agency,
        stream=io.BytesIO(data),
        filename=name,
        fmt=fmt,
        today=TODAY,
        **kwargs,
    )


@pytest.fixture
def uk_agency(packs):
    return AgencyFactory(name="West London Council", slug="wl", pack=packs["west-london-sp"])


def test_native_file_imports_every_row(agency):
    """Issue 3: the native template, header names in any case and spacing."""
    report = run(
        agency,
        " NUMBER , title ,provider,provider_tax_id,Contract-Type,Start  Date,END DATE,"
        "maximum obligation,compensation structure,procurement method\n"
        "DCF-1,Family support,Acme Care Inc,06-1,POS,2026-01-01,12/31/2026,"
        '"$1,250,000.00",unit rate,tendered\n'
        "\n"
        "DCF-2,Respite,Acme Care Inc,06-1,psa,07/01/2026,2027-06-30,5000,Fixed price,sole_source\n",
    )
    assert report.ok, report.errors
    assert (report.created, report.rows_read) == (2, 2)
    first = Contract.objects.get(agency=agency, number="DCF-1")
    assert first.maximum_obligation == Decimal("1250000.00")
    assert first.end_date == date(2026, 12, 31)
    assert first.contract_type == "pos" and first.compensation_structure == "unit_rate"
    assert first.status == ContractStatus.ACTIVE and first.executed_on == first.start_date
    assert Provider.objects.filter(tax_id="06-1").count() == 1  # matched, not created twice
    assert report.providers_created == ["Acme Care Inc"]
    assert first.history.first().history_change_reason == "Imported from register.csv"


@pytest.mark.parametrize(
    ("cell", "order", "expected"),
    [
        ("2026-03-04", "MDY", date(2026, 3, 4)),
        ("03/04/2026", "MDY", date(2026, 3, 4)),
        ("03/04/2026", "DMY", date(2026, 4, 3)),
        ("3/4/26", "MDY", date(2026, 3, 4)),
        ("46085", "MDY", date(2026, 3, 4)),  # an Excel serial date in a CSV
        ("2026-03-04 00:00:00", "DMY", date(2026, 3, 4)),
    ],
)
def test_date_forms(cell, order, expected):
    """Issue 3: dates in ISO, US and UK (by the agency's pack) forms and Excel serials."""
    from steward.contracts.tabular import parse_date

    assert parse_date(cell, date_order=order) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("$1,234.56", Decimal("1234.56")),
        ("£1,234", Decimal("1234.00")),
        ("1234.565", Decimal("1234.57")),
        ("(1,000.00)", Decimal("-1000.00")),
        ("-250", Decimal("-250.00")),
        ("USD 99", Decimal("99.00")),
        ("12,34", None),
        ("ten", None),
    ],
)
def test_money_forms(cell, expected):
    """Issue 3: money with currency signs, thousands separators and accountants' brackets."""
    from steward.contracts.tabular import CellError, parse_money

    if expected is None:
        with pytest.raises(CellError):
            parse_money(cell, allow_negative=True)
    else:
        assert parse_money(cell, allow_negative=True) == expected


def test_negative_amount_refused_where_it_cannot_be(agency):
    from steward.contracts.tabular import CellError, parse_money

    with pytest.raises(CellError, match="negative"):
        parse_money("-5")


def test_a_bad_row_imports_nothing_and_every_bad_row_is_reported(agency):
    """Issue 3: all or nothing; each bad row with its line number, column and reason."""
    report = run(
        agency,
        NATIVE_HEADER
        + "DCF-1,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-2,Bad date,Acme,06-1,pos,2026-13-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-3,Bad money,Acme,06-1,pos,2026-01-01,2026-12-31,lots,unit_rate,tendered\n"
        + "DCF-4,Ends early,Acme,06-1,pos,2026-06-01,2026-01-01,100,unit_rate,tendered\n"
        + "DCF-1,Twice,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + ",No number,Acme,06-1,nonsense,2026-01-01,2026-12-31,100,unit_rate,tendered\n",
    )
    assert not report.ok and not report.written
    assert Contract.objects.count() == 0 and Provider.objects.count() == 0
    found = {(e.line, e.column) for e in report.errors}
    assert (3, "start date") in found
    assert (4, "maximum obligation") in found
    assert (5, "end date") in found
    assert (6, "number") in found  # the duplicate
    assert (7, "number") in found and (7, "contract type") in found
    messages = " | ".join(str(e) for e in report.errors)
    assert "'lots' is not an amount of money" in messages
    assert "contract DCF-1 is also on line 2" in messages
    assert "nothing was imported" in report.summary()


def test_missing_required_column_is_reported_on_the_header(agency):
    report = run(agency, "Number,Title\nX,Y\n")
    assert not report.ok
    assert any(e.line == 1 and e.column == "provider" for e in report.errors)


def test_reimporting_the_same_file_changes_nothing(agency):
    """Issue 3: upsert on agency + contract number; the second run writes nothing."""
    text = NATIVE_HEADER + "DCF-1,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
    run(agency, text)
    history = Contract.history.count()
    report = run(agency, text)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Contract.history.count() == history
    changed = text.replace(",100,", ",150,")
    report = run(agency, changed)
    assert report.updated == 1
    assert Contract.objects.get().maximum_obligation == Decimal("150.00")


def test_dry_run_validates_and_writes_nothing(agency):
    text = NATIVE_HEADER + "DCF-1,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
    report = run(agency, text, dry_run=True)
    assert report.ok and report.created == 1 and not report.written
    assert Contract.objects.count() == 0 and Provider.objects.count() == 0


def test_skip_invalid_imports_the_good_rows_and_returns_the_rejected(agency):
    """Issue 3: --skip-invalid writes the rejected rows with their reasons to fix and
    re-import."""
    text = (
        NATIVE_HEADER
        + "DCF-1,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-2,Bad,Acme,06-1,pos,2026-01-01,2026-12-31,lots,unit_rate,tendered\n"
    )
    report = run(agency, text, skip_invalid=True)
    assert report.written and not report.ok
    assert list(Contract.objects.values_list("number", flat=True)) == ["DCF-1"]
    rejected = report.rejected_csv()
    assert "DCF-2" in rejected and "'lots' is not an amount of money" in rejected
    assert "DCF-1" not in rejected


def test_blank_lines_and_totals_row_are_skipped(agency):
    text = (
        NATIVE_HEADER
        + "DCF-1,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + ",,,,,,,,,\n\n"
        + 'Total,,,,,,,"100.00",,\n'
    )
    report = run(agency, text)
    assert report.ok, report.errors
    assert report.created == 1 and report.skipped == [(5, "a totals row")]


def test_providers_matched_by_identifier_then_normalised_name(agency):
    """Issue 3: providers matched by identifier, else by normalised name; new ones reported."""
    by_id = ProviderFactory(legal_name="Something Else Ltd", tax_id="06-9")
    by_name = ProviderFactory(legal_name="Harbor Youth Alliance, Inc.", tax_id="")
    text = (
        NATIVE_HEADER
        + "A-1,One,Acme Renamed,06-9,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "A-2,Two,HARBOR YOUTH ALLIANCE INC,,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "A-3,Three,Brand New Org,,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
    )
    report = run(agency, text)
    assert report.ok, report.errors
    assert Contract.objects.get(number="A-1").provider == by_id
    assert Contract.objects.get(number="A-2").provider == by_name
    assert report.providers_created == ["Brand New Org"]


def test_same_name_with_another_identifier_is_another_provider(agency):
    existing = ProviderFactory(legal_name="Community Partners", tax_id="11-1111111")
    report = run(
        agency,
        NATIVE_HEADER
        + "A-1,One,Community Partners,22-2222222,pos,2026-01-01,2026-12-31,1,unit_rate,tendered\n",
    )
    assert report.ok, report.errors
    assert Contract.objects.get().provider != existing
    assert report.providers_created == ["Community Partners"]


def test_xlsx_with_real_dates_and_serials(agency):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Number",
            "Title",
            "Provider",
            "Contract type",
            "Start date",
            "End date",
            "Maximum obligation",
            "Compensation structure",
            "Procurement method",
        ]
    )
    sheet.append(
        [
            "X-1",
            "From Excel",
            "Acme",
            "POS",
            date(2026, 1, 1),
            46387,
            1234.5,
            "unit_rate",
            "tendered",
        ]
    )
    sheet.append([None] * 9)
    out = io.BytesIO()
    workbook.save(out)
    report = run(agency, out.getvalue(), name="register.xlsx")
    assert report.ok, report.errors
    contract = Contract.objects.get(number="X-1")
    assert contract.end_date == date(2026, 12, 31)
    assert contract.maximum_obligation == Decimal("1234.50")


def test_uk_transparency_register_in_dmy_with_notes(uk_agency):
    """Issue 3: the Local Government Transparency Code columns; DD/MM/YYYY by the agency's
    pack (west-london-sp: DMY); review date, SME/VCSE flags kept as notes."""
    text = (
        "Reference,Title,Description,Supplier Name,Company Number,Charity Number,Department,"
        "Start Date,End Date,Review Date,Value,SME,VCSE,Procurement Type,Ward\n"
        "WL-001,Supported living,Supported living for adults,Care Partners Ltd,01234567,,"
        'Adult Social Care,01/04/2026,31/03/2027,01/10/2026,"£250,000",Yes,No,Open,North\n'
    )
    report = run(uk_agency, text, fmt="uk-transparency")
    assert report.ok, report.errors
    contract = Contract.objects.get(number="WL-001")
    assert (contract.start_date, contract.end_date) == (date(2026, 4, 1), date(2027, 3, 31))
    assert contract.department == "Adult Social Care"
    assert contract.maximum_obligation == Decimal("250000.00")
    assert contract.procurement_method == "tendered"
    assert contract.currency == "GBP"
    assert contract.provider.company_number == "01234567"
    for note in ("Review date: 2026-10-01", "SME: yes", "VCSE: no", "ward: North"):
        assert note in contract.notes


US_HEADER = (
    "original_contract_id,current_item_id,department_name,vendor,contract_structure_type,"
    "short_desc,start_dt,end_dt,days_remaining,amt,tot_payments,orig_vendor,exempt_status,"
    "adv_or_exempt,profit_status\n"
)


def test_us_open_data_items_are_renewals_of_one_contract(agency):
    """Issue 3: rows of one original contract id are one contract, the suffixed items its
    renewals/amendments; $0 is a time-only renewal, a negative amount a reduction; payments
    to date kept; the department column is kept."""
    text = (
        US_HEADER
        + '1820407,1820407,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
        '5/1/2018,4/30/2019,0,"45,000.00",100,"Granicus, Inc.",1,ADVERTISED,For Profit\n'
        + "9999,9999,HUMAN SERVICES,Acme,Human Services Department,Care,7/1/2018,6/30/2019,0,"
        '"10,000.00","2,000.00",Acme,1,EXEMPT,Non-Profit\n'
        + '1820407,182040701,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
        '5/1/2019,4/30/2020,304,"32,000.00",0,"Granicus, Inc.",1,ADVERTISED,For Profit\n'
        + '1820407,182040702,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
        '5/1/2020,4/30/2021,0,0,"5,000.00","Granicus, Inc.",1,ADVERTISED,For Profit\n'
        + '1820407,182040703,CITY COUNCIL,"Granicus, Inc.",Computer Svcs,legislative tracking,'
        '5/1/2020,4/30/2021,0,"-7,000.00",0,"Granicus, Inc.",1,ADVERTISED,For Profit\n'
    )
    report = run(agency, text, fmt="us-open-data")
    assert report.ok, report.errors
    contract = Contract.objects.get(number="1820407")
    assert contract.department == "CITY COUNCIL"
    assert (contract.start_date, contract.end_date) == (date(2018, 5, 1), date(2021, 4, 30))
    assert contract.maximum_obligation == Decimal("70000.00")  # 45,000 + 32,000 + 0 − 7,000
    assert contract.payments_to_date == Decimal("5100.00")
    assert contract.procurement_method == "tendered" and contract.provider.for_profit
    amendments = list(Amendment.objects.filter(contract=contract).order_by("sequence"))
    assert [a.reference for a in amendments] == ["182040701", "182040702", "182040703"]
    assert [a.new_maximum_obligation for a in amendments] == [
        Decimal("77000.00"),
        Decimal("77000.00"),
        Decimal("70000.00"),
    ]
    assert amendments[1].kind == "renewal" and "time only" in amendments[1].reason
    assert "a reduction" in amendments[2].reason
    other = Contract.objects.get(number="9999")
    assert other.procurement_method == "other" and not other.provider.for_profit
    # re-import: nothing changes
    again = run(agency, text, fmt="us-open-data")
    assert (again.created, again.updated, again.amendments_created) == (0, 0, 0)
    assert again.unchanged == 2


def test_us_open_data_negative_total_is_refused(agency):
    text = (
        US_HEADER
        + "77,77,D,Acme,T,x,7/1/2018,6/30/2019,0,100,0,Acme,1,ADVERTISED,For Profit\n"
        + "77,7701,D,Acme,T,x,7/1/2019,6/30/2020,0,-500,0,Acme,1,ADVERTISED,For Profit\n"
    )
    report = run(agency, text, fmt="us-open-data")
    assert not report.ok and Contract.objects.count() == 0
    assert "cannot be negative" in str(report.errors[0])


@pytest.mark.skipif(
    not (PHILADELPHIA / "FY-2019-Q4.csv").exists(),
    reason="../shared/data/philadelphia is absent (the real file is not committed here)",
)
def test_philadelphia_fy2019_q4_imports_as_us_open_data(agency):
    """Issue 3: the City of Philadelphia's real FY2019 Q4 professional-services register:
    1,974 rows, 1,894 contracts, 79 of them with more than one item."""
    with (PHILADELPHIA / "FY-2019-Q4.csv").open("rb") as stream:
        report = import_contracts(
            actor=None,
            agency=agency,
            stream=stream,
            filename="FY-2019-Q4.csv",
            fmt="us-open-data",
            today=TODAY,
        )
    assert report.ok, report.errors[:5]
    assert report.rows_read == 1974
    assert report.created == Contract.objects.filter(agency=agency).count() == 1894
    granicus = Contract.objects.get(agency=agency, number="1820407")
    assert granicus.maximum_obligation == Decimal("77000.00")
    assert granicus.end_date == date(2020, 4, 30)
    assert granicus.amendments.get().reference == "182040701"
    assert Contract.objects.filter(agency=agency, department="HUMAN SERVICES").exists()
    # re-importing the real file changes nothing
    with (PHILADELPHIA / "FY-2019-Q4.csv").open("rb") as stream:
        again = import_contracts(
            actor=None,
            agency=agency,
            stream=stream,
            filename="FY-2019-Q4.csv",
            fmt="us-open-data",
            today=TODAY,
        )
    assert (again.created, again.updated, again.amendments_created) == (0, 0, 0)


def test_us_open_data_item_listed_twice_keeps_the_total_to_date(agency):
    """Philadelphia lists some items twice: the total to date (wider term) and the current
    year inside it; the wider row is used and the choice is noted."""
    text = (
        US_HEADER + "1820143,182014304,HS,Op Co LP,T,Placement,7/1/2017,6/30/2019,0,"
        '"921,687.00","756,954.40",Op Co LP,1,ADVERTISED,For Profit\n'
        + "1820143,182014304,HS,Op Co LP,T,Placement,7/1/2018,6/30/2019,0,"
        '"488,221.00","337,395.10",Op Co LP,1,ADVERTISED,For Profit\n'
    )
    report = run(agency, text, fmt="us-open-data")
    assert report.ok, report.errors
    contract = Contract.objects.get(number="1820143")
    assert contract.maximum_obligation == Decimal("921687.00")
    assert contract.payments_to_date == Decimal("756954.40")
    assert "listed twice: the row for 2017-07-01 to 2019-06-30" in contract.notes


def test_cells_too_long_or_too_large_are_row_errors_not_database_errors(agency):
    """Every cell is checked as it is read, so the database never refuses a row."""
    long_name = "x" * 251
    report = run(
        agency,
        NATIVE_HEADER
        + f"A-1,T,{long_name},06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "A-2,T,Acme,06-1,pos,2026-01-01,2026-12-31,1000000000000,unit_rate,tendered\n",
    )
    assert not report.ok and Contract.objects.count() == 0
    reasons = {(e.line, e.column): e.reason for e in report.errors}
    assert reasons[(2, "provider")] == "is 251 characters long; at most 250"
    assert "too large" in reasons[(3, "maximum obligation")]


@pytest.mark.parametrize("chunk_size", [1, 2, 1000])  # one row a batch, across batches, one
def test_every_bad_row_is_reported_whatever_the_batches(agency, chunk_size):
    """Issue 20 §7: rows are read while the database writes the batch before; every batch's
    problems still reach the report (each batch's after the batches before it), a date text
    read twice (cached) is refused twice, and nothing is written."""
    body = (
        NATIVE_HEADER
        + "DCF-1,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-2,Bad date,Acme,06-1,pos,2026-13-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-3,Good,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-1,Twice,Acme,06-1,pos,2026-01-01,2026-12-31,100,unit_rate,tendered\n"
        + "DCF-5,Bad date again,Acme,06-1,pos,2026-13-01,2026-12-31,100,unit_rate,tendered\n"
        + "Total,,,,,,,300,,\n"
    )
    report = run(agency, body, chunk_size=chunk_size)
    assert not report.written and Contract.objects.count() == 0
    assert sorted((e.line, e.column) for e in report.errors) == [
        (3, "start date"),
        (5, "number"),
        (6, "start date"),
    ]
    dates = [e.reason for e in report.errors if e.column == "start date"]
    assert dates == ["'2026-13-01' is not a date"] * 2
    assert sorted(row.line for row, _ in report.rejected) == [3, 5, 6]
    if chunk_size == 1:  # a batch a row: the report is in file order
        assert [e.line for e in report.errors] == [3, 5, 6]
    assert report.skipped == [(7, "a totals row")]
    assert report.rows_read == 5


def test_a_good_file_in_many_batches_imports_every_row(agency):
    """Issue 20 §7: written batch by batch while the next is read, all in one transaction."""
    rows = "".join(
        f"DCF-{n},Row {n},Acme {n % 3},06-{n % 3},pos,2026-01-01,2026-12-31,100,unit_rate,"
        "tendered\n"
        for n in range(7)
    )
    report = run(agency, NATIVE_HEADER + rows, chunk_size=2)
    assert report.ok and report.written and report.created == 7
    assert Contract.objects.filter(agency=agency).count() == 7
    assert len(report.providers_created) == 3
    again = run(agency, NATIVE_HEADER + rows, chunk_size=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
