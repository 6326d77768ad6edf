"""Pages for the register in and out (issue 3): import with preview and confirm, the
template, export of the current filter, renewals."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from steward.contracts.jobs import import_confirm_start
from steward.contracts.models import Contract, ContractStatus
from steward.core.errors import TransitionNotAllowed
from steward.core.models import Job
from steward.parties.models import Role
from steward.testing.factories import ContractFactory
from steward.tests.pages import signed_in

GOOD = (
    "number,title,provider,contract type,start date,end date,maximum obligation,"
    "compensation structure,procurement method\n"
    'IMP-1,Imported,Acme Care,pos,2026-01-01,2026-12-31,"$1,000",unit_rate,tendered\n'
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(text: str, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_preview_then_confirm(client, manager):
    """Issue 3 and 20: upload (the check runs as a job; nothing written), its job page shows
    what would happen and the confirm step; confirm (written, as a second job), once."""
    signed_in(client, manager)
    url = reverse("contracts:import")
    response = client.post(url, {"file": upload(GOOD), "format": "native"})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    page = client.get(response.url)
    assert b"Ready to import" in page.content and b"Import 1 rows" in page.content
    assert Contract.objects.count() == 0
    check = Job.objects.get()
    assert check.params["dry_run"] and default_storage.exists(check.upload)
    confirm = reverse("contracts:import_confirm", args=[check.pk])
    assert confirm.encode() in page.content
    response = client.post(confirm)
    assert response.status_code == 302
    assert Contract.objects.get().number == "IMP-1"
    imported = Job.objects.exclude(pk=check.pk).get()
    assert not default_storage.exists(imported.upload)  # done with: not kept
    # the check is used up: a second confirm imports nothing more
    response = client.post(confirm, follow=True)
    assert b"already imported" in response.content and Contract.objects.count() == 1
    assert Job.objects.count() == 2
    page = client.get(reverse("core:job", args=[check.pk]))
    assert b"This file was imported" in page.content


def test_only_the_owner_confirms_a_check(client, manager, make_user):
    signed_in(client, manager)
    client.post(reverse("contracts:import"), {"file": upload(GOOD), "format": "native"})
    check = Job.objects.get()
    colleague = make_user(Role.CONTRACT_MANAGER, username="colleague")
    client.logout()
    signed_in(client, colleague)
    response = client.post(reverse("contracts:import_confirm", args=[check.pk]))
    assert response.status_code == 404 and Contract.objects.count() == 0
    assert client.get(reverse("contracts:import_confirm", args=[check.pk])).status_code == 405


def test_import_page_lists_every_bad_row_and_writes_nothing(client, manager):
    signed_in(client, manager)
    bad = GOOD + "IMP-2,Bad,Acme Care,pos,2026-02-30,2026-12-31,1,unit_rate,tendered\n"
    response = client.post(
        reverse("contracts:import"), {"file": upload(bad), "format": "native"}, follow=True
    )
    assert response.status_code == 200
    assert b"The file cannot be imported" in response.content
    assert b"2026-02-30" in response.content
    assert b"/confirm/" not in response.content
    assert Contract.objects.count() == 0
    check = Job.objects.get()
    report = client.get(reverse("core:job_report", args=[check.pk]))
    assert b"2026-02-30" in b"".join(report.streaming_content)
    with pytest.raises(TransitionNotAllowed):
        import_confirm_start(actor=manager, check=check)


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
    assert response.status_code == 302
    assert Job.objects.get().params["agency"] == agency.slug


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


def test_a_large_export_is_a_job_whose_page_offers_the_file(
    client, manager, make_user, agency, provider, settings
):
    """Issue 20: an export of more than STEWARD_EXPORT_INLINE_MAX_ROWS contracts is written by
    a background job (the same formula-safe writers); a smaller one is sent at once."""
    settings.STEWARD_EXPORT_INLINE_MAX_ROWS = 2
    active = ContractStatus.ACTIVE
    ContractFactory(
        agency=agency, provider=provider, number="L-1", title="=HYPERLINK(1)", status=active
    )
    ContractFactory(agency=agency, provider=provider, number="L-2", status=ContractStatus.DRAFT)
    ContractFactory(agency=agency, provider=provider, number="L-3", status=active)
    signed_in(client, manager)
    small = client.get(reverse("contracts:export"), {"status": "draft", "format": "csv"})
    assert small.status_code == 200 and b"L-2" in b"".join(small.streaming_content)
    assert not Job.objects.exists()

    response = client.get(reverse("contracts:export"), {"format": "xlsx"})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    job = Job.objects.get()
    assert job.kind == "contracts.export" and job.status == "succeeded" and job.rows_read == 3
    page = client.get(response.url)
    assert b"The register export is ready: 3 contracts." in page.content
    download = client.get(reverse("core:job_report", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "steward-contracts-" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 4
    titles = [cell.value for cell in sheet["B"]]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # never a live formula
    assert any(str(t).endswith("=HYPERLINK(1)") for t in titles if t)

    response = client.get(reverse("contracts:export"), {"format": "csv"})
    job = Job.objects.order_by("-pk").first()
    body = b"".join(client.get(reverse("core:job_report", args=[job.pk])).streaming_content)
    assert b"'=HYPERLINK(1)" in body and b"L-3" in body  # the CSV escapes the formula too
    # the file is its owner's: another person gets "not found"
    client.logout()
    signed_in(client, make_user(Role.CONTRACT_MANAGER, username="other-manager"))
    assert client.get(reverse("core:job_report", args=[job.pk])).status_code == 404
