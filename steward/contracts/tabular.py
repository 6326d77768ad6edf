"""Reading messy spreadsheets: headers, dates, money, blank and totals rows (no Django).

Real registers arrive as CSV or XLSX with header names in any case and spacing, dates in ISO,
US (MM/DD/YYYY) and UK (DD/MM/YYYY) forms and as Excel serial numbers, money with currency
signs, thousands separators and accountants' brackets, blank lines and a totals row at the
end. Everything here turns one cell into a value or raises CellError with a sentence a person
can act on; the importer adds the line number and column.

A CSV cell of a single quote followed by a formula trigger (``'=1+1``) is read without the
quote: that is how Steward's CSV exports make formulas inert (`steward.core.exports`).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from steward.core.exports import unescape_formula

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1000000000000")  # the database holds 14 digits, 2 after the point
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (it counts 1900 as a leap year)
# Excel serial numbers from 1 Jan 1950 to 31 Dec 2099: a bare number outside is not a date
EXCEL_SERIAL_RANGE = (18264, 73050)


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class SheetRow:
    """One row of a sheet: its 1-based line number in the file and its cells by header key."""

    line: int
    cells: dict[str, Any]


def header_key(name: object) -> str:
    """Normalise a header: 'Contract  Number ', 'contract_number' and 'CONTRACT-NUMBER' all
    become 'contract number'."""
    text = str(name or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s_\-./]+", " ", text)
    return re.sub(r"[^a-z0-9 ]", "", text).strip()


def is_blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def text(value: object) -> str:
    """A cell as trimmed text ('' for a blank cell), inner runs of white space as one space;
    numbers without a trailing '.0'."""
    if type(value) is str:
        stripped = value.strip()
        if "  " in stripped or "\n" in stripped or "\t" in stripped or "\r" in stripped:
            return " ".join(stripped.split())
        return stripped
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


# ISO dates, with a time and a zone as open-data portals write them (2013-06-30T00:00:00Z,
# 2013-06-30T00:00:00.000+01:00): the date part is the date
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def parse_date(value: object, *, date_order: str) -> date:
    """Read a date cell. `date_order` is the agency pack's: "MDY" (US) or "DMY" (UK), used for
    slashed dates; ISO (YYYY-MM-DD) and Excel serial numbers are read in either."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    raw = text(value)
    if not raw:
        raise CellError("a date is required")
    if m := _ISO.fullmatch(raw):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _SLASHED.fullmatch(raw):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 70 else 1900
        month, day = (first, second) if date_order == "MDY" else (second, first)
        form = "MM/DD/YYYY" if date_order == "MDY" else "DD/MM/YYYY"
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError(f"{raw!r} is not a date in the agency's {form} form") from None
    if _SERIAL.fullmatch(raw):
        return _from_serial(float(raw))
    form = "MM/DD/YYYY" if date_order == "MDY" else "DD/MM/YYYY"
    raise CellError(f"{raw!r} is not a date (use YYYY-MM-DD or {form})")


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"{raw!r} is not a date") from None


def _from_serial(serial: float) -> date:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial <= high:
        raise CellError(f"{serial:g} is not a date (an Excel date number is {low}–{high})")
    return EXCEL_EPOCH + timedelta(days=int(serial))


_MONEY = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# The currency an amount names, by sign or code (a bare amount names none)
CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
_CURRENCY = re.compile(
    r"[$£€¥]|\b(?:USD|GBP|EUR|CAD|AUD|NZD|CHF|JPY|SEK|NOK|DKK|PLN|INR|MXN)\b", re.IGNORECASE
)
# Excel's accounting format writes zero as a dash: "-", "$ -", " -   "
_ACCOUNTING_ZERO = {"-", "–", "—"}
# The usual plain amount ("$1,234.50", "1234", "£12.5"): read without the general path's
# currency search and clean-up, to the same value (a register has one in every row)
_PLAIN_MONEY = re.compile(r"([$£€¥]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)")


