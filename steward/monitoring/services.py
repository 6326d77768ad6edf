"""Writes of the annual monitoring cycle (seed 002, stages 1–8 and 10; seed 003 review
meetings).

Every write checks permission, refuses a stage out of its order with a message naming the stage
that comes first, validates, and writes its audit row in the same transaction. Each deadline is
a due date of a kind registered in `steward.contracts.due_kinds`, opened through
`steward.contracts.services_due_dates` by the write that creates it and met, in the same
transaction, by the write of the record that fulfils it:

- `self_assessment` (20 working days from the notification): met when it is submitted;
- `monitoring_visit` (the planned day): met when the visit is recorded; moving the visit
  replaces it;
- `results_letter` (20 working days from all information being in): met by the letter;
- `monitoring_appeal` (a window of 14 days from the letter): met by an appeal, else it lapses
  (the daily job) and the cycle closes;
- `action` (each action of the plan, at 3, 6 or 12 months, for its owner): met when done;
- `review_meeting` (each meeting of the contract's review cycle, planned from the pack when the
  contract is executed and re-planned when its term changes): met when held;
- `commissioning_report` (30 days after each half of the fiscal year, opened by the daily
  job): met by the report for that half-year;
- `monitoring_cycle` (the next cycle, the pack's months for the contract's risk rating after
  the last cycle started, or the contract's start: red sooner): opened when a cycle starts (the
  next one) and by the daily job for a live contract with none (a contract just executed gets
  its first the next morning); moved when the rating changes; met by the next cycle's start;
  cancelled when the contract ends.

So each appears on the work list of the person who must act, in their calendar and reminders,
and leaves them once met.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from steward.contracts.hooks import TermEvent
from steward.contracts.models import (
    Contract,
    ContractDocument,
    ContractStatus,
    DocumentKind,
    DueDate,
    DueDateStatus,
)
from steward.contracts.services_due_dates import due_date_open, due_dates_cancel, due_dates_meet
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.formatting import fmt_date
from steward.core.mail import send_after_commit
from steward.core.pdf import render_pdf
from steward.core.services import require_perm, save_audited
from steward.monitoring import calc
from steward.monitoring.models import (
    Action,
    AppealOutcome,
    Cycle,
    CycleStatus,
    DiscussionMethod,
    Judgement,
    QafLevel,
    ReceivedVia,
    ReviewKind,
    ReviewMeeting,
    Route,
    ServicesReport,
)
from steward.monitoring.selectors import services_figures
from steward.parties.letterhead import letterhead
from steward.parties.models import Agency, AgencyKind

AREAS = dict(calc.JUDGEMENT_AREAS)
RATINGS = dict(calc.JUDGEMENT_RATINGS)


def _who(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _locked(cycle: Cycle) -> Cycle:
    return (
        Cycle.objects.select_for_update(of=("self",))
        .select_related("contract__agency__pack", "contract__provider")
        .get(pk=cycle.pk)
    )


def _advance(cycle: Cycle, stage: calc.Stage) -> None:
    if cycle.status == CycleStatus.CLOSED:
        raise TransitionNotAllowed("This monitoring cycle is closed.")
    try:
        calc.check_next(calc.Stage(cycle.stage), stage, cycle.route_enum)
    except calc.OutOfOrder as exc:
        raise TransitionNotAllowed(str(exc)) from exc


def _required(data: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, list[str]]:
    return {
        name: [message] for name, message in fields.items() if not str(data.get(name) or "").strip()
    }


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("; ".join(m for ms in errors.values() for m in ms), errors=errors)


def _happened_on(
    on: date | None,
    *,
    today: date,
    after: date | None,
    after_what: str,
    field: str = "on",
) -> date:
    """Issue 19 point 11: the date a step happened, given by the person recording it (a letter
    sent yesterday on paper) or today in the agency's time zone when not given. Never in the
    future, never before `after`, the day of the step it follows (`after_what` names it).
    Raises ValidationFailed naming `field`."""
    if on is None:
        return today
    if on > today:
        raise ValidationFailed(
            "The date it happened cannot be in the future.",
            errors={field: [f"The date it happened cannot be after today ({today:%-d %B %Y})."]},
        )
    if after is not None and on < after:
        message = f"It cannot have happened before {after_what} ({after:%-d %B %Y})."
        raise ValidationFailed(message, errors={field: [message]})
    return on


def _recorded(on: date, today: date) -> str:
    """The audit's note of both dates when they differ: happened on, recorded on."""
    return "" if on == today else f" (happened on {fmt_date(on)}, recorded on {fmt_date(today)})"


