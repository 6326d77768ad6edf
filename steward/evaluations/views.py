"""Evaluation pages (seeds 000 and 001; DOMAIN.md sections 3.2 and 3.3): the evaluations due
and overdue, the compliance table per agency, one evaluation's workflow (start, rate, gather
the evidence again, release to the provider, the provider's comments, the reviewing official's
finalisation, corrections as new versions) and its PDF, and the evaluations panel of the
contract page. Past performance, reports in lieu and renewal eligibility have their own modules
(views_past_performance.py, views_in_lieu.py, views_renewal.py).

The views are thin: the selectors decide what a person may see, the services what they may do;
refusals are shown on the page (never a 500)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from steward.contracts.models import CLOSED_STATUSES, Contract, DueDateStatus
from steward.contracts.selectors import agencies_seen_by, contract_get
from steward.core.concurrency import (
    add_version_field,
    expecting,
    form_version,
)
from steward.core.errors import ApplicationError, TransitionNotAllowed, ValidationFailed
from steward.core.exports import XLSX_TYPE, attachment
from steward.core.forms import apply_errors
from steward.core.pdf import pdf_response
from steward.core.query_guard import refuse_hidden_filters
from steward.core.views import application_errors, safe_next
from steward.evaluations import calc, exporting, selectors, services
from steward.evaluations.forms import (
    CommentForm,
    ComplianceFilterForm,
    CorrectForm,
    DueFilterForm,
    EvaluationForm,
    ReopenForm,
)
from steward.evaluations.models import Evaluation, EvaluationKind, EvaluationStatus, InLieuStatus
from steward.parties.models import Role

PAGE_SIZE = 50
UNDER_WAY_SHOWN = 50
PANEL_SHOWN = 20
STEPS = [
    (EvaluationStatus.DRAFT, "Draft"),
    (EvaluationStatus.RELEASED, "Released to the provider"),
    (EvaluationStatus.FINALISED, "Finalised"),
]


def sees_all_agencies(user: Any) -> bool:
    """Oversight officers and administrators see every agency's evaluations and reports."""
    return user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER)


def is_staff(user: Any) -> bool:
    """Agency staff, oversight officers and administrators (not provider users)."""
    return sees_all_agencies(user) or (bool(user.agency_id) and user.role != Role.PROVIDER_USER)


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not do this.")


def _evaluation(request: HttpRequest, pk: int) -> Evaluation:
    """The evaluation if the person may read it (404 otherwise: NotFoundError)."""
    return selectors.evaluation_get(actor=request.user, pk=pk)


def _detail_url(evaluation: Evaluation) -> str:
    return reverse("evaluations:detail", args=[evaluation.pk])


# ---------------------------------------------------------------- due list and compliance


