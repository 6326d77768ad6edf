"""The contract register's file formats: which columns mean what, and how a row becomes a
contract record (no Django).

- ``native``: Steward's own template; one row per contract, every contract field (the export
  writes the same columns, so an export imports back unchanged).
- ``uk-transparency``: the contract register English councils publish under the Local
  Government Transparency Code. What Steward has a field for is mapped; the review date, the
  SME/VCSE flags and anything unrecognised are kept in the contract's notes.
- ``us-open-data``: the usual US state/city open-data contract list. Rows sharing a contract
  number are one contract; rows whose item id extends it (Philadelphia's ``current_item_id``
  1820407 → 182040701) are its renewals or amendments, each with its own term and amount
  (a $0 amount is a time-only renewal, a negative one a reduction).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from steward.contracts.tabular import (
    CellError,
    SheetRow,
    is_blank,
    parse_date,
    parse_flag,
    parse_money,
    text,
)

FORMATS = ("native", "uk-transparency", "us-open-data")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str
    number: str = ""  # the contract number of the row, when it could be read

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class TableImportReport:
    """What an all-or-nothing import of a table did (or would do, on a dry run): the rows
    read, the records created, changed and left unchanged, and every problem by line. The
    returns import and the needs-analysis import extend it."""

    filename: str
    dry_run: bool
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    #: what `created` counts, in the summary ("new" rows, "new values", ...)
    created_words = "new"

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One sentence: the problems (nothing written), or what was (or would be) written."""
        if self.errors:
            return (
                f"{self.filename}: {len(self.errors)} problem(s) in "
                f"{len({e.line for e in self.errors})} row(s); nothing was imported."
            )
        verb = "imported" if self.written else "would import"
        return (
            f"{self.filename}: {self.rows_read} rows read; {verb} {self.created} "
            f"{self.created_words}, {self.updated} changed, {self.unchanged} unchanged."
        )

    def errors_by_cell(self) -> dict[str, list[str]]:
        """The problems keyed by "line N: column" (or "line N"), as a form shows them."""
        errors: dict[str, list[str]] = {}
        for e in self.errors:
            key = f"line {e.line}: {e.column}" if e.column else f"line {e.line}"
            errors.setdefault(key, []).append(e.reason)
        return errors


@dataclass(frozen=True)
class RegisterItem:
    """A renewal or amendment as a published register lists it (us-open-data)."""

    reference: str
    line: int
    start_date: date
    end_date: date
    amount: Decimal


@dataclass
class ContractRecord:
    """One contract as a file describes it, validated cell by cell."""

    line: int
    number: str
    values: dict[str, Any]  # contract field name → value (only fields the format gives)
    provider: dict[str, Any]  # legal_name, tax_id, company_number, charity_number, for_profit
    items: list[RegisterItem] = field(default_factory=list)  # us-open-data: first = base term
    notices: list[str] = field(default_factory=list)  # read, but changed to fit (a long title)
    # us-open-data: what the reductions listed exceed the items listed by, when the contract's
    # first items are not in the file (its obligation before them was at least this much)
    shortfall: Decimal = Decimal("0")


# ------------------------------------------------------------------------ choices by label

CONTRACT_TYPES = {
    "pos": "pos",
    "purchase of service": "pos",
    "purchase of services": "pos",
    "psa": "psa",
    "personal service agreement": "psa",
    "personal services agreement": "psa",
    "professional services": "professional_services",
    "professional_services": "professional_services",
    "charter school": "charter_school",
    "charter_school": "charter_school",
    "block": "block",
    "block contract": "block",
    "framework": "framework",
    "framework / preferred purchaser": "framework",
    "spot": "spot",
    "spot purchase": "spot",
}


def _choice(value: object, choices: dict[str, str], what: str) -> str:
    raw = text(value)
    key = raw.lower()
    if key in choices:
        return choices[key]
    allowed = ", ".join(sorted(set(choices.values())))
    raise CellError(f"{raw!r} is not a {what} (one of: {allowed})")


# ------------------------------------------------------------------------ column specs


@dataclass(frozen=True)
class Column:
    field: str
    headers: tuple[str, ...]  # normalised header names (tabular.header_key), first = canonical
    required: bool = False


NATIVE_COLUMNS: tuple[Column, ...] = (
    Column("number", ("number", "contract number"), required=True),
    Column("title", ("title",), required=True),
    Column("description", ("description",)),
    Column("provider", ("provider", "provider legal name"), required=True),
    Column("provider_tax_id", ("provider tax id",)),
    Column("provider_company_number", ("provider company number",)),
    Column("provider_charity_number", ("provider charity number",)),
    Column("provider_for_profit", ("provider for profit",)),
    Column("department", ("department",)),
    Column("contract_type", ("contract type",), required=True),
    Column("service_type", ("service type",)),
    Column("object_code", ("object code",)),
    Column("sponsor", ("sponsor",)),
    Column("start_date", ("start date",), required=True),
    Column("end_date", ("end date",), required=True),
    Column("renewal_options", ("renewal options",)),
    Column("renewals_exercised", ("renewals exercised",)),
    Column("renewal_terms", ("renewal terms",)),
    Column("maximum_obligation", ("maximum obligation",), required=True),
    Column("currency", ("currency",)),
    Column("payments_to_date", ("payments to date",)),
    Column("compensation_structure", ("compensation structure",), required=True),
    Column("rate_setting", ("rate setting",)),
    Column("rate_setting_authority", ("rate setting authority",)),
    Column("procurement_method", ("procurement method",), required=True),
    Column("authority_category", ("authority category",)),
    Column("status", ("status",)),
    Column("executed_on", ("executed on",)),
    Column("completed_on", ("completed on",)),
    Column("terminated_on", ("terminated on",)),
    Column("termination_reason", ("termination reason",)),
    Column("notes", ("notes",)),
)

