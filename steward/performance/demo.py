"""Demo performance data, made through the services as each agency's contract manager: an
indicator library, a specification, indicators, a plan (which generates the returns), and the
returns of every period already past (some late; one contract's latest missing); a survey round."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from steward.performance import services
from steward.performance.models import Return

# Each agency's library fits the services it buys (its policy pack says which kind of body it
# is). Every library has the same shape, which the value patterns below rely on: an output
# count, a "how well" percentage, a number of days where lower is better, an outcome
# percentage and an input count.
# name, category, question, unit, direction, target, tolerance, weight
_Row = tuple[str, str, str, str, str, str, str, str]
_LIBRARIES: dict[str, list[_Row]] = {
    # Connecticut DCF: in-home and family services for children and families
    "connecticut-opm": [
        (
            "Hours of support delivered",
            "output",
            "how_much",
            "count",
            "higher",
            "1200",
            "100",
            "30",
        ),
        (
            "Families engaged within 10 days of referral",
            "quality",
            "how_well",
            "percentage",
            "higher",
            "90",
            "5",
            "30",
        ),
        (
            "Average days from referral to first visit",
            "quality",
            "how_well",
            "days",
            "lower",
            "10",
            "2",
            "0",
        ),
        (
            "Families with improved stability scores",
            "outcome",
            "better_off",
            "percentage",
            "higher",
            "70",
            "10",
            "40",
        ),
        ("Staff hours funded", "input", "how_much", "count", "higher", "1500", "150", "0"),
    ],
    # Milwaukee Public Schools: tutoring, mentoring and other services to students
    "milwaukee-mps": [
        (
            "Tutoring sessions delivered",
            "output",
            "how_much",
            "count",
            "higher",
            "1800",
            "150",
            "30",
        ),
        (
            "Students attending at least 80% of sessions",
            "quality",
            "how_well",
            "percentage",
            "higher",
            "85",
            "5",
            "30",
        ),
        (
            "Average days from enrolment to first session",
            "quality",
            "how_well",
            "days",
            "lower",
            "10",
            "2",
            "0",
        ),
        (
            "Students gaining a grade level in reading or mathematics",
            "outcome",
            "better_off",
            "percentage",
            "higher",
            "60",
            "10",
            "40",
        ),
        (
            "Certified tutor hours funded",
            "input",
            "how_much",
            "count",
            "higher",
            "2000",
            "200",
            "0",
        ),
    ],
    # West London Supporting People: housing-related support for adults
    "west-london-sp": [
        ("Support hours delivered", "output", "how_much", "count", "higher", "1400", "100", "30"),
        (
            "Support plans reviewed on time",
            "quality",
            "how_well",
            "percentage",
            "higher",
            "90",
            "5",
            "30",
        ),
        (
            "Average days from referral to assessment",
            "quality",
            "how_well",
            "days",
            "lower",
            "7",
            "2",
            "0",
        ),
        (
            "Clients moving on in a planned way",
            "outcome",
            "better_off",
            "percentage",
            "higher",
            "70",
            "10",
            "40",
        ),
        (
            "Units of accommodation available",
            "input",
            "how_much",
            "count",
            "higher",
            "120",
            "10",
            "0",
        ),
    ],
    # Highland Council: placements and support for looked-after children and care leavers
    "scottish-childrens": [
        ("Placement nights provided", "output", "how_much", "count", "higher", "900", "60", "30"),
        (
            "Children with a care plan reviewed on time",
            "quality",
            "how_well",
            "percentage",
            "higher",
            "90",
            "5",
            "30",
        ),
        (
            "Average days from referral to placement",
            "quality",
            "how_well",
            "days",
            "lower",
            "14",
            "3",
            "0",
        ),
        (
            "Placements lasting beyond twelve months",
            "outcome",
            "better_off",
            "percentage",
            "higher",
            "75",
            "10",
            "40",
        ),
        ("Qualified care staff hours", "input", "how_much", "count", "higher", "3000", "250", "0"),
    ],
    # Massachusetts DMH: community services for adults with serious mental illness
    "massachusetts-osd": [
        (
            "Clinical contacts delivered",
            "output",
            "how_much",
            "count",
            "higher",
            "2500",
            "200",
            "30",
        ),
        (
            "Clients seen within 7 days of hospital discharge",
            "quality",
            "how_well",
            "percentage",
            "higher",
            "85",
            "5",
            "30",
        ),
        (
            "Average days from referral to intake",
            "quality",
            "how_well",
            "days",
            "lower",
            "5",
            "1",
            "0",
        ),
        (
            "Clients stably housed after six months",
            "outcome",
            "better_off",
            "percentage",
            "higher",
            "75",
            "10",
            "40",
        ),
        (
            "Licensed clinician hours funded",
            "input",
            "how_much",
            "count",
            "higher",
            "3500",
            "300",
            "0",
        ),
    ],
}

# What each kind of body writes in a contract's specification, plan and survey.
_WORDING: dict[str, dict[str, str]] = {
    "connecticut-opm": {
        "standards": "Visits within 10 working days of referral; a named key worker for every "
        "family; safeguarding training for every member of staff.",
        "outcomes": "Families are more stable and children stay safely at home.",
        "desired": "Fewer children entering care; families supported earlier.",
        "survey": "Families value the key worker; waiting times still too long.",
        "group": "service_users",
    },
    "milwaukee-mps": {
        "standards": "Sessions of at least 45 minutes, three times a week; tutors certified by "
        "the Department of Public Instruction; progress reported to the school each quarter.",
        "outcomes": "Students read and do mathematics at grade level.",
        "desired": "More students at grade level in reading and mathematics by spring testing.",
        "survey": "Parents see progress in reading; some sessions start late after school.",
        "group": "service_users",
    },
    "west-london-sp": {
        "standards": "A support plan within 10 working days of moving in; reviewed every three "
        "months; a named support worker for every client.",
        "outcomes": "Clients keep their tenancy and move on to independent living.",
        "desired": "More clients moving on in a planned way; fewer evictions.",
        "survey": "Clients value their support worker; repairs take too long.",
        "group": "service_users",
    },
    "scottish-childrens": {
        "standards": "A placement plan within 72 hours; the child's views recorded at every "
        "review; staff trained in trauma-informed care.",
        "outcomes": "Children are safe, settled and stay in one placement.",
        "desired": "Fewer placement moves; children kept in Highland where possible.",
        "survey": "Young people feel listened to; contact with family is hard to arrange.",
        "group": "service_users",
    },
    "massachusetts-osd": {
        "standards": "Contact within 7 days of a hospital discharge; a recovery plan for every "
        "client; peer support available in every team.",
        "outcomes": "Clients live in the community, stably housed, with fewer hospital stays.",
        "desired": "Fewer readmissions; more clients stably housed.",
        "survey": "Clients value peer support; evening appointments are scarce.",
        "group": "service_users",
    },
}


def _pack_slug(agency: Any) -> str:
    slug = agency.pack.slug if agency.pack_id else ""
    return slug if slug in _LIBRARIES else "connecticut-opm"


def library_for(agency: Any) -> list[_Row]:
    """The demo indicator library that fits `agency`'s services."""
    return _LIBRARIES[_pack_slug(agency)]


