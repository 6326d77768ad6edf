"""PDF documents: a Django template rendered to HTML, then to PDF with WeasyPrint.

Every PDF Steward makes (monitoring letters, notification packs and reports, procurement files
and termination notices, evaluations) goes through `render_pdf`. No ``base_url`` is given: the
PDF templates carry their styles inline and reference no files or addresses, so WeasyPrint
fetches nothing (not even from Steward itself, which could deadlock a busy server); an agency's
logo goes in as a ``data:`` address (`steward.parties.letterhead`).

Every PDF is tagged and accessible: WeasyPrint's PDF/UA-1 variant (`PDF_VARIANT`) writes the
structure tree (``/StructTreeRoot``, ``/MarkInfo``), the document's language (from
``<html lang>``) and its title (from ``<title>``, shown by the reader). The paper is the
template's ``@page`` size: the letters take it from the agency (`letterhead`): US Letter for
US agencies, A4 elsewhere (docs/letters.md).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from steward.core.exports import attachment

PDF_TYPE = "application/pdf"
#: Tagged PDF for assistive technology (ISO 14289-1), as WeasyPrint names it.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """The PDF of `template_name` rendered with `context` (and, given `request`, the context
    processors: the signed-in user, the site's settings). Returns the document's bytes; no
    side effects. WeasyPrint is imported here, so pages that never make a PDF do not load it."""
    import weasyprint

    html = render_to_string(template_name, context, request=request)
    return bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT))


def pdf_response(
    template_name: str,
    context: dict[str, Any],
    *,
    filename: str,
    request: HttpRequest | None = None,
    inline: bool = False,
) -> HttpResponse:
    """An ``application/pdf`` response of `render_pdf`, offered as `filename`: downloaded
    (``attachment``, what every PDF link in Steward does) or shown in the browser
    (`inline`)."""
    return attachment(
        render_pdf(template_name, context, request=request),
        content_type=PDF_TYPE,
        filename=filename,
        inline=inline,
    )
