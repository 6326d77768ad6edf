"""Demo extension: a few concerns on the demo contracts, then a risk recompute (seed 003)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steward.risk import services
from steward.risk.models import ConcernCategory, RiskAssessment

# (days ago, kind, source, channel, category code, severity, summary, wants action, provider step)
_CONCERNS: tuple[tuple[int, str, str, str, str, str, str, bool, bool], ...] = (
    (
        12,
        "complaint",
        "family",
        "phone",
        "communication",
        "medium",
        "Family not told about a change of key worker",
        True,
        True,
    ),
    (
        30,
        "concern",
        "staff",
        "email",
        "safeguarding",
        "high",
        "Unexplained bruising not recorded on the incident log",
        True,
        False,
    ),
    (
        45,
        "notification",
        "inspector",
        "letter",
        "health-safety",
        "high",
        "Fire door propped open during the inspection visit",
        True,
        False,
    ),
    (
        60,
        "complaint",
        "service_user",
        "in_person",
        "financial",
        "medium",
        "Personal allowance not paid for two weeks",
        True,
        True,
    ),
    (
        20,
        "compliment",
        "family",
        "email",
        "compliment",
        "low",
        "Thanks to the outreach team for the summer programme",
        False,
        False,
    ),
)


def demo_concerns_and_risk(ctx: Any) -> dict[str, int]:
    """Log some concerns against the first live contracts of each demo agency through the
    services (as the agency's contract manager), then assess every contract."""
    made = 0
    live = [c for c in ctx.contracts.values() if c.status in ("executed", "active")]
    live.sort(key=lambda c: c.number)
    i = 0
    for agency in sorted(ctx.agencies.values(), key=lambda a: a.slug):
        manager = next(
            (
                u
                for u in ctx.users.values()
                if u.agency_id == agency.pk and u.role == "contract_manager"
            ),
            None,
        )
        contracts = [c for c in live if c.agency_id == agency.pk][:2]
        if manager is None or not contracts:
            continue
        services.categories_ensure(agency)
        cats = {c.code: c for c in ConcernCategory.objects.filter(agency=agency)}
        for n, contract in enumerate(contracts):
            for spec in _CONCERNS[n : n + 3]:
                days, kind, source, channel, code, severity, summary, wants, step = spec
                received = ctx.today - timedelta(days=days)
                data: dict[str, Any] = {
                    "contract": contract,
                    "kind": kind,
                    "received_on": received,
                    "source": source,
                    "channel": channel,
                    "category": cats[code],
                    "severity": severity,
                    "summary": summary,
                    "description": summary + ". Logged for the demonstration.",
                    "wants_action": wants,
                    "complainant_reference": f"DEMO-{i + 1:04d}",
                    "responsible": manager,
                }
                if step:
                    data["provider_procedure_started_on"] = received + timedelta(days=1)
                    data["provider_procedure_due_on"] = received + timedelta(days=21)
                if kind == "compliment":
                    data["status"] = "closed"
                services.concern_log(
                    actor=manager,
                    agency=agency,
                    provider=contract.provider,
                    data=data,
                    today=ctx.today,
                )
                i += 1
                made += 1
    services.recompute(as_of=ctx.today)
    return {
        "concerns": made,
        "risk assessments": RiskAssessment.objects.filter(
            contract__in=[c.pk for c in ctx.contracts.values()]
        ).count(),
    }
