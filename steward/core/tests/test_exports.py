"""Tabular exports (steward.core.exports): CSV, XLSX and JSON, and formula safety (CSV
injection) through the real register export and its import."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from steward.contracts import services
from steward.contracts.exporting import HEADERS
from steward.contracts.importing import import_contracts
from steward.contracts.models import Contract
from steward.core.exports import (
    FORMULA_TRIGGERS,
    Sheet,
    attachment,
    csv_lines,
    csv_text,
    escape_formula,
    export_response,
    json_text,
    unescape_formula,
    xlsx_bytes,
)
from steward.parties.models import Provider
from steward.tests.pages import signed_in

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _sheet(data: bytes, title: str | None = None):
    workbook = load_workbook(io.BytesIO(data))
    return workbook[title] if title else workbook.worksheets[0]


# ---------------------------------------------------------------- escaping rule


def test_the_triggers_are_the_owasp_ones():
    assert set(TRIGGERS) == FORMULA_TRIGGERS


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_csv_quotes_text_that_begins_with_each_trigger(trigger):
    text = f"{trigger}1+1"
    assert _csv_rows(csv_text(["a"], [[text]]))[1] == [f"'{text}"]


@pytest.mark.parametrize("text", ["Family support", "a=b", "1-2", "'quoted", "", "'", "x\t"])
def test_csv_leaves_other_text_alone(text):
    assert escape_formula(text) == text
    assert _csv_rows(csv_text(["a"], [[text]]))[1] == [text]


def test_negative_numbers_stay_numbers_in_csv():
    row = _csv_rows(csv_text(["a", "b", "c"], [[Decimal("-5"), -3, Decimal("-0.50")]]))[1]
    assert row == ["-5", "-3", "-0.50"]


@pytest.mark.parametrize("text", ["=1+1", "-1", "'=1+1", "''@x", "'", "'abc", "plain", ""])
def test_unescape_gives_back_exactly_what_was_escaped(text):
    assert unescape_formula(escape_formula(text)) == text


def test_unescape_keeps_a_quote_that_escaping_did_not_add():
    assert unescape_formula("'abc") == "'abc"
    assert unescape_formula("'=1+1") == "=1+1"
    assert unescape_formula("''=1+1") == "'=1+1"


def test_csv_cells_none_dates_and_bools():
    row = [None, date(2026, 7, 1), datetime(2026, 7, 1, 9, 30), True, Decimal("1.50")]
    assert _csv_rows(csv_text(list("abcde"), [row]))[1] == [
        "",
        "2026-07-01",
        "2026-07-01T09:30:00",
        "True",
        "1.50",
    ]


def test_csv_lines_stream_the_same_text():
    rows = [["=x", 1], ["y", None]]
    assert "".join(csv_lines(["a", "b"], rows)) == csv_text(["a", "b"], rows)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_xlsx_writes_text_that_begins_with_each_trigger_as_text(trigger):
    text = f"{trigger}SUM(A1:A2)"
    cell = _sheet(xlsx_bytes([Sheet("S", ["a"], [[text]])]))["A2"]
    assert cell.data_type == "s"
    # XML reads a carriage return back as a line feed (XML 1.0 end-of-line handling)
    assert cell.value == text.replace("\r", "\n")


def test_xlsx_header_and_preamble_are_formula_safe_too():
    sheet = _sheet(xlsx_bytes([Sheet("S", ["=h"], [], preamble=[["=title"]])]))
    assert (sheet["A1"].data_type, sheet["A1"].value) == ("s", "=title")
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", "=h")


def test_xlsx_keeps_numbers_numbers_and_dates_dates():
    row = [Decimal("-5"), -3, Decimal("1234.56"), date(2026, 7, 1), datetime(2026, 7, 1, 9, 30)]
    sheet = _sheet(xlsx_bytes([Sheet("S", list("abcde"), [[*row, None, True]])]))
    a, b, c, d, e, f, g = sheet[2]
    assert (a.data_type, a.value) == ("n", -5)
    assert (b.data_type, b.value) == ("n", -3)
    assert (c.data_type, c.value) == ("n", 1234.56)
    assert d.is_date and d.value == datetime(2026, 7, 1) and d.number_format == "yyyy-mm-dd"
    assert e.is_date and e.value == datetime(2026, 7, 1, 9, 30)
    assert e.number_format == "yyyy-mm-dd h:mm:ss"
    assert f.value is None
    assert (g.data_type, g.value) == ("b", True)


def test_xlsx_sheets_in_order_with_names_cut_to_31_characters():
    data = xlsx_bytes([Sheet("First", ["a"], [[1]]), Sheet("x" * 40, ["b"], [[2]])])
    assert load_workbook(io.BytesIO(data)).sheetnames == ["First", "x" * 31]


def test_json_is_not_escaped_and_keeps_amounts_exact():
    text = json_text(["t", "n", "d", "none"], [["=1+1", Decimal("5.00"), date(2026, 7, 1), None]])
    assert json.loads(text) == [{"t": "=1+1", "n": "5.00", "d": "2026-07-01", "none": None}]
    assert text == '[\n{"t": "=1+1", "n": "5.00", "d": "2026-07-01", "none": null}\n]\n'
    assert json_text(["a"], []) == "[\n]\n"


def test_json_indented_layout():
    assert json_text(["a"], [["é"]], indent=2) == '[\n  {\n    "a": "é"\n  }\n]\n'


def test_attachment_names_the_file():
    response = attachment(b"x", content_type="text/plain", filename="a b.txt")
    assert response["Content-Disposition"] == 'attachment; filename="a b.txt"'
    inline = attachment(b"x", content_type="text/plain", filename="a.ics", inline=True)
    assert inline["Content-Disposition"] == 'inline; filename="a.ics"'


def test_export_response_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown export format"):
        export_response("pdf", ["a"], [], filename="x.pdf", sheet_title="S")


# ---------------------------------------------------------------- the register export


FORMULA_TITLE = "=1+1"
TITLE_COLUMN = HEADERS.index("title")


def _create(manager, agency, provider, title: str = FORMULA_TITLE) -> Contract:
    """A contract titled `title`, created the way a contract manager creates one."""
    return services.contract_create(
        actor=manager,
        agency=agency,
        data={
            "number": "INJ-1",
            "title": title,
            "provider": provider,
            "contract_type": "pos",
            "start_date": date(2026, 7, 1),
            "end_date": date(2027, 6, 30),
            "maximum_obligation": Decimal("480000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
        },
    )


@pytest.fixture
def formula_contract(manager, agency, provider):
    return _create(manager, agency, provider)


def test_export_command_writes_a_formula_title_as_text_in_xlsx(formula_contract, tmp_path):
    target = tmp_path / "register.xlsx"
    call_command("export-contracts", "--format", "xlsx", "-o", str(target))
    cell = _sheet(target.read_bytes(), "Contracts").cell(row=2, column=TITLE_COLUMN + 1)
    assert cell.data_type == "s"
    assert cell.value == FORMULA_TITLE


def test_export_command_quotes_a_formula_title_in_csv(formula_contract, tmp_path):
    target = tmp_path / "register.csv"
    call_command("export-contracts", "--format", "csv", "-o", str(target))
    rows = _csv_rows(target.read_text(encoding="utf-8"))
    assert rows[0] == list(HEADERS)
    assert rows[1][TITLE_COLUMN] == "'=1+1"


def test_register_export_page_is_formula_safe(client, manager, formula_contract):
    signed_in(client, manager)
    response = client.get(reverse("contracts:export"), {"format": "csv"})
    rows = _csv_rows(b"".join(response.streaming_content).decode())
    assert rows[1][TITLE_COLUMN] == "'=1+1"
    response = client.get(reverse("contracts:export"), {"format": "xlsx"})
    cell = _sheet(b"".join(response.streaming_content)).cell(row=2, column=TITLE_COLUMN + 1)
    assert (cell.data_type, cell.value) == ("s", FORMULA_TITLE)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("title", [FORMULA_TITLE, "-minus", "@at", "'=quoted already", "'plain"])
def test_exported_register_imports_back_with_the_same_title(
    manager, agency, provider, tmp_path, fmt, title
):
    """The quote that makes a CSV formula inert is taken off again on import."""
    _create(manager, agency, provider, title)
    target = tmp_path / f"register.{fmt}"
    call_command("export-contracts", "--format", fmt, "-o", str(target))
    Contract.objects.all().delete()
    Provider.objects.all().delete()
    report = import_contracts(
        actor=None,
        agency=agency,
        stream=io.BytesIO(target.read_bytes()),
        filename=target.name,
        fmt="native",
        today=date(2026, 11, 25),
    )
    assert report.ok, report.errors
    assert Contract.objects.get(number="INJ-1").title == title
