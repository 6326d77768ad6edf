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

A batch of letters is one PDF (`render_pdf_bundle`): each letter drawn by its own template, as
alone, its pages then written together (WeasyPrint's documented way of combining documents), so
each letter starts on a new page, keeps its own paper and is a bookmark of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def render_pdf_bundle(
    parts: Iterable[tuple[str, dict[str, Any]]],
    *,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    """One PDF of every (template name, context) of `parts`, in order, each drawn as
    `render_pdf` would draw it alone and starting on a new page; the file's title is `title`,
    its language the first part's. `progress(done)` is told after each part is drawn. Returns
    the bytes and the number of pages; ValueError when `parts` is empty. No side effects."""
    import weasyprint

    pages: list[Any] = []
    first: Any = None
    for done, (template_name, context) in enumerate(parts, start=1):
        html = render_to_string(template_name, context)
        document = weasyprint.HTML(string=html).render(pdf_variant=PDF_VARIANT)
        first = first or document
        pages.extend(document.pages)
        if progress is not None:
            progress(done)
    if first is None:
        raise ValueError("No document to put in the PDF.")
    bundle = first.copy(pages)
    bundle.metadata.title = title
    return bytes(bundle.write_pdf(pdf_variant=PDF_VARIANT)), len(pages)


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
