"""API: the annual monitoring cycle (seed 002's ten stages; seed 003's review meetings).

Who may do what (DOMAIN.md §1, steward/monitoring/rules.py): agency staff of the contract's
agency, oversight officers and administrators read cycles; the provider's own users read their
contract's cycle once it is notified (stage 2), with the agency-internal parts (risk, assessment
notes, the visit record, the judgement until the results letter is sent) returned as `null`. The
contract manager runs the cycle; contract monitors also record visits, review meetings and
action follow-up; the provider completes the self-assessment and appeals; a contract manager or
senior manager decides the appeal. A cycle or contract the caller may not see answers 404; one
they may see but not change, 403; a stage out of its order 409 (the message names the stage
that comes first); invalid input 422 with the field named."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from steward.contracts.models import Contract, DueDate
from steward.contracts.rules import visible_contracts_q
from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from steward.core.pagination import LimitOffsetPagination
from steward.core.replica import reads_from_replica
from steward.core.schemas import READ_ERRORS, WRITE_ERRORS, BackgroundJobOut, ErrorOut, job_accepted
from steward.monitoring import calc, selectors, services
from steward.monitoring.models import Action, Cycle, CycleStatus, ReviewMeeting, ServicesReport
from steward.monitoring.schemas import (
    ActionDoneIn,
    ActionOut,
    AppealDecisionIn,
    AppealIn,
    AssessIn,
    CalendarItemOut,
    CycleOut,
    CycleRowOut,
    DiscussionIn,
    ExceptionReportOut,
    HappenedIn,
    JudgementIn,
    LetterIn,
    LetterPreviewOut,
    MonitoringExceptionSendIn,
    MonitoringRecipientIn,
    MonitoringRecipientOut,
    MonitoringReportSentOut,
    NextMonitoringCycleOut,
    ResultsLettersIn,
    ReviewOut,
    ReviewRecordIn,
    SelfAssessmentIn,
    ServicesReportIn,
    ServicesReportOut,
    VisitDateIn,
    VisitIn,
)
from steward.parties.models import Agency, Provider

router = Router(tags=["monitoring"])

AREA_KEYS = dict(calc.JUDGEMENT_AREAS)
CALENDAR_DAYS = 90  # the calendar's default span
CALENDAR_MAX_DAYS = 366
EXCEPTIONS_SINCE_DAYS = 90  # the report by exception looks back this far by default

#: reads whose query parameters are checked too
QUERY_ERRORS = {**READ_ERRORS, 422: ErrorOut}

RUNS = "The contract manager of the contract's agency (or an administrator)."
SEES = (
    "Everyone who may see the cycle: agency staff of its agency, oversight officers, "
    "administrators, and the provider's own users once it is notified."
)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.username)


def _contract(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "number": c.number, "title": c.title}


def _agency(a: Any) -> dict[str, Any]:
    return {"slug": a.slug, "name": a.name}


def _provider(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "slug": p.slug, "name": p.legal_name}


def _due(d: DueDate | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "id": d.pk,
        "label": d.label,
        "due_date": d.due_date,
        "status": d.status,
        "completed_on": d.completed_on,
        "explanation": d.explain(),
    }


class _Mapped:
    """A sliceable list for the paginator: the page's rows come in one query (the queryset's
    select_related) and are turned into dicts; the count is one more."""

    def __init__(self, qs: Any, to_out: Callable[[Any], dict[str, Any]]) -> None:
        self.qs, self.to_out = qs, to_out

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.to_out(row) for row in self.qs[item]]


@contextmanager
def _renamed(rename: Callable[[str], str]) -> Iterator[None]:
    """Re-raise the services' ValidationFailed with its field names as the API's body names
    (`answers.quality.rating`, `actions.0.owner`)."""
    try:
        yield
    except ValidationFailed as exc:
        errors = {rename(key): msgs for key, msgs in exc.errors.items()}
        raise ValidationFailed(exc.message, errors=errors) from exc


def _area_field(prefix: str, keep: tuple[str, ...] = ()) -> Callable[[str], str]:
    def rename(key: str) -> str:
        if key in keep:
            return key
        area, _, part = key.rpartition("_")
        if area in AREA_KEYS and part in ("rating", "evidence"):
            return f"{prefix}.{area}.{part}"
        return f"{prefix}.{key}"

    return rename


def _action_field(key: str) -> str:
    match = re.fullmatch(r"action_(\d+)_(\w+)", key)
    return f"actions.{int(match[1]) - 1}.{match[2]}" if match else key


# ---------------------------------------------------------------- cycle output


def _internal(actor: Any, cycle: Cycle) -> bool:
    return bool(actor.has_perm("monitoring.view_internal", cycle))


def _cycle_row(cycle: Cycle, internal: bool) -> dict[str, Any]:
    nxt = cycle.next_stage
    return {
        "id": cycle.pk,
        "contract": _contract(cycle.contract),
        "agency": _agency(cycle.agency),
        "provider": _provider(cycle.provider),
        "year": cycle.year,
        "status": cycle.status,
        "stage": cycle.stage,
        "stage_label": calc.STAGE_LABELS[calc.Stage(cycle.stage)],
        "next_stage": int(nxt) if nxt is not None else None,
        "next_stage_label": calc.STAGE_LABELS[nxt] if nxt is not None else None,
        "route": cycle.route,
        "started_on": cycle.started_on,
        "closed_on": cycle.closed_on,
        "risk_rating": cycle.risk_rating if internal else None,
        "self_assessment_due": cycle.self_assessment_due.due_date
        if cycle.self_assessment_due
        else None,
        "letter_due": cycle.letter_due.due_date if cycle.letter_due else None,
        "appeal_due": cycle.appeal_due.due_date if cycle.appeal_due else None,
    }


def _action_out(a: Action, today: date) -> dict[str, Any]:
    return {
        "id": a.pk,
        "contract": a.contract_id,
        "cycle": a.cycle_id,
        "description": a.description,
        "owner": a.owner,
        "horizon_months": a.horizon_months,
        "due_on": a.due_on,
        "state": a.state(today),
        "done_on": a.done_on,
        "done_by": _name(a.done_by),
        "done_note": a.done_note,
    }


def _cycle_out(cycle: Cycle, actor: Any, today: date) -> dict[str, Any]:
    internal = _internal(actor, cycle)
    judgements_shown = internal or cycle.letter_on is not None
    answers = cycle.sa_answers or {}
    hidden = None
    return {
        **_cycle_row(cycle, internal),
        "can_view_internal": internal,
        "steps": [
            {
                "stage": int(s.stage),
                "label": s.label,
                "state": s.state,
                "on": s.on,
                "by": _name(s.by),
                "due": s.due,
            }
            for s in selectors.steps(cycle)
        ],
        "risk": {
            "started_on": cycle.started_on,
            "started_by": _name(cycle.started_by),
            "rating": cycle.risk_rating if internal else hidden,
            "monitoring_level": cycle.monitoring_level if internal else hidden,
            "reasons": [str(r) for r in cycle.risk_reasons or []] if internal else hidden,
        },
        "notification": {
            "notified_on": cycle.notified_on,
            "notified_by": _name(cycle.notified_by),
            "outturn": cycle.outturn or {},
            "self_assessment_due": _due(cycle.self_assessment_due),
        },
        "self_assessment": {
            "submitted_on": cycle.sa_submitted_on,
            "submitted_by": _name(cycle.sa_submitted_by),
            "answers": [
                {
                    "area": key,
                    "label": label,
                    "rating": (answers.get(key) or {}).get("rating", ""),
                    "evidence": (answers.get(key) or {}).get("evidence", ""),
                }
                for key, label in calc.JUDGEMENT_AREAS
                if key in answers
            ],
            "qaf_level": cycle.qaf_level,
            "qaf_upgrades": cycle.qaf_upgrades,
        },
        "assessment": {
            "assessed_on": cycle.assessed_on,
            "assessed_by": _name(cycle.assessed_by),
            "notes": cycle.assessment_notes if internal else hidden,
            "visit_planned_for": cycle.visit_planned_for,
            "visit_agenda": cycle.visit_agenda,
            "user_consultation": cycle.user_consultation,
            "evidence_requested": cycle.evidence_requested,
            "light_route_justification": cycle.light_route_justification if internal else hidden,
        },
        "visit": {
            "visited_on": cycle.visited_on,
            "visited_by": _name(cycle.visited_by),
            **{
                name: getattr(cycle, name) if internal else hidden
                for name in (
                    "staff_met",
                    "self_assessment_review",
                    "action_plan_review",
                    "service_users_met",
                    "qaf_spot_check",
                    "dq_sampled",
                    "dq_matched",
                    "dq_notes",
                )
            },
            "dq_percent": services.data_quality_percent(cycle) if internal else hidden,
        },
        "judgement": {
            "judged_on": cycle.judged_on,
            "judged_by": _name(cycle.judged_by),
            "areas": [
                {
                    "area": j.area,
                    "label": AREA_KEYS.get(j.area, j.area),
                    "rating": j.rating,
                    "evidence": j.evidence,
                    "comments": j.comments,
                }
                for j in cycle.judgements.all()
            ]
            if judgements_shown
            else hidden,
        },
        "discussion": {
            "discussed_on": cycle.discussed_on,
            "discussed_by": _name(cycle.discussed_by),
            "method": cycle.discussion_method,
            "notes": cycle.discussion_notes,
        },
        "letter": {
            "information_complete_on": cycle.information_complete_on,
            "letter_due": _due(cycle.letter_due),
            "letter_on": cycle.letter_on,
            "letter_by": _name(cycle.letter_by),
            "results_summary": cycle.results_summary,
            "future_funding": cycle.future_funding,
            "future_specification": cycle.future_specification,
            "document": cycle.letter_document_id,
            "actions": [
                _action_out(a, today)
                for a in Action.objects.filter(cycle=cycle)
                .select_related("done_by")
                .order_by("due_on", "id")
            ]
            if cycle.letter_on is not None
            else [],
        },
        "appeal": {
            "appeal_due": _due(cycle.appeal_due),
            "lodged_on": cycle.appeal_lodged_on,
            "lodged_by": _name(cycle.appeal_lodged_by) if cycle.appeal_lodged_by_id else None,
            "received_via": cycle.appeal_received_via,
            "grounds": cycle.appeal_grounds,
            "decided_on": cycle.appeal_decided_on,
            "decided_by": _name(cycle.appeal_decided_by),
            "outcome": cycle.appeal_outcome,
            "decision": cycle.appeal_decision,
            "outcome_sent_on": cycle.appeal_outcome_sent_on,
        },
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    cycle = selectors.cycle_get(actor=actor, pk=pk)
    return _cycle_out(cycle, actor, timezone.localdate())


# ---------------------------------------------------------------- cycles: reads


@router.get(
    "/monitoring/cycles",
    response={200: list[CycleRowOut], **QUERY_ERRORS},
    summary="List monitoring cycles",
    description="The annual monitoring cycles the caller may see, latest year first; paginated "
    "(`limit`, `offset`). Filters: `status` (open or closed), `contract` (id), `agency` (slug). "
    "Agency staff see their agency's cycles, oversight officers and administrators every "
    "agency's, provider users their own organisation's once notified (stage 2), without the "
    "risk rating (`null`). An unknown agency is 404, an unknown status 422.",
)
@paginate(LimitOffsetPagination)
def cycle_index(
    request: HttpRequest, status: str = "", contract: int | None = None, agency: str = ""
) -> Any:
    actor = _actor(request)
    if status and status not in CycleStatus.values:
        raise ValidationFailed("status is open or closed.", errors={"status": ["Open or closed."]})
    agency_id = None
    if agency:
        found = Agency.objects.filter(slug=agency).first()
        if found is None:
            raise NotFoundError("No such agency.")
        agency_id = found.pk
    qs = selectors.cycle_list(actor=actor, status=status, contract_id=contract, agency_id=agency_id)
    return _Mapped(qs, lambda c: _cycle_row(c, _internal(actor, c)))


@router.get(
    "/monitoring/cycles/{cycle_id}",
    response={200: CycleOut, **READ_ERRORS},
    summary="One monitoring cycle, stage by stage",
    description=f"{SEES} Each stage's record (dated and signed), the step list (stage, label, "
    "state complete/current/upcoming, when, by whom, due date) and the deadlines. For provider "
    "users the internal fields are `null`: the risk rating, level and reasons, the assessment "
    "notes, the visit record and its data-quality audit, and the judgement until the results "
    "letter is sent. A provider's cycle before notification, or another provider's or agency's, "
    "is 404.",
)
def cycle_detail(request: HttpRequest, cycle_id: int) -> Any:
    return _detail(_actor(request), cycle_id)


# ---------------------------------------------------------------- cycles: the stages


@router.post(
    "/contracts/{contract_id}/monitoring/cycles",
    response={201: CycleOut, **WRITE_ERRORS},
    summary="Start the year's monitoring cycle (stage 1)",
    description=f"{RUNS} The desk-top risk assessment (the contract is assessed now if it never "
    "was) fixes the route: light monitoring means no visit. Only an executed or active contract, "
    "one open at a time, one a day (else 409). Its start meets the due date of this cycle and "
    "opens the next (the pack's months for the contract's risk rating: seed 002).",
)
def cycle_start(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    cycle = services.cycle_start(actor=actor, contract=contract, today=timezone.localdate())
    return Status(201, _detail(actor, cycle.pk))


@router.post(
    "/monitoring/cycles/{cycle_id}/notify",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Notify the provider (stage 2)",
    description=f"{RUNS} Sends the notification letter, the self-assessment form and the "
    "performance outturn report; the self-assessment is due in 20 working days (the pack's "
    "`self_assessment` deadline) from the day it was sent: `on` when it went out earlier (not in "
    "the future nor before the cycle started: 422), else today in the agency's time zone. Out of "
    "order: 409.",
)
def cycle_notify(request: HttpRequest, cycle_id: int, payload: HappenedIn | None = None) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.cycle_notify(
        actor=actor,
        cycle=cycle,
        today=cycle.agency.today(),
        on=payload.on if payload is not None else None,
    )
    return _detail(actor, cycle.pk)


@router.put(
    "/monitoring/cycles/{cycle_id}/self-assessment",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Submit the provider's self-assessment",
    description="The provider's own users (contract managers and monitors of the agency may "
    "enter it on their behalf), after the notification and before the assessment (else 409), "
    "once. For each of the six areas a self-rating (excellent, good, adequate, poor) and the "
    "evidence, and the QAF level (A–D) with its upgrades; a missing area or rating is 422 with "
    "`answers.<area>.rating` / `answers.<area>.evidence` named.",
)
def self_assessment(request: HttpRequest, cycle_id: int, payload: SelfAssessmentIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    data = payload.model_dump()
    with _renamed(_area_field("answers", keep=("qaf_level", "qaf_upgrades", "on"))):
        services.self_assessment_submit(
            actor=actor,
            cycle=cycle,
            answers=data["answers"],
            qaf_level=data["qaf_level"],
            qaf_upgrades=data["qaf_upgrades"],
            today=cycle.agency.today(),
            on=data["on"],
        )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/assess",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Assess the self-assessment and QAF (stage 3)",
    description=f"{RUNS} Once the provider has submitted the self-assessment (else 409). "
    "`route` full: a visit, with its date (today or later), agenda and how service users will be "
    "consulted; light: no visit, straight to the judgement, and the results letter falls due. "
    "A contract rated red or under enhanced monitoring takes the light route only with "
    "`light_route_justification` (seed 002; else 422).",
)
def cycle_assess(request: HttpRequest, cycle_id: int, payload: AssessIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.cycle_assess(
        actor=actor, cycle=cycle, today=cycle.agency.today(), **payload.model_dump()
    )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/visit",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Record the monitoring visit (stage 4, full route)",
    description="Contract managers and monitors of the contract's agency. Staff and service "
    "users met, the self-assessment and QAF upgrades reviewed, the action plan reviewed, the "
    "QAF spot-check and the data-quality audit (values sampled and matched). The visit is "
    "recorded once it has happened and not before the assessment (422); on the light route, or "
    "before the assessment, 409. The results letter then falls due.",
)
def visit(request: HttpRequest, cycle_id: int, payload: VisitIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.visit_record(
        actor=actor, cycle=cycle, today=timezone.localdate(), **payload.model_dump()
    )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/visit/date",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Move the planned monitoring visit to another day",
    description="Contract managers and monitors of the contract's agency, on the full route "
    "before the visit is recorded (else 409): the visit's due date moves to the new day (today "
    "or later, else 422).",
)
def visit_date(request: HttpRequest, cycle_id: int, payload: VisitDateIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.visit_move(
        actor=actor, cycle=cycle, today=timezone.localdate(), **payload.model_dump()
    )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/judgement",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Judge the six areas (stage 5)",
    description=f"{RUNS} Each of the six areas of seed 002 rated (excellent, good, adequate, "
    "poor) with its evidence and comments; a missing one is 422 naming `areas.<area>.rating` or "
    "`areas.<area>.evidence`. After the visit (full route) or the assessment (light), else 409.",
)
def judgement(request: HttpRequest, cycle_id: int, payload: JudgementIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    with _renamed(_area_field("areas")):
        services.judgement_record(
            actor=actor,
            cycle=cycle,
            areas=payload.model_dump()["areas"],
            today=timezone.localdate(),
        )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/discussion",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Record the discussion of the draft action plan (stage 6, light route)",
    description=f"{RUNS} With the provider's manager, by meeting or call, once held. Only on the "
    "light route (on the full route it happens at the visit: 409).",
)
def discussion(request: HttpRequest, cycle_id: int, payload: DiscussionIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.discussion_record(
        actor=actor, cycle=cycle, today=timezone.localdate(), **payload.model_dump()
    )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/letter",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Send the results letter and report (stage 7)",
    description=f"{RUNS} The results, future funding and future specification terms, and the "
    "action plan (each action with an owner, due in 3, 6 or 12 months; errors name "
    "`actions.<n>.<field>`). Rendered as a PDF kept with the contract's documents and released "
    "to the provider; the provider's 14 days to appeal start. Due within 20 working days of all "
    "information being in. Dated `on` when it went out earlier (not in the future nor before "
    "the step it follows: 422), else today in the agency's time zone; the letter gives the "
    "actual dates (the last day to appeal, each action's).",
)
def letter(request: HttpRequest, cycle_id: int, payload: LetterIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    data = payload.model_dump()
    with _renamed(_action_field):
        services.letter_issue(actor=actor, cycle=cycle, today=cycle.agency.today(), **data)
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/results-letters",
    response={202: BackgroundJobOut, **WRITE_ERRORS},
    summary="Download results letters in one PDF (a background job)",
    description="Starts ONE background job that draws the results letters (stage 7) of the "
    "cycles the filters find (`year`, `agency` slug, `provider` id, `status`, or exactly "
    "`cycles`), each as the letter alone is drawn, into one PDF: each letter on new pages and "
    "a bookmark of the file, ordered by agency, contract number and year. Nothing is drawn in "
    "the request: the answer is at once 202 with the job (`id`, `url` to follow at "
    "`GET /api/v1/jobs/{id}`, `page_url`; also in `Location`); `rows_read` counts the "
    "letters drawn and `progress` the per cent; once it succeeded, "
    "`GET /api/v1/jobs/{id}/report` (or `report_url`, signed in) downloads the PDF and "
    "`result` has `letters` and `pages`. Who: whoever may read every letter of "
    "the batch as they read the single letter (the cycle, its contract and its documents): "
    "agency staff their agency's, oversight officers and administrators every agency's, a "
    "provider's users only their own. Naming another agency or another provider, or a cycle "
    "the caller may not read or with no letter, is 403 and starts nothing; an unknown agency "
    "or provider 404; no letter found, or more than 200, 422 with the reason and no job. "
    "The download asks again that the caller may read every letter.",
)
def results_letters(request: HttpRequest, response: HttpResponse, payload: ResultsLettersIn) -> Any:
    from steward.monitoring.jobs import results_letters_start

    actor = _actor(request)
    if payload.status and payload.status not in CycleStatus.values:
        raise ValidationFailed("status is open or closed.", errors={"status": ["Open or closed."]})
    agency = None
    if payload.agency:
        agency = Agency.objects.filter(slug=payload.agency).first()
        if agency is None:
            raise NotFoundError("No such agency.")
    provider = None
    if payload.provider is not None:
        provider = Provider.objects.filter(pk=payload.provider).first()
        if provider is None:
            raise NotFoundError("No such provider.")
    job = results_letters_start(
        actor=actor,
        year=payload.year,
        agency=agency,
        provider=provider,
        status=payload.status,
        cycle_ids=payload.cycles,
    )
    return job_accepted(job, response)


@router.post(
    "/monitoring/cycles/{cycle_id}/letter/preview",
    response={200: LetterPreviewOut, **WRITE_ERRORS},
    summary="Preview the results letter before sending it (stage 7)",
    description=f"{RUNS} The same body as sending it; nothing is written or sent. Returns the "
    "letter as the provider would read it (HTML), its date, the last day to appeal and each "
    "action's due date, so it can be edited before it is sent (seed 002). Invalid: 422; out of "
    "order: 409.",
)
def letter_preview(request: HttpRequest, cycle_id: int, payload: LetterIn) -> Any:
    from django.template.loader import render_to_string

    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    data = payload.model_dump()
    with _renamed(_action_field):
        context = services.letter_preview(
            actor=actor, cycle=cycle, today=cycle.agency.today(), **data
        )
    return {
        "letter_on": context["cycle"].letter_on,
        "appeal_by": context["appeal_by"],
        "actions": [
            {"description": a.description, "owner": a.owner, "due_on": a.due_on}
            for a in context["actions"]
        ],
        "html": render_to_string("monitoring/_letter_body.html", context),
    }


@router.post(
    "/monitoring/cycles/{cycle_id}/appeal",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Appeal the results (stage 8)",
    description="The provider's own users, after the results letter and within the pack's "
    "`monitoring_appeal` days (14, seed 002), once: otherwise 409. Dated `on` when it was sent "
    "earlier in writing (not in the future nor before the letter: 422), else today in the "
    "agency's time zone. The contract manager of the agency (or an administrator) records an "
    "appeal the provider sent in writing to the contract manager, as the results letter says "
    "(seeds 002 and 004): `received_via` (letter or email) and `on`, the day it was received, "
    "are then required (422). Other agency staff: 403.",
)
def appeal(request: HttpRequest, cycle_id: int, payload: AppealIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.appeal_lodge(
        actor=actor,
        cycle=cycle,
        grounds=payload.grounds,
        today=cycle.agency.today(),
        on=payload.on,
        received_via=payload.received_via,
    )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/appeal/decision",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Decide the appeal",
    description="A contract manager or senior manager of the contract's agency (or an "
    "administrator). Outcome upheld, partly_upheld or dismissed, with the decision's reasons; "
    "it is sent to the provider and the cycle closes. No appeal lodged, or already decided: 409.",
)
def appeal_decision(request: HttpRequest, cycle_id: int, payload: AppealDecisionIn) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.appeal_decide(
        actor=actor, cycle=cycle, today=timezone.localdate(), **payload.model_dump()
    )
    return _detail(actor, cycle.pk)


@router.post(
    "/monitoring/cycles/{cycle_id}/close",
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Close the cycle",
    description=f"{RUNS} After the results letter, once the appeal window has passed without an "
    "appeal (a decided appeal closes the cycle itself); otherwise 409. The daily run closes "
    "such cycles too.",
)
def cycle_close(request: HttpRequest, cycle_id: int) -> Any:
    actor = _actor(request)
    cycle = selectors.cycle_get(actor=actor, pk=cycle_id)
    services.cycle_close(actor=actor, cycle=cycle, today=timezone.localdate())
    return _detail(actor, cycle.pk)


# ---------------------------------------------------------------- the next cycle


@router.get(
    "/contracts/{contract_id}/monitoring/next-cycle",
    response={200: NextMonitoringCycleOut, **READ_ERRORS},
    summary="When a contract's next monitoring cycle is due",
    description="Seed 002 stage 1: the next cycle falls due the pack's months for the "
    "contract's risk rating after its last cycle started (West London: red 6, amber and green "
    "12), and moves when the rating changes. Agency staff who may see the contract; provider "
    "users 404 (the rating is internal).",
)
def next_cycle(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    if actor.is_provider_user:
        raise NotFoundError("No such contract.")
    contract = contract_get(actor=actor, pk=contract_id)
    rating = services.latest_rating(contract.pk)
    rules = contract.agency.pack.parsed.monitoring_rules
    due = services.next_cycle_due(contract)
    return {
        "contract": contract.pk,
        "due_on": due.due_date if due else None,
        "rating": rating,
        "months": rules.months(rating),
        "source": rules.source,
        "how": due.label if due else "",
    }


# ---------------------------------------------------------------- actions


@router.get(
    "/contracts/{contract_id}/monitoring/actions",
    response={200: list[ActionOut], **READ_ERRORS},
    summary="A contract's action plan",
    description="The actions of the results letters (seed 002 stage 7), open ones first, each "
    "with its owner, due date and state (open, overdue, done). Everyone who may see the "
    "contract, the provider's own users included.",
)
def action_list(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    today = timezone.localdate()
    return [_action_out(a, today) for a in selectors.actions_for(actor=actor, contract=contract)]


@router.post(
    "/monitoring/actions/{action_id}/done",
    response={200: ActionOut, **WRITE_ERRORS},
    summary="Record an action as done",
    description="Contract managers and monitors of the contract's agency (or an administrator), "
    "with a note; once (409 if already done).",
)
def action_done(request: HttpRequest, action_id: int, payload: ActionDoneIn) -> Any:
    actor = _actor(request)
    action = (
        Action.objects.filter(
            pk=action_id, contract__in=Contract.objects.filter(visible_contracts_q(actor))
        )
        .select_related("contract")
        .first()
    )
    if action is None:
        raise NotFoundError("No such action.")
    today = timezone.localdate()
    action = services.action_complete(actor=actor, action=action, note=payload.note, today=today)
    return _action_out(action, today)


# ---------------------------------------------------------------- review meetings (seed 003)


def _review_out(m: ReviewMeeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "contract": m.contract_id,
        "kind": m.kind,
        "scheduled_for": m.scheduled_for,
        "held_on": m.held_on,
        "chair": m.chair,
        "attendees": m.attendees,
        "contract_manager_attended": m.contract_manager_attended,
        "minutes": m.minutes,
        "recorded_by": _name(m.recorded_by) if m.recorded_by_id else None,
        "cancelled_on": m.cancelled_on,
        "cancel_reason": m.cancel_reason,
    }


def _reviews_contract(actor: Any, contract_id: int) -> Contract:
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("monitoring.view_reviews", contract):
        raise NotFoundError("No such contract.")
    return contract


@router.get(
    "/contracts/{contract_id}/monitoring/reviews",
    response={200: list[ReviewOut], **READ_ERRORS},
    summary="A contract's review meetings",
    description="Seed 003's biannual and annual review meetings, scheduled and held, with the "
    "minutes. Internal: agency staff of the contract's agency, oversight officers and "
    "administrators; provider users get 404.",
)
def review_list(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    return [_review_out(m) for m in selectors.reviews_for(actor=actor, contract=contract)]


@router.post(
    "/contracts/{contract_id}/monitoring/reviews/schedule",
    response={201: list[ReviewOut], **WRITE_ERRORS},
    summary="Plan the contract's review cycle",
    description="Contract managers and monitors of the contract's agency (or an "
    "administrator), for an executed or active contract: its cycle of biannual and annual "
    "reviews, as the agency's pack asks (`reviews`), from today on. A contract is planned when "
    "it is executed; this is for one executed before. Meetings already planned or held are "
    "kept, those the term no longer holds cancelled; the answer lists the new ones.",
)
def review_schedule(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = _reviews_contract(actor, contract_id)
    new = services.reviews_plan(actor=actor, contract=contract, today=timezone.localdate())
    return Status(201, [_review_out(m) for m in new])


@router.post(
    "/monitoring/reviews/{review_id}/record",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="Record a review meeting held",
    description="Contract managers and monitors of the contract's agency (or an "
    "administrator), once held: the chair, attendees, minutes, and whether the contract manager "
    "attended (required at the annual review, seed 003; 422 otherwise).",
)
def review_record(request: HttpRequest, review_id: int, payload: ReviewRecordIn) -> Any:
    actor = _actor(request)
    meeting = (
        ReviewMeeting.objects.filter(
            pk=review_id, contract__in=Contract.objects.filter(visible_contracts_q(actor))
        )
        .select_related("contract")
        .first()
    )
    if meeting is None or not actor.has_perm("monitoring.view_reviews", meeting.contract):
        raise NotFoundError("No such review meeting.")
    meeting = services.review_record(
        actor=actor, meeting=meeting, today=timezone.localdate(), **payload.model_dump()
    )
    return _review_out(meeting)


# ---------------------------------------------------------------- the calendar


@router.get(
    "/monitoring/calendar",
    response={200: list[CalendarItemOut], **QUERY_ERRORS},
    summary="The caller's calendar",
    description="The caller's work list (GET /api/v1/me/work) due in [`start`, `end`] "
    "(default: today and the next 90 days; at most 366 days): every open due date the caller "
    "must act on (returns, evaluations, self-assessments, visits, review meetings, actions, "
    "reports, ...), with the same sentence and page link as the work list.",
)
def calendar(request: HttpRequest, start: date | None = None, end: date | None = None) -> Any:
    actor = _actor(request)
    start = start or timezone.localdate()
    end = end or start + timedelta(days=CALENDAR_DAYS)
    if end < start:
        raise ValidationFailed("end is before start.", errors={"end": ["On or after start."]})
    if (end - start).days > CALENDAR_MAX_DAYS:
        raise ValidationFailed(
            f"At most {CALENDAR_MAX_DAYS} days at a time.",
            errors={"end": [f"At most {CALENDAR_MAX_DAYS} days after start."]},
        )
    return [
        {
            "uid": i.uid,
            "on": i.on,
            "kind": i.kind,
            "kind_name": i.kind_name,
            "optional": i.optional,
            "title": i.title,
            "contract_number": i.contract_number,
            "url": i.url,
            "detail": i.detail,
        }
        for i in selectors.calendar_items(user=actor, start=start, end=end)
    ]


# ---------------------------------------------------------------- reports (stages 9 and 10)


def _require_reports(actor: Any) -> None:
    if not actor.has_perm("monitoring.view_reports"):
        raise PermissionDeniedError(
            "Only agency staff, oversight officers and administrators see monitoring reports."
        )


def _agency_by_slug(slug: str) -> Agency:
    found = Agency.objects.filter(slug=slug).select_related("pack").first()
    if found is None:
        raise NotFoundError("No such agency.")
    return found


@router.get(
    "/monitoring/reports/exceptions",
    response={200: ExceptionReportOut, **QUERY_ERRORS},
    summary="The report by exception (stage 9)",
    description="For senior managers: executed or active contracts rated red (latest "
    "assessment, with reasons), monitoring appeals lodged since `since` (default: 90 days ago), "
    "deadlines missed, and serious concerns still open. Agency staff see their own agency's, "
    "oversight officers and administrators every agency's (`agency` slug to narrow it). "
    "Provider users get 403.",
)
@decorate_view(reads_from_replica)
def exception_report(request: HttpRequest, since: date | None = None, agency: str = "") -> Any:
    actor = _actor(request)
    _require_reports(actor)
    today = timezone.localdate()
    agency_id = _agency_by_slug(agency).pk if agency else None
    report = selectors.exception_report(
        actor=actor,
        as_of=today,
        since=since or today - timedelta(days=EXCEPTIONS_SINCE_DAYS),
        agency_id=agency_id,
    )
    return {
        "as_of": report.as_of,
        "since": report.since,
        "red": [
            {
                "contract": _contract(a.contract),
                "agency": _agency(a.contract.agency),
                "provider": _provider(a.contract.provider),
                "as_of": a.as_of,
                "rating": a.rating,
                "monitoring_level": a.monitoring_level,
                "reasons": [str(r) for r in a.reasons or []],
            }
            for a in report.red
        ],
        "appeals": [
            {
                "cycle": c.pk,
                "year": c.year,
                "contract": _contract(c.contract),
                "provider": _provider(c.provider),
                "lodged_on": c.appeal_lodged_on,
                "decided_on": c.appeal_decided_on,
                "outcome": c.appeal_outcome,
            }
            for c in report.appeals
        ],
        "missed": [
            {
                "id": d.pk,
                "kind": d.kind,
                "contract": _contract(d.contract) if d.contract is not None else None,
                "provider": _provider(d.contract.provider) if d.contract is not None else None,
                "label": d.label,
                "rule_key": d.rule_key,
                "due_date": d.due_date,
                "days_overdue": report.days_overdue.get(d.pk, 0),
            }
            for d in report.missed
        ],
        "serious_concerns": [
            {
                "id": c.pk,
                "provider": _provider(c.provider),
                "contract": _contract(c.contract) if c.contract is not None else None,
                "category": c.category.name,
                "severity": c.severity,
                "status": c.status,
                "summary": c.summary,
                "received_on": c.received_on,
            }
            for c in report.serious_concerns
        ],
    }


def _report_out(r: ServicesReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "agency": _agency(r.agency),
        "period_start": r.period_start,
        "period_end": r.period_end,
        "recommendations": r.recommendations,
        "figures": r.figures,
        "created_by": _name(r.created_by),
        "created_at": r.created_at,
    }


@router.get(
    "/monitoring/reports/commissioning",
    response={200: list[ServicesReportOut], **READ_ERRORS},
    summary="Reports to the commissioning body (stage 10)",
    description="The twice-yearly reports on performance across all services, latest first; "
    "paginated. Agency staff see their own agency's, oversight officers and administrators "
    "every agency's. Provider users get 403.",
)
@decorate_view(reads_from_replica)
@paginate(LimitOffsetPagination)
def services_report_index(request: HttpRequest) -> Any:
    actor = _actor(request)
    _require_reports(actor)
    return _Mapped(selectors.services_reports(actor=actor), _report_out)


@router.post(
    "/monitoring/reports/commissioning",
    response={201: ServicesReportOut, **WRITE_ERRORS},
    summary="Write the report to the commissioning body (stage 10)",
    description="The contract manager, for their own agency (an administrator names the "
    "`agency`): the half-year starting `period_start` (aligned to the pack's fiscal year, "
    "started already, once per half-year; else 422) with the recommendations; the period's "
    "figures are kept as they stand now. Others get 403.",
)
def services_report_create(request: HttpRequest, payload: ServicesReportIn) -> Any:
    actor = _actor(request)
    _require_reports(actor)
    if payload.agency:
        agency = _agency_by_slug(payload.agency)
    elif actor.agency_id:
        agency = _agency_by_slug(actor.agency.slug)
    else:
        raise ValidationFailed(
            "Say which agency's report this is.", errors={"agency": ["Name the agency."]}
        )
    report = services.services_report_create(
        actor=actor,
        agency=agency,
        period_start=payload.period_start,
        recommendations=payload.recommendations,
        today=timezone.localdate(),
    )
    return Status(201, _report_out(report))


@router.get(
    "/monitoring/reports/commissioning/{report_id}",
    response={200: ServicesReportOut, **READ_ERRORS},
    summary="One report to the commissioning body",
    description="Agency staff of its agency, oversight officers and administrators; another "
    "agency's report is 404; provider users get 403.",
)
@decorate_view(reads_from_replica)
def services_report_detail(request: HttpRequest, report_id: int) -> Any:
    actor = _actor(request)
    _require_reports(actor)
    report = selectors.services_reports(actor=actor).filter(pk=report_id).first()
    if report is None:
        raise NotFoundError("No such report.")
    return _report_out(report)


# ---------------------------------------------------------------- recipients of stages 9 and 10


def _recipient_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "audience": r.audience,
        "name": r.name,
        "organisation": r.organisation,
        "email": r.email,
        "external": r.external,
        "active": r.active,
    }


def _sent_out(s: Any) -> dict[str, Any]:
    return {"id": s.pk, "audience": s.audience, "sent_on": s.sent_on, "recipients": s.recipients}


def _own_agency(actor: Any, slug: str | None) -> Agency:
    if slug:
        agency = _agency_by_slug(slug)
    elif actor.agency_id:
        agency = _agency_by_slug(actor.agency.slug)
    else:
        raise ValidationFailed("Name the agency.", errors={"agency": ["Name the agency."]})
    if not actor.has_perm("monitoring.view_reports", agency) or (
        actor.agency_id and actor.agency_id != agency.pk
    ):
        raise NotFoundError("No such agency.")
    return agency


@router.get(
    "/monitoring/report-recipients",
    response={200: list[MonitoringRecipientOut], **READ_ERRORS},
    summary="The named recipients of the stage 9 and stage 10 reports",
    description="The people who receive the report by exception (senior managers, including "
    "partner organisations' managers) and the report on all services (the commissioning "
    "body), inside or outside the agency. Agency staff who may read the reports see their "
    "agency's; administrators and oversight officers every agency's. Provider users: 403.",
)
def recipient_index(request: HttpRequest) -> Any:
    from steward.monitoring.models import ReportRecipient

    actor = _actor(request)
    _require_reports(actor)
    qs = ReportRecipient.objects.filter(active=True)
    if actor.agency_id:
        qs = qs.filter(agency_id=actor.agency_id)
    return [_recipient_out(r) for r in qs.order_by("audience", "organisation", "name")[:500]]


@router.post(
    "/monitoring/report-recipients",
    response={201: MonitoringRecipientOut, **WRITE_ERRORS},
    summary="Name a recipient of the stage 9 or stage 10 report",
    description="A person of the agency (`user_id`) or someone outside it (`name`, `email`, "
    "`organisation`): a partner organisation's manager, the commissioning body. The contract "
    "manager of the agency.",
)
def recipient_create(request: HttpRequest, payload: MonitoringRecipientIn) -> Any:
    from steward.monitoring.services_recipients import report_recipient_add
    from steward.parties.models import User

    actor = _actor(request)
    _require_reports(actor)
    agency = _own_agency(actor, payload.agency)
    user = None
    if payload.user_id is not None:
        user = User.objects.filter(pk=payload.user_id, agency=agency).first()
        if user is None:
            raise NotFoundError("No such person in this agency.")
    recipient = report_recipient_add(
        actor=actor,
        agency=agency,
        audience=payload.audience,
        name=payload.name,
        email=payload.email,
        organisation=payload.organisation,
        user=user,
    )
    return Status(201, _recipient_out(recipient))


@router.delete(
    "/monitoring/report-recipients/{recipient_id}",
    response={200: MonitoringRecipientOut, **WRITE_ERRORS},
    summary="Stop sending the report to a recipient",
    description="The recipient is kept, marked inactive, so earlier sendings still name them. "
    "Another agency's recipient is 404.",
)
def recipient_remove(request: HttpRequest, recipient_id: int) -> Any:
    from steward.monitoring.models import ReportRecipient
    from steward.monitoring.services_recipients import report_recipient_remove

    actor = _actor(request)
    _require_reports(actor)
    recipient = ReportRecipient.objects.select_related("agency").filter(pk=recipient_id).first()
    if recipient is None or (actor.agency_id and recipient.agency_id != actor.agency_id):
        raise NotFoundError("No such recipient.")
    return _recipient_out(report_recipient_remove(actor=actor, recipient=recipient))


@router.post(
    "/monitoring/reports/commissioning/{report_id}/send",
    response={201: MonitoringReportSentOut, **WRITE_ERRORS},
    summary="Send the report to the commissioning body (stage 10)",
    description="To its named recipients, inside or outside the agency, through the outbox; "
    "422 when none is named. The contract manager of the agency.",
)
def services_report_send(request: HttpRequest, report_id: int) -> Any:
    from steward.monitoring.services_recipients import services_report_send as send

    actor = _actor(request)
    _require_reports(actor)
    report = selectors.services_reports(actor=actor).filter(pk=report_id).first()
    if report is None:
        raise NotFoundError("No such report.")
    return Status(201, _sent_out(send(actor=actor, report=report, today=timezone.localdate())))


@router.post(
    "/monitoring/reports/exceptions/send",
    response={201: MonitoringReportSentOut, **WRITE_ERRORS},
    summary="Send the report by exception to the senior managers (stage 9)",
    description="To the named senior managers, including partner organisations' managers "
    "(PCT, Probation), through the outbox; 422 when none is named.",
)
def exception_report_send(request: HttpRequest, payload: MonitoringExceptionSendIn) -> Any:
    from steward.core.deadlines import add_months
    from steward.monitoring.services_recipients import exception_report_send as send

    actor = _actor(request)
    _require_reports(actor)
    agency = _own_agency(actor, payload.agency)
    today = timezone.localdate()
    sent = send(
        actor=actor, agency=agency, since=payload.since or add_months(today, -6), today=today
    )
    return Status(201, _sent_out(sent))
