"""The register's reports: expiring contracts and the annual POS and PSA report (seed 000).

Reads only; the rules are in `register_reports` (no Django). Both are computed as of their
date (issue 18): a contract's status, end date and maximum obligation on that date follow from
its dates, amendments and status history (`selectors.contracts_on`), so a register imported
today reports on 2019 as it stood in 2019. Agency staff see their own agency,
oversight officers and administrators every agency; provider users may not run them. Both are
computed in the database (filters and GROUP BY), a bounded number of queries whatever the
number of contracts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from steward.contracts.hooks import evaluation_scores
from steward.contracts.models import Contract, ContractStatus, ContractType
from steward.contracts.register_reports import (
    TYPE_LABELS,
    AgencyYear,
    StateOn,
    days_left,
    expiring_window,
    options_left,
    totals,
)
from steward.contracts.selectors import (
    contract_queryset,
    contracts_on,
    live_on_q,
    state_of_annotated,
)
from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.exports import Sheet
from steward.core.packs import FiscalYear
from steward.core.services import require_perm
from steward.parties.models import Agency, AgencyKind, Role

DEFAULT_FISCAL_YEAR = FiscalYear(start_month=7, start_day=1, source="Steward default")
MAX_WITHIN_DAYS = 3660


def _agencies(actor: Any, agency_slug: str) -> list[Agency]:
    """The agencies `actor` may report on, narrowed to `agency_slug` when given."""
    require_perm(actor, "reports.view_register_reports", action="run register reports")
    if actor.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        agencies = Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY)
    else:
        agencies = Agency.objects.filter(pk=actor.agency_id)
    agencies = agencies.select_related("pack").order_by("name")
    if agency_slug:
        agencies = agencies.filter(slug=agency_slug)
        if not agencies:
            raise NotFoundError(f"No agency {agency_slug!r} that you may report on.")
    return list(agencies)


# ---------------------------------------------------------------- expiring contracts


@dataclass(frozen=True)
class ExpiringRow:
    contract: Contract
    days_left: int
    options_left: int
    latest_score: Decimal | None  # None: not evaluated yet
    renewal_eligible: bool | None  # None: no area offers evaluations
    state: StateOn  # on the report's date: status, end date and maximum obligation then


def latest_evaluation_score(contract: Contract) -> Decimal | None:
    """The latest finalised evaluation's score (seed 001), or None when the contract has none
    (or no area offers evaluations)."""
    scores = evaluation_scores([contract])
    return None if scores is None else scores[contract.pk][0]


def _rows(batch: list[Contract], as_of: date) -> Iterator[ExpiringRow]:
    scores = evaluation_scores(batch) or {}
    for contract in batch:
        score, eligible = scores.get(contract.pk, (None, None))
        state = state_of_annotated(contract, as_of)
        yield ExpiringRow(
            contract=contract,
            days_left=days_left(state.end_date, as_of),
            options_left=options_left(contract.renewal_options, contract.renewals_exercised),
            latest_score=score,
            renewal_eligible=eligible,
            state=state,
        )


def expiring_report(
    *, actor: Any, as_of: date, within_days: int, agency_slug: str = ""
) -> QuerySet[Contract]:
    """Contracts executed or active on `as_of` whose end date on that day falls from `as_of`
    to `as_of + within_days` (inclusive), soonest first, in the agencies `actor` may report on,
    annotated by `selectors.contracts_on` (read their state with `expiring_rows`)."""
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise ValidationFailed(
            f"Give a window of 0 to {MAX_WITHIN_DAYS} days.",
            errors={"within": [f"From 0 to {MAX_WITHIN_DAYS} days."]},
        )
    agencies = _agencies(actor, agency_slug)
    first, last = expiring_window(as_of, within_days)
    return (
        contracts_on(contract_queryset(actor).filter(agency__in=agencies), as_of)
        .filter(live_on_q(as_of), Q(end_on__gte=first, end_on__lte=last))
        .order_by(F("end_on").asc(), "pk")
    )


def expiring_rows(contracts: QuerySet[Contract], as_of: date) -> Iterator[ExpiringRow]:
    """The report's rows, streamed in batches of 2,000 contracts (two queries per batch for
    the scores and renewal eligibility)."""
    batch: list[Contract] = []
    for contract in contracts.select_related("agency__pack").iterator(chunk_size=2000):
        batch.append(contract)
        if len(batch) == 2000:
            yield from _rows(batch, as_of)
            batch = []
    if batch:
        yield from _rows(batch, as_of)


EXPIRING_COLUMNS = (
    "agency",
    "number",
    "title",
    "provider",
    "department",
    "contract_type",
    "status",
    "end_date",
    "days_left",
    "renewal_options_left",
    "maximum_obligation",
    "currency",
    "latest_evaluation_score",
    "renewal_eligible",
)


def expiring_record(row: ExpiringRow) -> dict[str, Any]:
    """The row as a flat record; status, end date and maximum obligation as of the date."""
    c = row.contract
    return {
        "agency": c.agency.slug,
        "number": c.number,
        "title": c.title,
        "provider": c.provider.legal_name,
        "department": c.department,
        "contract_type": c.contract_type,
        "status": row.state.status,
        "end_date": row.state.end_date.isoformat(),
        "days_left": row.days_left,
        "renewal_options_left": row.options_left,
        "maximum_obligation": str(row.state.maximum_obligation),
        "currency": c.currency,
        "latest_evaluation_score": None if row.latest_score is None else str(row.latest_score),
        "renewal_eligible": row.renewal_eligible,
    }


# ---------------------------------------------------------------- annual report


def annual_report(*, actor: Any, fiscal_year: int, agency_slug: str = "") -> list[AgencyYear]:
    """One line per agency for `fiscal_year` (named by the year it ends in), each on its own
    pack's fiscal year: contracts active in the year by type, and those ending in the next.

    Both as of the year's last day (issue 18): a contract ran in the year when it was executed
    by then, started on or before it, and its end on that day (or its termination) was not
    before the first day; values are the maximum obligations on the last day. "Ending next
    fiscal year" counts the contracts live on the last day whose end date on that day falls
    in the next year — not today's status, so a past year reads as it stood."""
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationFailed(
            "Give a fiscal year from 2000 to 2100.",
            errors={"fiscal_year": ["From 2000 to 2100."]},
        )
    agencies = _agencies(actor, agency_slug)
    by_start: dict[tuple[int, int], list[Agency]] = {}
    for agency in agencies:
        fy = agency.pack.parsed.fiscal_year if agency.pack_id else DEFAULT_FISCAL_YEAR
        by_start.setdefault((fy.start_month, fy.start_day), []).append(agency)
    lines: dict[int, AgencyYear] = {}
    for (month, day), group in by_start.items():
        fy = FiscalYear(start_month=month, start_day=day, source="")
        first, last = fy.bounds(fiscal_year)
        next_first, next_last = fy.bounds(fiscal_year + 1)
        for agency in group:
            lines[agency.pk] = AgencyYear(agency.name, fiscal_year, first, last)
        on_last = contracts_on(Contract.objects.filter(agency__in=group), last)
        ran = (
            on_last.filter(Q(start_date__lte=last, end_on__gte=first))
            .exclude(status=ContractStatus.DRAFT)
            .filter(
                Q(executed_on__lte=last) | Q(executed_by_history=True),
                Q(terminated_on__isnull=True) | Q(terminated_on__gte=first),
            )
            .order_by()
            .values("agency_id", "contract_type")
            .annotate(n=Count("id"), value=Sum("obligation_on"))
        )
        for row in ran:
            lines[row["agency_id"]].add(row["contract_type"], row["n"], row["value"])
        ending = (
            on_last.filter(live_on_q(last), Q(end_on__gte=next_first, end_on__lte=next_last))
            .order_by()
            .values("agency_id")
            .annotate(n=Count("id"), value=Sum("obligation_on"))
        )
        for ended in ending:
            line = lines[ended["agency_id"]]
            line.expiring_next_year = ended["n"]
            line.expiring_next_year_value = ended["value"]
    for line in lines.values():
        for t in line.by_type.values():
            t.label = ContractType(t.contract_type).label
    return [lines[a.pk] for a in agencies]


