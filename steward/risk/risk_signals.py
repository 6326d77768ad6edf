"""Risk signals per contract, gathered set-based (seed 003; DOMAIN.md "Risk assessment").

`gather(contracts, as_of)` takes a list of `ContractRow` and answers `{contract_id: {signal:
count}}` in a bounded number of queries whatever the number of contracts:

- `concerns`, `high_severity_concerns`, `financial_concerns`: concerns, complaints and
  notifications (not compliments) received in the pack's `concern_window_days` up to `as_of`,
  about the contract, or about its provider in the same agency without a contract named;
  high severity is high or critical; financial is a category marked financial.
- `inspection_poor`: 1 when the provider's latest inspection rating on or before `as_of` reads
  as poor (`scoring.inspection_is_poor`).
- `review_overdue` and `actions_overdue`: 0 here; the monitoring area's registered sources add
  the review meetings of the contract's review cycle not held by their date and the open
  actions of its action plans past their due date (open `review_meeting` and `action` due
  dates past their date: holding the meeting, or doing the action, closes them).
- every source registered with `steward.contracts.hooks.register_risk_signal_source` (the
  performance area: `indicators_missed`, `returns_late`, `returns_missing`).

At scale (`services.recompute`, thousands of contracts a chunk) the caller also passes `chunk`,
a query of exactly those contracts: every query then names them by that subquery rather than
by a list of thousands of ids, whose parameters cost more in Python (building the lookup,
binding each value) than the database spends answering; the counts are the same either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from steward.contracts.hooks import risk_signal_sources
from steward.core.packs import RiskRules
from steward.parties.models import InspectionRating
from steward.risk.models import HIGH_SEVERITIES, Concern, ConcernKind
from steward.risk.scoring import inspection_is_poor

BUILT_IN_SIGNALS = (
    "concerns",
    "high_severity_concerns",
    "financial_concerns",
    "inspection_poor",
    "actions_overdue",
    "review_overdue",
)


@dataclass(frozen=True)
class ContractRow:
    id: int
    agency_id: int
    provider_id: int
    start_date: date
    rules: RiskRules


def _concern_counts() -> dict[str, Any]:
    return {
        "n": Count("id"),
        "high": Count("id", filter=Q(severity__in=HIGH_SEVERITIES)),
        "fin": Count("id", filter=Q(category__financial=True)),
    }


def gather(
    contracts: list[ContractRow], as_of: date, *, chunk: QuerySet[Any] | None = None
) -> dict[int, dict[str, int]]:
    """Every signal for every contract in `contracts` as of `as_of` (see the module doc).
    `chunk`, when given, is a Contract query of exactly the contracts of `contracts`, used as a
    subquery in place of their ids (same answer, see the module doc). No writes."""
    out: dict[int, dict[str, int]] = {c.id: dict.fromkeys(BUILT_IN_SIGNALS, 0) for c in contracts}
    if not contracts:
        return out
    ids: Any = [c.id for c in contracts]
    if chunk is not None:
        ids = chunk.order_by("pk").values_list("pk", flat=True)

    # Concerns: one pair of queries per distinct window (packs are few).
    by_window: dict[int, list[ContractRow]] = defaultdict(list)
    for c in contracts:
        by_window[c.rules.concern_window_days].append(c)
    for window, rows in by_window.items():
        since = as_of - timedelta(days=window)
        base = Concern.objects.filter(received_on__gt=since, received_on__lte=as_of).exclude(
            kind=ConcernKind.COMPLIMENT
        )
        # one window for the whole chunk (the usual case): the chunk's subquery names them
        whole = chunk is not None and len(by_window) == 1
        row_ids: Any = ids if whole else [c.id for c in rows]
        by_contract: list[dict[str, Any]] = list(
            base.filter(contract_id__in=row_ids)  # type: ignore[arg-type]
            .values("contract_id")
            .annotate(**_concern_counts())
            .order_by()
        )
        for r in by_contract:
            sig = out[r["contract_id"]]
            sig["concerns"] += r["n"]
            sig["high_severity_concerns"] += r["high"]
            sig["financial_concerns"] += r["fin"]
        pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
        for c in rows:
            pairs[(c.agency_id, c.provider_id)].append(c.id)
        if whole:
            assert chunk is not None
            providers: Any = chunk.values("provider_id")
            agencies: Any = chunk.values("agency_id")
        else:
            providers = {p for _, p in pairs}
            agencies = {a for a, _ in pairs}
        by_provider: list[dict[str, Any]] = list(
            base.filter(  # type: ignore[arg-type]
                contract__isnull=True, provider_id__in=providers, agency_id__in=agencies
            )
            .values("agency_id", "provider_id")
            .annotate(**_concern_counts())
            .order_by()
        )
        for r in by_provider:
            for cid in pairs.get((r["agency_id"], r["provider_id"]), []):
                sig = out[cid]
                sig["concerns"] += r["n"]
                sig["high_severity_concerns"] += r["high"]
                sig["financial_concerns"] += r["fin"]

    # Inspections: the latest per provider on or before as_of.
    provider_ids: Any = (
        {c.provider_id for c in contracts} if chunk is None else chunk.values("provider_id")
    )
    latest: dict[int, str] = {}
    for provider_id, rating in (
        InspectionRating.objects.filter(provider_id__in=provider_ids, inspected_on__lte=as_of)
        .order_by("provider_id", "-inspected_on", "-id")
        .values_list("provider_id", "rating")
        .iterator()
    ):
        latest.setdefault(provider_id, rating)
    poor = {pid for pid, rating in latest.items() if inspection_is_poor(rating)}

    for c in contracts:
        out[c.id]["inspection_poor"] = 1 if c.provider_id in poor else 0

    # Every registered source (performance: indicators missed, returns late or missing).
    for source in risk_signal_sources().values():
        for contract_id, values in source(ids, as_of).items():
            if contract_id in out:
                for name, count in values.items():
                    out[contract_id][name] = out[contract_id].get(name, 0) + int(count)
    return out
