"""Pages of the annual monitoring cycle (seed 002 stages 1–8): the list of cycles, a contract's
monitoring, the follow-up of its action plans, one cycle with its step indicator and each
stage's record, the form of each stage, the notification PDF, and the panel on the contract
page. Review meetings, the calendar and the reports have their own modules (views_reviews.py,
views_calendar.py, views_reports.py).

Views are thin: they parse a form, call one service or selector, and redirect (POST, redirect,
GET). A service's refusal of a step out of order is flashed as an error on the cycle's page."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts.models import Contract, ContractStatus
from steward.contracts.selectors import contract_get
from steward.core.errors import (
    ApplicationError,
    NotFoundError,
    TransitionNotAllowed,
    ValidationFailed,
)
from steward.core.formatting import fmt_date
from steward.core.forms import apply_errors
from steward.core.pdf import pdf_response
from steward.core.views import application_errors, safe_next
from steward.monitoring import calc, selectors, services
from steward.monitoring.forms import (
    ActionDoneForm,
    AppealForm,
    AssessForm,
    CycleFilterForm,
    DecisionForm,
    DiscussionForm,
    JudgementForm,
    LetterForm,
    RecordAppealForm,
    SelfAssessmentForm,
    VisitDateForm,
    VisitForm,
)
from steward.monitoring.models import (
    Action,
    Cycle,
    CycleStatus,
    OperationalReport,
    QafLevel,
    Route,
)
from steward.parties.letterhead import letterhead
from steward.parties.models import Agency, Role

PAGE_SIZE = 50


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not do this.")


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    return selectors.cycle_get(actor=request.user, pk=pk)


def _cycle_url(cycle: Cycle) -> str:
    return reverse("monitoring:cycle", args=[cycle.pk])


# ---------------------------------------------------------------- what comes next


@dataclass(frozen=True)
class Next:
    label: str
    due: date | None


def next_of(cycle: Cycle) -> Next:
    """What the cycle waits for and its due date, from the cycle's own fields and its due
    dates (no further queries when they are selected with it)."""
    if cycle.status == CycleStatus.CLOSED:
        return Next("Closed", None)
    nxt = cycle.next_stage
    if nxt is None:  # an appeal lodged
        return Next("The decision on the appeal", None)
    if nxt == calc.Stage.ASSESSED and cycle.sa_submitted_on is None:
        due = cycle.self_assessment_due
        return Next("The provider's self-assessment", due.due_date if due else None)
    if nxt == calc.Stage.APPEAL:
        due = cycle.appeal_due
        return Next("The appeal window (then the cycle closes)", due.due_date if due else None)
    due_fk = {calc.Stage.LETTER: cycle.letter_due}.get(nxt)
    if nxt == calc.Stage.VISITED and cycle.visit_planned_for:
        return Next(calc.STAGE_LABELS[nxt], cycle.visit_planned_for)
    return Next(calc.STAGE_LABELS[nxt], due_fk.due_date if due_fk else None)


def step_blocked(cycle: Cycle, step: str, today: date) -> str | None:
    """Why the form of `step` cannot be used now (the services' wording), or None when it can.
    The service checks again on saving; this only decides what the pages offer."""
    if cycle.status == CycleStatus.CLOSED:
        return "This monitoring cycle is closed."
    if step == "self_assessment":
        if cycle.stage < calc.Stage.NOTIFIED:
            return "The self-assessment is completed after the notification (stage 2)."
        if cycle.sa_submitted_on is not None:
            return f"The self-assessment was submitted on {fmt_date(cycle.sa_submitted_on)}."
        if cycle.stage > calc.Stage.NOTIFIED:
            return "The self-assessment has been assessed; it can no longer change."
        return None
    if step in ("appeal", "record_appeal"):
        if cycle.letter_on is None:
            return "There is no decision to appeal until the results letter is sent."
        if cycle.appeal_lodged_on is not None:
            return f"An appeal was lodged on {fmt_date(cycle.appeal_lodged_on)}."
        due = cycle.appeal_due
        if due is not None and today > due.due_date:
            return f"The days to appeal ended on {fmt_date(due.due_date)}."
        return None
    if step == "decide":
        if cycle.appeal_lodged_on is None:
            return "No appeal has been lodged."
        return None
    if step == "visit_date":
        if cycle.route != Route.FULL or cycle.visit_planned_for is None:
            return "No visit is planned for this cycle."
        if cycle.visited_on is not None:
            return f"The visit was recorded on {fmt_date(cycle.visited_on)}."
        return None
    if step == "close":
        if cycle.letter_on is None:
            return "The cycle closes after the results letter (stage 7)."
        if cycle.appeal_lodged_on is not None:
            return "Decide the appeal; that closes the cycle."
        due = cycle.appeal_due
        if due is not None and today <= due.due_date:
            return f"The provider may appeal until {fmt_date(due.due_date)}."
        return None
    stage = STEP_STAGES[step]
    try:
        calc.check_next(calc.Stage(cycle.stage), stage, cycle.route_enum)
    except calc.OutOfOrder as exc:
        return str(exc)
    if stage == calc.Stage.ASSESSED and cycle.sa_submitted_on is None:
        return "The provider has not submitted the self-assessment yet."
    return None


STEP_STAGES = {
    "notify": calc.Stage.NOTIFIED,
    "assess": calc.Stage.ASSESSED,
    "visit": calc.Stage.VISITED,
    "judge": calc.Stage.JUDGED,
    "discuss": calc.Stage.DISCUSSED,
    "letter": calc.Stage.LETTER,
}

#: step: (url name, the permission, the button's words, GET page or POST button)
STEPS: list[tuple[str, str, str, bool]] = [
    ("notify", "monitoring.run_cycle", "Send the notification and self-assessment form", False),
    ("self_assessment", "monitoring.submit_self_assessment", "Complete the self-assessment", True),
    ("assess", "monitoring.run_cycle", "Assess the self-assessment and choose the route", True),
    ("visit", "monitoring.record_visit", "Record the visit", True),
    ("visit_date", "monitoring.record_visit", "Move the visit to another day", True),
    ("judge", "monitoring.run_cycle", "Record the judgement", True),
    ("discuss", "monitoring.run_cycle", "Record the discussion of the draft action plan", True),
    ("letter", "monitoring.run_cycle", "Write the results letter and action plan", True),
    ("appeal", "monitoring.appeal", "Appeal a decision", True),
    ("record_appeal", "monitoring.record_appeal", "Record the provider's written appeal", True),
    ("decide", "monitoring.decide_appeal", "Decide the appeal", True),
    ("close", "monitoring.run_cycle", "Close the cycle", False),
]
PERMS = {step: perm for step, perm, _, _ in STEPS}


def next_steps(request: HttpRequest, cycle: Cycle, today: date) -> list[dict[str, Any]]:
    """The buttons of what this person may do next on the cycle."""
    out = []
    for step, _, label, is_page in STEPS:
        if not request.user.has_perm(PERMS[step], cycle) or step_blocked(cycle, step, today):
            continue
        out.append(
            {
                "step": step,
                "label": label,
                "url": reverse(f"monitoring:{step}", args=[cycle.pk]),
                "post": not is_page,
            }
        )
    return out


# ---------------------------------------------------------------- lists


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    """Every cycle the person may see (provider users: their notified cycles), filtered by
    status and agency, with its stage, route and what is next."""
    user: Any = request.user
    wide = user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER)
    agencies = list(Agency.objects.order_by("name").values_list("pk", "name")) if wide else None
    form = CycleFilterForm(request.GET or None, agencies=agencies)
    d = form.cleaned_data if form.is_valid() else {}
    qs = selectors.cycle_list(
        actor=user,
        status=d.get("status") or "",
        agency_id=d.get("agency") or None,
        year=d.get("year"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"cycle": c, "stage": calc.STAGE_LABELS[calc.Stage(c.stage)], "next": next_of(c)}
        for c in page.object_list
    ]
    return render(
        request,
        "monitoring/cycles.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "today": timezone.localdate(),
            "filters": {k: v for k, v in d.items() if v not in (None, "")},
        },
    )


@login_required
@require_POST
@application_errors
def results_letters(request: HttpRequest) -> HttpResponse:
    """The cycle list's *Download these letters*: start ONE background job drawing the results
    letters of the cycles listed (the same filters: year, agency, status) into one PDF, and go
    to the job's page, which counts the letters drawn and offers the PDF. Nothing is drawn
    here. No letter to draw: the list again with the reason; a letter the person may not
    read: 403 (`steward.monitoring.jobs`)."""
    from urllib.parse import urlencode

    from steward.monitoring.jobs import results_letters_start

    user: Any = request.user
    wide = user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER)
    agencies = list(Agency.objects.order_by("name").values_list("pk", "name")) if wide else None
    form = CycleFilterForm(request.POST, agencies=agencies)
    back = reverse("monitoring:cycles")
    if not form.is_valid():
        messages.error(request, "Choose the cycles again: the filter was not understood.")
        return redirect(back)
    d = form.cleaned_data
    query = {k: v for k, v in d.items() if v not in (None, "")}
    if query:
        back += "?" + urlencode(query)
    agency = Agency.objects.filter(pk=d["agency"]).first() if d.get("agency") else None
    try:
        job = results_letters_start(
            actor=user, year=d.get("year"), agency=agency, status=d.get("status") or ""
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, "The letters are being drawn; this page follows them.")
    return redirect("core:job", pk=job.pk)


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@login_required
@application_errors
def contract_monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's monitoring: its cycles (the latest with its steps), starting this year's
    cycle, the action plans' actions and (agency staff) the review meetings."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    cycles = list(selectors.cycle_list(actor=user, contract_id=contract.pk))
    latest = selectors.cycle_get(actor=user, pk=cycles[0].pk) if cycles else None
    try:
        actions = selectors.actions_for(actor=user, contract=contract)
    except NotFoundError:
        actions = None
    if actions is not None and user.is_provider_user:
        # a provider sees the actions of the letters it has received
        actions = [a for a in actions if a.cycle is None or a.cycle.letter_on is not None]
    try:
        reviews = selectors.reviews_for(actor=user, contract=contract)
    except NotFoundError:
        reviews = None
    today = timezone.localdate()
    can_start = (
        user.has_perm("monitoring.start_cycle", contract)
        and contract.status in (ContractStatus.EXECUTED, ContractStatus.ACTIVE)
        and not any(c.status == CycleStatus.OPEN for c in cycles)
    )
    return render(
        request,
        "monitoring/contract.html",
        {
            "contract": contract,
            "cycles": [{"cycle": c, "next": next_of(c)} for c in cycles],
            "latest": latest,
            "steps": selectors.steps(latest) if latest else None,
            "latest_next": next_of(latest) if latest else None,
            "actions": actions,
            "reviews": reviews,
            "today": today,
            "can_start": can_start,
            # seed 002: when the next cycle is due (its months follow the internal rating)
            "next_cycle": None if user.is_provider_user else services.next_cycle_due(contract),
            "can_manage_actions": user.has_perm("monitoring.manage_actions", contract),
            "can_manage_reviews": user.has_perm("monitoring.manage_reviews", contract),
            "can_plan_reviews": contract.status in (ContractStatus.EXECUTED, ContractStatus.ACTIVE),
            "actions_include": _template_exists("monitoring/_actions.html"),
            "reviews_include": _template_exists("monitoring/_reviews.html"),
        },
    )


# ---------------------------------------------------------------- the action plan's follow-up


@login_required
@require_POST
@application_errors
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow-up of the action plan: record an action as done, with an optional note."""
    user: Any = request.user
    action = Action.objects.select_related("contract").filter(pk=pk).first()
    if action is None or not user.has_perm("monitoring.view_actions", action.contract):
        raise Http404("No such action.")
    form = ActionDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.action_complete(actor=user, action=action, note=note, today=timezone.localdate())
    except (TransitionNotAllowed, ValidationFailed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Action marked as done: {action}.")
    return redirect(safe_next(request, reverse("monitoring:contract", args=[action.contract_id])))


# ---------------------------------------------------------------- one cycle


@login_required
@application_errors
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    user: Any = request.user
    today = timezone.localdate()
    internal = user.has_perm("monitoring.view_internal", cycle)
    letter_out = cycle.letter_on is not None
    return render(
        request,
        "monitoring/cycle.html",
        {
            "cycle": cycle,
            "contract": cycle.contract,
            "steps": selectors.steps(cycle),
            "next": next_of(cycle),
            "next_steps": next_steps(request, cycle, today),
            "internal": internal,
            "show_judgements": internal or letter_out,
            "judgements": list(cycle.judgements.all()) if internal or letter_out else [],
            "actions": list(Action.objects.filter(cycle=cycle).order_by("due_on", "id"))
            if letter_out
            else [],
            "sa_answers": _answers(cycle.sa_answers),
            "data_quality": services.data_quality_percent(cycle),
            "today": today,
            "full_route": cycle.route == Route.FULL,
        },
    )


def _answers(answers: dict[str, Any]) -> list[dict[str, str]]:
    ratings = dict(calc.JUDGEMENT_RATINGS)
    out = []
    for key, label in calc.JUDGEMENT_AREAS:
        answer = answers.get(key) or {}
        out.append(
            {
                "label": label,
                "rating": ratings.get(answer.get("rating") or "", "—"),
                "evidence": answer.get("evidence") or "",
            }
        )
    return out


def _post_step(
    request: HttpRequest, cycle_or_back: str, do: Callable[[], Any], done: str
) -> HttpResponse:
    """Run a button's service: refusals are flashed as errors on the page returned to."""
    try:
        do()
    except (ValidationFailed, ApplicationError) as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(cycle_or_back)


@login_required
@require_POST
@application_errors
def cycle_start(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    _require(request, "monitoring.start_cycle", contract)
    started: list[Cycle] = []
    back = reverse("monitoring:contract", args=[contract.pk])

    def do() -> None:
        started.append(
            services.cycle_start(actor=user, contract=contract, today=timezone.localdate())
        )

    response = _post_step(request, back, do, "This year's monitoring cycle has started.")
    if started:
        return redirect(_cycle_url(started[0]))
    return response


@login_required
@require_POST
@application_errors
def cycle_notify(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    _require(request, "monitoring.run_cycle", cycle)
    return _post_step(
        request,
        _cycle_url(cycle),
        lambda: services.cycle_notify(
            actor=request.user,
            cycle=cycle,
            today=cycle.agency.today(),
            on=_posted_date(request.POST.get("on")),
        ),
        "The provider has been notified and sent the self-assessment form.",
    )


def _posted_date(value: str | None) -> date | None:
    """An optional date posted by a button's form ("" for today); a malformed one is refused
    with a clear message."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(
            "Give the date as day, month and year.", errors={"on": ["Enter a valid date."]}
        ) from exc


@login_required
@require_POST
@application_errors
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    _require(request, "monitoring.run_cycle", cycle)
    return _post_step(
        request,
        _cycle_url(cycle),
        lambda: services.cycle_close(actor=request.user, cycle=cycle, today=timezone.localdate()),
        "The cycle is closed.",
    )


# ---------------------------------------------------------------- the stages' forms


def _stage_form(
    request: HttpRequest,
    cycle: Cycle,
    *,
    step: str,
    form: BaseForm,
    template: str,
    title: str,
    intro: str,
    save: Callable[[BaseForm], Any],
    done: str,
    submit: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A stage's form: a valid POST goes to the service; its field errors land on the form,
    a refusal (the step out of order) is flashed on the cycle's page."""
    _require(request, PERMS[step], cycle)
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            messages.error(request, exc.message)
            return redirect(_cycle_url(cycle))
        else:
            messages.success(request, done)
            return redirect(_cycle_url(cycle))
    context = {
        "cycle": cycle,
        "contract": cycle.contract,
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit,
        "blocked": step_blocked(cycle, step, today) if request.method == "GET" else None,
        "back": _cycle_url(cycle),
        "today": today,
    }
    context.update(extra or {})
    return render(request, template, context)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _data(request: HttpRequest) -> Any:
    """The posted data (bound even when empty, so an empty POST shows what is missing)."""
    return request.POST if request.method == "POST" else None


def _today() -> date:
    return timezone.localdate()


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def self_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    user: Any = request.user
    due = cycle.self_assessment_due
    intro = (
        "For each of the six areas, rate the service and give the evidence; then your quality "
        "assessment framework (QAF) level and upgrades."
        + (f" Due by {_long(due.due_date)}." if due else "")
    )
    if not user.is_provider_user:
        intro += " You are entering it on the provider's behalf."
    return _stage_form(
        request,
        cycle,
        step="self_assessment",
        form=SelfAssessmentForm(_data(request), on_behalf=not user.is_provider_user),
        template="monitoring/self_assessment.html",
        title=f"Self-assessment {cycle.year}: {cycle.contract.number}",
        intro=intro,
        save=lambda f: services.self_assessment_submit(
            actor=user,
            cycle=cycle,
            answers=f.areas(),  # type: ignore[attr-defined]
            qaf_level=f.cleaned_data["qaf_level"],
            qaf_upgrades=f.cleaned_data["qaf_upgrades"],
            today=cycle.agency.today(),
            on=f.cleaned_data.get("on"),
        ),
        done="Self-assessment submitted.",
        submit="Submit the self-assessment",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def cycle_assess(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _stage_form(
        request,
        cycle,
        step="assess",
        form=AssessForm(_data(request), initial={"route": cycle.route}),
        template="monitoring/form.html",
        title=f"Assess the self-assessment: {cycle.contract.number}",
        intro=f"Stage 3. The desk-top risk assessment rated this contract "
        f"{cycle.risk_rating or 'unrated'} ({cycle.monitoring_level or 'no'} monitoring), which "
        f"suggests the {cycle.get_route_display().lower()} route. Review the risk and choose.",
        save=lambda f: services.cycle_assess(
            actor=request.user, cycle=cycle, today=cycle.agency.today(), **f.cleaned_data
        ),
        done="Assessment recorded.",
        submit="Record the assessment",
        extra={"sa_answers": _answers(cycle.sa_answers), "show_sa": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _stage_form(
        request,
        cycle,
        step="visit",
        form=VisitForm(_data(request), initial={"visited_on": cycle.visit_planned_for}),
        template="monitoring/form.html",
        title=f"Record the monitoring visit: {cycle.contract.number}",
        intro="Stage 4: staff met, the self-assessment and QAF upgrades reviewed, the current "
        "action plan reviewed, service users met, QAF objectives spot-checked, and the data "
        "quality audit. Internal: the provider does not see this record.",
        save=lambda f: services.visit_record(
            actor=request.user, cycle=cycle, today=_today(), **f.cleaned_data
        ),
        done="Visit recorded.",
        submit="Record the visit",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def visit_date(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    planned = cycle.visit_planned_for
    return _stage_form(
        request,
        cycle,
        step="visit_date",
        form=VisitDateForm(_data(request), initial={"visit_planned_for": planned}),
        template="monitoring/form.html",
        title=f"Move the monitoring visit: {cycle.contract.number}",
        intro=(f"The visit is planned for {_long(planned)}. " if planned else "")
        + "Give the day agreed with the provider instead; the visit is then due that day.",
        save=lambda f: services.visit_move(
            actor=request.user, cycle=cycle, today=_today(), **f.cleaned_data
        ),
        done="Visit moved.",
        submit="Move the visit",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def judgement(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    ratings = dict(calc.JUDGEMENT_RATINGS)
    hints = {
        key: "Provider's self-rating: "
        + ratings.get((cycle.sa_answers.get(key) or {}).get("rating") or "", "none")
        + "."
        for key, _ in calc.JUDGEMENT_AREAS
    }
    return _stage_form(
        request,
        cycle,
        step="judge",
        form=JudgementForm(_data(request), hints=hints),
        template="monitoring/judgement.html",
        title=f"Judgement on the six areas: {cycle.contract.number}",
        intro="Stage 5: judge all the collated information. The provider sees the judgement "
        "with the results letter.",
        save=lambda f: services.judgement_record(
            actor=request.user,
            cycle=cycle,
            areas=f.areas(),  # type: ignore[attr-defined]
            today=_today(),
        ),
        done="Judgement recorded.",
        submit="Record the judgement",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def discussion(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _stage_form(
        request,
        cycle,
        step="discuss",
        form=DiscussionForm(_data(request), initial={"discussed_on": _today()}),
        template="monitoring/form.html",
        title=f"Discussion of the draft action plan: {cycle.contract.number}",
        intro="Stage 6 (no visit): the draft action plan discussed with the provider's manager.",
        save=lambda f: services.discussion_record(
            actor=request.user, cycle=cycle, today=_today(), **f.cleaned_data
        ),
        done="Discussion recorded.",
        submit="Record the discussion",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """Stage 7: write the letter, preview it as the provider will read it (nothing is sent, the
    form stays filled for editing), then send it from the preview (seed 002). The send button
    is only on the preview, and it sends only the letter previewed: a posted letter whose
    fingerprint (`_letter_fingerprint`) differs from the one the preview carried is previewed again,
    not sent (docs/letters.md)."""
    cycle = _cycle(request, pk)
    due = cycle.letter_due
    form = LetterForm(_data(request))
    title = f"Results letter and report: {cycle.contract.number}"
    if request.method == "POST":
        _require(request, PERMS["letter"], cycle)
        valid = form.is_valid()
        fingerprint = _letter_fingerprint(cycle, form) if valid else ""
        posted = request.POST.get("previewed", "")
        send = (
            "preview" not in request.POST and valid and constant_time_compare(posted, fingerprint)
        )
        if not send:
            changed = bool(posted)
            preview: dict[str, Any] | None = None
            if valid:
                try:
                    preview = services.letter_preview(**_letter_args(request, cycle, form))
                except ValidationFailed as exc:
                    apply_errors(form, exc)
            if preview is not None and "preview" not in request.POST:
                messages.info(
                    request,
                    "The letter changed since its preview: read it again, then send it."
                    if changed
                    else "Read the letter before sending it.",
                )
            return render(
                request,
                "monitoring/letter.html",
                {
                    "cycle": cycle,
                    "contract": cycle.contract,
                    "form": form,
                    "title": title,
                    "intro": "Preview: read the letter as the provider will; send it below, "
                    "or edit it and preview it again.",
                    "submit": "Send the letter",
                    "back": _cycle_url(cycle),
                    "today": cycle.agency.today(),
                    "preview": preview,
                    "previewed": fingerprint if preview is not None else "",
                    "judgements": list(cycle.judgements.all()),
                },
            )
    return _stage_form(
        request,
        cycle,
        step="letter",
        form=form,
        template="monitoring/letter.html",
        title=title,
        intro="Stage 7: the results, future funding, future specification terms and the action "
        "plan. Preview the letter to read it as the provider will; you send it from the "
        "preview. Sending makes it a PDF with the contract's documents, released to the "
        "provider, and opens the provider's days to appeal."
        + (f" Due by {_long(due.due_date)}." if due else ""),
        save=lambda f: services.letter_issue(**_letter_args(request, cycle, f)),
        done="Results letter sent to the provider.",
        submit="Send the letter",
        extra={"judgements": list(cycle.judgements.all())},
    )


def _letter_fingerprint(cycle: Cycle, form: BaseForm) -> str:
    """A keyed fingerprint of the letter in `form` (valid) for `cycle`: the preview carries it,
    and the letter is sent only when the posted one has the same (the letter previewed)."""
    d = form.cleaned_data
    content = {
        "cycle": cycle.pk,
        "results_summary": d["results_summary"],
        "future_funding": d["future_funding"],
        "future_specification": d["future_specification"],
        "on": d["on"].isoformat() if d.get("on") else "",
        "actions": [
            {
                "description": str(a.get("description") or ""),
                "owner": str(a.get("owner") or ""),
                "owner_user": getattr(a.get("owner_user"), "pk", None),
                "horizon_months": str(a.get("horizon_months") or ""),
            }
            for a in form.actions()  # type: ignore[attr-defined]
        ],
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=True)
    return salted_hmac("steward.monitoring.letter-preview", text).hexdigest()


def _letter_args(request: HttpRequest, cycle: Cycle, form: BaseForm) -> dict[str, Any]:
    return {
        "actor": request.user,
        "cycle": cycle,
        "results_summary": form.cleaned_data["results_summary"],
        "future_funding": form.cleaned_data["future_funding"],
        "future_specification": form.cleaned_data["future_specification"],
        "actions": form.actions(),  # type: ignore[attr-defined]
        "today": cycle.agency.today(),
        "on": form.cleaned_data.get("on"),
    }


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    due = cycle.appeal_due
    return _stage_form(
        request,
        cycle,
        step="appeal",
        form=AppealForm(_data(request)),
        template="monitoring/form.html",
        title=f"Appeal the monitoring results: {cycle.contract.number}",
        intro="Stage 8: you may appeal any decision of the results letter"
        + (f" until {_long(due.due_date)}." if due else "."),
        save=lambda f: services.appeal_lodge(
            actor=request.user, cycle=cycle, today=cycle.agency.today(), **f.cleaned_data
        ),
        done="Appeal lodged.",
        submit="Lodge the appeal",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def record_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract manager records an appeal the provider sent in writing (by letter or
    email), dated the day it was received (seeds 002 and 004)."""
    cycle = _cycle(request, pk)
    due = cycle.appeal_due
    return _stage_form(
        request,
        cycle,
        step="record_appeal",
        form=RecordAppealForm(_data(request)),
        template="monitoring/form.html",
        title=f"Record the provider's written appeal: {cycle.contract.number}",
        intro="Stage 8: the results letter tells the provider it may appeal in writing to the "
        "contract manager"
        + (f" until {_long(due.due_date)}" if due else "")
        + ". Record the appeal as it was received.",
        save=lambda f: services.appeal_lodge(
            actor=request.user, cycle=cycle, today=cycle.agency.today(), **f.cleaned_data
        ),
        done="The provider's appeal is recorded.",
        submit="Record the appeal",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def appeal_decision(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return _stage_form(
        request,
        cycle,
        step="decide",
        form=DecisionForm(_data(request)),
        template="monitoring/form.html",
        title=f"Decide the appeal: {cycle.contract.number}",
        intro="The outcome and the decision are sent to the provider, and the cycle closes.",
        save=lambda f: services.appeal_decide(
            actor=request.user, cycle=cycle, today=_today(), **f.cleaned_data
        ),
        done="Appeal decided; the provider has been sent the outcome.",
        submit="Send the decision",
        extra={"grounds": cycle.appeal_grounds},
    )


# ---------------------------------------------------------------- the notification PDF


@login_required
@application_errors
def notification_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Stage 2's pack as one PDF: the notification letter, the self-assessment form and the
    performance outturn report (as sent; before sending, a draft from today's figures)."""
    cycle = _cycle(request, pk)
    today = timezone.localdate()
    outturn = (
        cycle.outturn if cycle.notified_on else services.performance_outturn(cycle.contract, today)
    )
    due = cycle.self_assessment_due
    agency = cycle.contract.agency
    if due is not None:
        sa_days, sa_kind, sa_by = due.days, due.day_kind, due.due_date
    else:
        # the draft gives the day it would fall due if sent today (a date, not "within 20 days")
        from steward.contracts.services_due_dates import agency_calendar
        from steward.core.deadlines import compute_deadline

        rule = agency.pack.parsed.deadline_rule("self_assessment")
        sa_days, sa_kind = rule.days, str(getattr(rule.kind, "value", rule.kind))
        sa_by = compute_deadline(
            start=agency.today(), rule=rule, calendar=agency_calendar(agency), pack=agency.pack.slug
        ).due
    name = f"monitoring-notification-{cycle.contract.number}-{cycle.year}.pdf".replace("/", "-")
    return pdf_response(
        "monitoring/notification_pdf.html",
        {
            "letterhead": letterhead(
                agency,
                provider=cycle.contract.provider,
                manager=cycle.contract.contract_manager,
            ),
            "sa_by": sa_by,
            "cycle": cycle,
            "contract": cycle.contract,
            "outturn": outturn,
            "draft": cycle.notified_on is None,
            "areas": calc.JUDGEMENT_AREAS,
            "ratings": calc.JUDGEMENT_RATINGS,
            "qaf_levels": QafLevel.labels,
            "sa_days": sa_days,
            "sa_kind": sa_kind,
            "today": today,
        },
        filename=name,
    )


# ---------------------------------------------------------------- the panel on the contract page


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The monitoring section of the contract page: the latest cycle's steps and what is next.
    Nothing for people who may not see a cycle (provider users: until one is notified)."""
    user: Any = request.user
    cycle = selectors.cycle_list(actor=user, contract_id=contract.pk).first()
    internal = user.has_perm("monitoring.view_reviews", contract)
    if cycle is None:
        if not internal or contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
            return None
        steps = None
    else:
        cycle = selectors.cycle_get(actor=user, pk=cycle.pk)
        steps = selectors.steps(cycle)
    return render_to_string(
        "monitoring/_contract_panel.html",
        {
            "contract": contract,
            "cycle": cycle,
            "steps": steps,
            "next": next_of(cycle) if cycle else None,
            "internal": internal,
            "ops_reports": (
                list(
                    OperationalReport.objects.filter(contract=contract).select_related(
                        "template", "filed_by"
                    )[:3]
                )
                if internal
                else []
            ),
        },
        request=request,
    )
