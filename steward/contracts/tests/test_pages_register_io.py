"""Pages for the register in and out (issue 3): import with preview and confirm, the
template, export of the current filter, renewals."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from steward.contracts.models import Contract, ContractStatus
from steward.parties.models import Role
from steward.testing.factories import ContractFactory
from steward.tests.pages import signed_in

GOOD = (
    "number,title,provider,contract type,start date,end date,maximum obligation,"
    "compensation structure,procurement method\n"
    'IMP-1,Imported,Acme Care,pos,2026-01-01,2026-12-31,"$1,000",unit_rate,tendered\n'
)


def upload(text: str, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_preview_then_confirm(client, manager):
    """Issue 3: upload, preview (nothing written), confirm (written)."""
    signed_in(client, manager)
    url = reverse("contracts:import")
    response = client.post(url, {"file": upload(GOOD), "format": "native"})
    assert response.status_code == 200
    assert b"Ready to import" in response.content
    assert Contract.objects.count() == 0
    token = response.context["token"]
    response = client.post(url, {"confirm": token})
    assert response.status_code == 302
    assert Contract.objects.get().number == "IMP-1"
    # the token is used up
    response = client.post(url, {"confirm": token}, follow=True)
    assert b"expired" in response.content and Contract.objects.count() == 1


def test_import_page_lists_every_bad_row_and_writes_nothing(client, manager):
    signed_in(client, manager)
    bad = GOOD + "IMP-2,Bad,Acme Care,pos,2026-02-30,2026-12-31,1,unit_rate,tendered\n"
    response = client.post(reverse("contracts:import"), {"file": upload(bad), "format": "native"})
    assert response.status_code == 200
    assert b"The file cannot be imported" in response.content
    assert b"2026-02-30" in response.content
    assert response.context["token"] == ""
    assert Contract.objects.count() == 0


def test_import_refuses_other_file_types(client, manager):
    signed_in(client, manager)
    response = client.post(
        reverse("contracts:import"),
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 ..."), "format": "native"},
    )
    assert "Upload the register as a .csv or .xlsx file." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.CONTRACT_MANAGER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.CONTRACT_MONITOR, 403),
        (Role.OVERSIGHT_OFFICER, 403),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_import_page_permissions(client, make_user, role, expected):
    response = signed_in(client, make_user(role)).get(reverse("contracts:import"))
    assert response.status_code == expected


def test_administrator_chooses_the_agency(client, make_user, agency):
    admin = make_user(Role.ADMINISTRATOR)
    signed_in(client, admin)
    response = client.post(reverse("contracts:import"), {"file": upload(GOOD), "format": "native"})
    assert "agency" in response.context["form"].errors
    response = client.post(
        reverse("contracts:import"),
        {"file": upload(GOOD), "format": "native", "agency": agency.slug},
    )
    assert response.context["token"]


def test_template_download_has_every_native_column(client, manager):
    response = signed_in(client, manager).get(reverse("contracts:import_template"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    from steward.contracts.exporting import HEADERS

    assert rows[0] == list(HEADERS) and len(rows[1]) == len(HEADERS)


def test_export_follows_the_register_filter(client, manager, agency, provider):
    """Issue 3: the export from the register page is the current filter, every page."""
    ContractFactory(agency=agency, provider=provider, number="E-1", status=ContractStatus.ACTIVE)
    ContractFactory(agency=agency, provider=provider, number="E-2", status=ContractStatus.DRAFT)
    signed_in(client, manager)
    response = client.get(reverse("contracts:export"), {"status": "active", "format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "E-1" in body and "E-2" not in body
    register = client.get(reverse("contracts:list"), {"status": "active"})
    assert b"status=active&amp;format=xlsx" in register.content
    response = client.get(reverse("contracts:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3


def test_provider_export_has_only_its_released_contracts_without_notes(
    client, make_user, agency, provider, other_provider
):
    ContractFactory(
        agency=agency, provider=provider, number="P-1", status="active", notes="internal"
    )
    ContractFactory(agency=agency, provider=provider, number="P-2", status="draft")
    ContractFactory(agency=agency, provider=other_provider, number="P-3", status="active")
    user = make_user(Role.PROVIDER_USER)
    response = signed_in(client, user).get(reverse("contracts:export"), {"format": "json"})
    import json

    records = json.loads(response.content)
    assert [r["number"] for r in records] == ["P-1"] and records[0]["notes"] == ""


def test_export_query_budget(client, manager, agency, provider, django_assert_max_num_queries):
    ContractFactory.create_batch(30, agency=agency, provider=provider)
    signed_in(client, manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("contracts:export"), {"format": "csv"})
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == 31


def test_renewal_page_exercises_an_option(client, manager, agency, provider):
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        renewal_options=1,
        end_date=date(2026, 12, 31),
    )
    signed_in(client, manager)
    detail = client.get(reverse("contracts:detail", args=[contract.pk]))
    assert b"Exercise a renewal option" in detail.content
    url = reverse("contracts:renewal_create", args=[contract.pk])
    response = client.post(
        url, {"effective_on": "2026-12-01", "new_end_date": "2026-06-30", "reason": "x"}
    )
    assert "A renewal extends the contract" in response.content.decode()
    response = client.post(
        url, {"effective_on": "2026-12-01", "new_end_date": "2027-12-31", "reason": "Good work"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.renewals_exercised == 1 and contract.end_date == date(2027, 12, 31)
    detail = client.get(reverse("contracts:detail", args=[contract.pk]))
    assert b"Exercise a renewal option" not in detail.content
