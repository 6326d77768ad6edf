"""Sharing pages (seeds 000 and 001; DOMAIN.md sections 3.2 and 3.3): a provider's past
performance across agencies, the evaluations section of the provider and contract pages,
reports submitted in lieu of the evaluation form and the oversight officer's decision on them,
and a contract's renewal eligibility with the senior manager's override.

The views are thin: the selectors decide what a person may see, the services what they may do;
refusals are shown on the page (never a 500)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from steward.contracts.models import CLOSED_STATUSES, Contract, DueDateStatus
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.rules import visible_providers_q
from steward.core.views import application_errors
from steward.evaluations import selectors, services
from steward.evaluations.forms_sharing import (
    DecisionForm,
    InLieuFilterForm,
    InLieuForm,
    OverrideForm,
)
from steward.evaluations.models import (
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    InLieuStatus,
)
from steward.parties.models import Provider, Role

PAGE_SIZE = 50
QUEUE_SHOWN = 100
SECTION_SHOWN = 5
PANEL_SHOWN = 20


def _sees_all_agencies(user: Any) -> bool:
    return user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER)


def _is_staff(user: Any) -> bool:
    """Agency staff, oversight officers and administrators (not provider users)."""
    return _sees_all_agencies(user) or (bool(user.agency_id) and user.role != Role.PROVIDER_USER)


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not do this.")


# ---------------------------------------------------------------- past performance


@dataclass(frozen=True)
class HistoryRow:
    evaluation: Evaluation
    state: str  # finalised, superseded, released, draft
    label: str
    superseded_by: Evaluation | None = None


def _history_rows(evaluations: list[Evaluation], current: list[Evaluation]) -> list[HistoryRow]:
    """Each evaluation with what it is: shared and current, superseded by a later version, or
    (the person's own agency's) not yet shared."""
    current_ids = {e.pk for e in current}
    successor = {e.supersedes_id: e for e in evaluations if e.supersedes_id and e.is_final}
    rows = []
    for e in evaluations:
        if e.status == EvaluationStatus.FINALISED:
            if e.pk in current_ids:
                rows.append(HistoryRow(e, "finalised", "Finalised, shared"))
            else:
                newer = successor.get(e.pk)
                label = f"Superseded by version {newer.version}" if newer else "Superseded"
                rows.append(HistoryRow(e, "superseded", label, newer))
        elif e.status == EvaluationStatus.RELEASED:
            rows.append(HistoryRow(e, "released", "Released to the provider, not final yet"))
        else:
            rows.append(HistoryRow(e, "draft", "Draft, seen only in the writing agency"))
    return rows


@dataclass(frozen=True)
class ScoreChart:
    """An SVG line of the finalised scores over time (decorative: the data table beside it is
    the accessible form), on a fixed 0–100 axis."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, Decimal]]
    gridlines: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    left: int
    right: int


