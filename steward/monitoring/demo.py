"""Demo monitoring cycles, made through the services (seed 002): one whose results letter went
out five days ago (its appeal window open, its action plan under way, one action the contract
monitor's), one waiting for the provider's self-assessment (the demo provider login's task), and
one on the light route judged and waiting for the draft action plan to be discussed.

Every executed contract's review cycle (seed 003) was planned when the demo executed it; the
meetings whose day passed more than a fortnight ago are recorded as held here, so the work lists
show the recent and coming ones, not years of meetings nobody recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steward.monitoring import calc, services
from steward.monitoring.models import ReviewKind, ReviewMeeting
from steward.parties.models import Role

#: review meetings further back than this are recorded as held in the demo
HELD_BEFORE_DAYS = 14


def _answers(rating: str) -> dict[str, dict[str, str]]:
    return {
        key: {
            "rating": rating,
            "evidence": f"See the quarterly returns and files on {label.lower()}.",
        }
        for key, label in calc.JUDGEMENT_AREAS
    }


def demo_monitoring(ctx: Any) -> dict[str, int]:
    counts = {"monitoring cycles": 0, "review meetings held": 0}
    today = ctx.today
    provider_user = ctx.users.get("provider")
    manager = ctx.users.get("manager")
    letter = ctx.contracts.get("DCF-POS-0412")
    if letter is not None and manager and provider_user and letter.status == "active":
        day = today - timedelta(days=45)
        cycle = services.cycle_start(actor=manager, contract=letter, today=day)
        services.cycle_notify(actor=manager, cycle=cycle, today=day)
        services.self_assessment_submit(
            actor=provider_user,
            cycle=cycle,
            answers=_answers("good"),
            qaf_level="B",
            qaf_upgrades="Support planning moved from C to B this year.",
            today=today - timedelta(days=35),
        )
        services.cycle_assess(
            actor=manager,
            cycle=cycle,
            notes="The self-assessment is credible; the QAF upgrade needs to be seen.",
            route="full",
            visit_planned_for=today - timedelta(days=25),
            visit_agenda="10:00 service manager; 11:00 families' group; 14:00 case files",
            user_consultation="A group meeting with six families, and two home visits",
            evidence_requested="Support plans, training records, the complaints log",
            today=today - timedelta(days=33),
        )
        services.visit_record(
            actor=manager,
            cycle=cycle,
            visited_on=today - timedelta(days=25),
            staff_met="Service manager; two family support workers",
            self_assessment_review="Agreed; the QAF upgrade to B on support planning is confirmed.",
            action_plan_review="Last year's three actions are done.",
            service_users_met="Six families at the group meeting; two at home",
            qaf_spot_check="Objectives 1.2 (needs assessment) and 3.1 (safeguarding): met.",
            dq_sampled=12,
            dq_matched=11,
            dq_notes="One quarter's engagement figure was keyed as 19 instead of 91.",
            today=today - timedelta(days=25),
        )
        judgements = _answers("good")
        judgements["funding"]["rating"] = "adequate"
        services.judgement_record(
            actor=manager, cycle=cycle, areas=judgements, today=today - timedelta(days=20)
        )
        services.letter_issue(
            actor=manager,
            cycle=cycle,
            results_summary="A good service: targets met in three quarters of four; families "
            "speak well of their key workers.",
            future_funding="Funding continues at the current level for the next contract year.",
            future_specification="No change, except the waiting-time indicator tightens to 8 days.",
            actions=[
                {
                    "description": "Check every return against the case system before sending.",
                    "owner": "Contract monitor, with the service manager",
                    "owner_user": ctx.users.get("monitor"),
                    "horizon_months": 3,
                },
                {
                    "description": "Train two more workers in safeguarding level 3.",
                    "owner": "Training lead",
                    "horizon_months": 6,
                },
            ],
            today=today - timedelta(days=5),
        )
        counts["monitoring cycles"] += 1
    waiting = ctx.contracts.get("DCF-POS-0467")
    if waiting is not None and manager and waiting.status == "active":
        cycle = services.cycle_start(
            actor=manager, contract=waiting, today=today - timedelta(days=10)
        )
        services.cycle_notify(actor=manager, cycle=cycle, today=today - timedelta(days=10))
        counts["monitoring cycles"] += 1
    light = ctx.contracts.get("WLSP-0188")
    manager_wl = ctx.users.get("manager-wl")
    if light is not None and manager_wl and light.status == "active":
        cycle = services.cycle_start(
            actor=manager_wl, contract=light, today=today - timedelta(days=30)
        )
        services.cycle_notify(actor=manager_wl, cycle=cycle, today=today - timedelta(days=30))
        services.self_assessment_submit(
            actor=manager_wl,  # entered on the provider's behalf from its paper form
            cycle=cycle,
            answers=_answers("excellent"),
            qaf_level="A",
            qaf_upgrades="",
            today=today - timedelta(days=14),
        )
        services.cycle_assess(
            actor=manager_wl,
            cycle=cycle,
            notes="Low risk, strong self-assessment: CM lite, no visit this year.",
            route="light",
            light_route_justification="The service was visited at its review meeting in the "
            "autumn; the concerns since are answered in the self-assessment's evidence.",
            today=today - timedelta(days=12),
        )
        services.judgement_record(
            actor=manager_wl,
            cycle=cycle,
            areas=_answers("excellent"),
            today=today - timedelta(days=8),
        )
        counts["monitoring cycles"] += 1
    counts["review meetings held"] = _past_reviews_held(ctx)
    return counts


def _past_reviews_held(ctx: Any) -> int:
    """Record as held, by a contract manager of its agency, every planned review meeting of
    the demo contracts more than HELD_BEFORE_DAYS in the past. Returns how many."""
    managers = {u.agency_id: u for u in ctx.users.values() if u.role == Role.CONTRACT_MANAGER}
    before = ctx.today - timedelta(days=HELD_BEFORE_DAYS)
    held = 0
    for meeting in ReviewMeeting.objects.filter(
        contract__in=list(ctx.contracts.values()),
        held_on__isnull=True,
        cancelled_on__isnull=True,
        scheduled_for__lt=before,
    ).select_related("contract"):
        manager = managers.get(meeting.contract.agency_id)
        if manager is None:
            continue
        annual = meeting.kind == ReviewKind.ANNUAL
        services.review_record(
            actor=manager,
            meeting=meeting,
            held_on=meeting.scheduled_for,
            chair="Operational team leader",
            attendees="Provider's service manager; contract monitor"
            + ("; contract manager" if annual else ""),
            contract_manager_attended=annual,
            minutes="Routine returns reviewed against the specification's targets; no "
            "concerns beyond those already logged.",
            today=ctx.today,
        )
        held += 1
    return held
