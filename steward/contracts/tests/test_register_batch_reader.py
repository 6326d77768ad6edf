"""The native register read a batch at a time, column by column (`NativeBatchReader`): the
same records and the same problems, in the same order and words, as `read_native` row by
row, on hostile cells; and the import's audit rows written with the contracts."""

from __future__ import annotations

import io
import random
from datetime import date, datetime
from decimal import Decimal

from steward.contracts.exporting import HEADERS
from steward.contracts.importing import VOCABULARY, import_contracts
from steward.contracts.models import Contract
from steward.contracts.register_formats import NativeBatchReader, map_columns, read_native
from steward.contracts.tabular import SheetRow, header_key

TODAY = date(2026, 11, 25)

# Cells a person (or a spreadsheet) puts in each kind of column, good and bad
TEXTS = ["", "  ", "Child welfare", "  Housing  ", "a  b\tc", "x" * 21, "y" * 121, "z" * 201,
         "Line one\r\nline two", None, 12.0, 7, "'=1+1"]  # fmt: skip
DATES = ["2026-01-01", "01/02/2026", "13/13/2026", "2026-02-30", "45000", "45000.5", "1/2/26",
         "not a date", "", None, 45000, 45000.0, 100, datetime(2026, 3, 4, 5, 6),
         date(2025, 12, 31), "2026-06-30T00:00:00Z", True]  # fmt: skip
MONEY = ["$1,250,000.00", "1234.5", "£12", "€5", "(100)", "-5", "-", "$ -", "1,23", "USD 10",
         "10 usd", "1e3", "", None, 12.5, 7, Decimal("3.005"), True, "999999999999.99",
         "1000000000000", "$1,000,000,000,000", " 12 ", "٣٤"]  # fmt: skip
FLAGS = ["yes", "No", "x", "0", "1", "true", "maybe", "", None, 1, 0.0, True]
WHOLE = ["0", "2", "3", "-1", "1.5", "two", "", None, 2, 2.0, True]
CHOICES = {
    "contract type": ["pos", "PSA", "Purchase of service (POS)", "block", "lease", "", None],
    "compensation structure": ["unit_rate", "Unit rate", "fixed price", "barter", "", None],
    "procurement method": ["tendered", "Sole source", "sole_source", "raffle", "", None],
    "authority category": ["", "A", "b", "Z", None],
    "status": ["", "active", "Expired", "terminated", "draft", "gone", None],
}
PROVIDERS = ["Acme Care Inc", "  Acme   Care Inc ", "Acme; Beta LLC", "A|B", ";", "", None,
             "p" * 251, "Granicus, Inc."]  # fmt: skip
CURRENCIES = ["", "USD", "usd", "GBP", "EURO", "U$D", None]


def _cell(header: str, rng: random.Random) -> object:
    if header in CHOICES:
        return rng.choice(CHOICES[header])
    if header.endswith((" date", " on")):
        return rng.choice(DATES)
    if header in ("maximum obligation", "payments to date"):
        return rng.choice(MONEY)
    if header in ("rate setting", "provider for profit"):
        return rng.choice(FLAGS)
    if header in ("renewal options", "renewals exercised"):
        return rng.choice(WHOLE)
    if header == "provider":
        return rng.choice(PROVIDERS)
    if header == "currency":
        return rng.choice(CURRENCIES)
    if header == "title":
        return rng.choice([*TEXTS, "t" * 251, "Family support"])
    if header == "number":
        return rng.choice(["DCF-1", " DCF-2 ", "", None, "n" * 61, 1234.0])
    return rng.choice(TEXTS)


def _rows(headers: list[str], count: int, rng: random.Random, *, good: float) -> list[SheetRow]:
    """`count` rows: about `good` of them a plain valid row, the rest hostile cell by cell
    (some rows short, as a ragged CSV gives them)."""
    rows = []
    for n in range(count):
        if rng.random() < good:
            cells: dict[str, object] = {
                "number": f"C-{n}", "title": f"Title {n}", "provider": f"Provider {n % 7}",
                "contract type": "pos", "start date": "2026-01-01",
                "end date": rng.choice(["2026-12-31", "12/31/2027"]),
                "maximum obligation": f"${rng.randrange(1, 10**6):,}.00",
                "compensation structure": "unit_rate", "procurement method": "tendered",
                "department": rng.choice(["Housing", "Child welfare"]), "rate setting": "no",
                "renewal options": "2", "renewals exercised": rng.choice(["0", "1", "3"]),
                "payments to date": rng.choice(["", "10.50"]),
            }  # fmt: skip
        else:
            cells = {h: _cell(h, rng) for h in headers}
            if rng.random() < 0.1:
                cells = dict(list(cells.items())[: rng.randrange(len(cells))])
        rows.append(SheetRow(line=n + 2, cells=cells))
    return rows