def _emails_of_provider(provider_id: int) -> list[str]:
    from steward.parties.models import Role, User

    return list(
        User.objects.filter(provider_id=provider_id, role=Role.PROVIDER_USER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _mail_provider(
    cycle: Cycle, subject: str, body: str, *, page: str = "monitoring:cycle"
) -> None:
    """Email the provider's active users about `cycle`, linking to its `page` (a URL name
    taking the cycle's id), once the transaction commits (steward.core.mail)."""
    send_after_commit(
        subject=subject,
        body=body,
        to=_emails_of_provider(cycle.provider_id),
        link=reverse(page, args=[cycle.pk]),
    )


# ---------------------------------------------------------------- stage 1


@transaction.atomic
def cycle_start(*, actor: Any, contract: Contract, today: date) -> Cycle:
    """Stage 1: start the year's cycle from the desk-top risk assessment, which fixes the route
    (light monitoring: no visit; standard or enhanced: a visit). The contract is assessed now if
    it never was. One cycle per contract per year, one open at a time."""
    from steward.risk.models import RiskAssessment
    from steward.risk.services import risk_recompute_contract

    contract = Contract.objects.select_for_update().select_related("agency").get(pk=contract.pk)
    require_perm(actor, "monitoring.start_cycle", contract, action="start a monitoring cycle")
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        raise TransitionNotAllowed(
            "Only an executed or active contract is monitored; this one is "
            f"{contract.get_status_display().lower()}."
        )
    if Cycle.objects.filter(contract=contract, status=CycleStatus.OPEN).exists():
        raise TransitionNotAllowed("This contract's monitoring cycle is already under way.")
    if Cycle.objects.filter(contract=contract, started_on=today).exists():
        raise TransitionNotAllowed("A monitoring cycle of this contract started today already.")
    assessment = RiskAssessment.objects.filter(contract=contract).order_by("-as_of", "-id").first()
    if assessment is None:
        assessment = risk_recompute_contract(actor=actor, contract=contract, as_of=today)
    cycle = Cycle(
        contract=contract,
        agency_id=contract.agency_id,
        provider_id=contract.provider_id,
        year=today.year,
        started_on=today,
        started_by=_who(actor),
        risk_rating=assessment.rating,
        monitoring_level=assessment.monitoring_level,
        risk_reasons=list(assessment.reasons or []),
        route=calc.route_for(assessment.monitoring_level).value,
        stage=calc.Stage.RISK,
    )
    save_audited(
        cycle,
        actor=actor,
        reason=f"Stage 1: risk {assessment.rating}, {assessment.monitoring_level} monitoring, "
        f"{cycle.route} route",
    )
    due_dates_meet(kind="monitoring_cycle", contract=contract, met_by=cycle, on=today, actor=actor)
    _next_cycle_open(contract, actor, rating=cycle.risk_rating, on=today, anchor=today)
    return cycle


# ---------------------------------------------------------------- the next cycle (seed 002)


def latest_rating(contract_id: int) -> str:
    """The rating of `contract_id`'s latest risk assessment (its override where there is one),
    or "" when it was never assessed."""
    from steward.risk.models import RiskAssessment

    latest = (
        RiskAssessment.objects.filter(contract_id=contract_id)
        .order_by("-as_of", "-id")
        .only("computed_rating", "override_rating")
        .first()
    )
    return latest.rating if latest is not None else ""


def _next_cycle_open(
    contract: Contract, actor: Any, *, rating: str, on: date, anchor: date | None = None
) -> DueDate | None:
    """Open (or move) `contract`'s `monitoring_cycle` due date: the pack's months for `rating`
    after `anchor` (default: the start of its latest cycle, else the contract's start), never
    before `on`. An open one with the same date is left alone. Returns the open due date, or
    None for a contract that is not live."""
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        return None
    if anchor is None:
        last = (
            Cycle.objects.filter(contract=contract)
            .order_by("-started_on", "-id")
            .values_list("started_on", flat=True)
            .first()
        )
        anchor = last or contract.start_date
    rules = contract.agency.pack.parsed.monitoring_rules
    months = rules.months(rating)
    due_on = calc.next_cycle_due(anchor=anchor, months=months, opened_on=on)
    current = DueDate.objects.filter(
        kind="monitoring_cycle", contract=contract, status=DueDateStatus.OPEN
    ).first()
    if current is not None and current.due_date == due_on:
        return current
    label = f"Next monitoring cycle: every {months} months"
    if rating:
        label += f" for a contract rated {rating}"
    return due_date_open(
        kind="monitoring_cycle",
        actor=actor,
        start=min(anchor, on),
        contract=contract,
        due_on=due_on,
        rule_key="monitoring_cycle",
        label=label,
    )


def next_cycle_due(contract: Contract) -> DueDate | None:
    """The open due date of `contract`'s next monitoring cycle, or None."""
    return (
        DueDate.objects.filter(
            kind="monitoring_cycle", contract=contract, status=DueDateStatus.OPEN
        )
        .order_by("due_date")
        .first()
    )


# More changed ratings than this at once are looked up by their id range (`ratings_changed`).
_MANY_CHANGES = 500


def ratings_changed(changes: dict[int, str], on: date, actor: Any = None) -> None:
    """The rating listener (registered in `MonitoringConfig.ready`): seed 002, a contract's
    next cycle follows its risk rating. For each contract of `changes` (id → new rating) with
    its next cycle open, the due date moves to the pack's months for the new rating after its
    last cycle (red sooner), never before `on`. Contracts with none are left to the daily job.
    """
    dues = DueDate.objects.filter(kind="monitoring_cycle", status=DueDateStatus.OPEN)
    if len(changes) > _MANY_CHANGES:
        # the risk recompute tells a chunk of thousands of contracts with neighbouring ids at
        # once: their id range names them in two parameters instead of thousands (binding
        # each one costs more than the query); the contracts not in `changes` are dropped
        dues = dues.filter(contract_id__gte=min(changes), contract_id__lte=max(changes))
    else:
        dues = dues.filter(contract_id__in=list(changes))
    open_ids = {
        contract_id
        for contract_id in dues.values_list("contract_id", flat=True)
        if contract_id in changes
    }
    for contract in Contract.objects.filter(pk__in=open_ids).select_related("agency__pack"):
        with transaction.atomic():
            _next_cycle_open(contract, actor, rating=changes[contract.pk], on=on)


def next_cycles_open(*, as_of: date) -> int:
    """The daily run: open the next monitoring cycle's due date of every live contract that has
    none (contracts executed before Steward kept it, or whose due date was closed otherwise),
    from its latest rating. One contract per transaction. Returns how many were opened."""
    have = DueDate.objects.filter(kind="monitoring_cycle", status=DueDateStatus.OPEN).values(
        "contract_id"
    )
    contracts = (
        Contract.objects.filter(status__in=(ContractStatus.EXECUTED, ContractStatus.ACTIVE))
        .exclude(pk__in=have)
        .select_related("agency__pack")
        .order_by("pk")
    )
    opened = 0
    for contract in contracts.iterator(chunk_size=500):
        with transaction.atomic():
            due = _next_cycle_open(contract, None, rating=latest_rating(contract.pk), on=as_of)
        opened += due is not None
    return opened


# ---------------------------------------------------------------- stage 2


def performance_outturn(contract: Contract, today: date) -> dict[str, Any]:
    """The performance outturn report sent with the notification (from the returns data)."""
    from steward.performance import selectors as perf

    performance = perf.contract_performance(contract=contract, today=today)
    returns: dict[str, int] = {}
    for ret in performance.returns:
        returns[ret.status_label] = returns.get(ret.status_label, 0) + 1
    return {
        "as_of": today.isoformat(),
        "indicators": [
            {
                "name": row.indicator.name,
                "category": row.indicator.get_category_display(),
                "unit": row.indicator.get_unit_display(),
                "target": str(row.indicator.target),
                "latest": None
                if row.latest is None or row.latest.value is None
                else str(row.latest.value),
                "status": "No data" if row.latest is None else row.latest.status_label,
                "trend": row.trend,
            }
            for row in performance.rows
        ],
        "returns": returns,
        "surveys": [
            {"group": s.get_group_display(), "round": s.round_label, "score": str(s.score)}
            for s in performance.surveys
        ],
    }


@transaction.atomic
def cycle_notify(*, actor: Any, cycle: Cycle, today: date, on: date | None = None) -> Cycle:
    """Stage 2: send the notification letter, the self-assessment form and the performance
    outturn report; the provider has 20 working days (pack `self_assessment`) to complete it,
    counted from the day it was notified: `on` (issue 19 point 11: a notification sent on paper
    earlier; not in the future nor before the cycle started), else `today`."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _advance(cycle, calc.Stage.NOTIFIED)
    on = _happened_on(
        on, today=today, after=cycle.started_on, after_what="the cycle started (stage 1)"
    )
    cycle.outturn = performance_outturn(cycle.contract, on)
    cycle.notified_on = on
    cycle.notified_by = _who(actor)
    cycle.stage = calc.Stage.NOTIFIED
    due = due_date_open(
        kind="self_assessment", contract=cycle.contract, subject=cycle, start=on, actor=actor
    )
    cycle.self_assessment_due = due
    save_audited(
        cycle,
        actor=actor,
        reason=f"Stage 2: provider notified; self-assessment due {due.due_date}"
        + _recorded(on, today),
    )
    _mail_provider(
        cycle,
        f"Annual contract monitoring {cycle.year}: {cycle.contract.number}",
        f"{cycle.agency.name} has begun the {cycle.year} monitoring of contract "
        f"{cycle.contract.number} ({cycle.contract.title}).\n"
        f"Please complete the self-assessment in Steward by {due.due_date:%-d %B %Y}. The "
        "notification letter and the performance outturn report are with it.\n",
        page="monitoring:self_assessment",
    )
    return cycle


@transaction.atomic
def self_assessment_submit(
    *,
    actor: Any,
    cycle: Cycle,
    answers: Mapping[str, Mapping[str, str]],
    qaf_level: str,
    qaf_upgrades: str,
    today: date,
    on: date | None = None,
) -> Cycle:
    """The provider completes the self-assessment: for each of the six areas a self-rating and
    the evidence, and its QAF level and upgrades. Accepted after the due date too (the due date
    then shows it late). Dated `on` when given (issue 19 point 11: a paper form received earlier;
    not in the future nor before the notification), else `today`. Meets the `self_assessment`
    due date on that day, linked to the cycle."""
    cycle = _locked(cycle)
    require_perm(
        actor, "monitoring.submit_self_assessment", cycle, action="complete the self-assessment"
    )
    if cycle.stage != calc.Stage.NOTIFIED or cycle.status == CycleStatus.CLOSED:
        raise TransitionNotAllowed(
            "The self-assessment is completed after the notification (stage 2) and before the "
            "contract manager assesses it (stage 3)."
            if cycle.stage < calc.Stage.NOTIFIED
            else "The self-assessment has been assessed; it can no longer change."
        )
    if cycle.sa_submitted_on is not None:
        raise TransitionNotAllowed(
            f"The self-assessment was submitted on {fmt_date(cycle.sa_submitted_on)}."
        )
    errors: dict[str, list[str]] = {}
    clean: dict[str, dict[str, str]] = {}
    for key, label in calc.JUDGEMENT_AREAS:
        answer = answers.get(key) or {}
        rating = str(answer.get("rating") or "")
        evidence = str(answer.get("evidence") or "").strip()
        if rating not in RATINGS:
            errors[f"{key}_rating"] = [f"Rate {label.lower()}."]
        if not evidence:
            errors[f"{key}_evidence"] = [f"Give the evidence for {label.lower()}."]
        clean[key] = {"rating": rating, "evidence": evidence}
    unknown = set(answers) - set(AREAS)
    for key in sorted(unknown):
        errors[key] = [f"{key!r} is not one of the six areas."]
    if qaf_level not in QafLevel.values:
        errors["qaf_level"] = ["Choose the QAF level: A, B, C or D."]
    _raise(errors)
    on = _happened_on(
        on, today=today, after=cycle.notified_on, after_what="the notification (stage 2)"
    )
    cycle.sa_answers = clean
    cycle.qaf_level = qaf_level
    cycle.qaf_upgrades = (qaf_upgrades or "").strip()
    cycle.sa_submitted_on = on
    cycle.sa_submitted_by = _who(actor)
    save_audited(cycle, actor=actor, reason="Self-assessment submitted" + _recorded(on, today))
    due_dates_meet(kind="self_assessment", subject=cycle, met_by=cycle, on=on, actor=actor)
    return cycle


# ---------------------------------------------------------------- stage 3


def _open_letter_due(cycle: Cycle, actor: Any) -> None:
    assert cycle.sa_submitted_on is not None
    cycle.information_complete_on = calc.information_complete_on(
        cycle.sa_submitted_on, cycle.visited_on, cycle.route_enum
    )
    cycle.letter_due = due_date_open(
        kind="results_letter",
        contract=cycle.contract,
        subject=cycle,
        start=cycle.information_complete_on,
        actor=actor,
    )


def _open_visit_due(cycle: Cycle, actor: Any, today: date) -> DueDate:
    assert cycle.visit_planned_for is not None
    return due_date_open(
        kind="monitoring_visit",
        contract=cycle.contract,
        subject=cycle,
        start=today,
        due_on=cycle.visit_planned_for,
        actor=actor,
    )


@transaction.atomic
def cycle_assess(
    *,
    actor: Any,
    cycle: Cycle,
    notes: str,
    route: str,
    today: date,
    visit_planned_for: date | None = None,
    visit_agenda: str = "",
    user_consultation: str = "",
    evidence_requested: str = "",
    light_route_justification: str = "",
) -> Cycle:
    """Stage 3: the contract manager assesses the self-assessment and QAF, reviews the risk
    rating, and either schedules a visit (date, agenda, how service users will be consulted,
    evidence to see) or records the light route ("CM lite", straight to stage 5). A contract
    rated red, or under enhanced monitoring, at stage 1 or in its latest assessment takes the
    light route only with a recorded justification (seed 002: "if service only requires CM
    lite"; else 422 naming `light_route_justification`). A visit opens
    its `monitoring_visit` due date on the planned day, for the contract monitors and the
    contract manager. On the light route all information is in, so the results letter falls due
    (20 working days)."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _advance(cycle, calc.Stage.ASSESSED)
    if cycle.sa_submitted_on is None:
        due = cycle.self_assessment_due
        raise TransitionNotAllowed(
            "The provider has not submitted the self-assessment yet"
            + (f" (due {fmt_date(due.due_date)})." if due else ".")
        )
    errors = _required({"notes": notes}, {"notes": "Record the assessment."})
    justification = (light_route_justification or "").strip()
    if route not in Route.values:
        errors["route"] = ["Choose the light route (no visit) or a visit."]
    elif route == Route.LIGHT and not justification:
        risk = _risk_needing_visit(cycle, today)
        if risk:
            errors["light_route_justification"] = [
                f"This contract is {risk}: record why it needs no visit, or plan a visit."
            ]
    elif route == Route.FULL:
        if visit_planned_for is None:
            errors["visit_planned_for"] = ["Give the date of the visit."]
        elif visit_planned_for < today:
            errors["visit_planned_for"] = ["The visit is planned for today or later."]
        errors.update(
            _required(
                {"visit_agenda": visit_agenda, "user_consultation": user_consultation},
                {
                    "visit_agenda": "Set out the schedule for the day.",
                    "user_consultation": "Say how service users will be consulted.",
                },
            )
        )
    _raise(errors)
    cycle.route = route
    cycle.assessment_notes = notes.strip()
    cycle.assessed_on = today
    cycle.assessed_by = _who(actor)
    cycle.stage = calc.Stage.ASSESSED
    cycle.light_route_justification = justification if route == Route.LIGHT else ""
    if route == Route.FULL:
        cycle.visit_planned_for = visit_planned_for
        cycle.visit_agenda = visit_agenda.strip()
        cycle.user_consultation = user_consultation.strip()
        cycle.evidence_requested = (evidence_requested or "").strip()
        _open_visit_due(cycle, actor, today)
    else:
        _open_letter_due(cycle, actor)
    reason = (
        f"Stage 3: assessed; visit on {fmt_date(visit_planned_for)}"
        if route == Route.FULL and visit_planned_for
        else "Stage 3: assessed; light route, no visit"
        + (f" (justified: {justification})" if cycle.light_route_justification else "")
    )
    save_audited(cycle, actor=actor, reason=reason)
    return cycle


def _risk_needing_visit(cycle: Cycle, today: date) -> str:
    """Why the light route needs a justification (seed 002): "rated red" or "under enhanced
    monitoring", from stage 1's assessment or the contract's latest one by `today`; "" when
    neither."""
    from steward.risk.models import MonitoringLevel, RiskAssessment, RiskRating

    latest = (
        RiskAssessment.objects.filter(contract_id=cycle.contract_id, as_of__lte=today)
        .order_by("-as_of", "-id")
        .first()
    )
    ratings = {cycle.risk_rating, latest.rating if latest else ""}
    levels = {cycle.monitoring_level, latest.monitoring_level if latest else ""}
    if RiskRating.RED in ratings:
        return "rated red"
    if MonitoringLevel.ENHANCED in levels:
        return "under enhanced monitoring"
    return ""


# ---------------------------------------------------------------- stage 4


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    cycle: Cycle,
    visited_on: date,
    staff_met: str,
    self_assessment_review: str,
    action_plan_review: str,
    service_users_met: str,
    qaf_spot_check: str,
    dq_sampled: int,
    dq_matched: int,
    dq_notes: str,
    today: date,
) -> Cycle:
    """Stage 4: the visit: staff met, the self-assessment and QAF upgrades reviewed, the current
    action plan reviewed, service users met, QAF objectives spot-checked, and the indicator data
    quality audit (a sample of reported values checked against the evidence). All information is
    then in: the results letter falls due (20 working days from the later of the visit and the
    self-assessment). Meets the `monitoring_visit` due date, linked to the cycle."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.record_visit", cycle, action="record the visit")
    _advance(cycle, calc.Stage.VISITED)
    errors = _required(
        {
            "staff_met": staff_met,
            "self_assessment_review": self_assessment_review,
            "service_users_met": service_users_met,
        },
        {
            "staff_met": "Say which staff were met.",
            "self_assessment_review": "Record the review of the self-assessment and QAF upgrades.",
            "service_users_met": "Say how service users were met.",
        },
    )
    if visited_on > today:
        errors["visited_on"] = ["A visit is recorded once it has happened."]
    elif cycle.assessed_on and visited_on < cycle.assessed_on:
        errors["visited_on"] = [
            f"The visit cannot be before the assessment ({fmt_date(cycle.assessed_on)})."
        ]
    if dq_sampled is None or dq_sampled < 1:
        errors["dq_sampled"] = ["Check a sample of at least one reported value."]
    elif dq_matched is None or not 0 <= dq_matched <= dq_sampled:
        errors["dq_matched"] = [f"Between 0 and the {dq_sampled} values sampled."]
    _raise(errors)
    cycle.visited_on = visited_on
    cycle.visited_by = _who(actor)
    cycle.staff_met = staff_met.strip()
    cycle.self_assessment_review = self_assessment_review.strip()
    cycle.action_plan_review = (action_plan_review or "").strip()
    cycle.service_users_met = service_users_met.strip()
    cycle.qaf_spot_check = (qaf_spot_check or "").strip()
    cycle.dq_sampled = dq_sampled
    cycle.dq_matched = dq_matched
    cycle.dq_notes = (dq_notes or "").strip()
    cycle.stage = calc.Stage.VISITED
    _open_letter_due(cycle, actor)
    due_dates_meet(kind="monitoring_visit", subject=cycle, met_by=cycle, on=visited_on, actor=actor)
    save_audited(
        cycle,
        actor=actor,
        reason=f"Stage 4: visit on {fmt_date(visited_on)}; data quality {dq_matched}/{dq_sampled}",
    )
    return cycle


@transaction.atomic
def visit_move(*, actor: Any, cycle: Cycle, visit_planned_for: date, today: date) -> Cycle:
    """Move the planned visit of a full-route cycle, not yet recorded, to another day (today or
    later): its `monitoring_visit` due date is replaced by one on the new day. Contract
    managers and monitors of the agency (who arrange and make visits). Audited with both
    dates."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.record_visit", cycle, action="arrange the visit")
    if cycle.status == CycleStatus.CLOSED:
        raise TransitionNotAllowed("This monitoring cycle is closed.")
    if cycle.route != Route.FULL or cycle.visit_planned_for is None:
        raise TransitionNotAllowed("No visit is planned for this cycle.")
    if cycle.visited_on is not None:
        raise TransitionNotAllowed(f"The visit was recorded on {fmt_date(cycle.visited_on)}.")
    if visit_planned_for is None or visit_planned_for < today:
        raise ValidationFailed(
            "The visit is planned for today or later.",
            errors={"visit_planned_for": ["The visit is planned for today or later."]},
        )
    before = cycle.visit_planned_for
    if visit_planned_for == before:
        return cycle
    cycle.visit_planned_for = visit_planned_for
    save_audited(
        cycle,
        actor=actor,
        reason=f"Visit moved from {fmt_date(before)} to {fmt_date(visit_planned_for)}",
    )
    _open_visit_due(cycle, actor, today)
    return cycle


def data_quality_percent(cycle: Cycle) -> Decimal | None:
    if not cycle.dq_sampled:
        return None
    return (Decimal(cycle.dq_matched or 0) * 100 / cycle.dq_sampled).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- stage 5


@transaction.atomic
def judgement_record(
    *, actor: Any, cycle: Cycle, areas: Mapping[str, Mapping[str, str]], today: date
) -> Cycle:
    """Stage 5: judge all the collated information on the six areas of seed 002, each rated
    with its evidence (and comments)."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _advance(cycle, calc.Stage.JUDGED)
    errors: dict[str, list[str]] = {}
    rows = []
    for key, label in calc.JUDGEMENT_AREAS:
        given = areas.get(key) or {}
        rating = str(given.get("rating") or "")
        evidence = str(given.get("evidence") or "").strip()
        if rating not in RATINGS:
            errors[f"{key}_rating"] = [f"Rate {label.lower()}."]
        if not evidence:
            errors[f"{key}_evidence"] = [f"Give the evidence for {label.lower()}."]
        rows.append(
            Judgement(
                cycle=cycle,
                area=key,
                rating=rating,
                evidence=evidence,
                comments=str(given.get("comments") or "").strip(),
            )
        )
    for key in sorted(set(areas) - set(AREAS)):
        errors[key] = [f"{key!r} is not one of the six areas."]
    _raise(errors)
    for row in rows:
        save_audited(row, actor=actor, reason="Stage 5: judgement")
    cycle.judged_on = today
    cycle.judged_by = _who(actor)
    cycle.stage = calc.Stage.JUDGED
    save_audited(cycle, actor=actor, reason="Stage 5: judged on the six areas")
    return cycle


# ---------------------------------------------------------------- stage 6


@transaction.atomic
def discussion_record(
    *, actor: Any, cycle: Cycle, discussed_on: date, method: str, notes: str, today: date
) -> Cycle:
    """Stage 6 (light route only): the draft action plan discussed with the provider's manager,
    by meeting or call."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _advance(cycle, calc.Stage.DISCUSSED)
    errors = _required({"notes": notes}, {"notes": "Record what was discussed."})
    if method not in DiscussionMethod.values:
        errors["method"] = ["A meeting or a call."]
    if discussed_on > today:
        errors["discussed_on"] = ["Record the discussion once it has happened."]
    _raise(errors)
    cycle.discussed_on = discussed_on
    cycle.discussed_by = _who(actor)
    cycle.discussion_method = method
    cycle.discussion_notes = notes.strip()
    cycle.stage = calc.Stage.DISCUSSED
    save_audited(cycle, actor=actor, reason=f"Stage 6: draft action plan discussed ({method})")
    return cycle


# ---------------------------------------------------------------- stage 7


def letter_context(
    cycle: Cycle, actions: Iterable[Action], appeal_by: date | None
) -> dict[str, Any]:
    """What the results letter shows (the PDF and the preview): the judgement, the actions with
    their dates and the last day to appeal (seed 002 stage 8, as a date), under the agency's
    letterhead (addressed to the provider, signed by the agency's signatory or the contract
    manager)."""
    contract = cycle.contract
    return {
        "letterhead": letterhead(
            contract.agency, provider=contract.provider, manager=contract.contract_manager
        ),
        "cycle": cycle,
        "contract": cycle.contract,
        "judgements": list(cycle.judgements.all()),
        "actions": list(actions),
        "terms": cycle.contract.agency.pack.parsed.terms,
        "appeal_days": cycle.contract.agency.pack.parsed.deadline_rule("monitoring_appeal").days,
        "appeal_by": appeal_by,
    }


#: The results letter's PDF template (the letter alone, and each letter of a batch).
LETTER_TEMPLATE = "monitoring/letter_pdf.html"


def letter_pdf(cycle: Cycle, actions: Iterable[Action], appeal_by: date | None = None) -> bytes:
    """Stage 7's results letter and report as PDF bytes (no side effects)."""
    return render_pdf(LETTER_TEMPLATE, letter_context(cycle, actions, appeal_by))


def sent_letter_context(cycle: Cycle) -> dict[str, Any]:
    """`letter_context` of the results letter `cycle` has sent: its text, date and action plan
    as recorded, and the last day to appeal it gave (the batches of letters,
    `steward.monitoring.jobs`)."""
    appeal_by = cycle.appeal_due.due_date if cycle.appeal_due_id else None
    return letter_context(cycle, cycle.actions.all(), appeal_by)


def _open_action_due(action: Action, actor: Any, today: date) -> DueDate:
    return due_date_open(
        kind="action",
        contract=action.contract,
        subject=action,
        start=today,
        due_on=action.due_on,
        assignee=action.owner_user,
        label=f"Action: {action.description}"[:200],
        actor=actor,
    )


def _letter_follows(cycle: Cycle) -> tuple[date | None, str]:
    """The step the results letter follows: the discussion (light route) or the judgement."""
    if cycle.discussed_on is not None and (
        cycle.judged_on is None or cycle.discussed_on >= cycle.judged_on
    ):
        return cycle.discussed_on, "the discussion of the draft action plan (stage 6)"
    return cycle.judged_on, "the judgement (stage 5)"


def _letter_draft(
    cycle: Cycle,
    *,
    results_summary: str,
    future_funding: str,
    future_specification: str,
    actions: list[Mapping[str, Any]],
    today: date,
    on: date | None,
) -> tuple[date, list[Action]]:
    """Validate the letter; return the day it is dated and its unsaved actions (due 3, 6 or
    12 months from that day). Sets the letter's fields on `cycle` without saving it."""
    errors = _required(
        {
            "results_summary": results_summary,
            "future_funding": future_funding,
            "future_specification": future_specification,
        },
        {
            "results_summary": "Write the results of the monitoring.",
            "future_funding": "Confirm the future funding.",
            "future_specification": "Confirm the future specification terms.",
        },
    )
    after, after_what = _letter_follows(cycle)
    try:
        on = _happened_on(on, today=today, after=after, after_what=after_what)
    except ValidationFailed as exc:
        errors.update(exc.errors or {})
        on = today
    new_actions = []
    for i, item in enumerate(actions, start=1):
        description = str(item.get("description") or "").strip()
        owner = str(item.get("owner") or "").strip()
        try:
            months = int(item.get("horizon_months") or 0)
        except (TypeError, ValueError):
            months = 0
        if not description:
            errors[f"action_{i}_description"] = [f"Action {i}: say what is to be done."]
        if not owner:
            errors[f"action_{i}_owner"] = [f"Action {i}: say who owns it."]
        owner_user = item.get("owner_user")
        if owner_user is not None and not (
            owner_user.is_active and owner_user.agency_id == cycle.agency_id
        ):
            errors[f"action_{i}_owner"] = [
                f"Action {i}: the person who owns it works for {cycle.agency.name}."
            ]
        if months not in calc.ACTION_HORIZONS:
            errors[f"action_{i}_horizon_months"] = [f"Action {i}: due in 3, 6 or 12 months."]
            continue
        new_actions.append(
            Action(
                contract=cycle.contract,
                cycle=cycle,
                description=description,
                owner=owner,
                owner_user=owner_user,
                horizon_months=months,
                due_on=calc.action_due(on, months),
            )
        )
    _raise(errors)
    cycle.results_summary = results_summary.strip()
    cycle.future_funding = future_funding.strip()
    cycle.future_specification = future_specification.strip()
    cycle.letter_on = on
    return on, new_actions


def letter_preview(
    *,
    actor: Any,
    cycle: Cycle,
    results_summary: str,
    future_funding: str,
    future_specification: str,
    actions: list[Mapping[str, Any]],
    today: date,
    on: date | None = None,
) -> dict[str, Any]:
    """Seed 002 stage 7: the results letter as it would be sent, before sending, so the contract
    manager can read and edit it. Validates like `letter_issue`; writes nothing. Returns the
    letter's context (`letter_context`), with the actual last day to appeal."""
    from steward.contracts.services_due_dates import agency_calendar
    from steward.core.deadlines import compute_deadline

    cycle = Cycle.objects.select_related("contract__agency__pack", "contract__provider").get(
        pk=cycle.pk
    )
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _advance(cycle, calc.Stage.LETTER)
    on, new_actions = _letter_draft(
        cycle,
        results_summary=results_summary,
        future_funding=future_funding,
        future_specification=future_specification,
        actions=actions,
        today=today,
        on=on,
    )
    agency = cycle.contract.agency
    rule = agency.pack.parsed.deadline_rule("monitoring_appeal")
    appeal_by = compute_deadline(
        start=on, rule=rule, calendar=agency_calendar(agency), pack=agency.pack.slug
    ).due
    return letter_context(cycle, new_actions, appeal_by)


@transaction.atomic
def letter_issue(
    *,
    actor: Any,
    cycle: Cycle,
    results_summary: str,
    future_funding: str,
    future_specification: str,
    actions: list[Mapping[str, Any]],
    today: date,
    on: date | None = None,
) -> Cycle:
    """Stage 7: the letter and report to the provider (due within 20 working days of all
    information being submitted): results, future funding, future specification terms and the
    action plan (actions with owners, due at 3, 6 or 12 months). Dated `on` when given (issue
    19 point 11: a letter sent earlier; not in the future nor before the step it follows), else
    `today`; the letter gives the actual dates: each action's and the last day to appeal (seed
    002: "appeal by 16 March 2027"). Rendered as a PDF, kept with the contract's documents and
    released to the provider. Meets the `results_letter` due date (linked to the letter), opens
    an `action` due date for each action (for its `owner_user` where one is named, else the
    contract's monitors and manager) and the provider's 14 days to appeal
    (`monitoring_appeal`), both counted from the letter's date."""
    import hashlib

    cycle = _locked(cycle)
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _advance(cycle, calc.Stage.LETTER)
    on, new_actions = _letter_draft(
        cycle,
        results_summary=results_summary,
        future_funding=future_funding,
        future_specification=future_specification,
        actions=actions,
        today=today,
        on=on,
    )
    for action in new_actions:
        save_audited(action, actor=actor, reason="Action plan of the results letter")
        _open_action_due(action, actor, on)
    cycle.letter_by = _who(actor)
    cycle.stage = calc.Stage.LETTER
    cycle.appeal_due = due_date_open(
        kind="monitoring_appeal", contract=cycle.contract, subject=cycle, start=on, actor=actor
    )
    pdf = letter_pdf(cycle, new_actions, cycle.appeal_due.due_date)
    name = f"monitoring-letter-{cycle.contract.number}-{cycle.year}.pdf".replace("/", "-")
    document = ContractDocument(
        contract=cycle.contract,
        kind=DocumentKind.OTHER,
        title=f"Monitoring results letter and report {cycle.year}",
        original_name=name,
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        released_to_provider=True,
        uploaded_by=_who(actor),
    )
    document.file.save(name, ContentFile(pdf), save=False)
    save_audited(document, actor=actor, reason="Stage 7: results letter")
    cycle.letter_document = document
    due_dates_meet(kind="results_letter", subject=cycle, met_by=document, on=on, actor=actor)
    save_audited(
        cycle,
        actor=actor,
        reason="Stage 7: results letter and report sent" + _recorded(on, today),
    )
    _mail_provider(
        cycle,
        f"Contract monitoring results {cycle.year}: {cycle.contract.number}",
        f"{cycle.agency.name} has sent the results of the {cycle.year} monitoring of contract "
        f"{cycle.contract.number}. The letter and report are in Steward with the contract's "
        f"documents. You may appeal any decision until {cycle.appeal_due.due_date:%-d %B %Y}.\n",
    )
    return cycle


# ---------------------------------------------------------------- stage 8


@transaction.atomic
def appeal_lodge(
    *,
    actor: Any,
    cycle: Cycle,
    grounds: str,
    today: date,
    on: date | None = None,
    received_via: str = "",
) -> Cycle:
    """Stage 8: the provider appeals a decision of the letter within the pack's
    `monitoring_appeal` days (14, seed 002). Dated `on` when given (issue 19 point 11: an appeal
    received in writing earlier, not in the future nor before the letter), else `today`; the
    window is judged on that date. Meets the appeal window, linked to the cycle.

    The provider's own users lodge it; the contract manager of the agency (or an
    administrator) records an appeal the provider sent "in writing to the contract manager"
    (the results letter's words), with `received_via` ("letter" or "email") and `on`, the day
    it was received (both required from staff: ValidationFailed). The audit row says so."""
    cycle = _locked(cycle)
    staff = actor.has_perm("monitoring.record_appeal", cycle)
    if not staff:
        require_perm(actor, "monitoring.appeal", cycle, action="appeal this decision")
    if staff:
        errors: dict[str, list[str]] = {}
        if received_via not in ReceivedVia.values:
            errors["received_via"] = ["Say how the appeal came: by letter or by email."]
        if on is None:
            errors["on"] = ["Give the day the appeal was received."]
        if errors:
            raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    elif received_via:
        raise ValidationFailed(
            "Only the contract manager records how a written appeal came.",
            errors={"received_via": ["Leave this empty: you are lodging the appeal yourself."]},
        )
    if cycle.letter_on is None:
        raise TransitionNotAllowed(
            "There is no decision to appeal until the results letter is sent."
        )
    if cycle.appeal_lodged_on is not None:
        raise TransitionNotAllowed(f"An appeal was lodged on {fmt_date(cycle.appeal_lodged_on)}.")
    on = _happened_on(
        on, today=today, after=cycle.letter_on, after_what="the results letter (stage 7)"
    )
    due = cycle.appeal_due
    if due is not None and on > due.due_date:
        raise TransitionNotAllowed(
            f"The {due.days} days to appeal ended on {fmt_date(due.due_date)}; an appeal can no "
            "longer be lodged."
        )
    _raise(_required({"grounds": grounds}, {"grounds": "Say what you appeal and why."}))
    cycle.appeal_lodged_on = on
    cycle.appeal_lodged_by = _who(actor)
    cycle.appeal_grounds = grounds.strip()
    cycle.appeal_received_via = received_via if staff else ""
    cycle.stage = calc.Stage.APPEAL
    how = (
        f", received {cycle.get_appeal_received_via_display().lower()} on {fmt_date(on)} and "
        "recorded by the agency"
        if staff
        else ""
    )
    save_audited(cycle, actor=actor, reason="Stage 8: appeal lodged" + how + _recorded(on, today))
    due_dates_meet(kind="monitoring_appeal", subject=cycle, met_by=cycle, on=on, actor=actor)
    return cycle


@transaction.atomic
def appeal_decide(*, actor: Any, cycle: Cycle, outcome: str, decision: str, today: date) -> Cycle:
    """A contract manager or senior manager decides the appeal; the outcome is sent to the
    provider (email, and on the cycle's page) and the cycle closes."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.decide_appeal", cycle, action="decide this appeal")
    if cycle.appeal_lodged_on is None:
        raise TransitionNotAllowed("No appeal has been lodged.")
    if cycle.appeal_decided_on is not None:
        raise TransitionNotAllowed(
            f"The appeal was decided on {fmt_date(cycle.appeal_decided_on)}."
        )
    errors = _required({"decision": decision}, {"decision": "Give the decision and its reasons."})
    if outcome not in AppealOutcome.values:
        errors["outcome"] = ["Upheld, partly upheld or dismissed."]
    _raise(errors)
    cycle.appeal_outcome = outcome
    cycle.appeal_decision = decision.strip()
    cycle.appeal_decided_on = today
    cycle.appeal_decided_by = _who(actor)
    cycle.appeal_outcome_sent_on = today
    cycle.status = CycleStatus.CLOSED
    cycle.closed_on = today
    save_audited(cycle, actor=actor, reason=f"Appeal {outcome}; outcome sent; cycle closed")
    _mail_provider(
        cycle,
        f"Your appeal on contract {cycle.contract.number}: {AppealOutcome(outcome).label.lower()}",
        f"{cycle.agency.name} has decided your appeal against the {cycle.year} monitoring "
        f"results of contract {cycle.contract.number}: {AppealOutcome(outcome).label}.\n\n"
        f"{cycle.appeal_decision}\n",
    )
    return cycle


@transaction.atomic
def cycle_close(*, actor: Any, cycle: Cycle, today: date) -> Cycle:
    """Close a cycle once the letter is sent and the appeal window has passed without an
    appeal (a decided appeal closes it by itself). The unused window lapses in the daily job
    (`windows_lapse`), never counted as a missed deadline."""
    cycle = _locked(cycle)
    require_perm(actor, "monitoring.run_cycle", cycle, action="run this monitoring cycle")
    _close_checks(cycle, today)
    cycle.status = CycleStatus.CLOSED
    cycle.closed_on = today
    cycle.stage = calc.Stage.APPEAL
    save_audited(cycle, actor=actor, reason="Cycle closed: no appeal within the window")
    return cycle


def _close_checks(cycle: Cycle, today: date) -> None:
    if cycle.status == CycleStatus.CLOSED:
        raise TransitionNotAllowed("This monitoring cycle is closed.")
    if cycle.letter_on is None:
        raise TransitionNotAllowed("The cycle closes after the results letter (stage 7).")
    if cycle.appeal_lodged_on is not None:
        raise TransitionNotAllowed("Decide the appeal; that closes the cycle.")
    due = cycle.appeal_due
    if due is not None and today <= due.due_date:
        raise TransitionNotAllowed(
            f"The provider may appeal until {fmt_date(due.due_date)}; close the cycle after that."
        )


def cycles_close_due(*, today: date) -> int:
    """Close every cycle whose appeal window has passed with no appeal (the daily run, after
    `windows_lapse` closed the unused windows). Returns how many."""
    cycles = list(
        Cycle.objects.filter(
            status=CycleStatus.OPEN,
            letter_on__isnull=False,
            appeal_lodged_on__isnull=True,
            appeal_due__due_date__lt=today,
        )
    )
    for cycle in cycles:
        with transaction.atomic():
            cycle.status = CycleStatus.CLOSED
            cycle.closed_on = today
            cycle.stage = calc.Stage.APPEAL
            save_audited(cycle, actor=None, reason="Cycle closed: no appeal within the window")
    return len(cycles)


# ---------------------------------------------------------------- actions


@transaction.atomic
def action_complete(*, actor: Any, action: Action, note: str, today: date) -> Action:
    """Record an action of the plan as done (the follow-up of seed 002's action plan). Meets
    its `action` due date, linked to the action."""
    action = Action.objects.select_for_update().select_related("contract").get(pk=action.pk)
    require_perm(actor, "monitoring.manage_actions", action.contract, action="follow up actions")
    if action.done_on is not None:
        raise TransitionNotAllowed(f"This action was done on {fmt_date(action.done_on)}.")
    action.done_on = today
    action.done_by = _who(actor)
    action.done_note = (note or "").strip()
    save_audited(action, actor=actor, reason="Action done")
    due_dates_meet(kind="action", subject=action, met_by=action, on=today, actor=actor)
    return action


def _overdue(kind: str, signal: str, contract_ids: Any, as_of: date) -> dict[int, dict[str, int]]:
    dues = DueDate.objects.filter(
        kind=kind, status=DueDateStatus.OPEN, due_date__lt=as_of, contract__isnull=False
    )
    if contract_ids is not None:  # a list, or a query of ids used as a subquery
        dues = dues.filter(contract_id__in=contract_ids)
    return {
        row["contract_id"]: {signal: row["n"]}
        for row in dues.values("contract_id").annotate(n=Count("id")).order_by()
    }


def actions_overdue_signal(contract_ids: Any, as_of: date) -> dict[int, dict[str, int]]:
    """Risk signal source `actions_overdue`: per contract, the open `action` due dates past
    their date on `as_of` (an action done, not needed or cancelled no longer counts). One
    query."""
    return _overdue("action", "actions_overdue", contract_ids, as_of)


def reviews_overdue_signal(contract_ids: Any, as_of: date) -> dict[int, dict[str, int]]:
    """Risk signal source `review_overdue`: per contract, the review meetings of its cycle not
    held by their date (open `review_meeting` due dates past their date on `as_of`). Holding
    the meeting meets its due date, so it counts as reviewed. One query."""
    return _overdue("review_meeting", "review_overdue", contract_ids, as_of)


# ---------------------------------------------------------------- review meetings (seed 003)


def _meeting_cancel(meeting: ReviewMeeting, actor: Any, *, on: date, reason: str) -> None:
    meeting.cancelled_on = on
    meeting.cancel_reason = reason
    save_audited(meeting, actor=actor, reason=f"Review meeting cancelled: {reason}")
    due_dates_cancel(kind="review_meeting", subject=meeting, actor=actor, reason=reason)


def _meeting_due(meeting: ReviewMeeting, actor: Any) -> DueDate:
    return due_date_open(
        kind="review_meeting",
        contract=meeting.contract,
        subject=meeting,
        start=meeting.scheduled_for,
        due_on=meeting.scheduled_for,
        label=meeting.get_kind_display(),
        actor=actor,
    )


def _reviews_plan(
    contract: Contract, actor: Any, *, since: date, why: str
) -> tuple[list[ReviewMeeting], int]:
    """Bring the contract's review meetings in line with its cycle (`calc.review_dates` over
    its term, as the agency's pack asks): a meeting the cycle holds on or after `since` and
    the contract does not have yet is planned (one cancelled before is planned again), each
    with its `review_meeting` due date; a meeting still to be held that the cycle no longer
    holds is cancelled with its due date (`why` says what changed). Meetings held are never
    touched; a planned meeting whose due date was closed by a person keeps it closed. Returns
    (the meetings planned, how many were cancelled). Idempotent."""
    rules = contract.agency.pack.parsed.reviews
    wanted = calc.review_dates(
        contract.start_date,
        contract.end_date,
        biannual=rules.biannual_review,
        annual=rules.annual_review,
    )
    meetings = {
        (m.kind, m.scheduled_for): m
        for m in ReviewMeeting.objects.select_for_update().filter(contract=contract)
    }
    cancelled = 0
    for key, meeting in meetings.items():
        if meeting.is_planned and key not in set(wanted):
            _meeting_cancel(meeting, actor, on=since, reason=why)
            cancelled += 1
    have_due = set(
        DueDate.objects.filter(contract=contract, kind="review_meeting")
        .exclude(status=DueDateStatus.CANCELLED)
        .values_list("subject_id", flat=True)
    )
    planned = []
    for kind, day in wanted:
        found = meetings.get((kind, day))
        if found is None or found.cancelled_on is not None:
            if day < since:
                continue
            if found is None:
                meeting = ReviewMeeting(contract=contract, kind=kind, scheduled_for=day)
                reason = "Review meeting planned: the contract's review cycle"
            else:
                meeting = found
                meeting.cancelled_on = None
                meeting.cancel_reason = ""
                reason = "Review meeting planned again: the contract's term holds it"
            save_audited(meeting, actor=actor, reason=reason)
            planned.append(meeting)
        else:
            meeting = found
        if meeting.is_planned and meeting.pk not in have_due:
            _meeting_due(meeting, actor)
    return planned, cancelled


def _ended_reason(contract: Contract, on: date) -> str:
    if contract.status == ContractStatus.TERMINATED:
        return f"The contract was terminated on {on:%-d %B %Y}"
    return f"The contract ended on {on:%-d %B %Y}"


def _contract_ended(contract: Contract, actor: Any, on: date) -> None:
    """What a contract's end leaves pointless: its review meetings and actions due after the
    end are cancelled, and a cycle that has not sent its results letter is closed early with
    its open self-assessment, visit and letter due dates."""
    why = _ended_reason(contract, on)
    due_dates_cancel(kind="monitoring_cycle", contract=contract, actor=actor, reason=why)
    for meeting in ReviewMeeting.objects.select_for_update().filter(
        contract=contract, held_on__isnull=True, cancelled_on__isnull=True, scheduled_for__gt=on
    ):
        _meeting_cancel(meeting, actor, on=on, reason=why)
    for action in Action.objects.filter(contract=contract, done_on__isnull=True, due_on__gt=on):
        due_dates_cancel(kind="action", subject=action, actor=actor, reason=why)
    for cycle in Cycle.objects.select_for_update().filter(
        contract=contract, status=CycleStatus.OPEN, letter_on__isnull=True
    ):
        cycle.status = CycleStatus.CLOSED
        cycle.closed_on = on
        save_audited(cycle, actor=actor, reason=f"Cycle closed early: {why.lower()}")
        for kind in ("self_assessment", "monitoring_visit", "results_letter"):
            due_dates_cancel(kind=kind, subject=cycle, actor=actor, reason=why)


def contract_term_changed(contract: Contract, actor: Any, event: TermEvent) -> None:
    """The term listener (registered in `MonitoringConfig.ready`): plans the contract's review
    cycle when it is executed; when its end date moves, plans the meetings the new term holds
    from that day on and cancels those it no longer holds; when it ends, cancels what the end
    leaves pointless (`_contract_ended`)."""
    contract = Contract.objects.select_related("agency__pack").get(pk=contract.pk)
    if event.kind == "executed":
        _reviews_plan(contract, actor, since=event.on, why="The contract's review cycle changed")
    elif event.kind == "term_changed":
        _reviews_plan(
            contract,
            actor,
            since=event.on,
            why=f"The contract's end date moved to {contract.end_date:%-d %B %Y}",
        )
    elif event.kind == "ended":
        _contract_ended(contract, actor, event.on)


@transaction.atomic
def reviews_plan(*, actor: Any, contract: Contract, today: date) -> list[ReviewMeeting]:
    """Plan the review cycle of an executed or active contract from `today` on (the meetings
    its term holds that it does not have yet; those it no longer holds are cancelled): the
    contract's term listener does this at execution, this is for contracts executed before
    it. Contract managers and monitors of the agency. Returns the meetings planned."""
    contract = Contract.objects.select_related("agency__pack").get(pk=contract.pk)
    require_perm(actor, "monitoring.manage_reviews", contract, action="plan review meetings")
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        raise TransitionNotAllowed(
            "Review meetings are planned for an executed or active contract; this one is "
            f"{contract.get_status_display().lower()}."
        )
    planned, _ = _reviews_plan(
        contract, actor, since=today, why="Replaced by the contract's review cycle"
    )
    return planned


def reviews_plan_all(*, today: date, agency: Agency | None = None) -> dict[str, int]:
    """`steward reviews plan`: plan the review cycle of every executed or active contract (of
    `agency`) from `today` on, one contract per transaction, as `reviews_plan` does.
    Idempotent. Returns counts."""
    contracts = Contract.objects.filter(
        status__in=(ContractStatus.EXECUTED, ContractStatus.ACTIVE)
    ).select_related("agency__pack")
    if agency is not None:
        contracts = contracts.filter(agency=agency)
    counts = {"contracts": 0, "meetings planned": 0, "meetings cancelled": 0}
    for contract in contracts.order_by("pk"):
        with transaction.atomic():
            planned, cancelled = _reviews_plan(
                contract, None, since=today, why="Replaced by the contract's review cycle"
            )
        counts["contracts"] += 1
        counts["meetings planned"] += len(planned)
        counts["meetings cancelled"] += cancelled
    return counts


@transaction.atomic
def review_record(
    *,
    actor: Any,
    meeting: ReviewMeeting,
    held_on: date,
    chair: str,
    attendees: str,
    contract_manager_attended: bool,
    minutes: str,
    today: date,
) -> ReviewMeeting:
    """Record a review meeting held, with its minutes. Seed 003: reviews are chaired by
    operational managers and the contract manager attends the annual review. Meets the
    meeting's `review_meeting` due date (so it counts as reviewed for the risk assessment)."""
    meeting = (
        ReviewMeeting.objects.select_for_update().select_related("contract").get(pk=meeting.pk)
    )
    require_perm(actor, "monitoring.manage_reviews", meeting.contract, action="record reviews")
    if meeting.cancelled_on is not None:
        raise TransitionNotAllowed(f"This review meeting was cancelled: {meeting.cancel_reason}.")
    errors = _required(
        {"chair": chair, "minutes": minutes},
        {"chair": "Say who chaired the review.", "minutes": "Record the minutes."},
    )
    if held_on > today:
        errors["held_on"] = ["Record the review once it has been held."]
    if meeting.kind == ReviewKind.ANNUAL and not contract_manager_attended:
        errors["contract_manager_attended"] = ["The contract manager attends the annual review."]
    _raise(errors)
    meeting.held_on = held_on
    meeting.chair = chair.strip()
    meeting.attendees = (attendees or "").strip()
    meeting.contract_manager_attended = contract_manager_attended
    meeting.minutes = minutes.strip()
    meeting.recorded_by = _who(actor)
    save_audited(meeting, actor=actor, reason="Review held")
    due_dates_meet(kind="review_meeting", subject=meeting, met_by=meeting, on=held_on, actor=actor)
    return meeting


# ---------------------------------------------------------------- stage 10


@transaction.atomic
def services_report_create(
    *, actor: Any, agency: Any, period_start: date, recommendations: str, today: date
) -> ServicesReport:
    """Stage 10: the twice-yearly report to the commissioning body for the half-year starting
    `period_start` (aligned to the pack's fiscal year), with the recommendations; the period's
    figures are kept as they stand now. Meets the half-year's `commissioning_report` due date,
    linked to the report."""
    require_perm(actor, "monitoring.write_report", agency, action="write the report")
    fiscal_month = agency.pack.parsed.fiscal_year.start_month
    start, end = calc.half_year(period_start, fiscal_month)
    errors = _required(
        {"recommendations": recommendations}, {"recommendations": "Write the recommendations."}
    )
    if start != period_start:
        errors["period_start"] = [
            f"A reporting half-year starts on {fmt_date(start)} (the fiscal year's halves)."
        ]
    elif start > today:
        errors["period_start"] = ["The half-year has not started yet."]
    if ServicesReport.objects.filter(agency=agency, period_start=start).exists():
        errors["period_start"] = [f"The report for the half-year from {fmt_date(start)} exists."]
    _raise(errors)
    report = ServicesReport(
        agency=agency,
        period_start=start,
        period_end=end,
        recommendations=recommendations.strip(),
        figures=services_figures(agency=agency, start=start, end=min(end, today), made_on=today),
        created_by=_who(actor),
    )
    save_audited(report, actor=actor, reason="Stage 10: report to the commissioning body")
    due_dates_meet(
        kind="commissioning_report",
        subject=agency,
        rule_key=_report_key(start),
        met_by=report,
        on=today,
        actor=actor,
    )
    return report


def _report_key(period_start: date) -> str:
    return f"commissioning_report:{period_start.isoformat()}"


def commissioning_reports_open(*, as_of: date | None = None) -> int:
    """The daily job's step for seed 002 stage 10: once a half of an agency's fiscal year has
    ended (in the agency's own today, or `as_of`), open the due date of its report on all
    services for that half-year (pack rule `commissioning_report`, counted from the half-year's
    last day), for its contract managers. Agencies that hold contracts only (not oversight
    bodies, nor agencies with drafts alone). Nothing is opened twice: not when a due date for
    the half-year exists (open, met, not needed or cancelled) nor when its report is written.
    Returns how many were opened."""
    from django.utils import timezone

    now = timezone.now()
    agencies = list(
        Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY)
        .filter(contracts__status__in=_RUNNING_OR_ENDED)
        .distinct()
        .select_related("pack")
    )
    halves: dict[int, tuple[date, date]] = {}
    for agency in agencies:
        today = as_of or agency.today(now)
        month = agency.pack.parsed.fiscal_year.start_month
        current_start, _ = calc.half_year(today, month)
        halves[agency.pk] = calc.half_year(current_start - timedelta(days=1), month)
    if not halves:
        return 0
    known = set(
        DueDate.objects.filter(
            kind="commissioning_report",
            agency_id__in=list(halves),
            contract__isnull=True,
            rule_key__in={_report_key(start) for start, _ in halves.values()},
        ).values_list("agency_id", "rule_key")
    )
    written = set(
        ServicesReport.objects.filter(
            agency_id__in=list(halves),
            period_start__in={start for start, _ in halves.values()},
        ).values_list("agency_id", "period_start")
    )
    opened = 0
    for agency in agencies:
        start, end = halves[agency.pk]
        key = _report_key(start)
        if (agency.pk, key) in known or (agency.pk, start) in written:
            continue
        with transaction.atomic():
            due_date_open(
                kind="commissioning_report",
                agency=agency,
                subject=agency,
                start=end,
                rule_key=key,
                label=f"Report on all services, {start:%-d %B %Y} to {end:%-d %B %Y}",
                actor=None,
            )
        opened += 1
    return opened


_RUNNING_OR_ENDED = (
    ContractStatus.EXECUTED,
    ContractStatus.ACTIVE,
    ContractStatus.COMPLETED,
    ContractStatus.TERMINATED,
    ContractStatus.EXPIRED,
)
