"""Reads of the monitoring cycle: what each person may see, a contract's cycle with its step
indicator, a person's calendar (their work list by date), the report by exception (stage 9) and
the figures of the twice-yearly report to the commissioning body (stage 10).

Lists are a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from steward.contracts.due_kinds import KINDS, Nature
from steward.contracts.models import Contract, DueDate, DueDateStatus
from steward.contracts.selectors_due_dates import owed_open
from steward.contracts.services_due_dates import due_page
from steward.core.errors import NotFoundError
from steward.monitoring import calc
from steward.monitoring.models import Action, Cycle, ReviewMeeting, ServicesReport
from steward.parties.models import Agency, Role
from steward.parties.rules import oversight_agencies_q


def visible_cycles_q(user: Any) -> Q:
    """`monitoring.view_cycle` as a filter: agency staff their agency's cycles, oversight and
    administrators all, the provider's users their own once notified."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.OVERSIGHT_OFFICER:
        return oversight_agencies_q(user)
    if user.role == Role.PROVIDER_USER:
        return Q(provider_id=user.provider_id, stage__gte=2)
    if user.agency_id:
        return Q(agency_id=user.agency_id)
    return Q(pk__in=[])


def cycle_list(
    *,
    actor: Any,
    status: str = "",
    contract_id: int | None = None,
    agency_id: int | None = None,
    year: int | None = None,
) -> QuerySet[Cycle]:
    qs = Cycle.objects.filter(visible_cycles_q(actor)).select_related(
        "contract", "agency", "provider", "self_assessment_due", "letter_due", "appeal_due"
    )
    if status:
        qs = qs.filter(status=status)
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "contract__number", "-id")


def results_letters(
    *,
    actor: Any,
    year: int | None = None,
    agency_id: int | None = None,
    provider_id: int | None = None,
    status: str = "",
    cycle_ids: list[int] | None = None,
) -> QuerySet[Cycle]:
    """The cycles whose results letter (stage 7) was sent and that `actor` may read as they
    read the single letter: the cycle (`monitoring.view_cycle`), its contract
    (`contracts.view_contract`) and the letter among the contract's documents (released to
    the provider, as every results letter is, or the reader sees the agency's internal
    documents). `actor` None: Steward itself (the command line), every letter sent. Narrowed
    by `year`, agency, provider, `status` and `cycle_ids`; ordered by agency, contract number
    and year, with what the letter draws joined in."""
    from steward.contracts.rules import visible_contracts_q

    qs = Cycle.objects.filter(letter_document__isnull=False)
    if actor is not None:
        internal = Q(agency_id=actor.agency_id) if actor.agency_id else Q(pk__in=[])
        if actor.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
            internal = Q()
        qs = qs.filter(
            visible_cycles_q(actor),
            Q(letter_document__released_to_provider=True) | internal,
            contract__in=Contract.objects.filter(visible_contracts_q(actor)).values("pk"),
        )
    if year is not None:
        qs = qs.filter(year=year)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    if status:
        qs = qs.filter(status=status)
    if cycle_ids is not None:
        qs = qs.filter(pk__in=cycle_ids)
    return qs.select_related(
        "contract__agency__pack",
        "contract__provider",
        "contract__contract_manager",
        "agency",
        "appeal_due",
        "letter_document",
    ).order_by("agency__name", "contract__number", "year", "pk")


def cycle_get(*, actor: Any, pk: int) -> Cycle:
    cycle = (
        Cycle.objects.filter(visible_cycles_q(actor), pk=pk)
        .select_related(
            "contract__agency__pack",
            "contract__provider",
            "agency",
            "provider",
            "self_assessment_due",
            "letter_due",
            "appeal_due",
            "letter_document",
            "started_by",
            "notified_by",
            "assessed_by",
            "visited_by",
            "judged_by",
            "discussed_by",
            "letter_by",
            "appeal_decided_by",
            "sa_submitted_by",
        )
        .first()
    )
    if cycle is None:
        raise NotFoundError("No such monitoring cycle.")
    return cycle


