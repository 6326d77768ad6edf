"""Uploads that cannot hurt the server (issue 19 points 7 and 9; docs/security.md §7, §9):
zip bombs refused before parsing, zips that are not the document they claim refused, long file
names stored shortened, and oversized requests refused before their body is read."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from steward.contracts.models import ContractDocument
from steward.contracts.tabular import FileFormatError, iter_rows
from steward.core.services import short_filename
from steward.core.tests.api_support import call, pdf_upload, session_client
from steward.core.uploads import UploadRejected, check_archive, check_upload

XLSX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
DOCX_TYPES = XLSX_TYPES.replace("spreadsheetml.sheet", "wordprocessingml.document")


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _bomb() -> bytes:
    """An .xlsx-shaped zip whose one sheet inflates 64 MB from about 64 KB on disk."""
    sheet = b"<worksheet>" + b" " * (64 * 1024 * 1024) + b"</worksheet>"
    return _zip({"[Content_Types].xml": XLSX_TYPES, "xl/worksheets/sheet1.xml": sheet})


def _real_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["contract", "value"])
    workbook.active.append(["DCF-1", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_parsing():
    """issue 19 point 7: a small file that would inflate far beyond a real workbook."""
    bomb = _bomb()
    assert len(bomb) < 1024 * 1024  # small on disk
    with pytest.raises(UploadRejected, match="zip bomb"):
        check_archive(io.BytesIO(bomb), extension="xlsx")
    with pytest.raises(FileFormatError, match="zip bomb"):
        iter_rows(io.BytesIO(bomb), kind="xlsx")


def test_a_workbook_declaring_too_many_rows_is_refused():
    sheet = '<worksheet><dimension ref="A1:Z900000"/><sheetData/></worksheet>'
    archive = _zip({"[Content_Types].xml": XLSX_TYPES, "xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(UploadRejected, match="900,000 rows"):
        check_archive(io.BytesIO(archive), extension="xlsx")


def test_a_workbook_whose_total_declared_size_is_too_large_is_refused(monkeypatch):
    from steward.core import uploads

    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(UploadRejected, match="expand"):
        check_archive(io.BytesIO(_real_xlsx()), extension="xlsx")


def test_a_real_workbook_and_document_pass():
    check_archive(io.BytesIO(_real_xlsx()), extension="xlsx")
    docx = _zip({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<document/>"})
    check_archive(io.BytesIO(docx), extension="docx")


@pytest.mark.parametrize(
    ("extension", "parts"),
    [
        ("docx", {"notes.txt": "just a zip"}),
        ("docx", {"[Content_Types].xml": XLSX_TYPES}),  # a workbook renamed .docx
        ("xlsx", {"[Content_Types].xml": DOCX_TYPES}),
        ("odt", {"mimetype": "application/zip"}),
    ],
)
def test_a_zip_that_is_not_the_document_it_claims_is_refused(extension, parts):
    """issue 19 point 9: the zip signature alone no longer passes as .docx."""
    content = _zip(parts)
    with pytest.raises(UploadRejected, match=f"not a real .{extension}"):
        check_upload(
            filename=f"file.{extension}",
            head=content[:2048],
            size=len(content),
            max_bytes=10**7,
            stream=io.BytesIO(content),
        )


def test_a_damaged_zip_is_refused():
    content = b"PK\x03\x04" + b"\x00" * 100
    with pytest.raises(UploadRejected, match="damaged"):
        check_archive(io.BytesIO(content), extension="docx")


def test_long_names_are_shortened_keeping_the_extension():
    name = short_filename("é" * 200 + ".pdf", extension="pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 120
    assert short_filename("short.pdf", extension="pdf") == "short.pdf"


def test_a_240_byte_file_name_is_stored_shortened_not_a_500(manager, contract):
    """issue 19 point 9: a 240-byte name was 'File name too long'."""
    client = session_client(manager)
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/documents",
        {"file": pdf_upload("a" * 236 + ".pdf"), "kind": "attachment"},
    )
    assert response.status_code == 201, response.content
    document = ContractDocument.objects.get()
    assert document.original_name.endswith(".pdf") and len(document.original_name) <= 120


def test_a_docx_that_is_only_a_zip_is_refused_on_upload(manager, contract):
    client = session_client(manager)
    upload = SimpleUploadedFile("letter.docx", _zip({"a.txt": "x"}))
    response = call(
        client, "post", f"/contracts/{contract.pk}/documents", {"file": upload, "kind": "other"}
    )
    assert response.status_code == 422
    assert "not a real .docx" in response.json()["detail"]


def test_a_zip_bomb_import_is_refused_with_a_clear_message(manager):
    client = session_client(manager)
    upload = SimpleUploadedFile("returns.xlsx", _bomb())
    response = call(client, "post", "/performance/import", {"background": False, "file": upload})
    assert response.status_code == 422
    assert "zip bomb" in response.json()["detail"]


def test_a_50_mb_upload_is_refused_from_its_content_length(manager, contract):
    """issue 19 point 9: refused as soon as the size is known, before the body is read."""
    client = session_client(manager)
    response = client.post(
        f"/api/v1/contracts/{contract.pk}/documents",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "50.0 MB" in response.json()["detail"]
    page = client.post(
        f"/contracts/{contract.pk}/documents/new/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert page.status_code == 413
    assert "50.0 MB" in page.content.decode()