def _score_chart(history: list[tuple[date, Decimal, Evaluation]]) -> ScoreChart | None:
    if not history:
        return None
    width, height, left, right, top, bottom = 560, 200, 40, 20, 12, 30
    steps = max(len(history) - 1, 1)

    def x(i: int) -> float:
        if len(history) == 1:
            return round(left + (width - left - right) / 2, 1)
        return round(left + (width - left - right) * i / steps, 1)

    def y(v: Decimal | int) -> float:
        return round(top + (height - top - bottom) * (1 - float(v) / 100), 1)

    dots = [(x(i), y(score), score) for i, (_, score, _e) in enumerate(history)]
    # at most eight labels on the time axis, evenly spread; the table has every date
    every = max(1, -(-len(history) // 8))
    labels = [(x(i), f"{day:%b %Y}") for i, (day, _s, _e) in enumerate(history) if i % every == 0]
    return ScoreChart(
        width=width,
        height=height,
        points=" ".join(f"{px},{py}" for px, py, _ in dots),
        dots=dots,
        gridlines=[(y(v), v) for v in (0, 25, 50, 75, 100)],
        x_labels=labels,
        left=left,
        right=width - right,
    )


def _provider(request: HttpRequest, pk: int) -> Provider:
    """The provider if the person may see it (a provider user only their own: 404 otherwise)."""
    provider = Provider.objects.filter(visible_providers_q(request.user), pk=pk).first()
    if provider is None:
        raise Http404("No such provider.")
    return provider


@login_required
@require_GET
@application_errors
def provider_history(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider's past performance across agencies: the finalised evaluations every agency
    shares (and the person's own agency's drafts and released ones, marked), the score over
    time, the average current score and the reports accepted in lieu."""
    provider = _provider(request, pk)
    past = selectors.past_performance(actor=request.user, provider=provider)
    return render(
        request,
        "evaluations/sharing_provider.html",
        {
            "provider": provider,
            "past": past,
            "rows": _history_rows(past.evaluations, past.current),
            "chart": _score_chart(past.history),
            "average": past.average,
            "current_count": len(past.current),
            "sees_all": _sees_all_agencies(request.user),
            "is_provider_user": request.user.role == Role.PROVIDER_USER,  # type: ignore[union-attr]
        },
    )


def provider_section(request: HttpRequest, provider: Provider) -> str:
    """The provider page's section: the latest finalised evaluations and the average current
    score, with a link to the full past performance."""
    user: Any = request.user
    if not (user and user.is_authenticated):
        return ""
    if user.role == Role.PROVIDER_USER and user.provider_id != provider.pk:
        return ""
    past = selectors.past_performance(actor=user, provider=provider)
    current = sorted(past.current, key=lambda e: (e.finalised_on or date.min, e.pk), reverse=True)
    return render_to_string(
        "evaluations/_provider_section.html",
        {
            "provider": provider,
            "latest": current[:SECTION_SHOWN],
            "count": len(current),
            "average": past.average,
            "in_lieu_count": len(past.in_lieu),
        },
        request=request,
    )


# ---------------------------------------------------------------- the contract page's panel


def _start_kinds(contract: Contract, evaluations: list[Evaluation], open_due: Any) -> list[Any]:
    """The kinds of evaluation it makes sense to start now (the service checks again)."""
    kinds = []
    if contract.status in CLOSED_STATUSES and not any(
        e.kind == EvaluationKind.CLOSEOUT for e in evaluations
    ):
        kinds.append(EvaluationKind.CLOSEOUT)
    interim_due = open_due is not None and open_due.rule_key.startswith(services.INTERIM_PREFIX)
    if interim_due and not any(
        e.kind == EvaluationKind.INTERIM and not e.is_final for e in evaluations
    ):
        kinds.append(EvaluationKind.INTERIM)
    return kinds


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The evaluations section of the contract page: the evaluations the person may see, the
    evaluation due and the days left, reports in lieu, renewal eligibility (staff only) and what
    the person may do next."""
    user: Any = request.user
    if not user.has_perm("contracts.view_contract", contract):
        return None
    today = timezone.localdate()
    evaluations = list(selectors.evaluation_list(actor=user, contract_id=contract.pk)[:PANEL_SHOWN])
    open_due = (
        contract.due_dates.filter(services.evaluation_due_q(), status=DueDateStatus.OPEN)
        .order_by("due_date")
        .first()
    )
    staff = _is_staff(user)
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
        and renewal.options_left > 0
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
            "start_kinds": _start_kinds(contract, evaluations, open_due) if can_write else [],
            "can_in_lieu": can_in_lieu,
            "can_override": can_override,
        },
        request=request,
    )


# ---------------------------------------------------------------- reports in lieu (seed 000)


@login_required
@require_GET
def in_lieu_list(request: HttpRequest) -> HttpResponse:
    """Reports in lieu: the oversight officer's queue of reports awaiting a decision across
    agencies first, then the decided ones; agency staff see their own agency's."""
    user: Any = request.user
    if not _is_staff(user):
        raise PermissionDenied("Agency staff and oversight officers see reports in lieu.")
    sees_all = _sees_all_agencies(user)
    form = InLieuFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    qs = selectors.in_lieu_list(actor=user, status=status)
    if not sees_all:
        qs = qs.filter(agency_id=user.agency_id)
    show_queue = status in ("", InLieuStatus.SUBMITTED)
    queue: list[Any] = []
    queue_count = 0
    if show_queue:
        waiting = qs.filter(status=InLieuStatus.SUBMITTED).order_by("submitted_on", "id")
        queue = list(waiting[:QUEUE_SHOWN])
        queue_count = len(queue) if len(queue) < QUEUE_SHOWN else waiting.count()
        rest = qs.exclude(status=InLieuStatus.SUBMITTED)
    else:
        rest = qs
    page = Paginator(rest.order_by("-submitted_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluations/in_lieu_list.html",
        {
            "form": form,
            "queue": queue,
            "queue_count": queue_count,
            "show_queue": show_queue,
            "page": page,
            "sees_all": sees_all,
            "can_decide": user.has_perm("evaluations.decide_in_lieu"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def in_lieu_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a report card or quality-assurance report in lieu of the evaluation form."""
    user: Any = request.user
    contract = selectors.visible_contract(user, pk)
    _require(request, "evaluations.submit_in_lieu", contract)
    form = InLieuForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            report = services.in_lieu_submit(
                actor=user,
                contract=contract,
                kind=d["kind"],
                title=d["title"],
                summary=d["summary"],
                link=d["link"],
                upload=d["file"] or None,
                today=timezone.localdate(),
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, "Report submitted; the oversight officer will accept or reject it."
            )
            return redirect("evaluations:in_lieu", pk=report.pk)
    open_due = (
        contract.due_dates.filter(services.evaluation_due_q(), status=DueDateStatus.OPEN)
        .order_by("due_date")
        .first()
    )
    return render(
        request,
        "evaluations/in_lieu_form.html",
        {"form": form, "contract": contract, "open_due": open_due},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def in_lieu_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report in lieu, and the oversight officer's decision on it."""
    user: Any = request.user
    report = selectors.in_lieu_get(actor=user, pk=pk)
    can_decide = user.has_perm("evaluations.decide_in_lieu", report)
    open_for_decision = report.status == InLieuStatus.SUBMITTED
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied("Only the oversight officer decides on reports in lieu.")
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                services.in_lieu_decide(
                    actor=user,
                    report=report,
                    accept=accept,
                    reason=form.cleaned_data["reason"],
                    today=timezone.localdate(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Report accepted in lieu of the evaluation."
                    if accept
                    else "Report rejected; the agency can read your reason.",
                )
                return redirect("evaluations:in_lieu", pk=report.pk)
    return render(
        request,
        "evaluations/in_lieu_detail.html",
        {
            "report": report,
            "form": form if can_decide and open_for_decision else None,
        },
    )


@login_required
@require_GET
@application_errors
def in_lieu_file(request: HttpRequest, pk: int) -> FileResponse:
    """Send a report's file as an attachment to whoever may see the report."""
    report = selectors.in_lieu_get(actor=request.user, pk=pk)
    if not report.file:
        raise Http404("This report has no file; it is given as a link.")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The report file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=report.original_name or "report",
        content_type=report.content_type or "application/octet-stream",
    )


# ---------------------------------------------------------------- renewal eligibility (seed 001)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def renewal(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's renewal eligibility explained (score, the pack's threshold, the reason,
    options left, an override on record) and, for a senior manager of the agency, the override
    form."""
    user: Any = request.user
    contract = selectors.visible_contract(user, pk)
    if not _is_staff(user):
        raise PermissionDenied("Renewal eligibility is for agency staff.")
    status = selectors.renewal_status(contract)
    may_override = user.has_perm("evaluations.override_renewal", contract)
    needs_override = (
        not status.eligibility.eligible
        and status.options_left > 0
        and status.override is None
        and contract.status in ("executed", "active")
    )
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        if not may_override:
            raise PermissionDenied("A senior manager of the agency records renewal overrides.")
        if form.is_valid():
            try:
                services.renewal_override_record(
                    actor=user,
                    contract=contract,
                    justification=form.cleaned_data["justification"],
                    today=timezone.localdate(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Override recorded: renewal option {contract.renewals_exercised + 1} of "
                    f"{contract.number} may be exercised.",
                )
                return redirect("evaluations:renewal", pk=contract.pk)
    latest = selectors.evaluation_list(
        actor=user, contract_id=contract.pk, status=EvaluationStatus.FINALISED
    ).first()
    pack = contract.agency.pack
    return render(
        request,
        "evaluations/renewal.html",
        {
            "contract": contract,
            "status": status,
            "pack": pack,
            "source": pack.parsed.renewal.source,
            "latest": latest,
            "next_option": contract.renewals_exercised + 1,
            "form": form if may_override and needs_override else None,
            "may_override": may_override,
            "can_exercise": user.has_perm("contracts.amend_contract", contract),
        },
    )
