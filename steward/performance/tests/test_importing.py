"""`steward import-returns`: all or nothing with every bad row listed, re-import changes nothing,
corrections need a reason, XLSX as well as CSV."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from steward.contracts.models import DueDate, DueDateStatus
from steward.performance.importing import import_returns
from steward.performance.models import IndicatorValue, Return
from steward.performance.tests.factories import with_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(contract, manager):
    return contract, with_plan(contract, manager)


def _run(agency, body: str, **kw):
    return import_returns(
        actor=None,
        agency=agency,
        stream=io.BytesIO(body.encode()),
        filename="returns.csv",
        today=date(2026, 11, 25),
        **kw,
    )


def test_a_good_file_imports_and_submits_the_returns(setup):
    contract, (a, b) = setup
    body = (
        "CONTRACT NUMBER, Period  Start ,Indicator,Value,Units delivered,Referrals\n"
        f"{contract.number},2026-01-01,{a.name},91.5%,300,12\n"
        f"{contract.number},01/01/2026,{b.name.upper()},9,,\n"
        "\n"
        f'{contract.number},2026-04-01,{a.name},"1,0",,\n'
    ).replace('"1,0"', "88")
    report = _run(contract.agency, body)
    assert report.ok, report.errors
    assert (report.created, report.returns_submitted, report.written) == (3, 2, True)
    q1 = Return.objects.get(contract=contract, period_start=date(2026, 1, 1))
    assert q1.submitted_on == date(2026, 11, 25) and q1.units_delivered == Decimal("300.00")
    assert q1.referrals == 12
    assert IndicatorValue.objects.get(ret=q1, indicator=a).value == Decimal("91.50")
    assert q1.history.first().history_change_reason == "Imported from returns.csv"
    due = DueDate.objects.get(contract=contract, rule_key="return:2026-03-31")
    assert due.status == DueDateStatus.DONE
    again = _run(contract.agency, body)
    assert (again.created, again.updated, again.unchanged, again.returns_submitted) == (0, 0, 3, 0)


def test_any_bad_row_imports_nothing_and_every_bad_row_is_listed(setup):
    contract, (a, b) = setup
    body = (
        "contract,period start,indicator,value\n"
        f"{contract.number},2026-01-01,{a.name},91\n"  # good
        "NOPE,2026-01-01,x,1\n"  # line 3
        f"{contract.number},2026-13-45,{a.name},1\n"  # line 4
        f"{contract.number},2026-01-01,No such indicator,1\n"  # line 5
        f"{contract.number},2026-01-01,{a.name},lots\n"  # line 6
        f"{contract.number},2026-01-01,{a.name},140\n"  # line 7
        f"{contract.number},2026-02-01,{a.name},50\n"  # line 8: no such period
        f"{contract.number},2026-01-01,{a.name},\n"  # line 9: empty value
        f"{contract.number},2026-01-01,{b.name},-3\n"  # line 10: days below zero
    )
    report = _run(contract.agency, body)
    lines = sorted({e.line for e in report.errors})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10], [str(e) for e in report.errors]
    by_line = {e.line: e for e in report.errors}
    assert by_line[3].reason == "no contract 'NOPE' in this agency"
    assert by_line[5].column == "indicator"
    assert "percentage" in by_line[7].reason
    assert "no return starts on 2026-02-01" in by_line[8].reason
    assert by_line[9].reason == "this cell is empty"
    assert by_line[10].reason == "-3.00: a number of days cannot be negative"
    assert not report.written and not IndicatorValue.objects.exists()
    assert not Return.objects.filter(submitted_on__isnull=False).exists()


@pytest.mark.parametrize("chunk_size", [5000, 1])  # in one chunk, and across chunks
def test_a_value_twice_in_the_file_is_refused(setup, chunk_size):
    contract, (a, _) = setup
    row = f"{contract.number},2026-01-01,{a.name},91\n"
    other = f"{contract.number},2026-04-01,{a.name},91\n"
    body = "contract,period start,indicator,value\n" + row + other + row.replace("91", "92")
    report = _run(contract.agency, body, chunk_size=chunk_size)
    assert [e.line for e in report.errors] == [4] and "twice" in report.errors[0].reason
    assert not IndicatorValue.objects.exists()


def test_missing_columns_are_named(setup):
    contract, _ = setup
    report = _run(contract.agency, "contract,indicator\nX,Y\n")
    assert {e.column for e in report.errors} == {"period start", "value"}


def test_changing_a_submitted_value_needs_a_reason(setup):
    contract, (a, _) = setup
    first = f"contract,period start,indicator,value\n{contract.number},2026-01-01,{a.name},80\n"
    assert _run(contract.agency, first).ok
    changed = first.replace(",80", ",85")
    refused = _run(contract.agency, changed)
    assert "needs a reason" in refused.errors[0].reason
    assert IndicatorValue.objects.get(indicator=a).value == Decimal("80.00")
    report = _run(contract.agency, changed, reason="Provider resubmitted")
    assert report.ok and report.updated == 1
    value = IndicatorValue.objects.get(indicator=a)
    assert value.value == Decimal("85.00")
    assert value.history.first().history_change_reason == "Correction: Provider resubmitted"


def test_dry_run_writes_nothing(setup):
    contract, (a, _) = setup
    body = f"contract,period start,indicator,value\n{contract.number},2026-01-01,{a.name},80\n"
    report = _run(contract.agency, body, dry_run=True)
    assert report.ok and report.created == 1 and not report.written
    assert not IndicatorValue.objects.exists()


def test_xlsx_and_the_command(setup, tmp_path):
    contract, (a, b) = setup
    book = Workbook()
    sheet = book.active
    sheet.append(["Contract", "Period start", "Indicator", "Value"])
    sheet.append([contract.number, date(2026, 4, 1), a.name, 93])
    sheet.append([contract.number, date(2026, 4, 1), b.name, 7.5])
    path = tmp_path / "returns.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("import-returns", str(path), "--agency", contract.agency.slug, stdout=out)
    assert "2 new values" in out.getvalue()
    assert IndicatorValue.objects.get(indicator=b).value == Decimal("7.50")
    bad = tmp_path / "bad.csv"
    bad.write_text("contract,period start,indicator,value\nNOPE,2026-01-01,x,1\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-returns", str(bad), "--agency", contract.agency.slug, stderr=err)
    assert "line 2, column 'contract': no contract 'NOPE'" in err.getvalue()


def test_volumes_left_blank_keep_what_the_return_has(setup):
    contract, (a, b) = setup
    body = (
        "contract,period start,indicator,value,units delivered,referrals\n"
        f"{contract.number},2026-01-01,{a.name},91,300,12\n"
    )
    assert _run(contract.agency, body).ok
    later = (
        "contract,period start,indicator,value,units delivered,referrals\n"
        f"{contract.number},2026-01-01,{b.name},9,,15\n"
        f"{contract.number},2026-04-01,{a.name},91,250,\n"
    )
    refused = _run(contract.agency, later)
    assert [(e.line, e.column) for e in refused.errors] == [(2, "referrals")]
    assert "needs a reason" in refused.errors[0].reason
    assert _run(contract.agency, later, reason="Late referrals counted").ok
    q1, q2 = Return.objects.filter(contract=contract).order_by("period_start")[:2]
    assert (q1.units_delivered, q1.referrals) == (Decimal("300.00"), 15)
    assert (q2.units_delivered, q2.referrals) == (Decimal("250.00"), None)


def test_the_values_history_is_keyed_for_a_billion_values():
    """A shared register's billion indicator values write more history rows than a 32-bit key
    can number (docs/scaling.md): the values' history key is a bigint."""
    from django.db import models as djmodels

    from steward.performance.models import IndicatorValue

    history_key = IndicatorValue.history.model._meta.pk
    assert isinstance(history_key, djmodels.BigAutoField)