def latest_cycle(contract: Contract) -> Cycle | None:
    return (
        Cycle.objects.filter(contract=contract)
        .select_related("self_assessment_due", "letter_due", "appeal_due")
        .order_by("-year", "-id")
        .first()
    )


@dataclass(frozen=True)
class Step:
    stage: calc.Stage
    label: str
    state: str  # "complete", "current", "upcoming"
    on: date | None
    by: Any
    due: date | None


def steps(cycle: Cycle) -> list[Step]:
    """The step indicator: each stage of the cycle's route with its date, who did it, and
    what is next (with its due date where a deadline applies)."""
    done_on = {
        calc.Stage.RISK: (cycle.started_on, cycle.started_by),
        calc.Stage.NOTIFIED: (cycle.notified_on, cycle.notified_by),
        calc.Stage.ASSESSED: (cycle.assessed_on, cycle.assessed_by),
        calc.Stage.VISITED: (cycle.visited_on, cycle.visited_by),
        calc.Stage.JUDGED: (cycle.judged_on, cycle.judged_by),
        calc.Stage.DISCUSSED: (cycle.discussed_on, cycle.discussed_by),
        calc.Stage.LETTER: (cycle.letter_on, cycle.letter_by),
        calc.Stage.APPEAL: (
            cycle.appeal_decided_on or cycle.closed_on,
            cycle.appeal_decided_by,
        ),
    }
    due = {
        calc.Stage.NOTIFIED: cycle.self_assessment_due,
        calc.Stage.ASSESSED: cycle.self_assessment_due,
        calc.Stage.LETTER: cycle.letter_due,
        calc.Stage.APPEAL: cycle.appeal_due,
    }
    out = []
    nxt = cycle.next_stage
    for stage in calc.stages_for(cycle.route_enum):
        on, by = done_on[stage]
        if stage <= cycle.stage and (stage != calc.Stage.APPEAL or cycle.status == "closed"):
            state = "complete"
        elif stage == nxt or (stage == calc.Stage.APPEAL and cycle.stage >= calc.Stage.LETTER):
            state = "current"
        else:
            state = "upcoming"
        d = due.get(stage)
        out.append(
            Step(
                stage=stage,
                label=calc.STAGE_LABELS[stage],
                state=state,
                on=on if state == "complete" else None,
                by=by if state == "complete" else None,
                due=d.due_date if d is not None and state != "complete" else None,
            )
        )
    return out


def actions_for(*, actor: Any, contract: Contract) -> list[Action]:
    if not actor.has_perm("monitoring.view_actions", contract):
        raise NotFoundError("No such contract.")
    return list(
        Action.objects.filter(contract=contract)
        .select_related("cycle", "done_by")
        .order_by("done_on", "due_on", "id")
    )


def reviews_for(*, actor: Any, contract: Contract) -> list[ReviewMeeting]:
    if not actor.has_perm("monitoring.view_reviews", contract):
        raise NotFoundError("No such contract.")
    return list(
        ReviewMeeting.objects.filter(contract=contract, cancelled_on__isnull=True).select_related(
            "recorded_by"
        )
    )


# ---------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class CalendarItem:
    """One item of a person's work list, by date."""

    uid: str
    on: date
    #: what to do, as on the work list: "Complete the self-assessment for DCF-24-001"
    title: str
    #: the kind of due date (`steward.contracts.due_kinds`) and its name
    kind: str
    kind_name: str
    contract_number: str
    #: the page where it is done, the same as on the work list ("" if none)
    url: str
    detail: str = ""
    #: a window (to appeal, to comment) that may be left unused
    optional: bool = False