# The contracts dataset of the Local Government Transparency Code 2015 (its own field names
# first) and the headers councils actually publish it under
UK_COLUMNS: tuple[Column, ...] = (
    Column(
        "number",
        (
            "reference",
            "reference number",
            "contract reference",
            "contract reference number",
            "contract ref",
            "contract number",
            "contract no",
            "contract id",
            "contract identifier",
            "ref",
            "ref no",
            "id",
        ),
        required=True,
    ),
    Column(
        "title",
        (
            "title",
            "title of agreement",
            "contract title",
            "contract name",
            "agreement title",
            "subject",
            "subject matter",
        ),
    ),
    Column(
        "description",
        (
            "description",
            "description of goods and services",
            "description of goods and or services",
            "description of goods services",
            "contract description",
            "description of contract",
            "purpose",
        ),
    ),
    Column(
        "provider",
        (
            "supplier name",
            "supplier",
            "name of supplier",
            "suppliers",
            "supplier names",
            "vendor",
            "vendor name",
            "contractor",
            "contractor name",
            "provider",
            "provider name",
        ),
        required=True,
    ),
    Column(
        "provider_company_number",
        (
            "company number",
            "companies house number",
            "company registration number",
            "supplier company number",
            "supplier companies house number",
            "supplier registration number",
            "registration number",
        ),
    ),
    Column(
        "provider_charity_number",
        ("charity number", "registered charity number", "charity registration number"),
    ),
    Column(
        "department",
        (
            "department",
            "department responsible",
            "responsible department",
            "directorate",
            "responsible directorate",
            "service",
            "service area",
            "business unit",
        ),
    ),
    Column(
        "start_date",
        (
            "start date",
            "contract start date",
            "start",
            "validity period start",
            "start date of contract",
            "commencement date",
            "contract start",
        ),
        required=True,
    ),
    Column(
        "end_date",
        (
            "end date",
            "contract end date",
            "end",
            "expiry date",
            "contract expiry date",
            "validity period end",
            "end date of contract",
            "contract end",
        ),
        required=True,
    ),
    Column("review_date", ("review date", "contract review date")),
    Column(
        "maximum_obligation",
        (
            "value",
            "contract value",
            "total value",
            "total contract value",
            "value of agreement",
            "original contract value",
            "estimated value",
            "estimated contract value",
            "estimated total value",
            "whole life value",
            "value of contract",
        ),
        required=True,
    ),
    Column("sme", ("sme", "sme flag", "small or medium enterprise", "supplier is sme")),
    Column("vcse", ("vcse", "vcse flag", "voluntary or community sector", "supplier is vcse")),
    Column(
        "procurement_type",
        (
            "procurement type",
            "procurement method",
            "procurement process",
            "procurement route",
            "route to market",
            "award procedure",
        ),
    ),
)

US_COLUMNS: tuple[Column, ...] = (
    Column(
        "number",
        ("original contract id", "contract number", "contract no", "contract id", "contract"),
        required=True,
    ),
    Column("item", ("current item id", "item id", "amendment number", "current contract id")),
    Column("agency_name", ("agency", "agency name")),
    Column("department", ("department name", "department", "dept")),
    Column(
        "provider",
        ("vendor", "vendor name", "supplier", "contractor", "payee", "legal name"),
        required=True,
    ),
    Column("provider_tax_id", ("vendor tax id", "tax id", "fein", "ein")),
    Column("type", ("contract structure type", "contract type", "type", "category")),
    Column("description", ("short desc", "description", "contract description", "purpose")),
    Column("start_date", ("start dt", "start date", "begin date", "effective date"), required=True),
    Column("end_date", ("end dt", "end date", "expiration date", "expiry date"), required=True),
    Column(
        "amount",
        ("amt", "amount", "contract amount", "value", "total amount", "award amount"),
        required=True,
    ),
    Column("payments", ("tot payments", "payments to date", "total payments", "amount paid")),
    Column("original_vendor", ("orig vendor", "original vendor")),
    Column("advertised", ("adv or exempt", "advertised or exempt", "procurement method")),
    Column("profit_status", ("profit status", "for profit")),
)

COLUMNS = {"native": NATIVE_COLUMNS, "uk-transparency": UK_COLUMNS, "us-open-data": US_COLUMNS}


@dataclass(frozen=True)
class ColumnMap:
    """Which header of the file holds which field."""

    by_field: dict[str, str]
    unknown: tuple[str, ...]


