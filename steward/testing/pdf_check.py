"""What a test can read of a PDF without a PDF library: its objects, with the compressed
streams (object streams, the XMP metadata) inflated, and the page sizes and flags in them."""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes followed by every stream it holds that inflates (Flate): the objects
    WeasyPrint packs into object streams become searchable."""
    parts = [data]
    for match in _STREAM.finditer(data):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def page_sizes(data: bytes) -> set[tuple[int, int]]:
    """The (width, height) in points of the PDF's pages (from their /MediaBox)."""
    found = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf_objects(data))
    return {(round(float(w)), round(float(h))) for w, h in found}


def is_tagged(data: bytes) -> bool:
    """Whether the PDF is tagged for assistive technology: a structure tree, marked content
    and the PDF/UA identification."""
    objects = pdf_objects(data)
    return all(key in objects for key in (b"/StructTreeRoot", b"/MarkInfo", b"pdfuaid:part"))


def language(data: bytes) -> str:
    """The document's /Lang ("" when none)."""
    found = re.search(rb"/Lang\s*\(([^)]*)\)", pdf_objects(data))
    return found.group(1).decode() if found else ""


def page_count(data: bytes) -> int:
    """How many pages the PDF has (its /Page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_objects(data)))


def bookmarks(data: bytes, starting: str = "") -> list[str]:
    """The titles written as plain strings whose text starts with `starting`: the PDF's
    bookmarks (WeasyPrint's outline of the headings), and its own title."""
    found = re.findall(rb"/Title\s*\(((?:[^()\\]|\\.)*)\)", pdf_objects(data))
    titles = [title.decode("latin-1") for title in found]
    return [title for title in titles if title.startswith(starting)]
