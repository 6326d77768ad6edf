"""Bulk import of provider returns: `steward import-returns FILE --agency SLUG` and the import
page. One row per indicator value:

    contract, period start, indicator, value[, submitted on][, units delivered, referrals,
    starts, leavers, costs]

Headers in any case and spacing; dates in ISO or the agency's order; values with thousands
separators or a trailing %. The return of each (contract, period) must exist (the contract's
Performance Evaluation Plan makes them). A return not yet submitted is marked submitted (on
`submitted on`, else today). A value that changes a return already submitted is a correction
and needs a reason (`--reason`), which lands on every history row.

All or nothing: after the first bad row nothing more is written but every row is still checked,
and the whole import is rolled back; the report lists every bad row with its line, column and
reason. Set-based: rows are read in chunks; each chunk costs a fixed number of queries (look up
its returns and existing values, insert the new values, update the changed ones, write their
history rows)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from steward.contracts.models import Contract, DueDate, DueDateStatus
from steward.contracts.register_formats import RowError, TableImportReport
from steward.contracts.tabular import (
    CellError,
    FileFormatError,
    SheetRow,
    is_blank,
    iter_rows,
    parse_date,
    parse_money,
    sniff_kind,
    text,
)
from steward.core.bulk import (
    AnyOf,
    foreign_keys_checked_per_statement,
    history_from_table,
    insert_rows,
    update_rows,
    write_behind,
)
from steward.core.errors import ValidationFailed
from steward.core.services import require_perm
from steward.core.uploads import UploadRejected, check_upload
from steward.parties.models import Agency
from steward.performance import calc
from steward.performance.models import Indicator, IndicatorValue, Return

COLUMNS = {
    "contract": ("contract", "contract number", "contract no", "contract id"),
    "period_start": ("period start", "period", "period from", "period start date"),
    "indicator": ("indicator", "indicator name", "measure"),
    "value": ("value", "actual", "result"),
    "submitted_on": ("submitted on", "submitted", "date submitted"),
    "units_delivered": ("units delivered", "units"),
    "referrals": ("referrals",),
    "starts": ("starts",),
    "leavers": ("leavers",),
    "costs": ("costs", "cost"),
}
REQUIRED = ("contract", "period_start", "indicator", "value")
#: The tables an import writes (values, returns, due dates met, and their history).
WRITTEN = tuple(
    table
    for model in (IndicatorValue, Return, DueDate)
    for table in (model._meta.db_table, model.history.model._meta.db_table)  # type: ignore[attr-defined]
)
WHOLE = ("referrals", "starts", "leavers")
VOLUMES = ("units_delivered", "referrals", "starts", "leavers", "costs")


@dataclass
class ReturnsReport(TableImportReport):
    """What a returns import did (or would do): values, and the returns it submitted."""

    returns_submitted: int = 0
    created_words = "new values"

    def summary(self) -> str:
        if self.errors:
            return super().summary()
        return super().summary()[:-1] + f"; {self.returns_submitted} returns submitted."


class _Rollback(Exception):
    pass


@dataclass
class _Row:
    line: int
    contract_id: int
    period_start: date
    indicator_id: int
    value: Decimal
    submitted_on: date | None
    volumes: dict[str, Any]


#: The largest returns file accepted from the page and the API (the command line has no limit).
IMPORT_MAX_BYTES = 100 * 1024 * 1024


def check_returns_file(upload: Any) -> None:
    """A returns file uploaded through the page or the API must be a real CSV or XLSX file of
    at most IMPORT_MAX_BYTES; ValidationFailed on `file` otherwise."""
    head = upload.read(8192)
    upload.seek(0)
    try:
        checked = check_upload(
            filename=upload.name or "",
            head=head,
            size=upload.size or 0,
            max_bytes=IMPORT_MAX_BYTES,
            stream=upload,
        )
        if checked.extension not in ("csv", "xlsx"):
            raise UploadRejected("Upload the returns as a .csv or .xlsx file.")
    except UploadRejected as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from exc


def _map(headers: list[str]) -> tuple[dict[str, str], list[RowError]]:
    by_field: dict[str, str] = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in headers:
                by_field[name] = alias
                break
    missing = [n for n in REQUIRED if n not in by_field]
    errors = [
        RowError(1, n.replace("_", " "), f"the file has no {n.replace('_', ' ')!r} column")
        for n in missing
    ]
    return by_field, errors


_PLAIN_NUMBER = re.compile(r"-?\d{1,12}(?:\.\d+)?")  # the usual cell: read it straight
CENT = Decimal("0.01")


def _value(raw: Any) -> Decimal:
    if isinstance(raw, str):
        raw = raw.strip()
        if _PLAIN_NUMBER.fullmatch(raw):
            return Decimal(raw).quantize(CENT, rounding=ROUND_HALF_UP)
        raw = raw.rstrip("%").strip()
    return parse_money(raw, allow_negative=True)


def import_returns(
    *,
    actor: Any,
    agency: Agency,
    stream: IO[bytes],
    filename: str,
    dry_run: bool = False,
    reason: str = "",
    today: date,
    chunk_size: int = 10000,
    progress: Callable[[int, int], None] | None = None,
) -> ReturnsReport:
    """Import the returns in `stream` for `agency`'s contracts (see the module docstring).
    `actor` None is an operator at the command line. `progress(rows_read, problems)` is
    called after each chunk (a background job's progress, the command line's bar)."""
    if actor is not None:
        require_perm(actor, "performance.manage_performance", agency, action="import returns")
    report = ReturnsReport(filename=filename, dry_run=dry_run)
    head = stream.read(8)
    stream.seek(0)
    try:
        headers, rows = iter_rows(stream, kind=sniff_kind(filename, head))
    except FileFormatError as exc:
        report.errors.append(RowError(1, "", str(exc)))
        return report
    columns, errors = _map(headers)
    if errors:
        report.errors.extend(errors)
        return report
    date_order = agency.pack.parsed.date_order if agency.pack_id else "MDY"
    # A file repeats each period's date on every row of the period: read each text once.
    read_date = lru_cache(maxsize=4096)(lambda raw: parse_date(raw, date_order=date_order))
    contracts = dict(Contract.objects.filter(agency=agency).values_list("number", "id"))
    indicators = {
        (cid, name.casefold()): (pk, unit)
        for pk, cid, name, unit in Indicator.objects.filter(contract__agency=agency).values_list(
            "pk", "contract_id", "name", "unit"
        )
    }
    try:
        with transaction.atomic():
            # One import into an agency at a time (the duplicate check above relies on it).
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
            writer = _Writer(actor, report, reason.strip(), today)
            # The database writes one chunk while the next is read and checked (write_behind),
            # and checks each chunk's foreign keys then, not all at once at commit.
            with foreign_keys_checked_per_statement(WRITTEN):
                write_behind(
                    _chunks(
                        rows,
                        columns,
                        contracts,
                        indicators,
                        read_date,
                        report,
                        chunk_size,
                        progress,
                    ),
                    writer.write_checked,
                )
            if dry_run or report.errors:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    except FileFormatError as exc:
        report.errors.append(RowError(report.rows_read + 1, "", str(exc)))
    return report


Chunk = tuple[list["_Row"], list[RowError]]


def _chunks(
    rows: Iterator[SheetRow],
    columns: dict[str, str],
    contracts: dict[str, int],
    indicators: dict[tuple[int, str], tuple[int, str]],
    read_date: Callable[[Any], date],
    report: ReturnsReport,
    chunk_size: int,
    progress: Callable[[int, int], None] | None,
) -> Iterator[Chunk]:
    """The good rows of the file in chunks of `chunk_size`, each with the problems of the
    rows read since the previous chunk (the writer adds them to the report in file order).
    Reads no database: the contracts and indicators are looked up in the dicts given."""
    chunk: list[_Row] = []
    errors: list[RowError] = []
    problems = 0
    values: dict[Any, Decimal | CellError] = {}  # a file repeats its values: read each once
    for row in rows:
        report.rows_read += 1
        before = len(errors)
        parsed = _read(row, columns, contracts, indicators, read_date, values, errors)
        if parsed is not None:
            chunk.append(parsed)
        problems += len(errors) - before
        if len(chunk) >= chunk_size:
            yield chunk, errors
            chunk, errors = [], []
            if len(values) > 10000:
                values.clear()  # memory stays flat whatever the file holds
            if progress is not None:
                progress(report.rows_read, problems)
    yield chunk, errors


def _read(
    row: SheetRow,
    columns: dict[str, str],
    contracts: dict[str, int],
    indicators: dict[tuple[int, str], tuple[int, str]],
    read_date: Callable[[Any], date],
    values: dict[Any, Decimal | CellError],
    problems: list[RowError],
) -> _Row | None:
    """One row checked cell by cell, its problems added to `problems` (on the hot path: a
    million calls for a million values). `values` caches each value text read."""
    cells = row.cells
    errors: list[RowError] = []

    def fail(name: str, reason: str) -> None:
        errors.append(RowError(row.line, columns.get(name, name), reason))

    number = text(cells.get(columns["contract"]))
    raw_period = cells.get(columns["period_start"])
    name = text(cells.get(columns["indicator"]))
    raw_value = cells.get(columns["value"])
    if not number:
        fail("contract", "this cell is empty")
    contract_id = contracts.get(number) if number else None
    if number and contract_id is None:
        fail("contract", f"no contract {number!r} in this agency")
    period = None
    if is_blank(raw_period):
        fail("period_start", "this cell is empty")
    else:
        try:
            period = read_date(raw_period)
        except CellError as exc:
            fail("period_start", str(exc))
    indicator = None
    if not name:
        fail("indicator", "this cell is empty")
    elif contract_id is not None:
        indicator = indicators.get((contract_id, name.casefold()))
        if indicator is None:
            fail("indicator", f"contract {number} has no indicator {name!r}")
    value = None
    if is_blank(raw_value):
        fail("value", "this cell is empty")
    else:
        # text only in the cache: 1, 1.0 and True are one key to a dict
        read = values.get(raw_value) if type(raw_value) is str else None
        if read is None:
            try:
                read = _value(raw_value)
            except CellError as exc:
                read = exc
            if type(raw_value) is str:
                values[raw_value] = read
        if type(read) is Decimal:
            value = read
        else:
            fail("value", str(read).replace("an amount of money", "a number"))
        problem = None
        if value is not None and indicator is not None:
            problem = calc.value_problem(indicator[1], value)
        if problem:
            fail("value", f"{value}: {problem[0].lower()}{problem[1:-1]}")
    submitted = None
    header = columns.get("submitted_on")
    if header is not None and not is_blank(cells.get(header)):
        try:
            submitted = read_date(cells.get(header))
        except CellError as exc:
            fail("submitted_on", str(exc))
    volumes: dict[str, Any] = {}
    for vol in VOLUMES:
        header = columns.get(vol)
        if header is None:
            continue
        raw = cells.get(header)
        if is_blank(raw):
            continue
        try:
            amount = parse_money(raw)
        except CellError as exc:
            fail(vol, str(exc).replace("an amount of money", "a number"))
            continue
        if vol in WHOLE:
            if amount != amount.to_integral_value():
                fail(vol, f"{text(raw)!r} is not a whole number")
                continue
            volumes[vol] = int(amount)
        else:
            volumes[vol] = amount
    if errors:
        problems.extend(errors)
        return None
    assert contract_id is not None and period is not None and indicator is not None
    assert value is not None
    return _Row(row.line, contract_id, period, indicator[0], value, submitted, volumes)


def _twice(line: int) -> RowError:
    return RowError(
        line, "indicator", "this indicator's value for this period appears twice in the file"
    )


@dataclass
class _Ret:
    """What the import needs of a return (plain values: no model instances on the hot path)."""

    pk: int
    contract_id: int
    period_start: date
    period_end: date
    submitted_on: date | None
    volumes: dict[str, Any]


VALUE_COLUMNS = ("created_at", "updated_at", "ret_id", "indicator_id", "value")


class _Writer:
    def __init__(self, actor: Any, report: ReturnsReport, reason: str, today: date) -> None:
        self.actor = actor if getattr(actor, "pk", None) else None
        self.report = report
        self.reason = reason
        self.today = today
        # Values with a key above this were written by this import (one transaction, and
        # imports into one agency run one at a time): met again, they are duplicates in the
        # file. Memory stays at one chunk, whatever the size of the file.
        self.first_new = (IndicatorValue.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def write_checked(self, chunk: Chunk) -> None:
        """Report the problems found reading `chunk`, then write its rows (see `write`)."""
        rows, errors = chunk
        self.report.errors.extend(errors)
        self.write(rows)

    def write(self, rows: list[_Row]) -> None:
        """Write `rows` (values, returns submitted, due dates met) unless the file has a
        problem so far: then only check them, reporting theirs."""
        if not rows:
            return
        report = self.report
        returns = {
            (c, start): _Ret(pk, c, start, end, submitted, dict(zip(VOLUMES, counts, strict=True)))
            for pk, c, start, end, submitted, *counts in Return.objects.filter(
                AnyOf(F("contract_id"), list({r.contract_id for r in rows})),
                AnyOf(F("period_start"), list({r.period_start for r in rows})),
            ).values_list(
                "pk", "contract_id", "period_start", "period_end", "submitted_on", *VOLUMES
            )
        }
        good: list[tuple[_Row, _Ret]] = []
        seen: set[tuple[int, int]] = set()
        for r in rows:
            ret = returns.get((r.contract_id, r.period_start))
            if ret is None:
                report.errors.append(
                    RowError(
                        r.line,
                        "period start",
                        f"no return starts on {r.period_start.isoformat()} for this contract "
                        "(its Performance Evaluation Plan sets the periods)",
                    )
                )
                continue
            key = (ret.pk, r.indicator_id)
            if key in seen:
                report.errors.append(_twice(r.line))
                continue
            seen.add(key)
            good.append((r, ret))
        if report.errors:
            return  # keep checking the rest; nothing will be kept
        # By return only: the unique (return, indicator) index's first column. With the
        # indicators too, the planner may scan the indicator index instead, filtering
        # thousands of rows (30 ms a chunk → 470 ms once the table has rows); a return's few
        # other values cost nothing here.
        existing = {
            (ret_id, indicator_id): (pk, value)
            for pk, ret_id, indicator_id, value in IndicatorValue.objects.filter(
                AnyOf(F("ret_id"), list({ret.pk for _, ret in good}))
            ).values_list("pk", "ret_id", "indicator_id", "value")
        }
        now = timezone.now()
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[int, Decimal]] = []  # (key, new value)
        newly: dict[int, _Ret] = {}  # returns this import submits
        volumes: dict[int, dict[str, Any]] = {}
        for r, ret in good:
            old = existing.get((ret.pk, r.indicator_id))
            if old is not None and old[0] >= self.first_new:
                report.errors.append(_twice(r.line))
                continue
            if old is None:
                new.append((now, now, ret.pk, r.indicator_id, r.value))
            elif old[1] != r.value:
                if ret.submitted_on is not None and ret.pk not in newly and not self.reason:
                    report.errors.append(
                        RowError(
                            r.line,
                            "value",
                            f"the return for the period from {ret.period_start.isoformat()} was "
                            f"submitted on {ret.submitted_on.isoformat()}; changing its value "
                            f"({old[1]} → {r.value}) is a correction and needs a reason",
                        )
                    )
                    continue
                changed.append((old[0], r.value))
            else:
                report.unchanged += 1
            if ret.submitted_on is None:
                ret.submitted_on = r.submitted_on or self.today
                newly[ret.pk] = ret
            if not r.volumes:
                continue
            given = {k: v for k, v in r.volumes.items() if ret.volumes[k] != v}
            if given and ret.pk not in newly and not self.reason:
                report.errors.append(
                    RowError(
                        r.line,
                        ", ".join(k.replace("_", " ") for k in given),
                        f"the return for the period from {ret.period_start.isoformat()} was "
                        f"submitted on {ret.submitted_on}; changing its volumes is a correction "
                        "and needs a reason",
                    )
                )
                continue
            if given:
                volumes.setdefault(ret.pk, {}).update(given)
                ret.volumes.update(given)
        if report.errors:
            return
        reason = f"Correction: {self.reason}" if self.reason else f"Imported from {report.filename}"
        insert_rows(IndicatorValue, VALUE_COLUMNS, new, when=now, user=self.actor, reason=reason)
        if changed:
            update_rows(IndicatorValue, ["value"], changed, updated_at=now)
            history_from_table(
                IndicatorValue,
                [pk for pk, _ in changed],
                history_type="~",
                when=now,
                user=self.actor,
                reason=reason,
            )
        touched = {*newly, *volumes}
        if touched:
            # One UPDATE per submission date (not a CASE per row and column)...
            by_day: dict[date, list[int]] = defaultdict(list)
            for ret in newly.values():
                by_day[ret.submitted_on].append(ret.pk)  # type: ignore[index]
            for day, ids in by_day.items():
                Return.objects.filter(AnyOf(F("pk"), ids)).update(
                    submitted_on=day, submitted_by=self.actor, updated_at=now
                )
            # ... and the volumes, which differ per return, only where the file gives them.
            # Grouped by the columns given, so that a column the file leaves blank is kept.
            groups: dict[tuple[str, ...], list[Return]] = defaultdict(list)
            for pk, given in volumes.items():
                groups[tuple(sorted(given))].append(Return(pk=pk, updated_at=now, **given))
            for names, counted in groups.items():
                Return.objects.bulk_update(counted, [*names, "updated_at"], batch_size=500)
            history_from_table(
                Return, sorted(touched), history_type="~", when=now, user=self.actor, reason=reason
            )
        if newly:
            # each return's due date is about the return: met by it, on the day it was submitted
            met_on = {
                (ret.contract_id, f"return:{ret.period_end.isoformat()}"): ret.submitted_on
                for ret in newly.values()
            }
            met: dict[date, list[int]] = defaultdict(list)
            for pk, contract_id, rule_key in DueDate.objects.filter(
                AnyOf(F("contract_id"), list({c for c, _ in met_on})),
                AnyOf(F("rule_key"), list({k for _, k in met_on})),
                kind="return",
                status=DueDateStatus.OPEN,
            ).values_list("pk", "contract_id", "rule_key"):
                if (contract_id, rule_key) in met_on:
                    met[met_on[contract_id, rule_key]].append(pk)  # type: ignore[index]
            ids = [pk for pks in met.values() for pk in pks]
            for day, pks in met.items():
                DueDate.objects.filter(AnyOf(F("pk"), pks)).update(
                    status=DueDateStatus.DONE,
                    completed_on=day,
                    met_by_type=ContentType.objects.get_for_model(Return),
                    met_by_id=F("subject_id"),
                    closed_by=self.actor if getattr(self.actor, "pk", None) else None,
                    updated_at=now,
                )
            if ids:
                history_from_table(
                    DueDate,
                    ids,
                    history_type="~",
                    when=now,
                    user=self.actor,
                    reason="Return submitted (import)",
                )
        report.created += len(new)
        report.updated += len(changed)
        report.returns_submitted += len(newly)