@login_required
@require_GET
@application_errors
def due_list(request: HttpRequest) -> HttpResponse:
    """The evaluations due and overdue that the person's agency answers for (every agency for
    oversight officers and administrators, with a filter), and the evaluations under way."""
    user: Any = request.user
    _require(request, "evaluations.view_compliance")
    sees_all = sees_all_agencies(user)
    # the agency column is shown only to those who see every agency: no one else filters on it
    refuse_hidden_filters(request.GET, selectors.due_filters_hidden_from(user))
    form = DueFilterForm(request.GET or None) if sees_all else None
    if form is not None:  # only the agencies they oversee (an officer's own jurisdiction)
        form.fields["agency"].queryset = agencies_seen_by(user)  # type: ignore[attr-defined]
    agency = None
    if form is not None and form.is_valid():
        agency = form.cleaned_data.get("agency")
    agency_id = agency.pk if agency is not None else None
    # each row counts its days in its own agency's time zone (an oversight officer's list
    # holds several agencies; a member of staff's, their own)
    todays: dict[int, date] = {}

    page = Paginator(
        selectors.due_evaluations(actor=user, agency_id=agency_id), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    dues = list(page.object_list)
    # the evaluation under way for each due date on the page (one query)
    under_way = dict(
        Evaluation.objects.filter(due_id__in=[d.pk for d in dues])
        .exclude(status=EvaluationStatus.FINALISED)
        .order_by("-id")
        .values_list("due_id", "pk")
    )
    rows = []
    for due in dues:
        kind = (
            EvaluationKind.CLOSEOUT
            if due.kind == services.CLOSEOUT_KIND
            else EvaluationKind.INTERIM
        )
        if due.agency_id not in todays:
            todays[due.agency_id] = due.agency.today()
        today = todays[due.agency_id]
        rows.append(
            {
                "due": due,
                "contract": due.contract,
                "kind": kind,
                "remaining": (due.due_date - today).days,
                "overdue": max((today - due.due_date).days, 0),
                "under_way_id": under_way.get(due.pk),
                "under_way": bool(due.under_way),  # type: ignore[attr-defined]
                "may_start": not due.under_way  # type: ignore[attr-defined]
                and user.has_perm("evaluations.write_evaluation", due.contract),
            }
        )

    in_progress = selectors.evaluation_list(actor=user).filter(
        status__in=(EvaluationStatus.DRAFT, EvaluationStatus.RELEASED)
    )
    if not sees_all:
        in_progress = in_progress.filter(agency_id=user.agency_id)
    elif agency_id is not None:
        in_progress = in_progress.filter(agency_id=agency_id)
    drafts = in_progress.filter(status=EvaluationStatus.DRAFT)
    released = in_progress.filter(status=EvaluationStatus.RELEASED)
    return render(
        request,
        "evaluations/due.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "sees_all": sees_all,
            "drafts": list(drafts[:UNDER_WAY_SHOWN]),
            "drafts_count": drafts.count(),
            "released": list(released[:UNDER_WAY_SHOWN]),
            "released_count": released.count(),
            "shown": UNDER_WAY_SHOWN,
        },
    )


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """Per agency, the evaluations that fell due: done on time, late, missing, still due
    (seed 000). `?format=xlsx` downloads the same table."""
    user: Any = request.user
    _require(request, "evaluations.view_compliance")
    params = request.GET.copy()
    wants_xlsx = params.pop("format", [""])[-1] == "xlsx"
    params.pop("page", None)
    form = ComplianceFilterForm(params or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    since, until = data.get("since"), data.get("until")
    # "as of" is the signed-in person's today; each agency's row counts in its own zone
    today = timezone.localdate()
    rows = selectors.compliance_table(actor=user, since=since, until=until)
    if wants_xlsx and valid:
        title = "Evaluation compliance" + _period_words(since, until) + f", as of {today:%-d %B %Y}"
        return attachment(
            exporting.compliance_xlsx(rows, title=title),
            content_type=XLSX_TYPE,
            filename=f"evaluation-compliance-{today:%-d %B %Y}.xlsx",
        )
    totals: dict[str, Any] = {
        "due": sum(r.due for r in rows),
        "on_time": sum(r.on_time for r in rows),
        "late": sum(r.late for r in rows),
        "missing": sum(r.missing for r in rows),
    }
    finished = totals["on_time"] + totals["late"] + totals["missing"]
    totals["on_time_percent"] = (
        None if not finished else round(totals["on_time"] * 100 / finished, 1)
    )
    export = params.copy()
    export["format"] = "xlsx"
    return render(
        request,
        "evaluations/compliance.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
            "today": today,
            "sees_all": sees_all_agencies(user),
            "period": _period_words(since, until),
            "xlsx_query": export.urlencode(),
        },
    )


def _period_words(since: date | None, until: date | None) -> str:
    if since and until:
        return f", due {since:%-d %B %Y} to {until:%-d %B %Y}"
    if since:
        return f", due from {since:%-d %B %Y}"
    if until:
        return f", due up to {until:%-d %B %Y}"
    return ""


# ---------------------------------------------------------------- start


