"""Importing a contract register from CSV or XLSX: all or nothing, streamed, set-based.

`import_contracts` reads the file row by row (CSV or XLSX, one of the formats in
`register_formats`), validates every cell, matches providers (by tax id, company or charity
number, else by normalised name; creating the new ones) and upserts contracts on
(agency, contract number) in chunks of `chunk_size` rows inside one transaction. A file with
any bad row writes nothing and the report lists every bad row (line, column, reason); with
`skip_invalid` the good rows are imported and the bad ones returned for a CSV a person can fix
and import again. Re-importing the same file changes nothing. Every row written gets an audit
row ("Imported from FILE").

Contracts are created in the status their dates give (active, executed before the start,
expired after the end) with the start date as the execution date, unless a native file states
them; a later import never changes the status of a contract that exists (its workflow is
Steward's). Importing history opens no due dates.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import connections, router, transaction
from django.db.models import F, Max, Q
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.text import slugify

from steward.contracts.models import (
    Amendment,
    AmendmentKind,
    AuthorityCategory,
    CompensationStructure,
    Contract,
    ContractStatus,
    ContractType,
    ProcurementMethod,
)
from steward.contracts.register_formats import (
    FORMATS,
    ContractRecord,
    NativeBatchReader,
    RegisterItem,
    RowError,
    Vocabulary,
    choices_of,
    header_test,
    map_columns,
    merge_us_items,
    read_uk,
    read_us_item,
)
from steward.contracts.services import contracts_reopen_renewed
from steward.contracts.tabular import (
    FileFormatError,
    SheetRow,
    is_totals_row,
    iter_rows,
    sniff_kind,
)
from steward.core.bulk import (
    AnyOf,
    history_from_table,
    insert_with_history,
    keys_condition,
    keys_params,
    write_behind,
)
from steward.core.errors import ValidationFailed
from steward.core.exports import csv_text
from steward.core.services import require_perm
from steward.parties.models import Agency, Provider, normalise_name

VOCABULARY = Vocabulary(
    contract_types=choices_of(ContractType.choices),
    compensation=choices_of(CompensationStructure.choices),
    procurement=choices_of(ProcurementMethod.choices),
    authority=choices_of(AuthorityCategory.choices),
    statuses=choices_of(ContractStatus.choices),
)
# Contract fields an import may set (the native template's columns, less the provider's)
IMPORTED_FIELDS = (
    "title",
    "description",
    "department",
    "contract_type",
    "service_type",
    "object_code",
    "sponsor",
    "start_date",
    "end_date",
    "renewal_options",
    "renewals_exercised",
    "renewal_terms",
    "maximum_obligation",
    "currency",
    "payments_to_date",
    "compensation_structure",
    "rate_setting",
    "rate_setting_authority",
    "procurement_method",
    "authority_category",
    "termination_reason",
    "notes",
)
IMPORTED_SET = frozenset(IMPORTED_FIELDS)
# What a re-import compares first (see `_Writer._same`), in this order
SNAPSHOT_FIELDS = ("pk", "number", "provider_id", *IMPORTED_FIELDS)
WORKFLOW_FIELDS = ("status", "executed_on", "completed_on", "terminated_on")
# Set when a contract is created; afterwards only its workflow changes them
STATUS_TEXT_FIELDS = ("termination_reason",)
# What a published register's items decide for a contract Steward has: through amendments
# (the term and obligation) or only upwards (payments), never by the latest file's snapshot
US_TERM_FIELDS = ("start_date", "end_date", "maximum_obligation", "payments_to_date")


@dataclass
class _Change:
    """What a file changes on a contract Steward has."""

    fields: list[str] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    notices: list[RowError] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _item_key(reference: str) -> tuple[int, str]:
    """The order of a published register's items: 1820407 < 182040701 < 182040702."""
    return (len(reference), reference)


def _shortfall_notice(record: ContractRecord) -> RowError:
    return RowError(
        record.line,
        "amt",
        f"the items of contract {record.number} before {record.items[0].reference} are not in "
        f"the file and its reductions come to {record.shortfall} more than the items listed: "
        f"its obligation before them is taken as at least {record.shortfall}; import the "
        "earlier file first to record it exactly",
        record.number,
    )


