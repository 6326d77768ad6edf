"""PDF rendering (steward.core.pdf): a template to PDF bytes and to a download."""

from __future__ import annotations

import copy

import pytest
from django.test import RequestFactory

from steward.core import pdf

TEMPLATE = (
    "<!doctype html><html><head><style>body { font-family: sans-serif; }</style></head>"
    "<body><h1>{{ title }}</h1>{% if request %}<p>{{ request.path }}</p>{% endif %}</body></html>"
)


@pytest.fixture
def small_template(settings, tmp_path):
    """A one-heading template, `test/small_pdf.html`, in a template folder of its own."""
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "small_pdf.html").write_text(TEMPLATE)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "test/small_pdf.html"


def test_render_pdf_returns_a_pdf_document(small_template):
    data = pdf.render_pdf(small_template, {"title": "Monitoring letter"})
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")


def test_render_pdf_renders_the_template_with_its_context_and_request(small_template, monkeypatch):
    seen: list[str] = []

    class FakeHTML:
        def __init__(self, *, string: str) -> None:
            seen.append(string)

        def write_pdf(self, **options) -> bytes:
            seen.append(options["pdf_variant"])
            return b"%PDF-fake"

    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    request = RequestFactory().get("/evaluations/7/pdf/")
    assert pdf.render_pdf(small_template, {"title": "A & B"}, request=request) == b"%PDF-fake"
    assert "<h1>A &amp; B</h1>" in seen[0]  # autoescaped
    assert "<p>/evaluations/7/pdf/</p>" in seen[0]  # the request context processor ran
    assert seen[1] == "pdf/ua-1"  # every PDF is tagged (issue 21 point 7)


def test_pdf_response_downloads_the_document(small_template):
    response = pdf.pdf_response(small_template, {"title": "Notice"}, filename="notice-C-1.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notice-C-1.pdf"'
    assert response.content.startswith(b"%PDF")


def test_pdf_response_inline_shows_it_in_the_browser(small_template):
    response = pdf.pdf_response(small_template, {"title": "x"}, filename="x.pdf", inline=True)
    assert response["Content-Disposition"] == 'inline; filename="x.pdf"'


def test_every_pdf_is_tagged_with_its_language_and_title(settings, tmp_path):
    """issue 21 point 7: PDF/UA-1 (WeasyPrint's variant): the structure tree, the language
    and the title travel in the file."""
    from steward.testing.pdf_check import is_tagged, language, pdf_objects

    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "tagged.html").write_text(
        '<!doctype html><html lang="en-GB"><head><title>Notice 7</title></head>'
        "<body><h1>Notice</h1><p>Text.</p></body></html>"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    data = pdf.render_pdf("test/tagged.html", {})
    assert is_tagged(data)
    assert language(data) == "en-GB"
    assert b"Notice 7" in pdf_objects(data)
