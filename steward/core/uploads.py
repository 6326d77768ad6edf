"""Upload checks: type by extension *and* content, and size. Pure Python (stdlib zipfile).

Office documents (.docx, .xlsx, .odt, .ods) are zip archives: beyond the zip signature, the
archive must say it is that kind of document ([Content_Types].xml for OOXML, the `mimetype`
entry for OpenDocument), and it must not be a zip bomb — its declared uncompressed size, its
compression ratio, its number of entries and (for a workbook) its sheets' declared rows are
checked before anything parses it (docs/security.md §7 and §9). Python's zipfile never inflates
an entry past its declared size, so the declared sizes bound the work."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO

# extension -> (content type, accepted leading signatures; empty = text, checked separately)
ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "csv": ("text/csv", ()),
    "txt": ("text/plain", ()),
}


class UploadRejected(ValueError):
    """The file may not be stored; the message says why, in words a person can act on."""


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str


def check_upload(
    *,
    filename: str,
    head: bytes,
    size: int,
    max_bytes: int,
    stream: IO[bytes] | None = None,
) -> CheckedUpload:
    """Return the file's extension and content type if it is an accepted document.

    `head` is the first 1 KiB or more of the file. With `stream` (the whole file, seekable), an
    office document's archive is checked too (`check_archive`). Raises UploadRejected when the
    file is empty, too large, of a type not accepted, or its content does not match its
    extension."""
    if size <= 0:
        raise UploadRejected("The file is empty.")
    if size > max_bytes:
        raise UploadRejected(
            f"The file is {size / 1024 / 1024:.1f} MB; the largest accepted is "
            f"{max_bytes / 1024 / 1024:.0f} MB."
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_TYPES:
        accepted = ", ".join(sorted({e.upper() for e in ALLOWED_TYPES}))
        raise UploadRejected(
            f"Files of type .{extension or '(none)'} are not accepted. Accepted types: {accepted}."
        )
    content_type, signatures = ALLOWED_TYPES[extension]
    if signatures:
        if not any(head.startswith(sig) for sig in signatures):
            raise UploadRejected(
                f"The file's content is not a real .{extension} file (its signature does not "
                "match). Save it again in that format and retry."
            )
        if stream is not None and extension in ARCHIVE_TYPES:
            check_archive(stream, extension=extension)
    else:
        sample = head[:4096]
        if b"\x00" in sample:
            raise UploadRejected(f"The .{extension} file contains binary data, not text.")
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError:
            try:
                sample[:-3].decode("utf-8")
            except UnicodeDecodeError:
                # Spreadsheet programs on Windows save CSV as Windows-1252; the importer
                # decodes the whole file and names the line of any byte neither can read.
                try:
                    sample.decode("cp1252")
                except UnicodeDecodeError as exc:
                    raise UploadRejected(
                        f"The .{extension} file is neither UTF-8 nor Windows-1252 text."
                    ) from exc
    return CheckedUpload(extension=extension, content_type=content_type)


# ---------------------------------------------------------------- office archives

#: A whole archive may not inflate past this (a year of returns is a few MB of XML).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: Nor may one entry inflate more than this many times its compressed size (text XML compresses
#: 10-30 times; a bomb thousands of times). Entries under 1 MB are not held to it.
MAX_COMPRESSION_RATIO = 100
MAX_ENTRIES = 10_000
#: Rows and cells a workbook's sheets may declare (their <dimension> element).
MAX_SHEET_ROWS = 250_000
MAX_SHEET_CELLS = 10_000_000

#: extension -> what the archive must declare: OOXML main part content type, or ODF mimetype.
ARCHIVE_TYPES: dict[str, tuple[str, str]] = {
    "docx": (
        "ooxml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": ("ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "odt": ("odf", "application/vnd.oasis.opendocument.text"),
    "ods": ("odf", "application/vnd.oasis.opendocument.spreadsheet"),
}

_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\""
)


def _column_number(letters: bytes) -> int:
    number = 0
    for code in letters:
        number = number * 26 + (code - 64)
    return number


def check_archive(stream: IO[bytes], *, extension: str) -> None:
    """Refuse (UploadRejected) an office document whose archive is damaged, is not the document
    its extension says, or would inflate too far: total declared size, compression ratio,
    entries, and for .xlsx the rows each sheet declares. Reads only the central directory and a
    few KB; leaves `stream` at its start."""
    kind, declared = ARCHIVE_TYPES[extension]
    label = f".{extension}"
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise UploadRejected(
                    f"The {label} file holds {len(entries):,} parts; at most {MAX_ENTRIES:,} "
                    "are accepted."
                )
            total = sum(e.file_size for e in entries)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise UploadRejected(
                    f"The {label} file would expand to {total / 1024 / 1024:,.0f} MB when "
                    f"opened; at most {MAX_UNCOMPRESSED_BYTES / 1024 / 1024:,.0f} MB is "
                    "accepted. Split it into smaller files."
                )
            for entry in entries:
                if entry.file_size > 1024 * 1024 and (
                    entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)
                ):
                    raise UploadRejected(
                        f"The {label} file is compressed far more than a real document "
                        f"(its part {entry.filename[:60]!r} expands "
                        f"{entry.file_size // max(entry.compress_size, 1):,} times); it is "
                        "refused as a possible zip bomb."
                    )
            names = {e.filename for e in entries}
            if kind == "ooxml":
                _check_ooxml(archive, names, declared, label)
                if extension == "xlsx":
                    _check_sheet_dimensions(archive, names, label)
            else:
                mimetype = archive.read("mimetype")[:200] if "mimetype" in names else b""
                if mimetype.strip() != declared.encode():
                    raise UploadRejected(
                        f"The file is a zip archive but not a real {label} document. Save it "
                        "again in that format and retry."
                    )
    except zipfile.BadZipFile as exc:
        raise UploadRejected(
            f"The {label} file is damaged (it cannot be opened as a document)."
        ) from exc
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError) as exc:
        raise UploadRejected(f"The {label} file cannot be read: {exc}") from exc
    finally:
        stream.seek(0)


def _check_ooxml(archive: zipfile.ZipFile, names: set[str], declared: str, label: str) -> None:
    info = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
    if info is None or info.file_size > 1024 * 1024:
        raise UploadRejected(
            f"The file is a zip archive but not a real {label} document (it has no content "
            "types). Save it again in that format and retry."
        )
    content_types = archive.read(info)
    if declared.encode() not in content_types:
        raise UploadRejected(
            f"The file is a zip archive but not a real {label} document (it declares another "
            "kind of content). Save it again in that format and retry."
        )


def _check_sheet_dimensions(archive: zipfile.ZipFile, names: set[str], label: str) -> None:
    for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
        with archive.open(name) as part:
            head = part.read(4096)
        match = _DIMENSION.search(head)
        if match is None:
            continue  # optional in the format; the size and ratio limits still hold
        first_col, first_row, last_col, last_row = match.groups()
        if last_row is None:
            continue
        rows = int(last_row) - int(first_row or 1) + 1
        cols = _column_number(last_col) - _column_number(first_col or b"A") + 1
        if rows > MAX_SHEET_ROWS or rows * max(cols, 1) > MAX_SHEET_CELLS:
            raise UploadRejected(
                f"A sheet of the {label} file declares {rows:,} rows and {cols:,} columns; at "
                f"most {MAX_SHEET_ROWS:,} rows are accepted. Split it into smaller files."
            )
