"""`steward evaluations open-interim | due | compliance` (seeds 000 and 001)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from steward.contracts.models import DueDate
from steward.evaluations.tests.factories import completed_contract, walk
from steward.testing.factories import AgencyFactory, ContractFactory


def _run(*args: str) -> str:
    out = StringIO()
    call_command("evaluations", *args, stdout=out)
    return out.getvalue()


def test_open_interim_as_of_a_date(packs, provider):
    mps = AgencyFactory(slug="mps", pack=packs["milwaukee-mps"])
    ContractFactory(
        agency=mps,
        provider=provider,
        status="active",
        compensation_structure="performance_based",
        start_date=date(2024, 7, 1),
        end_date=date(2027, 6, 30),
    )
    assert "Opened 2 interim" in _run("open-interim", "--as-of", "2026-07-15")
    assert "Opened 0 interim" in _run("open-interim", "--as-of", "2026-07-15")
    assert DueDate.objects.filter(rule_key__startswith="interim_evaluation_").count() == 2


def test_due_lists_overdue_with_days(manager, provider):
    completed_contract(manager, provider=provider, number="DCF-25-900")
    out = _run("due", "--as-of", "2026-09-08")
    assert "2026-08-29" in out and "10 days overdue" in out and "DCF-25-900" in out
    assert out.strip().endswith("1 evaluation(s) due.")
    with pytest.raises(CommandError, match="No agency 'nowhere'"):
        _run("due", "--agency", "nowhere")


def test_compliance_csv_and_xlsx(manager, provider, tmp_path):
    walk(completed_contract(manager, provider=provider), author=manager, to="released")
    completed_contract(manager, provider=provider)
    out = _run("compliance", "--as-of", "2026-10-01")
    assert "Department of Children and Families,0,1,0,1,50.0" in out
    target = tmp_path / "compliance.xlsx"
    _run("compliance", "--as-of", "2026-10-01", "--output", str(target))
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Agency"
    assert rows[2][:5] == ("Department of Children and Families", 0, 1, 0, 1)


def test_bad_date_is_refused():
    with pytest.raises(CommandError, match="not a date"):
        _run("due", "--as-of", "25/11/2026")
