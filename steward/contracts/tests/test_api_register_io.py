"""API for the register in and out (issue 3)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from steward.contracts.models import Contract
from steward.core.tests.api_support import call, session_client, token_client
from steward.testing.factories import ContractFactory

HEADER = (
    b"number,title,provider,contract type,start date,end date,maximum obligation,"
    b"compensation structure,procurement method\n"
)


def csv_file(body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("register.csv", HEADER + body, content_type="text/csv")


def test_api_import_writes_and_reports(manager):
    response = call(
        token_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": csv_file(b"A-1,T,Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n"),
        },
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["written"] and report["created"] == 1
    assert report["providers_created"] == ["Acme"]
    assert Contract.objects.get().agency == manager.agency


def test_api_import_with_a_bad_row_is_422_and_writes_nothing(manager):
    response = call(
        session_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": csv_file(b"A-1,T,Acme,pos,2026-01-01,31/12/2026,10,unit_rate,tendered\n"),
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "line 2: end date" in body["errors"]
    assert Contract.objects.count() == 0


def test_api_import_skip_invalid_returns_the_rejected_csv(manager):
    response = call(
        session_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": csv_file(
                b"A-1,T,Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n"
                b"A-2,T,Acme,pos,2026-01-01,2026-12-31,x,unit_rate,tendered\n"
            ),
            "skip_invalid": True,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1 and "A-2" in body["rejected_csv"]


def test_api_import_refuses_a_pdf(manager):
    response = call(
        session_client(manager),
        "post",
        "/contracts/import",
        {
            "background": False,
            "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "csv or .xlsx" in response.json()["errors"]["file"][0]


def test_api_export_json_honours_filters_and_visibility(make_user, agency, other_agency, provider):
    ContractFactory(agency=agency, provider=provider, number="X-1", status="active")
    ContractFactory(agency=agency, provider=provider, number="X-2", status="draft")
    ContractFactory(agency=other_agency, provider=provider, number="Y-1", status="active")
    from steward.parties.models import Role

    manager = make_user(Role.CONTRACT_MANAGER)
    response = call(session_client(manager), "get", "/contracts/export", {"format": "json"})
    assert sorted(r["number"] for r in json.loads(response.content)) == ["X-1", "X-2"]
    response = call(
        session_client(manager), "get", "/contracts/export", {"format": "json", "status": "draft"}
    )
    assert [r["number"] for r in json.loads(response.content)] == ["X-2"]
    response = call(session_client(manager), "get", "/contracts/export", {"format": "pdf"})
    assert response.status_code == 422