def map_columns(fmt: str, headers: Iterable[str]) -> tuple[ColumnMap, list[RowError]]:
    """Match the file's (normalised) headers to the format's columns; missing required ones
    are errors on line 1."""
    present = [h for h in headers if h]
    by_field: dict[str, str] = {}
    for column in COLUMNS[fmt]:
        for header in column.headers:
            if header in present:
                by_field[column.field] = header
                break
    errors = [
        RowError(1, column.headers[0], "this column is required and the file does not have it")
        for column in COLUMNS[fmt]
        if column.required and column.field not in by_field
    ]
    used = set(by_field.values())
    unknown = tuple(h for h in present if h not in used)
    return ColumnMap(by_field, unknown), errors


def header_test(fmt: str) -> Callable[[list[str]], bool]:
    """Whether a row's (normalised) cells are the format's header: every required column is
    there. Used to pass over title rows above a spreadsheet's header."""

    def is_header(keys: list[str]) -> bool:
        present = set(keys)
        return all(
            any(h in present for h in column.headers) for column in COLUMNS[fmt] if column.required
        )

    return is_header


# ------------------------------------------------------------------------ rows → records


# What a date text reads as (a date, or the problem's message), by text and date order
_DATES: dict[tuple[str, str], date | str] = {}
_CACHE_SIZE = 20000


class _Reader:
    """Read the cells of one row, collecting an error per bad cell. (On the import's hot
    path: a 100,000-row file calls these three million times, so they avoid closures.)"""

    def __init__(
        self, row: SheetRow, columns: ColumnMap, date_order: str, currency: str | None = None
    ) -> None:
        self.row = row
        self.currency = currency  # amounts naming another currency are refused
        self.notices: list[str] = []  # what was read but changed to fit (a long title)
        self.cells = row.cells
        self.by_field = columns.by_field
        self.date_order = date_order
        self.errors: list[RowError] = []

    def raw(self, name: str) -> Any:
        header = self.by_field.get(name)
        return None if header is None else self.cells.get(header)

    def has(self, name: str) -> bool:
        return not is_blank(self.raw(name))

    def _value(self, name: str, required: bool) -> Any:
        """The cell's value, or None when it is blank (an error if it is required)."""
        header = self.by_field.get(name)
        value = None if header is None else self.cells.get(header)
        if value is None or (type(value) is str and not value.strip()):
            if required:
                self.errors.append(RowError(self.row.line, header or name, "this cell is empty"))
            return None
        return value

    def _fail(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.row.line, self.by_field.get(name, name), message))

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        multiline: bool = False,
    ) -> str:
        value = self._value(name, required)
        if value is None:
            return ""
        out = str(value).replace("\r\n", "\n").strip() if multiline else text(value)
        if max_length and len(out) > max_length:
            self._fail(name, f"is {len(out)} characters long; at most {max_length}")
            return ""
        return out

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self._value(name, required)
        if value is None:
            return None
        if type(value) is str:  # a register repeats its dates: each text is read once
            key = (value, self.date_order)
            read = _DATES.get(key)
            if read is None:
                try:
                    read = parse_date(value, date_order=self.date_order)
                except CellError as exc:
                    read = str(exc)
                if len(_DATES) >= _CACHE_SIZE:
                    _DATES.clear()  # bounded: memory stays flat
                _DATES[key] = read
            if type(read) is str:
                self._fail(name, read)
                return None
            return read  # type: ignore[return-value]
        try:
            return parse_date(value, date_order=self.date_order)
        except CellError as exc:
            self._fail(name, str(exc))
            return None

    def money(self, name: str, *, required: bool = False, negative: bool = False) -> Any:
        value = self._value(name, required)
        if value is None:
            return None
        try:
            return parse_money(value, allow_negative=negative, currency=self.currency)
        except CellError as exc:
            self._fail(name, str(exc))
            return None

    def whole(self, name: str) -> int | None:
        value = self._value(name, False)
        if value is None:
            return None
        raw = text(value)
        if not raw.isdigit():
            self._fail(name, f"{raw!r} is not a whole number")
            return None
        return int(raw)

    def flag(self, name: str) -> bool | None:
        value = self._value(name, False)
        if value is None:
            return None
        try:
            return parse_flag(value)
        except CellError as exc:
            self._fail(name, str(exc))
            return None

    def choice(self, name: str, choices: dict[str, str], what: str, *, required: bool) -> Any:
        value = self._value(name, required)
        if value is None:
            return None
        try:
            return _choice(value, choices, what)
        except CellError as exc:
            self._fail(name, str(exc))
            return None

    def error(self, column: str, reason: str) -> None:
        self._fail(column, reason)

    def title(self, name: str, description: str, *, fallback: str = "") -> tuple[str, str]:
        """The title (or, without one, the description's first line) and the description. A
        title longer than the field is shortened at a word and kept whole at the top of the
        description (and a notice says so), not refused."""
        title = self.text(name)
        if not title:
            title = description.split("\n", 1)[0].strip() or fallback
            if len(title) > TITLE_LENGTH:
                title = _shorten(title)
            return title, description
        if len(title) > TITLE_LENGTH:
            full = title
            title = _shorten(full)
            if full not in description:
                description = f"{full}\n\n{description}" if description else full
            self.notices.append(
                f"the title is {len(full)} characters long: it is shortened to {TITLE_LENGTH} "
                "and kept whole in the description"
            )
        return title, description

    def suppliers(self, name: str) -> list[str]:
        """The supplier names in one cell: several are separated by ';', '|' or line breaks
        (a comma is part of names such as "Granicus, Inc.")."""
        raw = self._value(name, True)
        if raw is None:
            return []
        names = [" ".join(part.split()) for part in re.split(r"[;|\n\r]+", str(raw))]
        names = list(dict.fromkeys(n for n in names if n))
        for supplier in names:
            if len(supplier) > TITLE_LENGTH:
                self._fail(name, f"is {len(supplier)} characters long; at most {TITLE_LENGTH}")
        if not names:
            self._fail(name, "this cell is empty")
        return names


