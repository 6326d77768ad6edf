"""Procurement pages: solicitations and their procurement file (agency and bidder views),
placements and early termination of a contract, and the procurement panel of the contract
page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts.models import Contract, ContractStatus, DueDateStatus
from steward.core.concurrency import expecting
from steward.core.errors import NotFoundError, TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.pdf import render_pdf
from steward.core.views import application_errors
from steward.parties.letterhead import letterhead
from steward.parties.models import Provider, User
from steward.procurement import calc, services, services_placements
from steward.procurement import forms as f
from steward.procurement.models import (
    HOLDS_A_PLACE,
    ContractCapacity,
    DelegatedLimit,
    Placement,
    Solicitation,
    TerminationReview,
)
from steward.procurement.selectors import (
    appeal_get,
    bid_for_page,
    bid_get,
    bids_visible,
    debriefing_due_dates,
    debriefing_for_page,
    solicitation_get,
    solicitation_list,
)
from steward.procurement.services_compliance import procurement_problems


def _ok(request: HttpRequest, message: str) -> None:
    messages.success(request, message)


#: the session key of the input of a refused action, given back to the page it came from
KEPT_INPUT = "steward_kept_input"


def kept_input(request: HttpRequest, prefix: str = "", **defaults: Any) -> dict[str, Any]:
    """The initial values of a form of this page: `defaults`, overlaid with what the person
    typed in the fields of the form with `prefix` before their action was refused."""
    kept = getattr(request, "_kept_input", None)
    if kept is None:
        stored = request.session.pop(KEPT_INPUT, None) if hasattr(request, "session") else None
        kept = stored["data"] if stored and stored.get("url") == request.path else {}
        request._kept_input = kept  # type: ignore[attr-defined]
    start = f"{prefix}-" if prefix else ""
    mine = {
        k[len(start) :]: v
        for k, v in kept.items()
        if (k.startswith(start) if prefix else "-" not in k)
    }
    return {**defaults, **mine}


def back_on_refusal(url_name: str, key: str) -> Any:
    """Decorator for POST-only actions: a refusal (ValidationFailed, TransitionNotAllowed) is
    flashed with its reason and the person is sent back to the page `url_name` (kwarg `key`);
    403 and 404 pass through to `application_errors`."""

    def wrap(view: Any) -> Any:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except (ValidationFailed, TransitionNotAllowed) as exc:
                messages.error(request, exc.message)
                target = reverse(url_name, kwargs={key: kwargs[key]})
                # what the person typed comes back in the form they typed it in (issue 21)
                request.session[KEPT_INPUT] = {
                    "url": target,
                    "data": {
                        k: v
                        for k, v in request.POST.items()
                        if k not in ("csrfmiddlewaretoken", "confirm", "version")
                        and not k.endswith("-version")
                    },
                }
                return redirect(target)

        return inner

    return wrap


@login_required
def solicitation_index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    page = Paginator(solicitation_list(actor=user), 50).get_page(request.GET.get("page"))
    can_add = bool(user.agency_id and user.has_perm("procurement.manage_solicitation", user.agency))
    # seed 003: the placements (where a category C referral starts) and Finance's notices are
    # reached from here; without these links they were reachable only by typing their address
    placements = bool(user.agency_id and user.has_perm("procurement.view_placements", user.agency))
    return render(
        request,
        "procurement/solicitation_list.html",
        {"page": page, "can_add": can_add, "placements": placements},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def solicitation_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.agency_id and user.has_perm("procurement.manage_solicitation", user.agency)):
        raise PermissionDenied
    form = f.SolicitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        criteria = data.pop("criteria")
        try:
            solicitation = services.solicitation_create(
                actor=user, agency=user.agency, data=data, criteria=criteria
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            _ok(request, f"Solicitation {solicitation.reference} created.")
            return redirect("procurement:detail", pk=solicitation.pk)
    threshold = user.agency.pack.parsed.tender
    return render(
        request, "procurement/solicitation_form.html", {"form": form, "tender": threshold}
    )


def _file_context(
    request: HttpRequest, solicitation: Any, focus: int | None = None
) -> dict[str, Any]:
    """What the procurement file shows `request.user`; `focus` is the bid the page was opened
    for (from a work list), shown first."""
    user: Any = request.user
    agency_view = user.has_perm("procurement.view_scores", solicitation)
    bids = list(bids_visible(actor=user, solicitation=solicitation))
    if focus is not None:
        bids.sort(key=lambda b: b.pk != focus)
    criteria = list(solicitation.criteria.all())
    ranking = services.solicitation_ranking(solicitation)
    # the agency's today, for its staff and its bidders alike
    today = solicitation.agency.today()
    dues = debriefing_due_dates(bids)
    rows = []
    for bid in bids:
        notice = getattr(bid, "notice", None)
        request_ = getattr(bid, "debriefing_request", None)
        meeting = getattr(request_, "meeting", None) if request_ else None
        ranked = next((r for r in ranking if r.bid_id == bid.pk), None)
        request_due = dues.get(("debriefing_request", bid.pk))
        appeal_due = dues.get(("bid_appeal", bid.pk))
        meeting_due = dues.get(("debriefing_meeting", request_.pk)) if request_ else None
        rows.append(
            {
                "bid": bid,
                "notice": notice,
                "request": request_,
                "meeting": meeting,
                "appeals": list(bid.appeals.all()),
                "ranked": ranked,
                # what the debriefing releases to the bidder: its own scores and rank
                "released": agency_view or meeting is not None,
                # the dates of the bid's due dates (worked out again for older records)
                "request_due": request_due.due_date
                if request_due
                else services.window_due(solicitation, "debriefing_request", notice.notified_on)
                if notice
                else None,
                "request_open": bool(request_due and request_due.status == DueDateStatus.OPEN),
                "meeting_open": bool(meeting_due and meeting_due.status == DueDateStatus.OPEN),
                "appeal_due": appeal_due.due_date
                if appeal_due
                else services.appeal_due(bid, solicitation=solicitation, held_on=meeting.held_on)
                if meeting
                else None,
                "appeal_open": bool(appeal_due and appeal_due.status == DueDateStatus.OPEN),
            }
        )
    return {
        "solicitation": solicitation,
        "agency_view": agency_view,
        "can_manage": user.has_perm("procurement.manage_solicitation", solicitation),
        "rows": rows,
        "criteria": criteria,
        "ranking": ranking if agency_view else [],
        "tie_rule": calc.TIE_RULE,
        "today": today,
        "bid_count": len(ranking),
    }


@login_required
@application_errors
def solicitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_page(request, solicitation_get(actor=request.user, pk=pk))


@login_required
@application_errors
def bid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The procurement file opened at one bid: where the bidder asks for a debriefing and
    appeals (the page its work list links to)."""
    bid = bid_for_page(actor=request.user, pk=pk)
    return _file_page(request, bid.solicitation, focus=bid.pk)