# How each period's values sit against the targets: a factor per indicator and period.
_PATTERN = [
    ("1.05", "0.97", "0.9", "1.02", "1.0"),
    ("1.0", "1.0", "1.1", "0.95", "1.0"),
    ("0.88", "0.93", "1.3", "0.8", "0.95"),
    ("1.02", "1.01", "0.8", "0.9", "1.0"),
]

#: every target met (the days indicator, lower is better, under its target)
_ON_PLAN = ("1.05", "1.02", "0.9", "1.02", "1.0")


def metrics_before_execution(contract: Any, manager: Any) -> None:
    """Before a demo contract is executed: where the pack's metrics requirement covers it
    (Milwaukee, seed 001: professional services let by RFP for more than a year), its sponsor's
    metrics are recorded first, as the requirement asks, and signed off by procurement."""
    from steward.performance.selectors import needs_metrics

    if not needs_metrics(contract, contract.indicators.exists()):
        return
    for name, category, question, unit, direction, target, tolerance, weight in library_for(
        contract.agency
    ):
        services.indicator_save(
            actor=manager,
            contract=contract,
            data={
                "name": name,
                "category": category,
                "question": question,
                "unit": unit,
                "direction": direction,
                "frequency": "quarterly",
                "data_source": "Provider case management system",
                "target": Decimal(target),
                "tolerance": Decimal(tolerance),
                "payment_weight": Decimal(weight),
                "baseline": Decimal(target) * Decimal("0.8"),
            },
        )
    # seed 001: Procurement & Risk Management signs them off as developed with the sponsor
    from steward.parties.models import Role, User
    from steward.performance.services_pep import metrics_sign_off

    officer = (
        User.objects.filter(
            agency_id=contract.agency_id, role=Role.PROCUREMENT_OFFICER, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if officer is not None:
        metrics_sign_off(
            actor=officer,
            contract=contract,
            today=contract.start_date - timedelta(days=28),
            developed_with_sponsor=True,
            notes="Metrics developed with the sponsor during the RFP.",
        )


def demo_performance(ctx: Any) -> dict[str, int]:
    counts = {"indicators": 0, "returns submitted": 0}
    live = sorted(
        (c for c in ctx.contracts.values() if c.status in ("executed", "active")),
        key=lambda c: c.number,
    )
    for agency in sorted(ctx.agencies.values(), key=lambda a: a.slug):
        manager = next(
            (
                u
                for u in ctx.users.values()
                if u.agency_id == agency.pk and u.role == "contract_manager"
            ),
            None,
        )
        mine = [c for c in live if c.agency_id == agency.pk]
        # contracts given their metrics before execution (seed 001) first, then the others
        ready = [c for c in mine if c.indicators.exists()]
        contracts = (ready + [c for c in mine if c not in ready])[: max(3, len(ready))]
        if manager is None or not contracts:
            continue
        rows = library_for(agency)
        wording = _WORDING[_pack_slug(agency)]
        library = {}
        for name, cat, question, unit, direction, *_ in rows:
            library[name] = services.definition_save(
                actor=manager,
                agency=agency,
                data={
                    "name": name,
                    "category": cat,
                    "question": question,
                    "unit": unit,
                    "direction": direction,
                    "frequency": "quarterly",
                    "data_source": "Provider case management system",
                },
            )
        for n, contract in enumerate(contracts):
            services.specification_save(
                actor=manager,
                contract=contract,
                service_standards=wording["standards"],
                outcomes=wording["outcomes"],
            )
            for name, *_rest, target, tolerance, weight in rows:
                if contract.indicators.filter(name=name).exists():
                    continue
                services.indicator_save(
                    actor=manager,
                    contract=contract,
                    library=library[name],
                    data={
                        "target": Decimal(target),
                        "tolerance": Decimal(tolerance),
                        "payment_weight": Decimal(weight),
                        "baseline": Decimal(target) * Decimal("0.8"),
                    },
                )
                counts["indicators"] += 1
            services.plan_save(
                actor=manager,
                contract=contract,
                data={
                    "desired_outcomes": wording["desired"],
                    "agreed_expectations": "Quarterly returns; a status meeting every six months.",
                    "return_frequency": "quarterly",
                    "payment_at_stake": Decimal("10000.00"),
                    "tolerance_credit": Decimal("50"),
                },
            )
            indicators = list(contract.indicators.order_by("name"))
            # each value follows its library row's place in the patterns (the days indicator,
            # lower is better, is always the third)
            position = {row[0]: i for i, row in enumerate(rows)}
            past = list(
                Return.objects.filter(contract=contract, period_end__lt=ctx.today).order_by(
                    "period_start"
                )
            )
            for i, ret in enumerate(past):
                if n == 1 and i == len(past) - 1 and contract not in ready:
                    continue  # the second contract's latest return is missing
                # a contract whose metrics came before execution (Milwaukee, seed 001) meets
                # its plan every quarter: the normal path to its renewal
                pattern = _ON_PLAN if contract in ready else _PATTERN[(i + n) % len(_PATTERN)]
                values = {
                    ind.pk: (ind.target * Decimal(pattern[position.get(ind.name, k) % 5])).quantize(
                        Decimal("0.01")
                    )
                    for k, ind in enumerate(indicators)
                }
                on = ret.due_on + timedelta(days=5) if (i + n) % 3 == 2 else ret.period_end
                on = min(on, ctx.today)
                services.return_submit(
                    actor=manager,
                    ret=ret,
                    values=values,
                    volumes={"units_delivered": Decimal("1150") + 25 * i, "referrals": 40 + i},
                    on=on,
                )
                counts["returns submitted"] += 1
            services.survey_add(
                actor=manager,
                contract=contract,
                data={
                    "group": wording["group"],
                    "round_label": f"{ctx.today.year} round",
                    "conducted_on": ctx.today - timedelta(days=30),
                    "respondents": 48,
                    "score": Decimal("82.5"),
                    "comments": wording["survey"],
                },
            )
    return counts