TITLE_LENGTH = 250


def _shorten(text_: str) -> str:
    """`text_` cut to TITLE_LENGTH characters at a word, ending with an ellipsis."""
    cut = text_[: TITLE_LENGTH - 1]
    if " " in cut[TITLE_LENGTH // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def choices_of(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A lookup accepting a choice's value or its label, case-insensitively."""
    out: dict[str, str] = {}
    for value, label in pairs:
        out[value.lower()] = value
        out[label.lower()] = value
    return out


@dataclass(frozen=True)
class Vocabulary:
    """The contract model's choices (passed in, to keep this module free of Django)."""

    contract_types: dict[str, str]
    compensation: dict[str, str]
    procurement: dict[str, str]
    authority: dict[str, str]
    statuses: dict[str, str]


def read_native(
    row: SheetRow,
    columns: ColumnMap,
    *,
    date_order: str,
    vocab: Vocabulary,
    currency: str | None = None,
) -> tuple[ContractRecord | None, list[RowError]]:
    r = _Reader(row, columns, date_order)
    if r.has("currency"):  # the row's own currency, else the agency's
        currency = r.text("currency").upper()
        if len(currency) != 3 or not currency.isalpha():
            r.error("currency", f"{currency!r} is not a 3-letter currency code")
    r.currency = currency
    title, description = r.title("title", r.text("description", multiline=True))
    if not title:
        r.text("title", required=True)
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "department": r.text("department", max_length=200),
        "contract_type": r.choice(
            "contract_type", vocab.contract_types, "contract type", required=True
        ),
        "service_type": r.text("service_type", max_length=120),
        "object_code": r.text("object_code", max_length=20),
        "sponsor": r.text("sponsor", max_length=200),
        "start_date": r.date("start_date", required=True),
        "end_date": r.date("end_date", required=True),
        "renewal_terms": r.text("renewal_terms", max_length=250),
        "maximum_obligation": r.money("maximum_obligation", required=True),
        "compensation_structure": r.choice(
            "compensation_structure", vocab.compensation, "compensation structure", required=True
        ),
        "rate_setting_authority": r.text("rate_setting_authority", max_length=120),
        "procurement_method": r.choice(
            "procurement_method", vocab.procurement, "procurement method", required=True
        ),
        "termination_reason": r.text("termination_reason", multiline=True),
        "notes": r.text("notes", multiline=True),
    }
    if r.has("payments_to_date"):
        values["payments_to_date"] = r.money("payments_to_date")
    values["renewal_options"] = r.whole("renewal_options") or 0
    values["renewals_exercised"] = r.whole("renewals_exercised") or 0
    values["rate_setting"] = bool(r.flag("rate_setting"))
    values["authority_category"] = (
        r.choice("authority_category", vocab.authority, "authority category", required=False) or ""
    )
    if r.has("currency"):
        values["currency"] = currency
    if r.has("status"):
        values["status"] = r.choice("status", vocab.statuses, "status", required=False)
    for name in ("executed_on", "completed_on", "terminated_on"):
        values[name] = r.date(name)
    provider = {
        **_suppliers(r, values),
        "tax_id": r.text("provider_tax_id", max_length=20),
        "company_number": r.text("provider_company_number", max_length=20),
        "charity_number": r.text("provider_charity_number", max_length=20),
        "for_profit": r.flag("provider_for_profit"),
    }
    number = r.text("number", required=True, max_length=60)
    _check_term(r, values)
    if values["renewals_exercised"] > values["renewal_options"]:
        r.error(
            "renewals_exercised",
            f"{values['renewals_exercised']} renewals exercised but the contract has only "
            f"{values['renewal_options']} options",
        )
    if values["rate_setting"] and not values["rate_setting_authority"]:
        r.error("rate_setting_authority", "name the authority that set the rate")
    if r.errors:
        return None, [_with_number(e, number) for e in r.errors]
    return (
        ContractRecord(
            line=row.line, number=number, values=values, provider=provider, notices=r.notices
        ),
        [],
    )


def _suppliers(r: _Reader, values: dict[str, Any]) -> dict[str, Any]:
    """The provider's name and the joint suppliers named in the same cell (each becomes a
    provider of its own; the contract's notes name them)."""
    names = r.suppliers("provider")
    if len(names) > 1:
        line = "Joint suppliers: " + "; ".join(names[1:])
        if line not in values.get("notes", ""):
            values["notes"] = "\n".join(n for n in (values.get("notes", ""), line) if n)
    return {"legal_name": names[0] if names else "", "joint": names[1:]}


def _check_term(r: _Reader, values: dict[str, Any]) -> None:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        r.error("end_date", f"the end date {end:%Y-%m-%d} is before the start {start:%Y-%m-%d}")


