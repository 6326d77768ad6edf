"""Tabular exports: a header and rows of plain values written as CSV, XLSX or JSON.

Every table Steward hands out as a file (the register export, the register's reports, the
compliance table, the monitoring reports, the rate calculations, the concern analysis, the
rejected rows of an import) is written here, so that every file gets the same protection and
the same conventions.

Cells are plain values: ``str``, ``int``, ``float``, ``Decimal``, ``date``, ``datetime``,
``bool`` or ``None``.

- **CSV** (RFC 4180 as Python's ``csv`` writes it, ``\\r\\n`` line ends): ``None`` is an empty
  cell, a date or datetime its ISO 8601 form, anything else ``str(value)``.
- **XLSX** (openpyxl, write-only): numbers (``Decimal`` without float rounding) stay numbers,
  dates stay dates (openpyxl's ``yyyy-mm-dd`` and ``yyyy-mm-dd h:mm:ss`` formats), ``None`` an
  empty cell. Sheet names are cut to Excel's 31 characters.
- **JSON**: a list of objects keyed by the header; ``Decimal`` as a string (never a float that
  would lose cents), dates and datetimes in ISO 8601, UTF-8 text (not ``\\u`` escapes).

Formula safety (CSV injection): a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is one a spreadsheet would run as a formula when the file is opened
(``=HYPERLINK(...)``, ``=cmd|...``). Such text is written so that it is shown, never run:

- in CSV it is prefixed with one single quote (``'=1+1``), the OWASP advice; a text that
  already begins with quotes followed by a trigger gets one more, so that `unescape_formula`
  (which the register import applies to CSV cells) gives back exactly the original text;
- in XLSX it is a string cell (``data_type = "s"``, an inline string), never a formula cell;
  the text itself is unchanged;
- JSON is not escaped: it is data for programs, which get the exact text; whoever turns it
  into a spreadsheet must apply the same rule.

Only ``str`` values are escaped: ``Decimal("-5")`` is a number and is written as ``-5``.

No other Steward app is imported here, and Django only inside the HTTP helpers, so that the
pure file readers (``steward.contracts.tabular``) can share the escaping rule.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.http.response import HttpResponseBase

Cell = Any  # str | int | float | Decimal | date | datetime | bool | None
Row = Sequence[Cell]

FORMATS = ("csv", "xlsx", "json")
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_TYPE, "json": JSON_TYPE, "xlsx": XLSX_TYPE}

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
SHEET_TITLE_LIMIT = 31  # Excel refuses longer sheet names


# ---------------------------------------------------------------- formula safety


def needs_escape(text: str) -> bool:
    """Whether `text` must be quoted in a CSV cell: it begins with a formula trigger, or with
    single quotes followed by one (so that quoting stays reversible)."""
    return text.lstrip("'")[:1] in FORMULA_TRIGGERS


def escape_formula(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows and never evaluates: with one single quote in
    front when `needs_escape`, otherwise unchanged."""
    return "'" + text if needs_escape(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of `escape_formula`: `text` without the one leading quote that
    `escape_formula` added (a quote followed by a formula trigger); otherwise unchanged."""
    if text[:1] == "'" and needs_escape(text[1:]):
        return text[1:]
    return text


# ---------------------------------------------------------------- CSV


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    return str(value)


class _Echo:
    """A file-like object whose write returns what it is given (csv.writer writes one line)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """The CSV as an iterator of lines, header first (for a streaming HTTP response). Reads
    `rows` lazily."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def write_csv(header: Sequence[str], rows: Iterable[Row], out: IO[str]) -> None:
    """Write the CSV to the text stream `out` (open it with ``newline=""``). Returns None."""
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])


def csv_text(header: Sequence[str], rows: Iterable[Row]) -> str:
    """The CSV as one string."""
    out = io.StringIO()
    write_csv(header, rows, out)
    return out.getvalue()


# ---------------------------------------------------------------- XLSX


@dataclass(frozen=True)
class Sheet:
    """One worksheet: `preamble` rows (a title line) above the `header`, then the `rows`."""

    title: str
    header: Sequence[str]
    rows: Iterable[Row]
    preamble: Sequence[Row] = ()


def write_xlsx(sheets: Iterable[Sheet], out: IO[bytes]) -> None:
    """Write a workbook with one worksheet per `Sheet`, in order, to the binary stream `out`
    (write-only: rows are read lazily and not kept in memory). Returns None."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:SHEET_TITLE_LIMIT])

        def cells(row: Row, sheet: Any = sheet) -> list[Any]:
            values: list[Any] = list(row)
            for i, value in enumerate(values):
                # openpyxl makes a str starting with "=" a formula; other triggers are already
                # strings, but every trigger is marked so the rule holds whatever openpyxl does.
                if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
                    cell = WriteOnlyCell(sheet, value)
                    cell.data_type = "s"
                    values[i] = cell
            return values

        for row in spec.preamble:
            sheet.append(cells(row))
        sheet.append(cells(spec.header))
        for row in spec.rows:
            sheet.append(cells(row))  # Decimal stays a number, without float rounding
    workbook.save(out)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook (see `write_xlsx`) as bytes."""
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


# ---------------------------------------------------------------- JSON


def _json_cell(value: Cell) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    return value


def write_json(
    header: Sequence[str], rows: Iterable[Row], out: IO[str], *, indent: int | None = None
) -> None:
    """Write a JSON list with one object per row (keys in header order) to `out`. Without
    `indent`, one object per line, streamed as the rows are read; with it, pretty-printed.
    Ends with a newline. Returns None."""
    records = ({key: _json_cell(v) for key, v in zip(header, row, strict=True)} for row in rows)
    if indent is not None:
        out.write(json.dumps(list(records), indent=indent, ensure_ascii=False) + "\n")
        return
    out.write("[")
    for n, record in enumerate(records):
        out.write(("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False))
    out.write("\n]\n")


def json_text(header: Sequence[str], rows: Iterable[Row], *, indent: int | None = None) -> str:
    """The JSON (see `write_json`) as one string."""
    out = io.StringIO()
    write_json(header, rows, out, indent=indent)
    return out.getvalue()


def write_export(
    fmt: str, header: Sequence[str], rows: Iterable[Row], out: IO[bytes], *, sheet_title: str
) -> None:
    """Write the table in `fmt` ("csv", "xlsx" or "json") to the binary stream `out`, by the
    same formula-safe writers as `export_response` (an export made by a background job is the
    same file as one downloaded at once). ValueError for another format."""
    if fmt == "xlsx":
        write_xlsx([Sheet(sheet_title, header, rows)], out)
        return
    if fmt not in ("csv", "json"):
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        if fmt == "csv":
            write_csv(header, rows, text)
        else:
            write_json(header, rows, text)
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller


# ---------------------------------------------------------------- HTTP


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition header offering the body as `filename` (``attachment``: save
    it; ``inline``: show it in the browser). Quotes and non-ASCII names are encoded."""
    from django.utils.http import content_disposition_header

    return content_disposition_header(not inline, filename) or ""


def attachment(
    body: str | bytes, *, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    """An HttpResponse carrying `body` as a file named `filename` (see
    `content_disposition`)."""
    from django.http import HttpResponse

    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


def export_response(
    fmt: str, header: Sequence[str], rows: Iterable[Row], *, filename: str, sheet_title: str
) -> HttpResponseBase:
    """The table as a download in `fmt` ("csv", "xlsx" or "json"; ValueError otherwise): CSV
    streamed line by line as `rows` are read, XLSX in one worksheet `sheet_title`, JSON one
    object per line. `filename` is the name offered to save it as."""
    from django.http import FileResponse, StreamingHttpResponse

    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE)
    elif fmt == "json":
        return attachment(json_text(header, rows), content_type=JSON_TYPE, filename=filename)
    elif fmt == "xlsx":
        binary = io.BytesIO()
        write_xlsx([Sheet(sheet_title, header, rows)], binary)
        binary.seek(0)
        response = FileResponse(binary, content_type=XLSX_TYPE)
    else:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    response["Content-Disposition"] = content_disposition(filename)
    return response