@login_required
@application_errors
def debriefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The procurement file opened at one debriefing request: where the agency records the
    meeting (the page its work list links to)."""
    debriefing = debriefing_for_page(actor=request.user, pk=pk)
    return _file_page(request, debriefing.bid.solicitation, focus=debriefing.bid_id)


def _file_page(request: HttpRequest, solicitation: Any, focus: int | None = None) -> HttpResponse:
    context = _file_context(request, solicitation, focus=focus)
    if context["can_manage"]:
        bids = [r["bid"] for r in context["rows"]]
        taken = {b.provider_id for b in bids}
        context.update(
            bid_form=f.BidForm(
                providers=Provider.objects.exclude(pk__in=taken).order_by("legal_name"),
                prefix="bid",
                initial=kept_input(request, "bid"),
            ),
            score_form=f.ScoreForm(
                bids=bids,
                criteria=context["criteria"],
                prefix="score",
                initial=kept_input(request, "score"),
            ),
            award_form=f.AwardForm(bids=bids, prefix="award", initial=kept_input(request, "award")),
            notify_form=f.DateForm(
                initial=kept_input(request, "notify", on=context["today"]), prefix="notify"
            ),
            windows_form=f.WindowsForm(
                initial={
                    **kept_input(
                        request,
                        "windows",
                        request_days=solicitation.debriefing_request_days,
                        meeting_days=solicitation.debriefing_meeting_days,
                    ),
                    "version": solicitation.version,
                },
                prefix="windows",
            ),
            meeting_form=f.MeetingForm(initial=kept_input(request, held_on=context["today"])),
            appeal_form=f.AppealForm(initial=kept_input(request)),
            decision_form=f.DecisionForm(initial=kept_input(request, decided_on=context["today"])),
        )
    else:
        context["appeal_form"] = f.AppealForm(initial=kept_input(request))
    from steward.procurement.views_file import file_context

    context.update(file_context(request, solicitation, context["rows"]))
    return render(request, "procurement/solicitation_detail.html", context)


def _confirm(
    request: HttpRequest,
    solicitation: Any,
    action: str,
    *,
    heading: str,
    facts: list[tuple[str, str]],
    effect: str,
    told: str,
) -> HttpResponse:
    """The confirmation step of a solicitation's `action` (issue 21): what it does and who is
    told, the fields posted carried as hidden inputs, and Cancel back to the solicitation."""
    carry = [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirm")]
    return render(
        request,
        "core/confirm.html",
        {
            "heading": heading,
            "facts": facts,
            "effect": effect,
            "told": told,
            "button": "Send the notices" if action == "notify" else "Award",
            "carry": carry,
            "action": reverse("procurement:action", args=[solicitation.pk, action]),
            "back": reverse("procurement:detail", args=[solicitation.pk]),
        },
    )


@login_required
@require_POST
@application_errors
@back_on_refusal("procurement:detail", "pk")
def solicitation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    solicitation = solicitation_get(actor=user, pk=pk)
    bids = list(solicitation.bids.select_related("provider"))
    if action == "bid":
        data = f.parsed(f.BidForm(request.POST, providers=Provider.objects.all(), prefix="bid"))
        services.bid_record(actor=user, solicitation=solicitation, **data)
        _ok(request, "Bid recorded.")
    elif action == "score":
        data = f.parsed(
            f.ScoreForm(
                request.POST, bids=bids, criteria=solicitation.criteria.all(), prefix="score"
            )
        )
        bid = next(b for b in bids if b.pk == data["bid"])
        criterion = solicitation.criteria.get(pk=data["criterion"])
        services.score_record(actor=user, bid=bid, criterion=criterion, score=data["score"])
        _ok(request, "Score recorded.")
    elif action == "award":
        data = f.parsed(f.AwardForm(request.POST, bids=bids, prefix="award"))
        # popped once, outside the search (popped inside it, every bid after the first failed)
        bid_pk, reason = data.pop("bid"), data.pop("reason")
        bid = next(b for b in bids if b.pk == bid_pk)
        if request.POST.get("confirm") != "yes":
            return _confirm(
                request,
                solicitation,
                action,
                heading=f"Award solicitation {solicitation.reference} to {bid.provider}",
                facts=[
                    ("Solicitation", f"{solicitation.reference}, {solicitation.title}"),
                    ("Winning bid", str(bid.provider)),
                    ("Draft contract", f"{data.get('number', '')}, {data.get('title', '')}"),
                    *([("Reason", reason)] if reason else []),
                ],
                effect="The solicitation is awarded to this bid and cannot be awarded again; "
                "a draft contract is created from the bid (its provider and maximum "
                "obligation), to be completed and executed.",
                told="No one is emailed now: the bidders are told when you send the notices "
                "after the contract is executed.",
            )
        contract = services.solicitation_award(
            actor=user, solicitation=solicitation, bid=bid, contract_data=data, reason=reason
        )
        _ok(request, f"Awarded to {bid.provider}; contract {contract.number} created as a draft.")
    elif action == "notify":
        data = f.parsed(f.DateForm(request.POST, prefix="notify"))
        if request.POST.get("confirm") != "yes":
            return _confirm(
                request,
                solicitation,
                action,
                heading=f"Send the notices of solicitation {solicitation.reference}",
                facts=[
                    ("Solicitation", f"{solicitation.reference}, {solicitation.title}"),
                    ("Notices dated", f"{data['on'].day} {data['on']:%B %Y}"),
                    ("Bidders", str(len(bids))),
                ],
                effect="Every bidder is sent a dated notice of the contract's execution; each "
                "unsuccessful bidder's window to ask for a debriefing opens from that date. "
                "Notices are not withdrawn.",
                told=f"Every bidder's users ({len(bids)} bidder{'s' if len(bids) != 1 else ''}) "
                "are emailed their notice.",
            )
        count = services.notices_send(actor=user, solicitation=solicitation, notified_on=data["on"])
        _ok(request, f"{count} bidders notified.")
    elif action == "windows":
        data = f.parsed(f.WindowsForm(request.POST, prefix="windows"))
        # a stale change (someone else changed the solicitation since the page was read) is
        # refused, flashed with who changed what (docs/security.md §6)
        with expecting(solicitation, data.pop("version", None)):
            services.solicitation_change_windows(actor=user, solicitation=solicitation, **data)
        _ok(request, "Debriefing windows changed.")
    else:
        raise NotFoundError("No such action.")
    return redirect("procurement:detail", pk=pk)


@login_required
@require_POST
@application_errors
@back_on_refusal("procurement:detail", "pk")
def bid_action(request: HttpRequest, pk: int, bid_pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    solicitation = solicitation_get(actor=user, pk=pk)
    bid = bid_get(actor=user, solicitation=solicitation, pk=bid_pk)
    staff = user.has_perm("procurement.manage_solicitation", solicitation)
    if action == "debriefing":
        on = f.parsed(f.ReceivedForm(request.POST))["on"] if staff else None
        services.debriefing_request(actor=user, bid=bid, requested_on=on)
        _ok(request, "Debriefing request recorded." if staff else "Debriefing requested.")
    elif action == "schedule":
        data = f.parsed(f.ScheduleForm(request.POST))
        services.debriefing_schedule(actor=user, request=bid.debriefing_request, **data)
        _ok(request, "Debriefing meeting scheduled.")
    elif action == "meeting":
        data = f.parsed(f.MeetingForm(request.POST))
        services.debriefing_meeting_record(actor=user, request=bid.debriefing_request, **data)
        _ok(request, "Debriefing recorded in the procurement file.")
    elif action == "appeal":
        data = f.parsed(f.AppealForm(request.POST))
        on = f.parsed(f.ReceivedForm(request.POST))["on"] if staff else None
        appeal = services.appeal_lodge(actor=user, bid=bid, lodged_on=on, **data)
        _ok(
            request,
            f"Appeal kept in the file and refused: {appeal.decision}"
            if appeal.status == "refused"
            else "Appeal recorded."
            if staff
            else "Appeal lodged.",
        )
    else:
        raise NotFoundError("No such action.")
    return redirect("procurement:detail", pk=pk)


@login_required
@require_POST
@application_errors
@back_on_refusal("procurement:detail", "pk")
def appeal_decide(request: HttpRequest, pk: int, appeal_pk: int) -> HttpResponse:
    user: Any = request.user
    solicitation = solicitation_get(actor=user, pk=pk)
    appeal = appeal_get(actor=user, solicitation=solicitation, pk=appeal_pk)
    data = f.parsed(f.DecisionForm(request.POST))
    services.appeal_decide(actor=user, appeal=appeal, **data)
    _ok(request, "Decision recorded.")
    return redirect("procurement:detail", pk=pk)


@login_required
@require_POST
@application_errors
def solicitation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Start making the whole procurement file as one PDF (agency readers only): a background
    job (`steward.procurement.jobs`); the answer is at once, the job's page follows it and
    offers the file when it is made."""
    from steward.procurement.jobs import file_pdf_start

    user: Any = request.user
    solicitation = solicitation_get(actor=user, pk=pk)
    job = file_pdf_start(actor=user, solicitation=solicitation)
    return redirect("core:job", pk=job.pk)


