"""Upload checks: type by extension *and* content signature, and size. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass

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


def check_upload(*, filename: str, head: bytes, size: int, max_bytes: int) -> CheckedUpload:
    """Return the file's extension and content type if it is an accepted document.

    `head` is the first 1 KiB or more of the file. Raises UploadRejected when the file is empty,
    too large, of a type not accepted, or its content does not match its extension."""
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
    else:
        sample = head[:4096]
        if b"\x00" in sample:
            raise UploadRejected(f"The .{extension} file contains binary data, not text.")
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError:
            try:
                sample[:-3].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UploadRejected(f"The .{extension} file is not UTF-8 text.") from exc
    return CheckedUpload(extension=extension, content_type=content_type)
