"""Demo extension: a few concerns on the demo contracts, different for each agency and
fitting the services it buys, then a risk recompute (seed 003)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steward.risk import services
from steward.risk.models import ConcernCategory, RiskAssessment

# (days ago, kind, source, channel, category code, severity, summary, wants action, provider step)
_Concern = tuple[int, str, str, str, str, str, str, bool, bool]

# Each agency's concerns fit the services it buys (its policy pack says which kind of body it
# is): the first three go on its first live contract, the other two on its second.
_CONCERNS: dict[str, tuple[_Concern, ...]] = {
    # Connecticut DCF: in-home and family services for children and families
    "connecticut-opm": (
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
        (
            45,
            "concern",
            "other_agency",
            "letter",
            "record-keeping",
            "medium",
            "Case notes for three families not written up after home visits",
            True,
            False,
        ),
        (
            60,
            "complaint",
            "family",
            "in_person",
            "staffing",
            "medium",
            "Therapist cancelled four sessions in a month without notice",
            True,
            True,
        ),
    ),
    # Milwaukee Public Schools: tutoring, mentoring and other services to students
    "milwaukee-mps": (
        (
            14,
            "complaint",
            "family",
            "phone",
            "education",
            "medium",
            "Tutoring sessions at one school started 30 minutes late for two weeks",
            True,
            True,
        ),
        (
            35,
            "concern",
            "staff",
            "email",
            "staffing",
            "high",
            "A tutor began sessions before the background check was complete",
            True,
            False,
        ),
        (
            25,
            "compliment",
            "family",
            "email",
            "compliment",
            "low",
            "A parent thanks the tutor for her son's progress in reading",
            False,
            False,
        ),
        (
            50,
            "complaint",
            "service_user",
            "in_person",
            "communication",
            "low",
            "Mentoring schedule changed without telling students",
            True,
            True,
        ),
        (
            40,
            "concern",
            "other_agency",
            "email",
            "record-keeping",
            "medium",
            "Attendance records sent to the school were incomplete for March",
            True,
            False,
        ),
    ),
    # West London Supporting People: housing-related support for adults
    "west-london-sp": (
        (
            10,
            "complaint",
            "service_user",
            "phone",
            "care-quality",
            "medium",
            "Support plan not reviewed for five months",
            True,
            True,
        ),
        (
            28,
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
            18,
            "compliment",
            "service_user",
            "online",
            "compliment",
            "low",
            "Resident thanks the team for help moving into a flat of her own",
            False,
            False,
        ),
        (
            55,
            "complaint",
            "service_user",
            "in_person",
            "financial",
            "medium",
            "Service charge taken twice from a resident's housing benefit",
            True,
            True,
        ),
        (
            33,
            "concern",
            "staff",
            "email",
            "safeguarding",
            "high",
            "Resident at risk of exploitation not referred to the safeguarding team",
            True,
            False,
        ),
    ),
    # Highland Council: placements and support for looked-after children and care leavers
    "scottish-childrens": (
        (
            9,
            "notification",
            "staff",
            "phone",
            "missing-person",
            "high",
            "Young person missing overnight from the residential unit",
            True,
            False,
        ),
        (
            26,
            "complaint",
            "family",
            "letter",
            "communication",
            "medium",
            "Grandparents not told of a change in contact arrangements",
            True,
            True,
        ),
        (
            40,
            "concern",
            "other_agency",
            "email",
            "placement-stability",
            "medium",
            "Foster placement at risk of ending after a second emergency move",
            True,
            False,
        ),
        (
            15,
            "compliment",
            "service_user",
            "in_person",
            "compliment",
            "low",
            "Care leaver thanks the supported lodgings carer for help finding work",
            False,
            False,
        ),
        (
            62,
            "complaint",
            "service_user",
            "online",
            "financial",
            "medium",
            "Personal allowance not paid for two weeks",
            True,
            True,
        ),
    ),
    # Massachusetts DMH: community services for adults with serious mental illness
    "massachusetts-osd": (
        (
            11,
            "concern",
            "staff",
            "email",
            "medication",
            "high",
            "Medication administration record missing two doses",
            True,
            False,
        ),
        (
            24,
            "complaint",
            "service_user",
            "phone",
            "dignity-rights",
            "medium",
            "Client's request for a different clinician not answered",
            True,
            True,
        ),
        (
            38,
            "compliment",
            "family",
            "letter",
            "compliment",
            "low",
            "Family thanks the outreach worker for finding their son housing",
            False,
            False,
        ),
        (
            47,
            "notification",
            "inspector",
            "visit",
            "health-safety",
            "medium",
            "Kitchen in the residence failed its fire safety check",
            True,
            False,
        ),
        (
            58,
            "complaint",
            "service_user",
            "in_person",
            "food-nutrition",
            "low",
            "Meals at the clubhouse not suited to clients' dietary needs",
            True,
            True,
        ),
    ),
}


def _concerns_for(agency: Any) -> tuple[_Concern, ...]:
    slug = agency.pack.slug if agency.pack_id else ""
    return _CONCERNS.get(slug, _CONCERNS["connecticut-opm"])


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
        mine = _concerns_for(agency)
        for n, contract in enumerate(contracts):
            for spec in mine[:3] if n == 0 else mine[3:]:
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
