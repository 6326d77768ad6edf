"""Register export and round trip; renewal options (issue 3)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.contracts.exporting import HEADERS, SHEET_TITLE, export_rows
from steward.contracts.importing import import_contracts
from steward.contracts.models import Amendment, Contract
from steward.contracts.services import renewal_exercise
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.exports import Sheet, write_csv, write_json, write_xlsx
from steward.parties.models import Provider
from steward.testing.factories import ContractFactory

TODAY = date(2026, 11, 25)


def _snapshot(agency):
    return sorted(
        tuple(str(v) for v in row)
        for row in export_rows(Contract.objects.filter(agency=agency))
        if len(row) == len(HEADERS)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_reproduces_the_register(agency, provider, fmt):
    """Issue 3: export, then import into an empty database, reproduces the register."""
    ContractFactory(
        agency=agency,
        provider=provider,
        number="RT-1",
        status="active",
        department="Child welfare",
        payments_to_date=Decimal("1234.56"),
        renewal_options=2,
        renewals_exercised=1,
        maximum_obligation=Decimal("98765.43"),
        notes="Line one\nline two, with a comma",
    )
    ContractFactory(agency=agency, provider=provider, number="RT-2", status="draft")
    ContractFactory(
        agency=agency,
        provider=provider,
        number="RT-3",
        status="terminated",
        terminated_on=date(2026, 5, 1),
        termination_reason="Provider closed",
    )
    before = _snapshot(agency)
    if fmt == "csv":
        text_out = io.StringIO()
        write_csv(HEADERS, export_rows(Contract.objects.filter(agency=agency)), text_out)
        data = text_out.getvalue().encode()
    else:
        out = io.BytesIO()
        rows = export_rows(Contract.objects.filter(agency=agency))
        write_xlsx([Sheet(SHEET_TITLE, HEADERS, rows)], out)
        data = out.getvalue()
    Contract.objects.all().delete()
    Provider.objects.all().delete()
    report = import_contracts(
        actor=None,
        agency=agency,
        stream=io.BytesIO(data),
        filename=f"export.{fmt}",
        fmt="native",
        today=TODAY,
    )
    assert report.ok, report.errors
    assert report.created == 3
    assert _snapshot(agency) == before


def test_json_export_is_a_list_of_records(agency, provider):
    ContractFactory(agency=agency, provider=provider, number="J-1", maximum_obligation=Decimal("5"))
    out = io.StringIO()
    write_json(HEADERS, export_rows(Contract.objects.all()), out)
    import json

    records = json.loads(out.getvalue())
    assert records[0]["number"] == "J-1" and records[0]["maximum_obligation"] == "5.00"


def test_export_command_filters_by_agency(agency, other_agency, provider, tmp_path):
    ContractFactory(agency=agency, provider=provider, number="A-1")
    ContractFactory(agency=other_agency, provider=provider, number="B-1")
    target = tmp_path / "out.csv"
    call_command("export-contracts", "--agency", agency.slug, "-o", str(target))
    text = target.read_text()
    assert "A-1" in text and "B-1" not in text
    with pytest.raises(CommandError, match="needs -o"):
        call_command("export-contracts", "--format", "xlsx")


def test_import_command_exit_code_and_row_errors(agency, tmp_path, capsys):
    """Issue 3: a bad file imports nothing, prints every bad row and exits non-zero."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "number,title,provider,contract type,start date,end date,maximum obligation,"
        "compensation structure,procurement method\n"
        "X-1,T,Acme,pos,2026-01-01,2026-12-31,oops,unit_rate,tendered\n"
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-contracts", str(path), "--agency", agency.slug)
    assert "line 2, column 'maximum obligation'" in capsys.readouterr().err
    assert Contract.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(path.read_text().replace("oops", "10"))
    call_command("import-contracts", str(good), "--agency", agency.slug, "--dry-run")
    assert Contract.objects.count() == 0
    call_command("import-contracts", str(good), "--agency", agency.slug)
    assert Contract.objects.count() == 1
    with pytest.raises(CommandError, match="No agency"):
        call_command("import-contracts", str(good), "--agency", "nope")