@login_required
@require_POST
@application_errors
def evaluation_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the closeout or interim evaluation of a contract (a draft), then rate it."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    _require(request, "evaluations.write_evaluation", contract)
    kind = request.POST.get("kind") or EvaluationKind.CLOSEOUT
    try:
        evaluation = services.evaluation_start(
            actor=user, contract=contract, today=contract.agency.today(), kind=kind
        )
    except (ValidationFailed, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
        return redirect(safe_next(request, reverse("evaluations:due")))
    messages.success(
        request, f"{evaluation.get_kind_display()} of {contract.number} started as a draft."
    )
    return redirect("evaluations:edit", pk=evaluation.pk)


# ---------------------------------------------------------------- one evaluation


def _criteria_rows(evaluation: Evaluation, ratings: list[Any]) -> list[dict[str, Any]]:
    scale = {int(p["value"]): p for p in evaluation.scale}
    by_key = {r.criterion_key: r for r in ratings}
    rows = []
    for criterion in evaluation.criteria:
        rating = by_key.get(criterion["key"])
        value = None if rating is None else rating.rating
        point = scale.get(value) if value is not None else None
        rows.append(
            {
                "key": criterion["key"],
                "label": criterion["label"],
                "weight": criterion["weight"],
                "rating": value,
                "rating_label": point["label"] if point else "",
                "definition": point.get("definition", "") if point else "",
                "narrative": "" if rating is None else rating.narrative,
            }
        )
    return rows


def _score(evaluation: Evaluation, ratings: list[Any]) -> dict[str, Any]:
    """The score and its arithmetic (from the criteria or the contract's metrics), else what
    is missing."""
    return services.arithmetic(evaluation, ratings)


def _shows_internal(user: Any, evaluation: Evaluation) -> bool:
    """Internal evidence (concerns, risk) stays with the agency's own readers: never the
    provider, nor other agencies reading a finalised evaluation."""
    return not user.is_provider_user and user.has_perm(
        "contracts.view_internal", evaluation.contract
    )


def _evaluation_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    """What the detail page and the PDF show of one evaluation."""
    user: Any = request.user
    ratings = selectors.ratings_of(evaluation)
    internal = _shows_internal(user, evaluation)
    evidence = [e for e in evaluation.evidence or [] if internal or not e.get("internal")]
    return {
        "evaluation": evaluation,
        "contract": evaluation.contract,
        "criteria_rows": _criteria_rows(evaluation, ratings),
        "score": _score(evaluation, ratings),
        "evidence": evidence,
        "shows_internal": internal,
        "scale": evaluation.scale,
    }


def _detail_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    user: Any = request.user
    # the evaluation's agency's today: the provider's window closes at midnight there
    today = evaluation.agency.today()
    context = _evaluation_context(request, evaluation)
    versions = selectors.versions(evaluation, user)
    superseded_by = next((v for v in versions if v.supersedes_id == evaluation.pk), None)
    status = evaluation.status
    step = [str(s) for s, _ in STEPS].index(str(status))
    window_open = calc.comment_window_open(
        released_on=evaluation.released_on, comment_due=evaluation.comment_due, today=today
    )
    may_change = user.has_perm("evaluations.change_evaluation", evaluation)
    may_finalise = user.has_perm("evaluations.finalise_evaluation", evaluation)
    is_author = evaluation.author_id is not None and evaluation.author_id == user.pk
    responded = evaluation.acknowledged_on is not None or evaluation.commented_on is not None
    released = status == EvaluationStatus.RELEASED
    # the reviewing official asked to finalise it, and by when (agency staff only)
    to_finalise = (
        selectors.open_due_about(services.FINALISE_KIND, evaluation)
        if released and not user.is_provider_user
        else None
    )
    context.update(
        {
            "today": today,
            "versions": versions,
            "superseded_by": superseded_by,
            "steps": [
                {
                    "label": label,
                    "state": "complete"
                    if i < step or status == EvaluationStatus.FINALISED
                    else "current"
                    if i == step
                    else "",
                }
                for i, (_, label) in enumerate(STEPS)
            ],
            "step_number": step + 1,
            "step_count": len(STEPS),
            "window_open": window_open,
            "can_view_contract": user.has_perm("contracts.view_contract", evaluation.contract),
            "can_edit": may_change and status == EvaluationStatus.DRAFT,
            "can_release": may_change and status == EvaluationStatus.DRAFT,
            "can_finalise": may_finalise
            and released
            and not is_author
            and (responded or not window_open),
            "author_may_not_finalise": may_finalise and released and is_author,
            "to_finalise": to_finalise,
            "can_correct": may_change
            and status == EvaluationStatus.FINALISED
            and superseded_by is None,
            "can_reopen": user.has_perm("evaluations.reopen_evaluation", evaluation)
            and released
            and not responded,
            "can_comment": user.has_perm("evaluations.comment_evaluation", evaluation)
            and status == EvaluationStatus.RELEASED
            and window_open,
            "awaiting_provider": released and not responded and window_open,
        }
    )
    return context


@login_required
@require_GET
@application_errors
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    return render(request, "evaluations/detail.html", _detail_context(request, evaluation))


def _refused(request: HttpRequest, evaluation: Evaluation, exc: ApplicationError) -> HttpResponse:
    """The detail page again, with the service's refusal (and the criteria it names) in an
    error alert at the top."""
    context = _detail_context(request, evaluation)
    labels = {c["key"]: c["label"] for c in evaluation.criteria}
    labels["summary"] = "Overall summary"
    context["refusal"] = {
        "message": exc.message,
        "errors": [
            {"key": key, "label": labels.get(key, key.replace("_", " ").capitalize()), "text": m}
            for key, msgs in exc.errors.items()
            for m in msgs
        ],
    }
    return render(request, "evaluations/detail.html", context, status=exc.status_code)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's ratings (the pack's scale), narratives and summary, with the score worked
    out again after each save."""
    user: Any = request.user
    evaluation = _evaluation(request, pk)
    _require(request, "evaluations.change_evaluation", evaluation)
    if evaluation.status != EvaluationStatus.DRAFT:
        messages.error(
            request,
            "A finalised evaluation cannot be changed; record a correction instead."
            if evaluation.is_final
            else "The evaluation has been released to the provider; its ratings can no longer "
            "change.",
        )
        return redirect(_detail_url(evaluation))
    ratings = selectors.ratings_of(evaluation)
    form = EvaluationForm(request.POST or None, evaluation=evaluation, ratings=ratings)
    add_version_field(form, evaluation)  # the draft's row version, not its correction number
    if request.method == "POST" and form.is_valid():
        try:
            with expecting(evaluation, form_version(form)):
                services.evaluation_update(actor=user, evaluation=evaluation, **form.values())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Evaluation saved.")
            if request.POST.get("then") == "detail":
                return redirect(_detail_url(evaluation))
            return redirect("evaluations:edit", pk=evaluation.pk)
    return render(
        request,
        "evaluations/edit.html",
        {
            "evaluation": evaluation,
            "contract": evaluation.contract,
            "form": form,
            "groups": form.criterion_groups(),
            "score": _score(evaluation, ratings),
            "evidence": evaluation.evidence or [],
            "shows_internal": True,
        },
    )


def _action(request: HttpRequest, pk: int, do: Any, done: str) -> HttpResponse:
    """A POST that moves the evaluation on: success → back to the detail page with `done`
    flashed; a refusal → the detail page with the reason."""
    evaluation = _evaluation(request, pk)
    try:
        do(evaluation)
    except (ValidationFailed, TransitionNotAllowed) as exc:
        return _refused(request, _evaluation(request, pk), exc)
    messages.success(request, done)
    return redirect(_detail_url(evaluation))


@login_required
@require_POST
@application_errors
def evaluation_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda e: services.evaluation_refresh_evidence(
            actor=request.user, evaluation=e, today=e.agency.today()
        ),
        "Evidence gathered again from the contract's records.",
    )


def _released_on(request: HttpRequest) -> date | None:
    """The release day the form sends (blank: today); an unreadable one is refused."""
    text = (request.POST.get("released_on") or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "Give the release date as a date (year-month-day).",
            errors={"released_on": ["A date such as 2026-07-20."]},
        ) from None


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def _confirm_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    heading: str,
    effect: str,
    told: str,
    button: str,
    undo: str = "",
    form: Any = None,
    carry: list[tuple[str, str]] | None = None,
    facts: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """The confirmation step of an action on `evaluation` (core/confirm.html)."""
    contract = evaluation.contract
    return render(
        request,
        "core/confirm.html",
        {
            "heading": heading,
            "facts": [
                ("Evaluation", f"{evaluation.get_kind_display()}, version {evaluation.version}"),
                ("Contract", f"{contract.number}, {contract.title}"),
                ("Provider", evaluation.provider.legal_name),
                *(facts or []),
            ],
            "effect": effect,
            "told": told,
            "undo": undo,
            "button": button,
            "form": form,
            "carry": carry or [],
            "back": _detail_url(evaluation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def evaluation_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release in two steps: the detail page's form (or a GET) shows what releasing does and
    who is told; the POST with `confirm=yes` releases."""
    if _confirmed(request):
        return _action(
            request,
            pk,
            lambda e: services.evaluation_release(
                actor=request.user,
                evaluation=e,
                today=e.agency.today(),
                released_on=_released_on(request),
            ),
            "Released to the provider; the score is fixed and the comment window is open.",
        )
    evaluation = _evaluation(request, pk)
    _require(request, "evaluations.change_evaluation", evaluation)
    if evaluation.status != EvaluationStatus.DRAFT:
        return redirect(_detail_url(evaluation))
    released_on = (request.POST.get("released_on") or "").strip()
    day = _released_on(request) or evaluation.agency.today()
    return _confirm_page(
        request,
        evaluation,
        heading=f"Release the evaluation of {evaluation.contract.number} to the provider",
        facts=[("Released on", f"{day.day} {day:%B %Y}")],
        effect="The score is fixed from the ratings as they stand, and the evaluation goes to "
        "the provider: the due date it answers is met and the provider's comment window opens "
        "from the release day.",
        told="The provider's users are emailed with a link to acknowledge it and comment.",
        undo="If it is released by mistake, the contract manager can reopen it as a draft, with "
        "a reason, until the provider responds.",
        button="Release to the provider",
        carry=[("released_on", released_on)] if released_on else [],
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def evaluation_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    """Finalise in two steps: a GET (or a POST without `confirm=yes`) shows what finalising
    does; the POST with `confirm=yes` finalises."""
    if _confirmed(request):
        return _action(
            request,
            pk,
            lambda e: services.evaluation_finalise(
                actor=request.user, evaluation=e, today=e.agency.today()
            ),
            "Evaluation finalised; it is now shared with every agency.",
        )
    evaluation = _evaluation(request, pk)
    _require(request, "evaluations.finalise_evaluation", evaluation)
    if evaluation.status != EvaluationStatus.RELEASED:
        return redirect(_detail_url(evaluation))
    return _confirm_page(
        request,
        evaluation,
        heading=f"Finalise the evaluation of {evaluation.contract.number}",
        facts=[("Score", str(evaluation.score))],
        effect="The evaluation can no longer change: a mistake found later is put right by a "
        "correction, which makes a new version and keeps this one. It counts for the "
        "contract's renewal and is shared with every agency as the provider's past performance.",
        told="Staff of every agency can read it; the provider's users keep seeing it. No one is "
        "emailed.",
        button="Finalise the evaluation",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def evaluation_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a released evaluation back to draft, with a reason: a GET shows what it does, the
    POST with `confirm=yes` and the reason reopens it (the agency's contract manager)."""
    evaluation = _evaluation(request, pk)
    _require(request, "evaluations.reopen_evaluation", evaluation)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if _confirmed(request) and form.is_valid():
        try:
            services.evaluation_reopen(
                actor=request.user, evaluation=evaluation, reason=form.cleaned_data["reason"]
            )
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect(_detail_url(evaluation))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "The evaluation is a draft again; correct it and release it.")
            return redirect(_detail_url(evaluation))
    return _confirm_page(
        request,
        evaluation,
        heading=f"Reopen the evaluation of {evaluation.contract.number} as a draft",
        effect="The evaluation goes back to draft so its ratings and summary can be corrected "
        "and it can be released again. Its score, release day and the provider's comment "
        "window are cleared (the history keeps them, with your reason); the due date it met is "
        "open again.",
        told="The provider's users are emailed that the evaluation was withdrawn for changes.",
        button="Reopen as a draft",
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def evaluation_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider acknowledges the released evaluation and comments on it."""
    user: Any = request.user
    evaluation = _evaluation(request, pk)
    _require(request, "evaluations.comment_evaluation", evaluation)
    initial = {"comments": evaluation.provider_comments}
    form = CommentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_comment(
                actor=user,
                evaluation=evaluation,
                comments=form.cleaned_data["comments"],
                acknowledge=form.cleaned_data["acknowledge"],
                today=evaluation.agency.today(),
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Thank you: your response is recorded with the evaluation.")
            return redirect(_detail_url(evaluation))
    today = evaluation.agency.today()
    return render(
        request,
        "evaluations/form.html",
        {
            "evaluation": evaluation,
            "form": form,
            "title": f"Respond to the evaluation of {evaluation.contract.number}",
            "intro": (
                f"{evaluation.agency.name} scored this {evaluation.get_kind_display().lower()} "
                f"{evaluation.score}. You may acknowledge it and comment until "
                f"{evaluation.comment_due.day} {evaluation.comment_due:%B %Y}."
                if evaluation.comment_due
                else ""
            ),
            "legend": "Your response",
            "submit": "Send the response",
            "back": _detail_url(evaluation),
            "closed": not calc.comment_window_open(
                released_on=evaluation.released_on, comment_due=evaluation.comment_due, today=today
            )
            or evaluation.status != EvaluationStatus.RELEASED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def evaluation_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a finalised evaluation: a new draft version with the reason; this one stays."""
    user: Any = request.user
    evaluation = _evaluation(request, pk)
    _require(request, "evaluations.change_evaluation", evaluation)
    form = CorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.evaluation_correct(
                actor=user,
                evaluation=evaluation,
                reason=form.cleaned_data["reason"],
                today=evaluation.agency.today(),
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Version {new.version} started as a draft; version {evaluation.version} "
                "stays as it was until this one is finalised.",
            )
            return redirect("evaluations:edit", pk=new.pk)
    return render(
        request,
        "evaluations/form.html",
        {
            "evaluation": evaluation,
            "form": form,
            "title": f"Correct version {evaluation.version} of the evaluation of "
            f"{evaluation.contract.number}",
            "intro": "A finalised evaluation never changes. The correction is a new version with "
            "the same ratings, narratives and evidence for you to change; both versions stay "
            "visible, with the reason.",
            "legend": "The correction",
            "submit": "Start the correction",
            "back": _detail_url(evaluation),
            "closed": False,
        },
    )


@login_required
@require_GET
@application_errors
def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation as a PDF, as the person reading it may see it."""
    evaluation = _evaluation(request, pk)
    context = _evaluation_context(request, evaluation)
    context["generated_on"] = timezone.localdate()
    number = slugify(evaluation.contract.number) or str(evaluation.contract_id)
    filename = f"evaluation-{number}-{evaluation.kind}-v{evaluation.version}.pdf"
    return pdf_response("evaluations/pdf.html", context, filename=filename, request=request)


# ---------------------------------------------------------------- the contract page's panel


def _start_kinds(
    contract: Contract, evaluations: list[Evaluation], open_dues: list[Any]
) -> list[Any]:
    """The kinds of evaluation it makes sense to start now (the service checks again)."""
    kinds = []
    if contract.status in CLOSED_STATUSES and not any(
        e.kind == EvaluationKind.CLOSEOUT for e in evaluations
    ):
        kinds.append(EvaluationKind.CLOSEOUT)
    interim_due = any(d.kind == services.INTERIM_KIND for d in open_dues)
    if interim_due and not any(
        e.kind == EvaluationKind.INTERIM and not e.is_final for e in evaluations
    ):
        kinds.append(EvaluationKind.INTERIM)
    threshold = contract.agency.pack.parsed.renewal.score_threshold
    if (
        contract.status in ("executed", "active")
        and threshold is not None
        and services.renewal_gated(contract)
        and not any(e.kind == EvaluationKind.PRE_RENEWAL and not e.is_final for e in evaluations)
    ):
        # seed 001: at any time, so that the renewal or extension is decided on a score
        kinds.append(EvaluationKind.PRE_RENEWAL)
    return kinds


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The evaluations section of the contract page: the evaluations the person may see, the
    evaluation due and the days left, reports in lieu, renewal eligibility (staff only) and what
    the person may do next."""
    user: Any = request.user
    if not user.has_perm("contracts.view_contract", contract):
        return None
    today = contract.agency.today()
    evaluations = list(selectors.evaluation_list(actor=user, contract_id=contract.pk)[:PANEL_SHOWN])
    open_dues = list(
        contract.due_dates.filter(services.evaluation_due_q(), status=DueDateStatus.OPEN).order_by(
            "due_date", "pk"
        )
    )
    open_due = open_dues[0] if open_dues else None
    staff = is_staff(user)
    in_lieu = list(selectors.in_lieu_list(actor=user, contract_id=contract.pk)[:PANEL_SHOWN])
    renewal = selectors.renewal_status(contract) if staff else None
    can_write = user.has_perm("evaluations.write_evaluation", contract)
    can_in_lieu = (
        user.has_perm("evaluations.submit_in_lieu", contract)
        and contract.status != "draft"
        and not any(r.status == InLieuStatus.SUBMITTED for r in in_lieu)
    )
    can_override = bool(
        renewal is not None
        and user.has_perm("evaluations.override_renewal", contract)
        and not renewal.eligibility.eligible
        and renewal.override is None
        and contract.status in ("executed", "active")
    )
    return render_to_string(
        "evaluations/_contract_panel.html",
        {
            "contract": contract,
            "today": today,
            "evaluations": evaluations,
            "open_due": open_due,
            "in_lieu": in_lieu,
            "renewal": renewal,
            "start_kinds": _start_kinds(contract, evaluations, open_dues) if can_write else [],
            "can_in_lieu": can_in_lieu,
            "can_override": can_override,
        },
        request=request,
    )