def _notices(record: ContractRecord) -> list[RowError]:
    return [RowError(record.line, "", notice, record.number) for notice in record.notices]


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    filename: str
    format: str
    dry_run: bool
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    amendments_created: int = 0
    reopened: int = 0  # expired contracts a renewal in the file brought back to active
    providers_created: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): totals rows
    errors: list[RowError] = field(default_factory=list)
    # what was imported but deserves a look: a shortened title, a difference kept as Steward
    # has it (a status, an older file's amount), payments above the obligation
    notices: list[RowError] = field(default_factory=list)
    rejected: list[tuple[SheetRow, list[RowError]]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def listed(self) -> int:
        """How many problems and notices the downloadable report lists."""
        return len(self.errors) + len(self.notices)

    @property
    def rows_taken(self) -> int:
        """The rows imported (or that a dry run would import): read, less those rejected."""
        return self.rows_read - len({row.line for row, _ in self.rejected})

    @property
    def ok(self) -> bool:
        """True when every row was good (with skip_invalid, the good rows may be written
        even when this is False)."""
        return not self.errors

    def summary(self) -> str:
        verb = "would import" if self.dry_run or not self.written else "imported"
        if self.errors and not self.written:
            return (
                f"{self.filename}: {len(self.errors)} problem(s) in "
                f"{len({e.line for e in self.errors})} row(s); nothing was imported."
            )
        parts = [
            f"{self.created} created",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
        ]
        if self.amendments_created:
            parts.append(f"{self.amendments_created} renewals/amendments recorded")
        if self.reopened:
            parts.append(f"{self.reopened} expired contracts renewed and active again")
        if self.providers_created:
            parts.append(f"{len(self.providers_created)} new providers")
        if self.rejected:
            parts.append(f"{len(self.rejected)} rows rejected")
        if self.notices:
            parts.append(f"{len(self.notices)} notices")
        return f"{self.filename}: {verb} {self.rows_taken} rows: " + ", ".join(parts) + "."

    def problems_csv(self) -> str:
        """Every problem and notice of the import (none left out), by line, as CSV."""
        return csv_text(
            ["line", "column", "contract", "kind", "what"],
            (
                [e.line, e.column, e.number, kind, e.reason]
                for kind, found in (("problem", self.errors), ("notice", self.notices))
                for e in found
            ),
        )

    def rejected_csv(self) -> str:
        """The rejected rows as CSV with their reasons, to fix and import again (formula-safe:
        see `steward.core.exports`; the import reads its quoted cells back unchanged)."""
        columns = [h for h in self.headers if h]
        return csv_text(
            [*columns, "line", "errors"],
            (
                [
                    *(row.cells.get(c) for c in columns),
                    row.line,
                    "; ".join(f"{e.column}: {e.reason}" if e.column else e.reason for e in errors),
                ]
                for row, errors in self.rejected
            ),
        )


class _Rollback(Exception):
    pass


def import_contracts(
    *,
    actor: Any,
    agency: Agency,
    stream: IO[bytes],
    filename: str,
    fmt: str = "native",
    dry_run: bool = False,
    skip_invalid: bool = False,
    today: date,
    chunk_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the register in `stream` into `agency`; see the module docstring.

    `actor` None means an operator at the command line (no permission check); anyone else
    needs permission to add contracts to the agency. `progress(rows_read, problems)` is
    called after each batch (a background job's progress, the command line's bar)."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.",
            errors={"format": [f"Use one of {', '.join(FORMATS)}."]},
        )
    if actor is not None:
        require_perm(actor, "contracts.add_contract", agency, action="import contracts")
    report = ImportReport(filename=filename, format=fmt, dry_run=dry_run)
    date_order = agency.pack.parsed.date_order if agency.pack_id else "MDY"
    currency = agency.pack.parsed.currency if agency.pack_id else "USD"
    head = stream.read(8)
    stream.seek(0)
    try:
        headers, rows = iter_rows(
            stream, kind=sniff_kind(filename, head), is_header=header_test(fmt)
        )
    except FileFormatError as exc:
        report.errors.append(RowError(1, "", str(exc)))
        return report
    report.headers = headers
    columns, header_errors = map_columns(fmt, headers)
    if header_errors:
        report.errors.extend(header_errors)
        return report

    writer = _Writer(
        actor=actor, agency=agency, report=report, today=today, fmt=fmt, skip_invalid=skip_invalid
    )
    try:
        with transaction.atomic():
            staging = _Staging()  # temporary tables: gone at commit or rollback
            batches: Iterator[tuple[list[Parsed], _Found]]
            if fmt == "us-open-data":
                # every item is staged before the first contract is written (and the
                # staging table is read back while writing): one thread
                staging.stage_items(
                    _rows_to_records(rows, columns, fmt, date_order, currency, report),
                    chunk_size,
                )
                batches = (
                    (batch, _Found())
                    for batch in _batches(staging.merged_contracts(report), chunk_size)
                )
            else:
                batches = _found_batches(
                    rows, columns, fmt, date_order, currency, report, chunk_size
                )

            def write(item: tuple[list[Parsed], _Found]) -> None:
                batch, found = item
                report.errors.extend(found.errors)
                report.rejected.extend(found.rejected)
                report.skipped.extend(found.skipped)
                good = staging.without_duplicates(
                    [(record, raw) for record, raw in batch if record is not None],
                    report,
                    number_column=columns.by_field["number"],
                )
                if report.errors and not skip_invalid:
                    return  # keep validating every row; nothing will be kept
                writer.write(good)

            def with_progress(
                items: Iterable[tuple[list[Parsed], _Found]],
            ) -> Iterator[tuple[list[Parsed], _Found]]:
                for item in items:
                    yield item
                    if progress is not None:
                        progress(report.rows_read, report.listed)

            # native and UK files: the database writes one batch while the next is read
            write_behind(with_progress(batches), write, threaded=fmt != "us-open-data")
            staging.drop()
            if dry_run or (report.errors and not skip_invalid):
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    except FileFormatError as exc:
        report.errors.append(RowError(report.rows_read + 1, "", str(exc)))
    return report


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Parsed = tuple[ContractRecord | None, list[SheetRow]]


@dataclass
class _Found:
    """The problems and skipped rows met reading one batch, for the report (added when the
    batch is written, so that the report lists them in file order)."""

    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[SheetRow, list[RowError]]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _found_batches(
    rows: Iterator[SheetRow],
    columns: Any,
    fmt: str,
    date_order: str,
    currency: str,
    report: ImportReport,
    chunk_size: int,
) -> Iterator[tuple[list[Parsed], _Found]]:
    """The records in batches of `chunk_size`, each with what was found reading it (reads no
    database: see `write_behind`)."""
    found = _Found()
    sink = _Sink(report, found)
    parsed = _rows_to_records(rows, columns, fmt, date_order, currency, sink)
    try:
        for batch in _batches(parsed, chunk_size):
            taken, found = found, _Found()
            sink.found = found
            yield batch, taken
    except FileFormatError:
        yield [], found  # the rows read before the file went wrong are reported too
        raise
    if found.errors or found.rejected or found.skipped:
        yield [], found


class _Sink:
    """What `_rows_to_records` records into: the rows read on the report, the rest on the
    batch being read."""

    def __init__(self, report: ImportReport, found: _Found) -> None:
        self.report = report
        self.found = found

    @property
    def rows_read(self) -> int:
        return self.report.rows_read

    @rows_read.setter
    def rows_read(self, value: int) -> None:
        self.report.rows_read = value

    @property
    def errors(self) -> list[RowError]:
        return self.found.errors

    @property
    def rejected(self) -> list[tuple[SheetRow, list[RowError]]]:
        return self.found.rejected

    @property
    def skipped(self) -> list[tuple[int, str]]:
        return self.found.skipped


def _rows_to_records(
    rows: Iterator[SheetRow],
    columns: Any,
    fmt: str,
    date_order: str,
    currency: str,
    report: ImportReport | _Sink,
) -> Iterator[Parsed]:
    """Parse each row into a record (a US open-data row: one item of a contract), recording
    bad rows and skipped totals rows in `report`. Native rows are read a batch at a time,
    column by column (`NativeBatchReader`), with the same records and problems."""
    if fmt == "native":
        yield from _native_records(rows, columns, date_order, currency, report)
        return
    for row in rows:
        if is_totals_row(row.cells.values()):
            report.skipped.append((row.line, "a totals row"))
            continue
        if fmt == "us-open-data":
            record, errors = read_us_item(row, columns, date_order=date_order, currency=currency)
        else:
            record, errors = read_uk(
                row, columns, date_order=date_order, vocab=VOCABULARY, currency=currency
            )
        yield _counted(row, record, errors, report)


def _counted(
    row: SheetRow, record: Any, errors: list[RowError], report: ImportReport | _Sink
) -> Parsed:
    """A row read: counted, and reported as rejected with its problems if it has any."""
    report.rows_read += 1
    if errors:
        report.errors.extend(errors)
        report.rejected.append((row, errors))
        return None, [row]
    return record, [row]


#: How many native rows are read together (column by column)
READ_BATCH = 500


def _native_records(
    rows: Iterator[SheetRow],
    columns: Any,
    date_order: str,
    currency: str,
    report: ImportReport | _Sink,
) -> Iterator[Parsed]:
    """`_rows_to_records` for native files. Each row is counted, reported and yielded in file
    order as the row-by-row reading did; a file that goes wrong midway (FileFormatError) has
    the rows read before it yielded first."""
    reader = NativeBatchReader(columns, date_order=date_order, vocab=VOCABULARY, currency=currency)
    pending: list[SheetRow | int] = []  # rows, and the lines of totals rows in between

    def flush() -> Iterator[Parsed]:
        read = iter(reader.read([row for row in pending if not isinstance(row, int)]))
        for row in pending:
            if isinstance(row, int):
                report.skipped.append((row, "a totals row"))
                continue
            record, errors = next(read)
            yield _counted(row, record, errors, report)
        pending.clear()

    try:
        for row in rows:
            pending.append(row.line if is_totals_row(row.cells.values()) else row)
            if len(pending) >= READ_BATCH:
                yield from flush()
    except FileFormatError:
        yield from flush()
        raise
    yield from flush()


class _Staging:
    """What an import has read so far, kept in temporary tables of the import's own
    transaction rather than in memory, so that memory does not grow with the file:

    - the contract numbers read (with their line), to refuse a number that comes twice;
    - for US open-data lists, every item (pickled record and row), read back ordered by
      contract number so that the items of one contract, wherever they are in the file,
      arrive together.
    """

    def __init__(self) -> None:
        self.connection = connections[router.db_for_write(Contract)]
        blob = "BYTEA" if self.connection.vendor == "postgresql" else "BLOB"
        with self.connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS steward_import_seen")
            cursor.execute("DROP TABLE IF EXISTS steward_import_items")
            cursor.execute(
                "CREATE TEMPORARY TABLE steward_import_seen (number TEXT PRIMARY KEY, line INTEGER)"
            )
            cursor.execute(
                "CREATE TEMPORARY TABLE steward_import_items "
                f"(number TEXT NOT NULL, line INTEGER NOT NULL, payload {blob} NOT NULL)"
            )
            cursor.execute(
                "CREATE INDEX steward_import_items_order ON steward_import_items (number, line)"
            )

    def drop(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DROP TABLE steward_import_seen")
            cursor.execute("DROP TABLE steward_import_items")

    def _placeholders(self, n: int) -> str:
        return ", ".join(["%s"] * n)

    def without_duplicates(
        self, batch: list[Parsed], report: ImportReport, *, number_column: str
    ) -> list[tuple[ContractRecord, list[SheetRow]]]:
        """`batch` less the records whose contract number came earlier in the file (each
        reported as an error on its line)."""
        first: dict[str, int] = {}
        numbers = list({record.number for record, _ in batch if record is not None})
        limit = (self.connection.features.max_query_params or 5000) - 1
        with self.connection.cursor() as cursor:
            for start in range(0, len(numbers), limit):
                chunk = numbers[start : start + limit]
                cursor.execute(
                    "SELECT number, line FROM steward_import_seen "  # noqa: S608
                    f"WHERE {keys_condition(self.connection, 'number', len(chunk))}",
                    keys_params(self.connection, chunk),
                )
                first.update(cursor.fetchall())
            kept: list[tuple[ContractRecord, list[SheetRow]]] = []
            new: list[tuple[str, int]] = []
            for record, raw in batch:
                assert record is not None
                line = first.get(record.number)
                if line is not None:
                    error = RowError(
                        record.line,
                        number_column,
                        f"contract {record.number} is also on line {line}",
                        record.number,
                    )
                    report.errors.append(error)
                    for row in raw:
                        report.rejected.append((row, [error]))
                    continue
                first[record.number] = record.line
                new.append((record.number, record.line))
                kept.append((record, raw))
            if new and self.connection.vendor == "postgresql":
                # two array parameters, not two placeholders a row
                numbers_read, lines = zip(*new, strict=True)
                cursor.execute(
                    "INSERT INTO steward_import_seen (number, line) "
                    "SELECT * FROM unnest(%s::text[], %s::integer[])",
                    [list(numbers_read), list(lines)],
                )
            elif new:
                self._insert(cursor, "steward_import_seen (number, line)", new)
        return kept

    def stage_items(self, parsed: Iterator[Parsed], chunk_size: int) -> None:
        """Store every good US open-data item; bad rows are already in the report."""
        with self.connection.cursor() as cursor:
            for batch in _batches(parsed, chunk_size):
                rows = [
                    (record.number, raw[0].line, pickle.dumps((record, raw[0])))
                    for record, raw in batch
                    if record is not None
                ]
                if rows:
                    self._insert(cursor, "steward_import_items (number, line, payload)", rows)

    def _insert(self, cursor: Any, target: str, rows: list[tuple[Any, ...]]) -> None:
        """Multi-row INSERTs (one round trip per few hundred rows, not one per row)."""
        width = len(rows[0])
        per_statement = max(1, (self.connection.features.max_query_params or 30000) // width)
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {target} VALUES {', '.join([row_sql] * len(chunk))}",  # noqa: S608
                [value for row in chunk for value in row],
            )

    def merged_contracts(self, report: ImportReport) -> Iterator[Parsed]:
        """The staged items, one merged contract per number (see `merge_us_items`). A
        contract with any bad row is rejected whole."""
        bad_numbers = {e.number for e in report.errors if e.number}
        with self.connection.chunked_cursor() as cursor:
            cursor.execute("SELECT number, payload FROM steward_import_items ORDER BY number, line")
            current: str | None = None
            members: list[tuple[ContractRecord, SheetRow]] = []
            while True:
                fetched = cursor.fetchmany(2000)
                for number, payload in fetched:
                    if number != current and members:
                        yield self._merge(members, bad_numbers, report)
                        members = []
                    current = number
                    members.append(pickle.loads(bytes(payload)))  # noqa: S301 (our own rows)
                if not fetched:
                    break
            if members:
                yield self._merge(members, bad_numbers, report)

    @staticmethod
    def _merge(
        members: list[tuple[ContractRecord, SheetRow]],
        bad_numbers: set[str],
        report: ImportReport,
    ) -> Parsed:
        rows = [row for _, row in members]
        number = members[0][0].number
        if number in bad_numbers:  # one bad row rejects the whole contract
            errors = [e for e in report.errors if e.number == number]
            for row in rows:
                report.rejected.append((row, errors))
            return None, rows
        merged, errors = merge_us_items([record for record, _ in members])
        if errors:
            report.errors.extend(errors)
            for row in rows:
                report.rejected.append((row, errors))
            return None, rows
        return merged, rows


class _Writer:
    """Upsert records chunk by chunk: a few queries per chunk whatever its size."""

    def __init__(
        self,
        *,
        actor: Any,
        agency: Agency,
        report: ImportReport,
        today: date,
        fmt: str,
        skip_invalid: bool,
    ) -> None:
        self.skip_invalid = skip_invalid
        self.actor = actor if getattr(actor, "pk", None) else None
        self.agency = agency
        self.report = report
        self.today = today
        self.fmt = fmt
        self.reason = f"Imported from {report.filename}"
        # provider key → id: only ids are kept, so the cache stays small
        self.providers_by_key: dict[tuple[str, str], int] = {}
        self._template: Contract | None = None

    def write(self, batch: list[tuple[ContractRecord, list[SheetRow]]]) -> None:
        if not batch:
            return
        records = [record for record, _ in batch]
        rows_of = {id(record): rows for record, rows in batch}
        providers = self._providers(records)
        # no ORDER BY: with the register's default ordering SQLite scans the agency's
        # contracts by end date instead of looking the numbers up in the unique index
        in_file = Contract.objects.filter(
            AnyOf(F("number"), [r.number for r in records]), agency=self.agency
        ).order_by()
        # native and UK files: the contracts Steward has are read as their imported values
        # first; only those the file changes (or whose status it states) are loaded whole
        snapshots: dict[str, tuple[Any, ...]] = {}
        if self.fmt == "us-open-data":
            existing = {c.number: c for c in in_file}
        else:
            snapshots = {row[1]: row for row in in_file.values_list(*SNAPSHOT_FIELDS)}
            load = [
                r.number
                for r in records
                if r.number in snapshots
                and not self._same(snapshots[r.number], r, providers[_provider_key(r.provider)])
            ]
            existing = (
                {
                    c.number: c
                    for c in Contract.objects.filter(
                        AnyOf(F("number"), load), agency=self.agency
                    ).order_by()
                }
                if load
                else {}
            )
        known = self._known_amendments(existing.values())
        new: list[Contract] = []
        changed: list[Contract] = []
        changed_fields: set[str] = set()
        bad: list[RowError] = []
        kept: list[ContractRecord] = []
        pending: list[Amendment] = []
        notices: list[RowError] = []
        for record in records:
            provider = providers[_provider_key(record.provider)]  # an id
            contract = existing.get(record.number)
            if contract is None and record.number in snapshots:  # the file changes nothing
                notices.extend(_notices(record))
                self.report.unchanged += 1
                continue
            if contract is None:
                contract = self._new_contract(record, provider)
                errors = self._validate(contract, record)
                if errors:
                    bad.extend(errors)
                    self._reject(rows_of[id(record)], errors)
                    continue
                new.append(contract)
                kept.append(record)
                notices.extend(_notices(record))
                if record.shortfall:
                    notices.append(_shortfall_notice(record))
                continue
            change = (
                self._apply_us(contract, record, provider, known.get(contract.pk, []))
                if self.fmt == "us-open-data"
                else self._apply(contract, record, provider)
            )
            errors = change.errors or (
                self._validate(contract, record) if change.fields or change.amendments else []
            )
            if errors:
                bad.extend(errors)
                self._reject(rows_of[id(record)], errors)
                continue
            notices.extend(_notices(record))
            notices.extend(change.notices)
            if not change.fields and not change.amendments:
                self.report.unchanged += 1
                continue
            changed.append(contract)
            kept.append(record)
            changed_fields.update(change.fields)
            pending.extend(change.amendments)
        if bad:
            self.report.errors.extend(bad)
            if not self.skip_invalid:
                return
        self.report.notices.extend(notices)
        if new:
            self._create(Contract, new)
            self.report.created += len(new)
        if changed:
            self._update(Contract, changed, changed_fields)
            self.report.updated += len(changed)
        if pending:
            self._create_amendments(pending, known)
        new_numbers = {c.number for c in new}
        if any(len(r.items) > 1 and r.number in new_numbers for r in kept):
            by_number = {c.number: c for c in new}
            self._amendments([r for r in kept if r.number in by_number], by_number)
        self._reopen_renewed(changed)
        line_of = {r.number: r.line for r in records}
        rejected = {e.number for e in bad}
        amounts = [(c.number, c.payments_to_date, c.maximum_obligation) for c in new]
        if snapshots:  # in the order the database gave them, as the contracts loaded whole
            paid_at, obligation_at = (
                SNAPSHOT_FIELDS.index("payments_to_date"),
                SNAPSHOT_FIELDS.index("maximum_obligation"),
            )
            for number, snapshot in snapshots.items():
                c = existing.get(number)
                amounts.append(
                    (number, snapshot[paid_at], snapshot[obligation_at])
                    if c is None
                    else (number, c.payments_to_date, c.maximum_obligation)
                )
        else:
            amounts.extend(
                (c.number, c.payments_to_date, c.maximum_obligation) for c in existing.values()
            )
        for number, paid, obligation in amounts:
            if paid is not None and paid > obligation and number not in rejected:
                line = line_of.get(number, 0)
                self.report.notices.append(
                    RowError(
                        line,
                        "payments to date",
                        f"payments to date ({paid:,}) are above the maximum obligation "
                        f"({obligation:,})",
                        number,
                    )
                )

    def _same(self, snapshot: tuple[Any, ...], record: ContractRecord, provider_id: int) -> bool:
        """Whether `_apply` would find nothing to change or say about the contract whose
        imported values are `snapshot` (SNAPSHOT_FIELDS): same provider, same values, and no
        status stated by a native file (its differences are a notice)."""
        if self.fmt == "native" and record.values.get("status"):
            return False
        if snapshot[2] != provider_id:
            return False
        values = record.values
        for name, have in zip(IMPORTED_FIELDS, snapshot[3:], strict=True):
            if name in values and name not in STATUS_TEXT_FIELDS and have != values[name]:
                return False
        return True

    def _known_amendments(self, contracts: Iterable[Contract]) -> dict[int, list[Amendment]]:
        """The amendments already recorded for `contracts`, by contract id, in sequence."""
        ids = [c.pk for c in contracts]
        out: dict[int, list[Amendment]] = {}
        if ids:
            for amendment in (
                Amendment.objects.filter(AnyOf(F("contract_id"), ids))
                .order_by("contract_id", "sequence")
                .only(
                    "contract_id",
                    "sequence",
                    "reference",
                    "effective_on",
                    "previous_end_date",
                    "new_end_date",
                    "previous_maximum_obligation",
                    "new_maximum_obligation",
                )
            ):
                out.setdefault(amendment.contract_id, []).append(amendment)
        return out

    def _create_amendments(
        self, pending: list[Amendment], known: dict[int, list[Amendment]]
    ) -> None:
        """Number and insert the amendments a later file brought (after those recorded)."""
        last = {cid: amendments[-1].sequence for cid, amendments in known.items() if amendments}
        for amendment in pending:
            last[amendment.contract.pk] = last.get(amendment.contract.pk, 0) + 1
            amendment.sequence = last[amendment.contract.pk]
            amendment.contract_id = amendment.contract.pk
        self._create(Amendment, pending)
        self.report.amendments_created += len(pending)

    def _reopen_renewed(self, changed: list[Contract]) -> None:
        """An expired contract whose end date the file moved to today or later runs again,
        through the contract services (its status is never set here)."""
        renewed = [
            c.pk for c in changed if c.status == ContractStatus.EXPIRED and c.end_date >= self.today
        ]
        if renewed:
            self.report.reopened += contracts_reopen_renewed(
                actor=self.actor,
                agency=self.agency,
                contract_ids=renewed,
                today=self.today,
                reason=f"Renewed in {self.report.filename}: running again",
            )

    def _create(self, model: Any, objs: list[Any]) -> None:
        """Insert `objs` and their "created" audit rows, set-based."""
        insert_with_history(model, objs, when=timezone.now(), user=self.actor, reason=self.reason)
        if any(obj.pk is None for obj in objs):  # a database that returns no keys
            raise RuntimeError("bulk insert returned no primary keys")

    def _update(self, model: Any, objs: list[Any], fields: set[str]) -> None:
        """Update `fields` of `objs` and write their "changed" audit rows, set-based."""
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
        model.objects.bulk_update(objs, sorted({*fields, "updated_at"}), batch_size=500)
        history_from_table(
            model,
            [obj.pk for obj in objs],
            history_type="~",
            when=now,
            user=self.actor,
            reason=self.reason,
        )

    def _reject(self, rows: list[SheetRow], errors: list[RowError]) -> None:
        for row in rows:
            self.report.rejected.append((row, errors))

    # -- providers

    def _providers(self, records: list[ContractRecord]) -> dict[tuple[str, str], int]:
        """The provider id of each record: matched by tax id, company or charity number,
        else by normalised name; the new ones created (and reported)."""
        wanted = {_provider_key(r.provider): r.provider for r in records}
        for record in records:  # joint suppliers named in the same cell: one provider each
            for name in record.provider.get("joint", ()):
                joint = {"legal_name": name}
                wanted.setdefault(_provider_key(joint), joint)
        missing = {k: v for k, v in wanted.items() if k not in self.providers_by_key}
        if missing:
            query = Q(
                normalised_name__in={normalise_name(v["legal_name"]) for v in missing.values()}
            )
            for attr in ("tax_id", "company_number", "charity_number"):
                values = {v.get(attr) for v in missing.values() if v.get(attr)}
                if values:
                    query |= Q(**{f"{attr}__in": values})
            found = _ProviderIndex(
                Provider.objects.filter(query)
                .order_by()
                .only("id", "tax_id", "company_number", "charity_number", "normalised_name")
            )
            created = _ProviderIndex([])
            to_create: list[Provider] = []
            chosen: dict[tuple[str, str], Provider] = {}
            for key, data in missing.items():
                provider = found.match(data) or created.match(data)
                if provider is None:
                    provider = Provider(
                        legal_name=data["legal_name"],
                        tax_id=data.get("tax_id") or "",
                        company_number=data.get("company_number") or "",
                        charity_number=data.get("charity_number") or "",
                        for_profit=data.get("for_profit"),  # None: not known
                        country="GB" if self.agency.pack and _is_uk(self.agency) else "US",
                    )
                    provider.normalised_name = normalise_name(provider.legal_name)
                    to_create.append(provider)
                    created.add(provider)
                chosen[key] = provider
            if to_create:
                self._slugs(to_create)
                self._create(Provider, to_create)
                self.report.providers_created.extend(p.legal_name for p in to_create)
            for key, provider in chosen.items():
                self.providers_by_key[key] = provider.pk
        return {k: self.providers_by_key[k] for k in wanted}

    def _slugs(self, providers: list[Provider]) -> None:
        bases = {id(p): slugify(p.legal_name)[:100] or "provider" for p in providers}
        taken = set(
            Provider.objects.filter(slug__in=set(bases.values())).values_list("slug", flat=True)
        )
        for base in {b for b in bases.values() if b in taken}:  # rare: look for its suffixes
            taken.update(
                Provider.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True)
            )
        for provider in providers:
            base = bases[id(provider)]
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            provider.slug = slug

    # -- contracts

    def _blank_contract(self) -> Contract:
        """A new contract of the agency with every field at its default: Model.__init__ run
        once per import, then copied (it costs more than the rest of a row's work; Contract
        has no callable default and no init signal)."""
        if self._template is None:
            template = Contract(agency=self.agency)
            template.currency = self.agency.pack.parsed.currency if self.agency.pack_id else "USD"
            self._template = template
        contract = Contract.__new__(Contract)
        contract.__dict__.update(self._template.__dict__)
        contract._state = ModelState()
        contract._state.fields_cache["agency"] = self.agency
        return contract

    def _new_contract(self, record: ContractRecord, provider_id: int) -> Contract:
        contract = self._blank_contract()
        fields = contract.__dict__
        for name, value in record.values.items():
            if name in IMPORTED_SET:
                fields[name] = value
        fields["provider_id"] = provider_id
        fields["number"] = record.number
        if record.items:
            first = record.items[0]
            contract.end_date = first.end_date
            contract.maximum_obligation = first.amount + record.shortfall
        status = record.values.get("status")
        if status:
            contract.status = status
            for name in ("executed_on", "completed_on", "terminated_on"):
                setattr(contract, name, record.values.get(name))
        else:
            end = record.values["end_date"]
            start = record.values["start_date"]
            contract.status = (
                ContractStatus.EXPIRED
                if end < self.today
                else ContractStatus.EXECUTED
                if start > self.today
                else ContractStatus.ACTIVE
            )
            contract.executed_on = start
        return contract

    def _apply(self, contract: Contract, record: ContractRecord, provider_id: int) -> _Change:
        """Set the file's values on an existing contract (native, uk-transparency). A changed
        end date or obligation of an executed contract becomes an amendment citing the file;
        the status and its dates are never changed: a difference is a notice."""
        change = _Change()
        fields = change.fields
        if contract.provider_id != provider_id:
            contract.provider_id = provider_id
            fields.append("provider")
        values = record.values
        before = (contract.end_date, contract.maximum_obligation)
        for name in IMPORTED_FIELDS:
            if name not in values or name in STATUS_TEXT_FIELDS:
                continue
            if getattr(contract, name) != values[name]:
                setattr(contract, name, values[name])
                fields.append(name)
        after = (contract.end_date, contract.maximum_obligation)
        if after != before and contract.status != ContractStatus.DRAFT:
            change.amendments.append(self._file_amendment(contract, before, after))
            if after[0] < before[0] or after[1] < before[1]:
                change.notices.append(
                    RowError(
                        record.line,
                        "end date" if after[0] < before[0] else "maximum obligation",
                        f"the file shortens the term or lowers the obligation (end "
                        f"{before[0]:%Y-%m-%d} → {after[0]:%Y-%m-%d}, obligation {before[1]:,} "
                        f"→ {after[1]:,}): recorded as an amendment from this file",
                        record.number,
                    )
                )
        if self.fmt == "native" and values.get("status"):
            differences = [
                f"{name.replace('_', ' ')} {values.get(name) or '(none)'} in the file, "
                f"{getattr(contract, name) or '(none)'} in Steward"
                for name in (*WORKFLOW_FIELDS, *STATUS_TEXT_FIELDS)
                if (getattr(contract, name) or None) != (values.get(name) or None)
            ]
            if differences:
                change.notices.append(
                    RowError(
                        record.line,
                        "status",
                        "the status is changed only through the contract's workflow, not "
                        "by an import; left as it is: " + "; ".join(differences),
                        record.number,
                    )
                )
        return change

    def _file_amendment(
        self, contract: Contract, before: tuple[date, Decimal], after: tuple[date, Decimal]
    ) -> Amendment:
        (end0, obligation0), (end1, obligation1) = before, after
        kind = (
            AmendmentKind.EXTENSION_AND_OBLIGATION
            if end0 != end1 and obligation0 != obligation1
            else AmendmentKind.EXTENSION
            if end0 != end1
            else AmendmentKind.OBLIGATION
        )
        return Amendment(
            contract=contract,
            kind=kind,
            effective_on=self.today,
            reason=(
                f"Imported from {self.report.filename}: end {end0:%Y-%m-%d} → {end1:%Y-%m-%d}, "
                f"maximum obligation {obligation0} → {obligation1}"
            ),
            previous_end_date=end0,
            new_end_date=end1,
            previous_maximum_obligation=obligation0,
            new_maximum_obligation=obligation1,
            created_by=self.actor,
        )

    def _apply_us(
        self,
        contract: Contract,
        record: ContractRecord,
        provider_id: int,
        recorded: list[Amendment],
    ) -> _Change:
        """A published register's items for a contract Steward has (see the module
        docstring: "A later file"). Items not recorded yet become amendments after those
        recorded; an item recorded with other values, an earlier start or lower payments are
        notices, not changes; the text fields follow the file only when it is as new as what
        Steward has for the contract."""
        change = _Change()
        number, line = record.number, record.line
        by_reference = {a.reference: a for a in recorded if a.reference}
        base_obligation = recorded[0].previous_maximum_obligation if recorded else None
        base_end = recorded[0].previous_end_date if recorded else None
        new_items: list[RegisterItem] = []
        for item in record.items:
            amendment = by_reference.get(item.reference)
            if amendment is not None:
                if amendment.obligation_change != item.amount:
                    change.notices.append(
                        RowError(
                            item.line,
                            "amt",
                            f"item {item.reference} is {item.amount:,} in this file and "
                            f"{amendment.obligation_change:,} as recorded (amendment "
                            f"{amendment.sequence}): kept as recorded; record a correction as "
                            "an amendment",
                            number,
                        )
                    )
            elif item.reference == number or item.start_date == contract.start_date:
                obligation = base_obligation if recorded else contract.maximum_obligation
                end = base_end if recorded else contract.end_date
                amount = item.amount + (record.shortfall if item is record.items[0] else 0)
                if (amount, item.end_date) != (obligation, end):
                    change.notices.append(
                        RowError(
                            item.line,
                            "amt",
                            f"the first term ({item.reference}) is {item.amount:,} to "
                            f"{item.end_date:%Y-%m-%d} in this file and {obligation:,} to "
                            f"{end:%Y-%m-%d} as recorded: kept as recorded",
                            number,
                        )
                    )
            else:
                new_items.append(item)
        newest_file = max(_item_key(i.reference) for i in record.items)
        newest_known = max((_item_key(r) for r in by_reference), default=(0, ""))
        current = bool(new_items) or newest_file >= newest_known
        start = min(i.start_date for i in record.items)
        if start < contract.start_date:
            change.notices.append(
                RowError(
                    line,
                    "start dt",
                    f"the file starts contract {number} on {start:%Y-%m-%d}, Steward on "
                    f"{contract.start_date:%Y-%m-%d}: kept as recorded",
                    number,
                )
            )
        if not current:
            change.notices.append(
                RowError(
                    line,
                    "current item id",
                    f"this file is older for contract {number} (its latest item "
                    f"{max(record.items, key=lambda i: _item_key(i.reference)).reference}, "
                    f"Steward has {max(by_reference, key=_item_key)}): nothing changed",
                    number,
                )
            )
            return change
        fields = change.fields
        if contract.provider_id != provider_id:
            contract.provider_id = provider_id
            fields.append("provider")
        for name in IMPORTED_FIELDS:
            if name not in record.values or name in US_TERM_FIELDS:
                continue
            if getattr(contract, name) != record.values[name]:
                setattr(contract, name, record.values[name])
                fields.append(name)
        paid = record.values.get("payments_to_date")
        if paid is not None:
            if contract.payments_to_date is None or paid > contract.payments_to_date:
                contract.payments_to_date = paid
                fields.append("payments_to_date")
            elif paid < contract.payments_to_date:
                change.notices.append(
                    RowError(
                        line,
                        "tot payments",
                        f"payments to date are {paid:,} in this file, {contract.payments_to_date:,}"
                        " as recorded: payments to date only grow, kept as recorded",
                        number,
                    )
                )
        end, obligation = contract.end_date, contract.maximum_obligation
        for item in sorted(new_items, key=lambda i: _item_key(i.reference)):
            new_end, new_obligation = max(end, item.end_date), obligation + item.amount
            if new_obligation < 0:
                change.errors.append(
                    RowError(
                        item.line,
                        "amt",
                        f"item {item.reference} reduces contract {number}'s obligation "
                        f"({obligation:,}) below zero",
                        number,
                    )
                )
                return change
            change.amendments.append(
                Amendment(
                    contract=contract,
                    kind=_item_kind(item.amount, end != new_end),
                    reference=item.reference,
                    effective_on=item.start_date,
                    reason=self._item_reason(item),
                    previous_end_date=end,
                    new_end_date=new_end,
                    previous_maximum_obligation=obligation,
                    new_maximum_obligation=new_obligation,
                    created_by=self.actor,
                )
            )
            end, obligation = new_end, new_obligation
        if (end, obligation) != (contract.end_date, contract.maximum_obligation):
            contract.end_date, contract.maximum_obligation = end, obligation
            fields.extend(["end_date", "maximum_obligation"])
        return change

    def _item_reason(self, item: RegisterItem) -> str:
        return (
            f"Item {item.reference} of the published register ({self.report.filename}): term "
            f"{item.start_date:%Y-%m-%d} to {item.end_date:%Y-%m-%d}, amount {item.amount}"
            + (" (time only)" if item.amount == 0 else "")
            + (" (a reduction)" if item.amount < 0 else "")
        )

    def _validate(self, contract: Contract, record: ContractRecord) -> list[RowError]:
        """The rules that span fields of the contract (each cell was checked as it was read:
        lengths, choices, dates, amounts); the database constraints hold them too."""
        errors: dict[str, list[str]] = {}
        status = contract.status
        if status != ContractStatus.DRAFT and not contract.executed_on:
            errors.setdefault("executed_on", []).append(
                f"a contract that is {contract.get_status_display().lower()} needs the date "
                "it was executed"
            )
        if status == ContractStatus.COMPLETED and not contract.completed_on:
            errors.setdefault("completed_on", []).append("a completed contract needs this date")
        if status == ContractStatus.TERMINATED and not (
            contract.terminated_on and contract.termination_reason
        ):
            errors.setdefault("terminated_on", []).append(
                "a terminated contract needs the date and the reason"
            )
        return [
            RowError(record.line, name.replace("_", " "), " ".join(msgs), record.number)
            for name, msgs in errors.items()
        ]

    # -- renewals and amendments from a published register (us-open-data)

    def _amendments(self, records: list[ContractRecord], contracts: dict[str, Contract]) -> None:
        targets = [(r, contracts[r.number]) for r in records if len(r.items) > 1]
        ids = [c.pk for _, c in targets]
        have = set(
            Amendment.objects.filter(contract_id__in=ids)
            .exclude(reference="")
            .values_list("contract_id", "reference")
        )
        last = dict(
            Amendment.objects.filter(contract_id__in=ids)
            .values("contract_id")
            .annotate(n=Max("sequence"))
            .values_list("contract_id", "n")
        )
        new: list[Amendment] = []
        touched: list[Contract] = []
        for record, contract in targets:
            base = record.items[0]
            end, obligation = base.end_date, base.amount + record.shortfall
            sequence = last.get(contract.pk) or 0
            for item in record.items[1:]:
                new_end = max(end, item.end_date)
                new_obligation = obligation + item.amount
                if (contract.pk, item.reference) not in have:
                    sequence += 1
                    new.append(
                        Amendment(
                            contract=contract,
                            sequence=sequence,
                            kind=_item_kind(item.amount, end != new_end),
                            reference=item.reference,
                            effective_on=item.start_date,
                            reason=self._item_reason(item),
                            previous_end_date=end,
                            new_end_date=new_end,
                            previous_maximum_obligation=obligation,
                            new_maximum_obligation=new_obligation,
                            created_by=self.actor,
                        )
                    )
                end, obligation = new_end, new_obligation
            if contract.end_date != end or contract.maximum_obligation != obligation:
                contract.end_date, contract.maximum_obligation = end, obligation
                touched.append(contract)
        if new:
            self._create(Amendment, new)
            self.report.amendments_created += len(new)
        if touched:
            self._update(Contract, touched, {"end_date", "maximum_obligation"})


def _item_kind(amount: Decimal, extends: bool) -> str:
    if amount == 0:
        return AmendmentKind.RENEWAL if extends else AmendmentKind.EXTENSION
    return AmendmentKind.EXTENSION_AND_OBLIGATION if extends else AmendmentKind.OBLIGATION


@functools.lru_cache(maxsize=4096)
def _normalised(name: str) -> str:
    return normalise_name(name)


def _provider_key(data: dict[str, Any]) -> tuple[str, str]:
    ident = data.get("tax_id") or data.get("company_number") or data.get("charity_number") or ""
    return (_normalised(data["legal_name"]), ident)


class _ProviderIndex:
    """Providers looked up by identifier, then by normalised name."""

    IDENTIFIERS = ("tax_id", "company_number", "charity_number")

    def __init__(self, providers: Iterable[Provider]) -> None:
        self.by: dict[tuple[str, str], Provider] = {}
        for provider in providers:
            self.add(provider)

    def add(self, provider: Provider) -> None:
        for attr in self.IDENTIFIERS:
            value = getattr(provider, attr)
            if value:
                self.by.setdefault((attr, value), provider)
        self.by.setdefault(("name", provider.normalised_name), provider)

    def match(self, data: dict[str, Any]) -> Provider | None:
        for attr in self.IDENTIFIERS:
            value = data.get(attr)
            if value and (attr, value) in self.by:
                return self.by[(attr, value)]
        provider = self.by.get(("name", normalise_name(data["legal_name"])))
        if provider is not None and any(
            data.get(attr) and getattr(provider, attr) and data[attr] != getattr(provider, attr)
            for attr in self.IDENTIFIERS
        ):
            return None  # same name, another organisation's identifier: not the same provider
        return provider


def _is_uk(agency: Agency) -> bool:
    return agency.pack.parsed.currency == "GBP"
