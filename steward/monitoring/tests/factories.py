"""Test set-up for the monitoring cycle: walk a contract's cycle to any stage through the
services, on fixed dates; and a red risk assessment for the report pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from steward.monitoring import calc, services
from steward.monitoring.models import Cycle
from steward.risk.models import RiskAssessment

START = date(2026, 11, 23)  # a Monday


def answers(rating: str = "good") -> dict[str, dict[str, str]]:
    return {
        key: {"rating": rating, "evidence": f"Evidence for {label.lower()}."}
        for key, label in calc.JUDGEMENT_AREAS
    }


def walk(
    contract: Any,
    *,
    manager: Any,
    provider_user: Any,
    to: str,
    route: str = "full",
    start: date = START,
) -> Cycle:
    """Run the cycle of `contract` up to `to`: started, notified, submitted, assessed, visited,
    judged, discussed, letter. Dates move on a few days per stage from `start`."""
    day = start
    cycle = services.cycle_start(actor=manager, contract=contract, today=day)
    if to == "started":
        return cycle
    services.cycle_notify(actor=manager, cycle=cycle, today=day)
    if to == "notified":
        return Cycle.objects.get(pk=cycle.pk)
    day += timedelta(days=10)
    services.self_assessment_submit(
        actor=provider_user,
        cycle=cycle,
        answers=answers(),
        qaf_level="B",
        qaf_upgrades="Moved from C to B on support planning.",
        today=day,
    )
    if to == "submitted":
        return Cycle.objects.get(pk=cycle.pk)
    day += timedelta(days=3)
    services.cycle_assess(
        actor=manager,
        cycle=cycle,
        notes="Self-assessment credible; QAF evidence to be seen.",
        route=route,
        today=day,
        visit_planned_for=day + timedelta(days=7) if route == "full" else None,
        visit_agenda="10:00 staff; 11:30 service users; 14:00 files" if route == "full" else "",
        user_consultation="Group meeting with tenants" if route == "full" else "",
        evidence_requested="Support plans; training records" if route == "full" else "",
    )
    if to == "assessed":
        return Cycle.objects.get(pk=cycle.pk)
    if route == "full":
        day += timedelta(days=7)
        services.visit_record(
            actor=manager,
            cycle=cycle,
            visited_on=day,
            staff_met="Service manager, two support workers",
            self_assessment_review="Agreed with the self-assessment; QAF upgrade confirmed.",
            action_plan_review="Last year's two actions done.",
            service_users_met="Six tenants at a group meeting",
            qaf_spot_check="Objectives 1.2 and 3.1 checked: met.",
            dq_sampled=10,
            dq_matched=9,
            dq_notes="One value transposed.",
            today=day,
        )
        if to == "visited":
            return Cycle.objects.get(pk=cycle.pk)
    day += timedelta(days=2)
    services.judgement_record(
        actor=manager,
        cycle=cycle,
        areas={k: {**v, "comments": ""} for k, v in answers().items()},
        today=day,
    )
    if to == "judged":
        return Cycle.objects.get(pk=cycle.pk)
    if route == "light":
        services.discussion_record(
            actor=manager,
            cycle=cycle,
            discussed_on=day,
            method="call",
            notes="Draft plan agreed with the provider's manager.",
            today=day,
        )
        if to == "discussed":
            return Cycle.objects.get(pk=cycle.pk)
    day += timedelta(days=2)
    services.letter_issue(
        actor=manager,
        cycle=cycle,
        results_summary="A good service meeting its targets.",
        future_funding="Funding continues at the current level for 2027-28.",
        future_specification="No change to the specification.",
        actions=[
            {
                "description": "Train two staff in safeguarding",
                "owner": "Service manager",
                "horizon_months": 3,
            },
            {"description": "Review support plans", "owner": "Team leader", "horizon_months": 6},
        ],
        today=day,
    )
    return Cycle.objects.get(pk=cycle.pk)


def red(contract, *, as_of: date, reasons: list[str] | None = None) -> RiskAssessment:
    return RiskAssessment.objects.create(
        contract=contract,
        as_of=as_of,
        computed_rating="red",
        score=12,
        reasons=reasons or ["3 serious concerns open (+9)", "2 actions overdue (+3)"],
        monitoring_level="enhanced",
    )