ANNUAL_COLUMNS = (
    "agency",
    "fiscal_year",
    "first_day",
    "last_day",
    "contract_type",
    "contracts",
    "value",
)


def annual_records(lines: list[AgencyYear]) -> Iterator[dict[str, Any]]:
    """Flat records: per agency, POS, PSA, each other type, and the contracts ending in the
    next fiscal year (`contract_type` "ending_next_fiscal_year"); then the totals."""
    total = totals(lines)
    for line in [*lines, *([total] if total and len(lines) > 1 else [])]:
        base = {
            "agency": line.agency,
            "fiscal_year": line.fiscal_year,
            "first_day": line.first_day.isoformat(),
            "last_day": line.last_day.isoformat(),
        }
        for t in [*line.reported, *line.others]:
            yield {
                **base,
                "contract_type": t.contract_type,
                "contracts": t.count,
                "value": str(t.value),
            }
        yield {
            **base,
            "contract_type": "ending_next_fiscal_year",
            "contracts": line.expiring_next_year,
            "value": str(line.expiring_next_year_value),
        }


# ---------------------------------------------------------------- files

# Amounts are strings in the records (exact in JSON and the API) and numbers in the files.
AMOUNT_COLUMNS = frozenset({"value", "maximum_obligation", "latest_evaluation_score"})


def record_rows(columns: tuple[str, ...], records: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """Each record as a row in `columns` order, amounts as Decimal (numbers in a spreadsheet;
    an empty amount stays empty), for `steward.core.exports`."""
    for record in records:
        yield [
            Decimal(record[c]) if c in AMOUNT_COLUMNS and record[c] not in (None, "") else record[c]
            for c in columns
        ]


def report_sheet(title: str, columns: tuple[str, ...], records: Iterable[dict[str, Any]]) -> Sheet:
    """The report as one worksheet named `title`, headed by the columns in words."""
    return Sheet(title, [c.replace("_", " ") for c in columns], record_rows(columns, records))


__all__ = ["TYPE_LABELS"]


def expiring_rows_for(contracts: Any, as_of: date) -> Iterator[ExpiringRow]:
    """Rows for a page of contracts already fetched (the paginated page)."""
    return _rows(list(contracts), as_of)