def _with_number(error: RowError, number: str) -> RowError:
    return RowError(error.line, error.column, error.reason, number)


UK_PROCUREMENT = {
    "open": "tendered",
    "open procedure": "tendered",
    "restricted": "tendered",
    "restricted procedure": "tendered",
    "competitive": "tendered",
    "competitive tender": "tendered",
    "tender": "tendered",
    "tendered": "tendered",
    "competitive dialogue": "tendered",
    "competitive procedure with negotiation": "tendered",
    "framework": "tendered",
    "call off": "tendered",
    "call off from framework": "tendered",
    "mini competition": "tendered",
    "quotation": "under_threshold",
    "quotes": "under_threshold",
    "request for quotation": "under_threshold",
    "below threshold": "under_threshold",
    "direct award": "sole_source",
    "single tender action": "sole_source",
    "sole source": "sole_source",
    "waiver": "sole_source",
    "negotiated without prior publication": "sole_source",
    "best value exemption": "best_value_exemption",
}


def read_uk(
    row: SheetRow,
    columns: ColumnMap,
    *,
    date_order: str,
    vocab: Vocabulary,
    currency: str | None = None,
) -> tuple[ContractRecord | None, list[RowError]]:
    r = _Reader(row, columns, date_order, currency)
    number = r.text("number", required=True, max_length=60)
    title, description = r.title("title", r.text("description", multiline=True))
    if not title:
        r.error("title", "give a title or a description")
    notes: list[str] = []
    review = r.date("review_date")
    if review:
        notes.append(f"Review date: {review:%Y-%m-%d}")
    for flag, label in (("sme", "SME"), ("vcse", "VCSE")):
        if r.has(flag):
            value = r.flag(flag)
            if value is not None:
                notes.append(f"{label}: {'yes' if value else 'no'}")
    procurement_raw = r.text("procurement_type")
    procurement = UK_PROCUREMENT.get(procurement_raw.lower(), "other")
    if procurement_raw and procurement == "other":
        notes.append(f"Procurement type: {procurement_raw}")
    for header in columns.unknown:
        value = row.cells.get(header)
        if not is_blank(value):
            notes.append(f"{header}: {text(value)}")
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "department": r.text("department", max_length=200),
        "contract_type": "professional_services",
        "start_date": r.date("start_date", required=True),
        "end_date": r.date("end_date", required=True),
        "maximum_obligation": r.money("maximum_obligation", required=True),
        "compensation_structure": "not_recorded",
        "procurement_method": procurement,
        "notes": "\n".join(notes),
    }
    provider = {
        **_suppliers(r, values),
        "company_number": r.text("provider_company_number", max_length=20),
        "charity_number": r.text("provider_charity_number", max_length=20),
    }
    _check_term(r, values)
    if r.errors:
        return None, [_with_number(e, number) for e in r.errors]
    return (
        ContractRecord(
            line=row.line, number=number, values=values, provider=provider, notices=r.notices
        ),
        [],
    )


def _us_contract_type(raw: str) -> str:
    key = raw.lower()
    for phrase, value in (
        ("purchase of service", "pos"),
        ("personal service", "psa"),
        ("charter", "charter_school"),
    ):
        if phrase in key:
            return value
    if key in ("pos", "psa"):
        return key
    return "professional_services"


def read_us_item(
    row: SheetRow, columns: ColumnMap, *, date_order: str, currency: str | None = None
) -> tuple[ContractRecord | None, list[RowError]]:
    """One row of a US open-data list: a contract's original term or one of its renewals /
    amendments (the item). Group them with `merge_us_items`."""
    r = _Reader(row, columns, date_order, currency)
    number = r.text("number", required=True, max_length=60)
    item = r.text("item", max_length=60)
    start = r.date("start_date", required=True)
    end = r.date("end_date", required=True)
    amount = r.money("amount", required=True, negative=True)
    payments = r.money("payments") if r.has("payments") else None
    raw_type = r.text("type", max_length=120)
    description = r.text("description", multiline=True)
    vendors = r.suppliers("provider")
    vendor = vendors[0] if vendors else ""
    advertised = r.text("advertised").lower()
    profit = r.text("profit_status").lower()
    if start and end and end < start:
        r.error("end_date", f"the end date {end:%Y-%m-%d} is before the start {start:%Y-%m-%d}")
    if item and number and not item.startswith(number):
        r.error("item", f"item {item!r} does not extend contract number {number!r}")
    if r.errors:
        return None, [_with_number(e, number) for e in r.errors]
    notes = []
    original = r.text("original_vendor")
    if original and original != vendor:
        notes.append(f"Original vendor: {original}")
    agency_name = r.text("agency_name")
    if agency_name:
        notes.append(f"Agency in the published register: {agency_name}")
    if len(vendors) > 1:
        notes.append("Joint suppliers: " + "; ".join(vendors[1:]))
    title, description = r.title("title", description, fallback=f"{vendor}: contract {number}")
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "department": r.text("department", max_length=200),
        "contract_type": _us_contract_type(raw_type),
        "service_type": raw_type,
        "start_date": start,
        "end_date": end,
        "maximum_obligation": amount,
        "payments_to_date": payments,
        "compensation_structure": "not_recorded",
        "procurement_method": "tendered" if advertised.startswith("adv") else "other",
        "notes": "\n".join(notes),
    }
    provider: dict[str, Any] = {
        "legal_name": vendor,
        "joint": vendors[1:],
        "tax_id": r.text("provider_tax_id", max_length=20),
    }
    # "Unknown" (or anything else) stays unknown: only the two statuses are recorded
    profit_key = " ".join(profit.replace("-", " ").split())
    if profit_key in ("for profit", "forprofit"):
        provider["for_profit"] = True
    elif profit_key in ("non profit", "nonprofit", "not for profit", "not profit"):
        provider["for_profit"] = False
    assert start and end and amount is not None
    record = ContractRecord(
        line=row.line,
        number=number,
        values=values,
        provider=provider,
        items=[RegisterItem(item or number, row.line, start, end, amount)],
        notices=r.notices,
    )
    return record, []


