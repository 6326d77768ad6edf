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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db import connections, router, transaction
from django.db.models import Max, Q
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
    RowError,
    Vocabulary,
    choices_of,
    map_columns,
    merge_us_items,
    read_native,
    read_uk,
    read_us_item,
)
from steward.contracts.tabular import (
    FileFormatError,
    SheetRow,
    is_totals_row,
    iter_rows,
    sniff_kind,
)
from steward.core.bulk import history_from_table, insert
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
WORKFLOW_FIELDS = ("status", "executed_on", "completed_on", "terminated_on")


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
    providers_created: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): totals rows
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[SheetRow, list[RowError]]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    written: bool = False

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
        if self.providers_created:
            parts.append(f"{len(self.providers_created)} new providers")
        if self.rejected:
            parts.append(f"{len(self.rejected)} rows rejected")
        return f"{self.filename}: {verb} {self.rows_read} rows: " + ", ".join(parts) + "."

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
) -> ImportReport:
    """Import the register in `stream` into `agency`; see the module docstring.

    `actor` None means an operator at the command line (no permission check); anyone else
    needs permission to add contracts to the agency."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.",
            errors={"format": [f"Use one of {', '.join(FORMATS)}."]},
        )
    if actor is not None:
        require_perm(actor, "contracts.add_contract", agency, action="import contracts")
    report = ImportReport(filename=filename, format=fmt, dry_run=dry_run)
    date_order = agency.pack.parsed.date_order if agency.pack_id else "MDY"
    head = stream.read(8)
    stream.seek(0)
    try:
        headers, rows = iter_rows(stream, kind=sniff_kind(filename, head))
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
            parsed = _rows_to_records(rows, columns, fmt, date_order, report)
            if fmt == "us-open-data":
                staging.stage_items(parsed, chunk_size)
                parsed = staging.merged_contracts(report)
            for batch in _batches(parsed, chunk_size):
                good = staging.without_duplicates(
                    [(record, raw) for record, raw in batch if record is not None],
                    report,
                    number_column=columns.by_field["number"],
                )
                if report.errors and not skip_invalid:
                    continue  # keep validating every row; nothing will be kept
                writer.write(good)
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


def _rows_to_records(
    rows: Iterator[SheetRow],
    columns: Any,
    fmt: str,
    date_order: str,
    report: ImportReport,
) -> Iterator[Parsed]:
    """Parse each row into a record (a US open-data row: one item of a contract), recording
    bad rows and skipped totals rows in `report`."""
    for row in rows:
        if is_totals_row(row.cells.values()):
            report.skipped.append((row.line, "a totals row"))
            continue
        report.rows_read += 1
        if fmt == "us-open-data":
            record, errors = read_us_item(row, columns, date_order=date_order)
        elif fmt == "uk-transparency":
            record, errors = read_uk(row, columns, date_order=date_order, vocab=VOCABULARY)
        else:
            record, errors = read_native(row, columns, date_order=date_order, vocab=VOCABULARY)
        if errors:
            report.errors.extend(errors)
            report.rejected.append((row, errors))
            yield None, [row]
            continue
        yield record, [row]


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
                    f"WHERE number IN ({self._placeholders(len(chunk))})",
                    chunk,
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
            if new:
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

    def write(self, batch: list[tuple[ContractRecord, list[SheetRow]]]) -> None:
        if not batch:
            return
        records = [record for record, _ in batch]
        rows_of = {id(record): rows for record, rows in batch}
        providers = self._providers(records)
        existing = {
            c.number: c
            # no ORDER BY: with the register's default ordering SQLite scans the agency's
            # contracts by end date instead of looking the numbers up in the unique index
            for c in Contract.objects.filter(
                agency=self.agency, number__in=[r.number for r in records]
            ).order_by()
        }
        new: list[Contract] = []
        changed: list[Contract] = []
        changed_fields: set[str] = set()
        bad: list[RowError] = []
        kept: list[ContractRecord] = []
        for record in records:
            provider = providers[_provider_key(record.provider)]  # an id
            contract = existing.get(record.number)
            if contract is None:
                contract = self._new_contract(record, provider)
                errors = self._validate(contract, record)
                if errors:
                    bad.extend(errors)
                    self._reject(rows_of[id(record)], errors)
                    continue
                new.append(contract)
                kept.append(record)
                continue
            fields = self._apply(contract, record, provider)
            if not fields:
                self.report.unchanged += 1
                continue
            errors = self._validate(contract, record)
            if errors:
                bad.extend(errors)
                self._reject(rows_of[id(record)], errors)
                continue
            changed.append(contract)
            kept.append(record)
            changed_fields.update(fields)
        if bad:
            self.report.errors.extend(bad)
            if not self.skip_invalid:
                return
        if new:
            self._create(Contract, new)
            self.report.created += len(new)
        if changed:
            self._update(Contract, changed, changed_fields)
            self.report.updated += len(changed)
        if any(len(r.items) > 1 for r in kept) or any(
            len(r.items) > 1 and r.number in existing for r in records
        ):
            by_number = {c.number: c for c in [*new, *changed, *existing.values()]}
            self._amendments([r for r in records if r.number in by_number], by_number)

    def _create(self, model: Any, objs: list[Any]) -> None:
        """Insert `objs` and their "created" audit rows, set-based."""
        insert(model, objs)
        if any(obj.pk is None for obj in objs):  # a database that returns no keys
            raise RuntimeError("bulk insert returned no primary keys")
        history_from_table(
            model,
            [obj.pk for obj in objs],
            history_type="+",
            when=timezone.now(),
            user=self.actor,
            reason=self.reason,
        )

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
                        for_profit=bool(data.get("for_profit")),
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

    def _new_contract(self, record: ContractRecord, provider_id: int) -> Contract:
        values = {k: v for k, v in record.values.items() if k in IMPORTED_FIELDS}
        contract = Contract(
            agency=self.agency, provider_id=provider_id, number=record.number, **values
        )
        if "currency" not in values:
            contract.currency = self.agency.pack.parsed.currency if self.agency.pack_id else "USD"
        if record.items:
            first = record.items[0]
            contract.end_date = first.end_date
            contract.maximum_obligation = first.amount
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

    def _apply(self, contract: Contract, record: ContractRecord, provider_id: int) -> list[str]:
        fields = []
        if contract.provider_id != provider_id:
            contract.provider_id = provider_id
            fields.append("provider")
        values = record.values
        for name in IMPORTED_FIELDS:
            if name not in values:
                continue
            if getattr(contract, name) != values[name]:
                setattr(contract, name, values[name])
                fields.append(name)
        if self.fmt == "native" and values.get("status"):
            for name in WORKFLOW_FIELDS:
                if getattr(contract, name) != values.get(name):
                    setattr(contract, name, values.get(name))
                    fields.append(name)
        return fields

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
            end, obligation = base.end_date, base.amount
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
                            reason=(
                                f"Item {item.reference} of the published register: term "
                                f"{item.start_date:%Y-%m-%d} to {item.end_date:%Y-%m-%d}, "
                                f"amount {item.amount}"
                                + (" (time only)" if item.amount == 0 else "")
                                + (" (a reduction)" if item.amount < 0 else "")
                            ),
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