def calendar_items(*, user: Any, start: date, end: date) -> list[CalendarItem]:
    """The items of `user`'s work list due in [start, end], by date: every open due date they
    must act on (`steward.contracts.selectors_due_dates.owed_open`: returns, evaluations,
    self-assessments, visits, review meetings, actions, reports...), each with the same
    sentence and link as on the work list. One query."""
    items = []
    for due in owed_open(user=user).filter(due_date__gte=start, due_date__lte=end):
        kind = KINDS[due.kind]
        number = due.contract.number if due.contract is not None else ""
        items.append(
            CalendarItem(
                uid=f"due-{due.pk}",
                on=due.due_date,
                title=kind.sentence(contract=number, agency=due.agency.name),
                kind=kind.key,
                kind_name=kind.name,
                contract_number=number,
                url=due_page(due),
                detail=f"{due.label} ({due.explain()})."
                if due.label != kind.name
                else f"{due.explain()}.",
                optional=kind.nature == Nature.WINDOW,
            )
        )
    return sorted(items, key=lambda i: (i.on, i.kind, i.uid))


# ---------------------------------------------------------------- stage 9: report by exception


@dataclass
class ExceptionReport:
    as_of: date
    since: date
    red: list[Any]
    appeals: list[Cycle]
    #: the deadlines really missed, oldest first (see `exception_report`)
    missed: list[DueDate]
    serious_concerns: list[Any]
    #: days each missed deadline is overdue in its agency's today, by due date id
    days_overdue: dict[int, int] = field(default_factory=dict)


#: the kinds of due date whose passing unmet is a missed deadline (never a window)
OBLIGATIONS = tuple(k.key for k in KINDS.values() if k.nature == Nature.OBLIGATION)
MISSED_LIMIT = 500


def _agency_q(actor: Any, agency_id: int | None, prefix: str = "") -> Q:
    q = Q()
    if actor.role not in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        q &= Q(**{f"{prefix}agency_id": actor.agency_id})
    if agency_id is not None:
        q &= Q(**{f"{prefix}agency_id": agency_id})
    return q


def exception_report(
    *,
    actor: Any,
    as_of: date,
    since: date,
    agency_id: int | None = None,
    now: datetime | None = None,
) -> ExceptionReport:
    """Stage 9: the report by exception to senior managers, as of `as_of`: contracts rated red
    (their latest assessments, with the reasons), monitoring appeals lodged since `since`,
    deadlines missed and serious concerns (high or critical, still open). A deadline is missed
    when an obligation (never a window: an appeal or a comment left unused is the provider's
    choice) is still open after its due date in its agency's own today at `now` (default: this
    moment); one met, not needed, cancelled or lapsed is not. Five queries."""
    from steward.risk.models import HIGH_SEVERITIES, Concern, ConcernStatus, RiskAssessment
    from steward.risk.selectors import latest_assessment_subquery

    if not actor.has_perm("monitoring.view_reports"):
        raise NotFoundError("No such report.")
    contracts = Contract.objects.filter(_agency_q(actor, agency_id)).filter(
        status__in=("executed", "active")
    )
    latest_ids = [
        pk
        for pk in contracts.annotate(latest_id=latest_assessment_subquery()).values_list(
            "latest_id", flat=True
        )
        if pk
    ]
    red = list(
        RiskAssessment.objects.filter(pk__in=latest_ids)
        .filter(Q(override_rating="red") | Q(override_rating="", computed_rating="red"))
        .select_related("contract__agency", "contract__provider")
        .order_by("contract__number")
    )
    appeals = list(
        Cycle.objects.filter(_agency_q(actor, agency_id), appeal_lodged_on__gte=since)
        .select_related("contract", "provider")
        .order_by("-appeal_lodged_on")
    )
    now = now or timezone.now()
    # every agency's today is within a day of UTC's: fetch up to that bound, then keep those
    # past their own agency's today
    bound = timezone.localdate(now, timezone=UTC) + timedelta(days=1)
    todays: dict[int, date] = {}
    missed: list[DueDate] = []
    days_overdue: dict[int, int] = {}
    for due in (
        DueDate.objects.filter(
            _agency_q(actor, agency_id),
            kind__in=OBLIGATIONS,
            status=DueDateStatus.OPEN,
            due_date__lt=bound,
        )
        .select_related("contract__provider", "agency__pack")
        .order_by("due_date", "pk")[: MISSED_LIMIT * 2]
    ):
        if due.agency_id not in todays:
            todays[due.agency_id] = due.agency.today(now)
        late = (todays[due.agency_id] - due.due_date).days
        if late > 0 and len(missed) < MISSED_LIMIT:
            missed.append(due)
            days_overdue[due.pk] = late
    closed = (ConcernStatus.RESOLVED, ConcernStatus.CLOSED)
    serious = list(
        Concern.objects.filter(_agency_q(actor, agency_id), severity__in=HIGH_SEVERITIES)
        .exclude(status__in=closed)
        .select_related("provider", "contract", "category")
        .order_by("-received_on")
    )
    return ExceptionReport(
        as_of=as_of,
        since=since,
        red=red,
        appeals=appeals,
        missed=missed,
        serious_concerns=serious,
        days_overdue=days_overdue,
    )