def _both(headers: list[str], rows: list[SheetRow], currency: str | None) -> tuple[list, list]:
    columns, _ = map_columns("native", headers)
    one_by_one = [
        repr(read_native(row, columns, date_order=order, vocab=VOCABULARY, currency=currency))
        for order in ("MDY", "DMY")
        for row in rows
    ]
    batched = [
        repr(outcome)
        for order in ("MDY", "DMY")
        for outcome in NativeBatchReader(
            columns, date_order=order, vocab=VOCABULARY, currency=currency
        ).read(rows)
    ]
    return batched, one_by_one


def test_the_batch_reader_reads_hostile_cells_as_the_row_reader_does():
    """Every record (values, provider, notices) and every problem, in order, as read_native."""
    headers = [header_key(h) for h in HEADERS]
    rng = random.Random(3)
    for currency in ("USD", "GBP", None):
        rows = _rows(headers, 600, rng, good=0.3)
        batched, one_by_one = _both(headers, rows, currency)
        assert batched == one_by_one


def test_the_batch_reader_with_only_the_required_columns_and_repeated_cells():
    """Columns missing from the file, and a cell read from a column's cache the second time."""
    headers = ["number", "title", "provider", "contract type", "start date", "end date",
               "maximum obligation", "compensation structure", "procurement method"]  # fmt: skip
    rng = random.Random(5)
    rows = _rows(headers, 400, rng, good=0.6)
    batched, one_by_one = _both(headers, rows * 2, "USD")
    assert batched == one_by_one
    assert any("'errors'" not in line and "[])" in line for line in batched)  # some good rows


def test_an_import_writes_each_contracts_audit_row_as_the_contract_is(agency):
    """The "created" history rows of an import hold the contract's values as written (on
    PostgreSQL they are copied with the contracts, elsewhere read back from the table)."""
    data = (
        "Number,Title,Provider,Contract Type,Start Date,End Date,Maximum Obligation,"
        "Compensation Structure,Procurement Method,Payments to date,Notes\n"
        'DCF-1,Family support,Acme Care Inc,POS,2026-01-01,12/31/2026,"$1,250,000.00",'
        'unit rate,tendered,10.5,"Tabs\tand\\back\\\\slashes"\n'
        "DCF-2,Respite,Acme Care Inc,psa,07/01/2020,2021-06-30,5000,Fixed price,sole_source,,\n"
    )
    report = import_contracts(
        actor=None,
        agency=agency,
        stream=io.BytesIO(data.encode()),
        filename="register.csv",
        today=TODAY,
    )
    assert report.ok, report.errors
    fields = [f.attname for f in Contract._meta.concrete_fields]
    for contract in Contract.objects.filter(agency=agency):
        (created,) = contract.history.filter(history_type="+")
        assert {name: getattr(created, name) for name in fields} == {
            name: getattr(contract, name) for name in fields
        }
        assert created.history_change_reason == "Imported from register.csv"
    assert Contract.objects.get(number="DCF-1").notes == "Tabs\tand\\back\\\\slashes"


def test_a_reimport_compares_first_and_loads_only_the_contracts_it_changes(agency):
    """A re-import: a contract the file leaves as it is counts unchanged (its notices still
    given), one the file changes is updated with its audit row."""
    header = (
        "Number,Title,Provider,Contract Type,Start Date,End Date,Maximum Obligation,"
        "Compensation Structure,Procurement Method,Payments to date\n"
    )
    first = (
        "DCF-1,Family support,Acme Care Inc,POS,2026-01-01,2026-12-31,100,unit rate,tendered,150\n"
        "DCF-2,Respite,Acme Care Inc,psa,2026-01-01,2026-12-31,5000,Fixed price,sole_source,\n"
    )

    def run(body: str):
        return import_contracts(
            actor=None,
            agency=agency,
            stream=io.BytesIO((header + body).encode()),
            filename="register.csv",
            today=TODAY,
        )

    assert run(first).ok
    report = run(first.replace("Respite,", "Respite care,"))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert [(n.line, n.number, n.column) for n in report.notices] == [
        (2, "DCF-1", "payments to date")
    ]
    changed = Contract.objects.get(agency=agency, number="DCF-2")
    assert changed.title == "Respite care"
    assert changed.history.filter(history_type="~").count() == 1