def test_skip_invalid_command_writes_the_rejected_csv(agency, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "number,title,provider,contract type,start date,end date,maximum obligation,"
        "compensation structure,procurement method\n"
        "X-1,T,Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n"
        "X-2,T,Acme,pos,2026-01-01,2026-12-31,oops,unit_rate,tendered\n"
    )
    with pytest.raises(CommandError):
        call_command("import-contracts", str(path), "--agency", agency.slug, "--skip-invalid")
    assert list(Contract.objects.values_list("number", flat=True)) == ["X-1"]
    rejected = (tmp_path / "mixed.rejected.csv").read_text()
    assert "X-2" in rejected and "oops" in rejected and "X-1," not in rejected


# ---------------------------------------------------------------- renewals


@pytest.fixture
def renewable(agency, provider):
    return ContractFactory(
        agency=agency,
        provider=provider,
        number="R-1",
        status="active",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        renewal_options=1,
        maximum_obligation=Decimal("1000.00"),
    )


def test_exercise_a_renewal_option(manager, renewable):
    """Issue 3: exercising a renewal option records the new end date, audited."""
    amendment = renewal_exercise(
        actor=manager,
        contract=renewable,
        new_end_date=date(2027, 12, 31),
        effective_on=date(2026, 12, 1),
        reason="Good performance",
        new_maximum_obligation=Decimal("2000.00"),
    )
    renewable.refresh_from_db()
    assert (renewable.end_date, renewable.renewals_exercised) == (date(2027, 12, 31), 1)
    assert renewable.maximum_obligation == Decimal("2000.00")
    assert amendment.kind == "renewal" and amendment.reason.startswith("Renewal option 1 of 1")
    assert renewable.history.first().history_change_reason.startswith("Renewal option 1")


def test_renewal_past_the_options_is_refused(manager, renewable):
    """Issue 3: refuse to exercise an option past the options in the contract."""
    renewal_exercise(
        actor=manager,
        contract=renewable,
        new_end_date=date(2027, 12, 31),
        effective_on=date(2026, 12, 1),
        reason="First",
    )
    with pytest.raises(TransitionNotAllowed, match="All 1 renewal option of this contract"):
        renewal_exercise(
            actor=manager,
            contract=renewable,
            new_end_date=date(2028, 12, 31),
            effective_on=date(2027, 12, 1),
            reason="Second",
        )
    assert Amendment.objects.filter(contract=renewable).count() == 1


def test_renewal_must_extend_and_give_a_reason(manager, renewable):
    with pytest.raises(ValidationFailed) as caught:
        renewal_exercise(
            actor=manager,
            contract=renewable,
            new_end_date=date(2026, 12, 31),
            effective_on=date(2026, 12, 1),
            reason=" ",
        )
    assert set(caught.value.errors) == {"reason", "new_end_date"}


def test_renewal_checks_registered_by_other_areas_refuse(manager, renewable):
    """The evaluations area registers renewal eligibility (seed 001) through this hook."""
    from steward.contracts import hooks

    hooks.register_renewal_check("test", lambda c: ["Latest evaluation scored 89.99; 90 needed."])
    try:
        with pytest.raises(TransitionNotAllowed, match=r"89\.99"):
            renewal_exercise(
                actor=manager,
                contract=renewable,
                new_end_date=date(2027, 12, 31),
                effective_on=date(2026, 12, 1),
                reason="x",
            )
    finally:
        hooks._renewal_checks.pop("test")


def test_other_agency_cannot_renew(make_user, other_agency, renewable):
    from steward.core.errors import PermissionDeniedError
    from steward.parties.models import Role

    outsider = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    with pytest.raises(PermissionDeniedError):
        renewal_exercise(
            actor=outsider,
            contract=renewable,
            new_end_date=date(2027, 12, 31),
            effective_on=date(2026, 12, 1),
            reason="x",
        )