def _fold_repeated_items(
    records: list[ContractRecord],
) -> tuple[list[ContractRecord], list[str], list[RowError]]:
    """A register may list one item twice: Philadelphia lists some sole-source items once for
    the total authorised to date (the wider term) and once for the current year (a term inside
    it). Keep the row whose term contains the other's, and say so in the notes; items listed
    twice with terms that do not nest are an error."""
    by_reference: dict[str, ContractRecord] = {}
    notes: list[str] = []
    errors: list[RowError] = []
    for record in records:
        item = record.items[0]
        kept = by_reference.get(item.reference)
        if kept is None:
            by_reference[item.reference] = record
            continue
        other = kept.items[0]
        same_term = (other.start_date, other.end_date) == (item.start_date, item.end_date)
        if same_term and other.amount == item.amount:
            continue  # the same row twice: nothing to choose
        if same_term:
            errors.append(
                RowError(
                    item.line,
                    "amt",
                    f"item {item.reference} is also on line {other.line} for the same term "
                    f"with another amount ({other.amount} there, {item.amount} here): say "
                    "which is right by removing the other row",
                    record.number,
                )
            )
            continue
        if other.start_date <= item.start_date and item.end_date <= other.end_date:
            wide, narrow = other, item
        elif item.start_date <= other.start_date and other.end_date <= item.end_date:
            wide, narrow = item, other
            by_reference[item.reference] = record
        else:
            errors.append(
                RowError(
                    item.line,
                    "current item id",
                    f"item {item.reference} is also on line {other.line} with a term that "
                    "does not contain this one or lie inside it",
                    record.number,
                )
            )
            continue
        notes.append(
            f"Item {item.reference} is listed twice: the "
            f"row for {wide.start_date:%Y-%m-%d} to {wide.end_date:%Y-%m-%d} ({wide.amount}, "
            f"the total to date) was used; the row for {narrow.start_date:%Y-%m-%d} to "
            f"{narrow.end_date:%Y-%m-%d} ({narrow.amount}) lies inside it."
        )
    return list(by_reference.values()), notes, errors


def merge_us_items(records: list[ContractRecord]) -> tuple[ContractRecord | None, list[RowError]]:
    """Merge the rows of one contract number into one contract: its term runs from the
    earliest start to the latest end, its obligation is the sum of the item amounts (a
    negative amount reduces it, $0 is a time-only renewal), payments to date are summed; the
    text fields come from the latest item. The first item is the term the contract starts
    with (items[0]); each later item becomes a renewal/amendment with the publisher's item id."""
    records, notes_extra, errors = _fold_repeated_items(records)
    items = sorted(
        (item for record in records for item in record.items),
        key=lambda i: (len(i.reference), i.reference),
    )
    first = records[0]
    latest = max(records, key=lambda rec: (len(rec.items[0].reference), rec.items[0].reference))
    notices = [n for r in records for n in r.notices]
    running, lowest = Decimal("0"), Decimal("0")
    for item in items:
        running += item.amount
        lowest = min(lowest, running)
    shortfall = Decimal("0")
    if lowest < 0 and items[0].reference != first.number:
        # The contract's first items are not in the file (a quarterly file lists only the
        # items live that quarter): a reduction says the obligation before it was at least
        # that much. A contract Steward does not have yet starts with that least amount.
        shortfall = -lowest
    total = sum((i.amount for i in items), shortfall)
    running = shortfall
    for item in items:
        running += item.amount
        if running < 0:
            errors.append(
                RowError(
                    item.line,
                    "amt",
                    f"the amounts of contract {first.number} up to item {item.reference} add up "
                    f"to {running}: a contract's obligation cannot be negative",
                    first.number,
                )
            )
            break
    if errors:
        return None, errors
    payments = [r.values["payments_to_date"] for r in records]
    values = dict(latest.values)
    values["start_date"] = min(i.start_date for i in items)
    values["end_date"] = max(i.end_date for i in items)
    values["maximum_obligation"] = total
    values["payments_to_date"] = (
        None if all(p is None for p in payments) else sum((p or Decimal("0")) for p in payments)
    )
    notes = [r.values["notes"] for r in records if r.values["notes"]] + notes_extra
    values["notes"] = "\n".join(dict.fromkeys(notes))
    return (
        ContractRecord(
            line=min(r.line for r in records),
            number=first.number,
            values=values,
            provider=latest.provider,
            items=items,
            notices=list(dict.fromkeys(notices)),
            shortfall=shortfall,
        ),
        [],
    )