def file_pdf(actor: Any, solicitation: Any, progress: Callable[[int], None] | None = None) -> bytes:
    """The procurement file of `solicitation` as `actor` reads it (its bids, scores per
    criterion per evaluator, debriefings and appeals), under the agency's letterhead, as PDF
    bytes. `progress(rows)` is told how many bids were gathered before the PDF is drawn.
    PermissionDenied unless `actor` may read the scores."""
    from steward.procurement.models import BidScore

    if not actor.has_perm("procurement.view_scores", solicitation):
        raise PermissionDenied
    request = HttpRequest()
    request.user = actor
    context = _file_context(request, solicitation)
    context["scores"] = BidScore.objects.filter(bid__solicitation=solicitation).select_related(
        "bid__provider", "criterion", "evaluator"
    )
    context["letterhead"] = letterhead(solicitation.agency)
    if progress is not None:
        progress(len(context["rows"]))
    return render_pdf("procurement/file_pdf.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def delegated_limits(request: HttpRequest) -> HttpResponse:
    """seed 003: the delegated limits of the agency's staff (contract managers set them)."""
    user: Any = request.user
    if not user.agency_id or not user.has_perm("procurement.view_placements", user.agency):
        raise PermissionDenied
    staff = User.objects.filter(agency_id=user.agency_id).order_by("last_name", "username")
    can_set = user.has_perm("procurement.set_limit", user.agency)
    form = f.LimitForm(request.POST or None, staff=staff)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                services_placements.delegated_limit_set(
                    actor=user, user=form.cleaned_data["person"], amount=form.cleaned_data["amount"]
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                _ok(request, "Delegated limit recorded.")
                return redirect("procurement:limits")
    limits = DelegatedLimit.objects.filter(user__agency_id=user.agency_id).select_related("user")
    return render(
        request,
        "procurement/limits.html",
        {
            "limits": limits,
            "form": form,
            "can_set": can_set,
            "currency": user.agency.pack.parsed.currency,
        },
    )


# ------------------------------------------------------------------ the panel on the contract page


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The procurement section of the contract page: the solicitation it came from, placements
    and occupancy, early termination. None for people who may not see placements (providers)."""
    if not request.user.has_perm("procurement.view_placements", contract):
        return None
    return render_to_string(
        "procurement/contract_panel.html",
        {
            "contract": contract,
            "solicitation": Solicitation.objects.filter(contract=contract).first(),
            "open_count": Placement.objects.filter(
                contract=contract, status__in=HOLDS_A_PLACE
            ).count(),
            "capacity": ContractCapacity.objects.filter(contract=contract).first(),
            "review": TerminationReview.objects.filter(contract=contract).first(),
            "procurement_problems": procurement_problems(contract)
            if contract.status == ContractStatus.DRAFT
            else [],
        },
        request=request,
    )