def parse_money(
    value: object, *, allow_negative: bool = False, currency: str | None = None
) -> Decimal:
    """Read an amount: '$1,234.50', '£1,234', '1234.5', '(1,000.00)' and '-1,000' (negative
    only where `allow_negative`), Excel's accounting dash for zero. Rounded half-up to cents.

    An amount that names a currency (a sign or a code) other than `currency` is refused rather
    than stripped: '€1,000' is not 1,000 pounds."""
    if type(value) is str and (plain := _PLAIN_MONEY.fullmatch(value)):
        sign = plain[1]
        if not sign or not currency or CURRENCY_SIGNS[sign] == currency:
            amount = Decimal(plain[2].replace(",", ""))
            if amount < MONEY_LIMIT:
                return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, bool):
        raise CellError("an amount is required")
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        raw = text(value)
        if not raw:
            raise CellError("an amount is required")
        named = {CURRENCY_SIGNS.get(m, m.upper()) for m in _CURRENCY.findall(raw)}
        if len(named) > 1 or (named and currency and named != {currency}):
            found = ", ".join(sorted(named))
            raise CellError(
                f"{raw!r} is in {found}; the amounts here are in "
                f"{currency or 'one currency'} (convert it, or give the contract's currency)"
            )
        cleaned = _CURRENCY.sub("", raw).replace(" ", "")
        if cleaned in _ACCOUNTING_ZERO:
            return Decimal("0.00")
        negative = False
        if cleaned.startswith("(") and cleaned.endswith(")"):
            negative, cleaned = True, cleaned[1:-1]
        if cleaned.startswith("-"):
            negative, cleaned = not negative, cleaned[1:]
        if not _MONEY.fullmatch(cleaned) or cleaned.startswith("-"):
            raise CellError(f"{raw!r} is not an amount of money")
        try:
            amount = Decimal(cleaned.replace(",", ""))
        except InvalidOperation:
            raise CellError(f"{raw!r} is not an amount of money") from None
        if negative:
            amount = -amount
    if amount < 0 and not allow_negative:
        raise CellError(f"{text(value)!r} is negative; an amount here cannot be")
    if abs(amount) >= MONEY_LIMIT:
        raise CellError(f"{text(value)!r} is too large (at most 999,999,999,999.99)")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


_TRUE = {"y", "yes", "true", "1", "x"}
_FALSE = {"n", "no", "false", "0", ""}


def parse_flag(value: object) -> bool:
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(f"{text(value)!r} is not yes or no")


_TOTALS = re.compile(r"^(grand\s+)?totals?\b|^sum\b", re.IGNORECASE)


def is_totals_row(values: Iterable[Any]) -> bool:
    """A trailing 'Total' / 'Grand total' row that spreadsheets add under a register: its
    first filled cell says so."""
    for value in values:
        if not is_blank(value):
            return bool(_TOTALS.match(text(value)))
    return False


# ---------------------------------------------------------------------------- reading files


class FileFormatError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, no header row, ...)."""


def sniff_kind(name: str, head: bytes) -> str:
    """'xlsx' or 'csv', from the content first (a ZIP signature), then the name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileFormatError("The file is named .xlsx but is not an Excel workbook.")
    return "csv"


# How many filled rows above the header a file may have (a title, a date, a note)
HEADER_SEARCH_ROWS = 20
HeaderTest = Callable[[list[str]], bool]


def iter_rows(
    stream: IO[bytes], *, kind: str, is_header: HeaderTest | None = None
) -> tuple[list[str], Iterator[SheetRow]]:
    """Return the header keys and an iterator over the data rows (blank rows skipped, line
    numbers as a person sees them in the file). Streams: rows are read as they are used.

    The header is the first filled row, or, with `is_header`, the first of the first
    `HEADER_SEARCH_ROWS` filled rows it accepts (title rows above a spreadsheet's header are
    passed over); when none is accepted, the first filled row."""
    if kind == "xlsx":
        return _xlsx_rows(stream, is_header)
    return _csv_rows(stream, is_header)