# ---------------------------------------------------------------- stage 10


def services_figures(
    *, agency: Agency, start: date, end: date, made_on: date | None = None
) -> dict[str, Any]:
    """The figures of the report to the commissioning body for [start, end]: cycles completed
    and their judgements per area, appeals, actions (done, open, overdue), indicator achievement
    of the latest returns, and the risk ratings now against the start of the period (trend).
    "Now" is the day the report is made (`made_on`, default `end`): each live (executed or
    active) contract's latest assessment by then, the same contracts the report by exception
    (stage 9) counts, so a red contract assessed after the half-year ended is counted red (seed
    002 stage 10). A fixed number of queries."""
    from steward.monitoring.models import Judgement
    from steward.performance.selectors import _latest_statuses
    from steward.risk.models import RiskAssessment

    cycles = Cycle.objects.filter(agency=agency, letter_on__gte=start, letter_on__lte=end)
    judgements: dict[str, Counter[str]] = {key: Counter() for key, _ in calc.JUDGEMENT_AREAS}
    for area, rating in Judgement.objects.filter(cycle__in=cycles).values_list("area", "rating"):
        judgements[area][rating] += 1
    actions = Action.objects.filter(contract__agency=agency, due_on__lte=end)
    done = actions.filter(done_on__isnull=False).count()
    overdue = actions.filter(done_on__isnull=True, due_on__lt=end).count()
    ratings_now: Counter[str] = Counter()
    ratings_then: Counter[str] = Counter()
    now_on = max(made_on or end, end)
    rows = RiskAssessment.objects.filter(
        contract__agency=agency,
        contract__status__in=("executed", "active"),
        as_of__lte=now_on,
    ).order_by("contract_id", "-as_of", "-id")
    seen_now: set[int] = set()
    seen_then: set[int] = set()
    for contract_id, as_of, computed, override in rows.values_list(
        "contract_id", "as_of", "computed_rating", "override_rating"
    ):
        rating = override or computed
        if contract_id not in seen_now:
            seen_now.add(contract_id)
            ratings_now[rating] += 1
        if as_of <= start and contract_id not in seen_then:
            seen_then.add(contract_id)
            ratings_then[rating] += 1
    contract_ids = list(
        Contract.objects.filter(agency=agency, status__in=("executed", "active")).values_list(
            "pk", flat=True
        )
    )
    achievement: Counter[str] = Counter()
    for counts in _latest_statuses(contract_ids, end).values():
        for status, n in counts.items():
            achievement[status] += n
    return {
        "period": [start.isoformat(), end.isoformat()],
        "cycles_completed": cycles.count(),
        "judgements": {area: dict(counts) for area, counts in judgements.items()},
        "appeals": cycles.filter(appeal_lodged_on__isnull=False).count(),
        "actions": {"done": done, "overdue": overdue},
        "risk_now": dict(ratings_now),
        "risk_at_start": dict(ratings_then),
        "indicator_achievement": dict(achievement),
        "contracts": len(contract_ids),
    }


def services_reports(*, actor: Any) -> QuerySet[ServicesReport]:
    if not actor.has_perm("monitoring.view_reports"):
        return ServicesReport.objects.none()
    return ServicesReport.objects.filter(_agency_q(actor, None)).select_related(
        "agency", "created_by"
    )