# ------------------------------------------------------------------------ native, by column

_MISS = object()  # not in a column's cache yet
_BAD = object()  # a cell the row reader refuses: the row is read again by `read_native`
_ABSENT = object()  # a cell that gives no value (a blank status or payments to date)
# The columns a batch-read record takes straight from their column, after the maximum
# obligation and after payments to date (in `read_native`'s order of its values)
_AFTER_OBLIGATION = (
    "compensation_structure",
    "rate_setting_authority",
    "procurement_method",
    "termination_reason",
    "notes",
)
_AFTER_PAYMENTS = ("renewal_options", "renewals_exercised", "rate_setting", "authority_category")


class NativeBatchReader:
    """`read_native` for a batch of rows at a time, column by column: each column's cells
    are read once per distinct value (a register repeats its departments, types, dates,
    flags, amounts and providers), through the same `_Reader` methods, so a value means
    what it means row by row. A row with anything to say (a bad cell, a long title, joint
    suppliers, a rule across cells) is read again by `read_native`, whose record and errors
    are then the row's: the problems, their order and their words are the row reader's.

    The caches are bounded (memory stays flat whatever the size of the file)."""

    CACHE_SIZE = 20000

    def __init__(
        self, columns: ColumnMap, *, date_order: str, vocab: Vocabulary, currency: str | None
    ) -> None:
        self.columns = columns
        self.by_field = columns.by_field
        self.date_order = date_order
        self.vocab = vocab
        self.currency = currency
        self.caches: dict[str, dict[Any, Any]] = {}
        v = vocab
        # field → how one cell is read (the `_Reader` call `read_native` makes for it)
        self.readers: dict[str, Callable[[_Reader, str], Any]] = {
            "department": lambda r, n: r.text(n, max_length=200),
            "contract_type": lambda r, n: r.choice(
                n, v.contract_types, "contract type", required=True
            ),
            "service_type": lambda r, n: r.text(n, max_length=120),
            "object_code": lambda r, n: r.text(n, max_length=20),
            "sponsor": lambda r, n: r.text(n, max_length=200),
            "start_date": lambda r, n: r.date(n, required=True),
            "end_date": lambda r, n: r.date(n, required=True),
            "renewal_terms": lambda r, n: r.text(n, max_length=250),
            "compensation_structure": lambda r, n: r.choice(
                n, v.compensation, "compensation structure", required=True
            ),
            "rate_setting_authority": lambda r, n: r.text(n, max_length=120),
            "procurement_method": lambda r, n: r.choice(
                n, v.procurement, "procurement method", required=True
            ),
            "termination_reason": lambda r, n: r.text(n, multiline=True),
            "notes": lambda r, n: r.text(n, multiline=True),
            "renewal_options": lambda r, n: r.whole(n) or 0,
            "renewals_exercised": lambda r, n: r.whole(n) or 0,
            "rate_setting": lambda r, n: bool(r.flag(n)),
            "authority_category": lambda r, n: (
                r.choice(n, v.authority, "authority category", required=False) or ""
            ),
            "status": lambda r, n: (
                r.choice(n, v.statuses, "status", required=False) if r.has(n) else _ABSENT
            ),
            "executed_on": lambda r, n: r.date(n),
            "completed_on": lambda r, n: r.date(n),
            "terminated_on": lambda r, n: r.date(n),
            "provider_tax_id": lambda r, n: r.text(n, max_length=20),
            "provider_company_number": lambda r, n: r.text(n, max_length=20),
            "provider_charity_number": lambda r, n: r.text(n, max_length=20),
            "provider_for_profit": lambda r, n: r.flag(n),
            # the row's own currency (None: the agency's), as `read_native` reads it
            "currency": lambda r, n: (
                _BAD
                if r.has(n) and not _is_currency_code(r.text(n).upper())
                else r.text(n).upper()
                if r.has(n)
                else None
            ),
            # one supplier (joint suppliers change the notes: read row by row)
            "provider": lambda r, n: (lambda names: names[0] if len(names) == 1 else _BAD)(
                r.suppliers(n)
            ),
        }

    def _one(self, name: str, value: Any, currency: str | None = None) -> Any:
        """One cell read as the row reader reads it; _BAD when it records an error."""
        if name in ("maximum_obligation", "payments_to_date"):  # `_Reader.money`, inlined
            if value is None or (type(value) is str and not value.strip()):
                # blank: required for the obligation; payments to date then have no key
                return _BAD if name == "maximum_obligation" else _ABSENT
            try:
                return parse_money(value, allow_negative=False, currency=currency)
            except CellError:
                return _BAD
        header = self.by_field.get(name)
        cells = {} if header is None else {header: value}
        r = _Reader(SheetRow(0, cells), self.columns, self.date_order, currency)
        out = self.readers[name](r, name)
        return _BAD if r.errors else out

    def _column(
        self, name: str, rows: list[SheetRow], currencies: list[Any] | None = None
    ) -> list[Any]:
        """The column `name` of `rows`, each cell read once per distinct value (amounts once
        per value and currency)."""
        header = self.by_field.get(name)
        if header is None:
            if currencies is None:
                return [self._one(name, None)] * len(rows)
            return [self._one(name, None, c) for c in currencies]
        cache = self.caches.setdefault(name, {})
        get = cache.get
        cells = [row.cells.get(header) for row in rows]
        # the cache key: the text itself, another value with its type (1, 1.0 and True are
        # equal in Python but read differently)
        keys: list[Any]
        if currencies is None:
            keys = [c if type(c) is str else (type(c), c) for c in cells]
        else:
            keys = [
                (c if type(c) is str else (type(c), c), cur)
                for c, cur in zip(cells, currencies, strict=True)
            ]
        out = [get(key, _MISS) for key in keys]
        if _MISS in out:
            for i, value in enumerate(out):
                if value is _MISS:
                    value = get(keys[i], _MISS)  # the same value earlier in this batch
                    if value is _MISS:
                        value = self._one(
                            name, cells[i], None if currencies is None else currencies[i]
                        )
                        if len(cache) >= self.CACHE_SIZE:
                            cache.clear()
                        cache[keys[i]] = value
                    out[i] = value
        return out

    def read(self, rows: list[SheetRow]) -> list[tuple[ContractRecord | None, list[RowError]]]:
        """What `read_native` returns for each of `rows`, in order."""
        by_field = self.by_field
        n = len(rows)
        row_currency = self._column("currency", rows)
        currencies = [self.currency if c is None else c for c in row_currency]
        col = {name: self._column(name, rows) for name in self.readers if name != "currency"}
        obligations = self._column("maximum_obligation", rows, currencies)
        payments = self._column("payments_to_date", rows, currencies)
        numbers = self._texts("number", rows, 60)
        titles = self._texts("title", rows, TITLE_LENGTH)
        description_header = by_field.get("description")
        out: list[tuple[ContractRecord | None, list[RowError]]] = []
        names = (
            "department",
            "contract_type",
            "service_type",
            "object_code",
            "sponsor",
            "start_date",
            "end_date",
            "renewal_terms",
        )
        bad: set[int] = set()
        for column in (numbers, titles, row_currency, obligations, payments, *col.values()):
            if _BAD in column:
                bad.update(i for i, value in enumerate(column) if value is _BAD)
        for i in range(n):
            row = rows[i]
            record = None
            if i not in bad:
                record = self._record(
                    row, i, col, names, numbers[i], titles[i], description_header,
                    row_currency[i], obligations[i], payments[i],
                )  # fmt: skip
            if record is None:
                out.append(
                    read_native(
                        row,
                        self.columns,
                        date_order=self.date_order,
                        vocab=self.vocab,
                        currency=self.currency,
                    )
                )
            else:
                out.append((record, []))
        return out

    def _texts(self, name: str, rows: list[SheetRow], max_length: int) -> list[Any]:
        """A column of single-line texts that are mostly different (numbers, titles): read
        cell by cell as `_Reader.text` reads them; a blank or too long one is _BAD."""
        header = self.by_field.get(name)
        if header is None:
            return [_BAD] * len(rows)
        out: list[Any] = []
        for row in rows:
            value = row.cells.get(header)
            if value is None or (type(value) is str and not value.strip()):
                out.append(_BAD)
                continue
            read = text(value)
            out.append(_BAD if len(read) > max_length else read)
        return out

    @staticmethod
    def _record(
        row: SheetRow,
        i: int,
        col: dict[str, list[Any]],
        names: tuple[str, ...],
        number: str,
        title: str,
        description_header: str | None,
        row_currency: str | None,
        obligation: Any,
        paid: Any,
    ) -> ContractRecord | None:
        """The record of a row whose every cell was read without a problem; None when a rule
        across cells (or anything the row reader would say) sends it to `read_native`."""
        description = ""
        if description_header is not None:
            raw = row.cells.get(description_header)
            if not (raw is None or (type(raw) is str and not raw.strip())):
                description = str(raw).replace("\r\n", "\n").strip()
        values: dict[str, Any] = {"title": title, "description": description}
        for name in names:
            values[name] = col[name][i]
        values["maximum_obligation"] = obligation
        for name in _AFTER_OBLIGATION:
            values[name] = col[name][i]
        if paid is not _ABSENT:
            values["payments_to_date"] = paid
        for name in _AFTER_PAYMENTS:
            values[name] = col[name][i]
        if row_currency is not None:
            values["currency"] = row_currency
        status = col["status"][i]
        if status is not _ABSENT:
            values["status"] = status
        values["executed_on"] = col["executed_on"][i]
        values["completed_on"] = col["completed_on"][i]
        values["terminated_on"] = col["terminated_on"][i]
        start, end = values["start_date"], values["end_date"]
        if (
            (start and end and end < start)
            or values["renewals_exercised"] > values["renewal_options"]
            or (values["rate_setting"] and not values["rate_setting_authority"])
        ):
            return None
        provider = {
            "legal_name": col["provider"][i],
            "joint": [],
            "tax_id": col["provider_tax_id"][i],
            "company_number": col["provider_company_number"][i],
            "charity_number": col["provider_charity_number"][i],
            "for_profit": col["provider_for_profit"][i],
        }
        return ContractRecord(
            line=row.line, number=number, values=values, provider=provider, notices=[]
        )


def _is_currency_code(code: str) -> bool:
    return len(code) == 3 and code.isalpha()
