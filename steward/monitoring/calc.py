"""The annual monitoring cycle's rules as plain Python (no Django): the ten stages of seed 002
and their order, the route the desk-top risk assessment fixes, when "all information is
submitted", action due dates at 3, 6 or 12 months, a contract's review meetings (seed 003)
and the twice-yearly reporting periods. (Reminders are the same for every kind of due date:
`steward.contracts.due_kinds`.)

Seed 002 (West London Supporting People, Appendix 2): 1 desk-top risk assessment; 2 notification
letter, self-assessment and performance outturn report (20 working days to complete); 3 assess
the QAF and self-assessment, review the risk, arrange a visit if needed ("CM lite" goes to stage
5); 4 the visit; 5 judgement on six areas; 6 where there was no visit, discuss the draft action
plan; 7 letter and report within 20 working days of all information being submitted; 8 14 days to
appeal; 9 report by exception to senior managers; 10 twice-yearly report to the commissioning
body. Seed 003 adds biannual and annual review meetings.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum, StrEnum

from steward.core.deadlines import add_months


class Stage(IntEnum):
    RISK = 1
    NOTIFIED = 2
    ASSESSED = 3
    VISITED = 4
    JUDGED = 5
    DISCUSSED = 6
    LETTER = 7
    APPEAL = 8
    # stages 9 and 10 are reports across contracts, not steps of one contract's cycle


STAGE_LABELS = {
    Stage.RISK: "Desk-top risk assessment",
    Stage.NOTIFIED: "Notification and self-assessment",
    Stage.ASSESSED: "Assessment of the self-assessment and QAF",
    Stage.VISITED: "Monitoring visit",
    Stage.JUDGED: "Judgement on the six areas",
    Stage.DISCUSSED: "Draft action plan discussed",
    Stage.LETTER: "Results letter and report",
    Stage.APPEAL: "Appeal window",
}


class Route(StrEnum):
    LIGHT = "light"  # "CM lite": no visit (seed 002 stage 3)
    FULL = "full"  # with a visit


def route_for(monitoring_level: str | None) -> Route:
    """Stage 1 fixes the route: a light monitoring level (from the desk-top risk assessment)
    means no visit; standard or enhanced monitoring, or no assessment yet, means a visit."""
    return Route.LIGHT if monitoring_level == "light" else Route.FULL


def stages_for(route: Route) -> list[Stage]:
    """The stages one contract's cycle goes through, in order: light skips the visit (4);
    the full route skips the discussion of the draft action plan (6), held at the visit."""
    skip = Stage.VISITED if route == Route.LIGHT else Stage.DISCUSSED
    return [s for s in Stage if s != skip]


def next_stage(done: Stage, route: Route) -> Stage | None:
    """The stage after `done` on `route`, or None after the last."""
    stages = stages_for(route)
    index = stages.index(done)
    return stages[index + 1] if index + 1 < len(stages) else None


class OutOfOrder(ValueError):
    """A stage attempted before the one it follows."""


def check_next(current: Stage, attempted: Stage, route: Route) -> None:
    """Refuse `attempted` unless it is the stage that follows `current` on `route`, saying which
    stage comes first (seed 002's order)."""
    if attempted not in stages_for(route):
        if attempted == Stage.VISITED:
            raise OutOfOrder(
                "This cycle follows the light route (no visit); record the judgement instead."
            )
        raise OutOfOrder(
            "On the full route the draft action plan is discussed at the visit; there is no "
            "separate discussion to record."
        )
    expected = next_stage(current, route)
    if attempted == expected:
        return
    if attempted <= current:
        raise OutOfOrder(f"Stage {int(attempted)} ({STAGE_LABELS[attempted]}) is already done.")
    assert expected is not None
    raise OutOfOrder(
        f"Stage {int(attempted)} ({STAGE_LABELS[attempted]}) comes after stage "
        f"{int(expected)} ({STAGE_LABELS[expected]}), which is not done yet."
    )


def information_complete_on(
    self_assessment_submitted: date, visit_on: date | None, route: Route
) -> date:
    """When "all information" is submitted (seed 002 stage 7 counts its 20 working days from
    it): the provider's self-assessment, and on the full route the evidence seen at the visit."""
    if route == Route.FULL and visit_on is not None:
        return max(self_assessment_submitted, visit_on)
    return self_assessment_submitted


# ---------------------------------------------------------------- action plans


ACTION_HORIZONS = (3, 6, 12)


def action_due(letter_on: date, months: int) -> date:
    """An action's due date: 3, 6 or 12 months after the results letter (seed 002 stage 7,
    "action plan for next 3/6/12 months"); the month end when the day does not exist."""
    if months not in ACTION_HORIZONS:
        raise ValueError(f"An action is due in 3, 6 or 12 months, not {months}.")
    return add_months(letter_on, months)


class ActionState(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"


def action_state(due: date, done_on: date | None, today: date) -> ActionState:
    if done_on is not None:
        return ActionState.DONE
    return ActionState.OVERDUE if today > due else ActionState.OPEN


# ---------------------------------------------------------------- review meetings (seed 003)


def review_dates(start: date, end: date, *, biannual: bool, annual: bool) -> list[tuple[str, date]]:
    """The review meetings of a contract term [start, end] (seed 003: "a cycle of annual and
    biannual review meetings for contracts"), as [(kind, date)] in date order.

    Each contract year ends with its annual review, on the day before the anniversary of the
    start (start + 12 months - 1 day, + 24 months - 1 day, ...); the biannual review closes the
    first half of each contract year (start + 6 months - 1 day, + 18 months - 1 day, ...). The
    final year, whole or partial, ends with the contract: its annual review is on the contract's
    last day, so a 12-month contract and every contract's final year get one, and a biannual
    review that would fall after the last day is not held. Where a biannual and an annual
    review fall on the same date there is one meeting, the annual. A pack without annual
    reviews holds the biannual ones only (the last on the contract's last day); a pack without
    either holds none."""
    if end < start or not (biannual or annual):
        return []
    meetings: dict[date, str] = {}
    half = 1
    while True:
        day = add_months(start, 6 * half) - timedelta(days=1)
        last = day >= end
        day = min(day, end)
        if annual and (half % 2 == 0 or last):
            meetings[day] = "annual"
        elif biannual:
            meetings.setdefault(day, "biannual")
        if last:
            break
        half += 1
    return [(kind, day) for day, kind in sorted(meetings.items())]


# ---------------------------------------------------------------- reports (stages 9 and 10)


def half_year(day: date, fiscal_start_month: int = 1) -> tuple[date, date]:
    """The six-month reporting period (seed 002 stage 10: "twice yearly") containing `day`,
    aligned to the fiscal year's first month."""
    months_into_half = (day.month - fiscal_start_month) % 6
    start = add_months(day.replace(day=1), -months_into_half)
    return start, add_months(start, 6) - timedelta(days=1)


JUDGEMENT_AREAS = (
    ("compliance", "Compliance with the contract and the performance management framework"),
    ("quality", "Quality and performance of the service"),
    ("improvement", "Continuous improvement"),
    ("funding", "Funding issues"),
    ("satisfaction", "Satisfaction of service users"),
    ("access", "Referral and access arrangements"),
)

JUDGEMENT_RATINGS = (
    ("excellent", "Excellent"),
    ("good", "Good"),
    ("adequate", "Adequate"),
    ("poor", "Poor"),
)


def next_cycle_due(*, anchor: date, months: int, opened_on: date) -> date:
    """seed 002 stage 1: when a contract's next monitoring cycle falls due: `months` (the
    pack's, for the contract's risk rating: red sooner) after `anchor` (the start of its last
    cycle, or the contract's start before its first), but never before `opened_on`, the day
    the due date is opened or moved (a deadline cannot be missed before it existed: a contract
    never monitored, or one whose rating turned red long after its last cycle, is due that day).
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    return max(add_months(anchor, months), opened_on)