class _KeepOpen(io.RawIOBase):
    """Read `stream` without closing it when the text wrapper on top is closed or collected
    (the caller owns the stream: a page reads an upload twice, to check and to store it)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def file_encoding(stream: IO[bytes]) -> str:
    """The encoding of the whole file: UTF-8 (with or without a BOM) when every byte of it is,
    else Windows-1252 when every byte is; the stream is read once in blocks (memory stays flat)
    and left at its start. FileFormatError names the first line that is neither."""
    line = 1
    for encoding in ("utf-8-sig", "cp1252"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        line = 1
        try:
            while block := stream.read(1 << 16):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    line += block[: max(0, exc.start)].count(b"\n")
                    raise
                line += block.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        stream.seek(0)
        return encoding
    stream.seek(0)
    raise FileFormatError(
        f"Line {line} has characters that are neither UTF-8 nor Windows-1252 text: save the "
        'file as "CSV UTF-8" and upload it again.'
    )


def _decode(stream: IO[bytes]) -> IO[str]:
    encoding = file_encoding(stream)
    buffered = io.BufferedReader(_KeepOpen(stream), buffer_size=1 << 16)
    return io.TextIOWrapper(buffered, encoding=encoding, newline="")


def _find_header(
    numbered: Iterator[tuple[int, list[Any]]], is_header: HeaderTest | None
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header keys and the rows after it (the filled rows read while looking for the
    header, then the rest); FileFormatError when there is no filled row."""
    seen: list[tuple[int, list[Any]]] = []
    header_at = 0
    for line, values in numbered:
        if all(is_blank(v) for v in values):
            continue
        seen.append((line, values))
        if is_header is None or is_header([header_key(v) for v in values]):
            header_at = len(seen) - 1
            break
        if len(seen) >= HEADER_SEARCH_ROWS:
            break  # no header found: the first filled row is the header
    if not seen:
        raise FileFormatError("The file is empty: no header row.")
    header = [header_key(h) for h in seen[header_at][1]]
    return header, itertools.chain(seen[header_at + 1 :], numbered)


def _csv_rows(
    stream: IO[bytes], is_header: HeaderTest | None
) -> tuple[list[str], Iterator[SheetRow]]:
    reader = csv.reader(_decode(stream))
    numbered = ((reader.line_num, values) for values in reader)
    columns, rest = _find_header(numbered, is_header)

    # the usual header (every key filled and different): a row's cells are one dict(zip())
    plain = all(columns) and len(set(columns)) == len(columns)

    def rows() -> Iterator[SheetRow]:
        for line, values in rest:
            joined = "".join(values)  # one pass in C for the two tests below
            if not joined.strip():
                continue
            # Undo the formula escaping Steward's CSV exports apply ('=1+1 → =1+1), so an
            # export imports back unchanged; other leading quotes are kept.
            if "'" in joined:
                values = [unescape_formula(v) if v[:1] == "'" else v for v in values]
            cells = dict(zip(columns, values, strict=False)) if plain else _cells(columns, values)
            yield SheetRow(line=line, cells=cells)

    return columns, rows()


def _xlsx_rows(
    stream: IO[bytes], is_header: HeaderTest | None
) -> tuple[list[str], Iterator[SheetRow]]:
    from openpyxl import load_workbook

    from steward.core.uploads import UploadRejected, check_archive

    try:  # before parsing: a zip bomb or a zip that is not a workbook stops here
        check_archive(stream, extension="xlsx")
    except UploadRejected as exc:
        raise FileFormatError(str(exc)) from None
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileFormatError(f"The Excel workbook cannot be read: {exc}") from None
    sheet = workbook.worksheets[0]
    numbered = (
        (number, list(values))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    )
    try:
        columns, rest = _find_header(numbered, is_header)
    except FileFormatError:
        workbook.close()
        raise FileFormatError("The first sheet is empty: no header row.") from None

    def rows() -> Iterator[SheetRow]:
        try:
            for number, values in rest:
                if all(is_blank(v) for v in values):
                    continue
                yield SheetRow(line=number, cells=_cells(columns, values))
        finally:
            workbook.close()

    return columns, rows()


def _cells(columns: list[str], values: list[Any]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for key, value in zip(columns, values, strict=False):
        if key and key not in cells:
            cells[key] = value
    return cells
