"""Placement pages (seed 003): a contract's placements (categories A and B), the agency's
placements and the referral to the Resource Allocation Group, one placement with a page for
each step of its chain, Finance's notices, and early termination of a contract.

The pages that read personal data about a child (case reference, specification of need,
outcomes, reviews): `placement_detail` and `placement_step` (for people with
procurement.view_child_details), `agency_placements` and `placements` (case references)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts.models import Contract, ContractStatus
from steward.core.concurrency import expecting
from steward.core.errors import NotFoundError, TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.pdf import pdf_response
from steward.core.views import application_errors
from steward.parties.access_log import PLACEMENT_PERSONAL_FIELDS, personal_data_read
from steward.parties.letterhead import letterhead
from steward.procurement import forms as f
from steward.procurement import services_placements as services
from steward.procurement.models import (
    HOLDS_A_PLACE,
    ContractCapacity,
    FinanceNotification,
    Placement,
    PlacementStatus,
    TerminationReview,
    TerminationStatus,
)
from steward.procurement.selectors import placement_contract_get, placements_for

S = PlacementStatus
#: step → (the status it acts on, the permission, the button, the form's legend)
STEPS: dict[str, tuple[str, str, str, str]] = {
    "authorise": (
        S.AWAITING_AUTHORISATION,
        "procurement.authorise_placement",
        "Authorise within my delegated limit",
        "Authorise the placement (category B)",
    ),
    "decide": (
        S.REFERRED,
        "procurement.record_rag_decision",
        "Record the decision",
        "The Resource Allocation Group's decision",
    ),
    "specify": (
        S.AWAITING_SPECIFICATION,
        "procurement.specify_placement",
        "Give the specification to the contract manager",
        "Individual specification of need (Schedule C)",
    ),
    "issue": (
        S.AWAITING_CONTRACT,
        "procurement.issue_placement_contract",
        "Issue the contract",
        "Issue the contract against the model terms",
    ),
    "signed": (
        S.AWAITING_SIGNATURE,
        "procurement.issue_placement_contract",
        "Record the signature",
        "The contract is signed",
    ),
    "outcome": (
        S.ACTIVE,
        "procurement.specify_placement",
        "Add the outcome",
        "Another outcome for the child",
    ),
    "review": (
        S.ACTIVE,
        "procurement.follow_placement",
        "Record the review",
        "Placement review",
    ),
    "end": (
        S.ACTIVE,
        "procurement.follow_placement",
        "End and send the proforma",
        "End the placement (termination proforma to Finance and the contract manager)",
    ),
    "move": (
        S.ACTIVE,
        "procurement.follow_placement",
        "Move the placement",
        "Move the placement to another contract",
    ),
}


def _ok(request: HttpRequest, message: str) -> None:
    messages.success(request, message)


def _placement(user: Any, pk: int) -> Placement:
    placement = (
        Placement.objects.select_related(
            "agency__pack",
            "contract__provider",
            "provider",
            "key_worker",
            "reviewing_officer",
            "lead_professional",
            "authorised_by",
        )
        .filter(pk=pk)
        .first()
    )
    if placement is None or not user.has_perm("procurement.view_placements", placement):
        raise NotFoundError("No such placement.")
    return placement


def _live_contracts(placement: Placement, category: str) -> Any:
    return (
        Contract.objects.filter(
            agency_id=placement.agency_id,
            authority_category=category,
            status__in=(ContractStatus.EXECUTED, ContractStatus.ACTIVE),
        )
        .exclude(pk=placement.contract_id or 0)
        .select_related("provider")
        .order_by("number")
    )


def _step_form(step: str, placement: Placement, data: Any = None) -> Any:
    today = placement.agency.today()
    if step == "authorise":
        return None
    if step == "decide":
        return f.RagDecisionForm(data, initial={"decided_on": today})
    if step == "specify":
        return f.SpecificationForm(data, initial={"needs": placement.needs})
    if step == "issue":
        contracts = _live_contracts(placement, "C")
        if placement.provider_id:
            contracts = contracts.filter(provider_id=placement.provider_id)
        return f.IssueForm(data, contracts=contracts)
    if step == "signed":
        return f.SignedForm(data, initial={"signed_on": today})
    if step == "outcome":
        return f.OutcomeForm(data)
    if step == "review":
        return f.ReviewForm(data, outcomes=placement.outcomes.all(), initial={"held_on": today})
    if step == "end":
        return f.PlacementEndForm(data, initial={"ended_on": today})
    if step == "move":
        return f.MoveForm(
            data,
            contracts=_live_contracts(placement, placement.category),
            initial={"moved_on": today},
        )
    raise NotFoundError("No such step.")


def _do(step: str, user: Any, placement: Placement, form: Any) -> str:
    """Run the step's service with the form's data; return the message to show."""
    today = placement.agency.today()
    data = form.cleaned_data if form is not None else {}
    if step == "authorise":
        services.placement_authorise(actor=user, placement=placement, today=today)
        return "Placement authorised; Finance is told of its dates."
    if step == "decide":
        services.placement_rag_decide(actor=user, placement=placement, **data)
        if data["place"]:
            return "Decision recorded; the key worker owes the specification of need."
        return "Decision recorded: the child is not placed."
    if step == "specify":
        outcome = {k: data[k] for k in ("outcome", "plan_kind", "plan_reference", "responsibility")}
        outcome["milestones"] = data.get("milestones", "")
        services.placement_specify(
            actor=user,
            placement=placement,
            needs=data["needs"],
            support=data["support"],
            review_dates=data["review_dates"],
            outcomes=[outcome],
            today=today,
        )
        return "Specification given; the contract manager owes the contract."
    if step == "issue":
        services.placement_contract_issue(actor=user, placement=placement, today=today, **data)
        return (
            "Contract issued: a copy to the provider, emailed to the key worker, the reviewing "
            "officer and the group's administrator."
        )
    if step == "signed":
        services.placement_contract_signed(
            actor=user, placement=placement, signed_on=data["signed_on"], today=today
        )
        return "Signature recorded; the key worker and Finance are told."
    if step == "outcome":
        services.outcome_add(actor=user, placement=placement, data=data)
        return "Outcome added."
    if step == "review":
        services.placement_review_record(
            actor=user,
            placement=placement,
            held_on=data["held_on"],
            progress=form.progress(),
            actions=data["actions"],
        )
        return "Review recorded."
    if step == "end":
        services.placement_end(actor=user, placement=placement, today=today, **data)
        return "Placement ended; termination proforma sent to Finance and the contract manager."
    if step == "move":
        moved = services.placement_move(actor=user, placement=placement, today=today, **data)
        return f"Placement moved to {moved.contract}; its proforma went to Finance."
    raise NotFoundError("No such step.")


def _steps_for(user: Any, placement: Placement) -> list[str]:
    return [
        step
        for step, (status, perm, _, _) in STEPS.items()
        if placement.status == status and user.has_perm(perm, placement)
    ]


def _detail(request: HttpRequest, placement: Placement, step: str = "", form: Any = None) -> Any:
    user: Any = request.user
    child = user.has_perm("procurement.view_child_details", placement)
    personal_data_read(
        actor=user,
        kind="placement",
        records=[placement],
        fields=(*PLACEMENT_PERSONAL_FIELDS, "outcomes", "reviews")
        if child
        else ("case_reference",),
        path=request.path,
        agency_id=placement.agency_id,
    )
    steps = _steps_for(user, placement)
    shown = [step] if step else steps
    forms = []
    for name in shown:
        _status, _perm, button, legend = STEPS[name]
        forms.append(
            {
                "step": name,
                "form": form
                if (name == step and form is not None)
                else _step_form(name, placement),
                "button": button,
                "legend": legend,
            }
        )
    return render(
        request,
        "procurement/placement.html",
        {
            "placement": placement,
            "child": child,
            "step_forms": forms,
            "step": step,
            "step_title": STEPS[step][3] if step else "",
            "steps": steps,
            "outcomes": placement.outcomes.all() if child else [],
            "reviews": placement.reviews.prefetch_related("outcomes__outcome").select_related(
                "recorded_by"
            )
            if child
            else [],
            "notices": placement.notifications.all(),
            "currency": placement.agency.pack.parsed.currency,
            "today": placement.agency.today(),
        },
    )


@login_required
@application_errors
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One placement: where it is in its chain, the people, the notices kept, and (for the
    people who work with the child) its specification, outcomes and reviews."""
    return _detail(request, _placement(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def placement_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of a placement's chain (seed 003), as its own page: GET shows its form, POST
    runs it. 403 for people who may not take it; a refusal is shown on the form."""
    user: Any = request.user
    placement = _placement(user, pk)
    if step not in STEPS:
        raise NotFoundError("No such step.")
    status, perm, _, _ = STEPS[step]
    if not user.has_perm(perm, placement):
        raise PermissionDenied
    if placement.status != status:
        messages.error(request, "This step is not open for this placement.")
        return redirect("procurement:placement", pk=placement.pk)
    form = _step_form(step, placement, request.POST if request.method == "POST" else None)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            message = _do(step, user, placement, form)
        except (ValidationFailed, TransitionNotAllowed) as exc:
            if form is None:
                messages.error(request, exc.message)
                return redirect("procurement:placement", pk=placement.pk)
            apply_errors(form, exc)
        else:
            _ok(request, message)
            return redirect("procurement:placement", pk=placement.pk)
    return _detail(request, placement, step, form)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def agency_placements(request: HttpRequest) -> HttpResponse:
    """The agency's placements in progress and running (case references only), and the lead
    professional's referral to the Resource Allocation Group (category C)."""
    user: Any = request.user
    if not user.agency_id or not user.has_perm("procurement.view_placements", user.agency):
        raise PermissionDenied
    agency = user.agency
    can_refer = user.has_perm("procurement.refer_placement", agency)
    form = f.ReferralForm(request.POST or None, agency=agency)
    if request.method == "POST":
        if not can_refer:
            raise PermissionDenied
        if form.is_valid():
            try:
                placement = services.placement_refer(
                    actor=user, agency=agency, data=form.cleaned_data
                )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                _ok(request, "Referred; the group's administrator will record its decision.")
                return redirect("procurement:placement", pk=placement.pk)
    rows = list(
        Placement.objects.filter(agency=agency)
        .exclude(status__in=(S.ENDED, S.DECLINED))
        .select_related("contract", "key_worker")
        .order_by("start_date", "pk")[:200]
    )
    personal_data_read(
        actor=user,
        kind="placement",
        records=rows,
        fields=("case_reference",),
        path=request.path,
        agency_id=agency.pk,
    )
    return render(
        request,
        "procurement/agency_placements.html",
        {"placements": rows, "form": form, "can_refer": can_refer},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def placements(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """A contract's placements and occupancy; categories A and B are placed here."""
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    can_manage = user.has_perm("procurement.manage_placements", contract)
    form = f.PlacementForm(
        request.POST or None,
        agency=contract.agency,
        initial={"category": contract.authority_category},
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                placement = services.placement_create(
                    actor=user, contract=contract, data=form.cleaned_data
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                if placement.status == S.ACTIVE:
                    _ok(request, "Placement recorded; Finance is told of its dates.")
                else:
                    _ok(request, "Placement recorded; it waits for a budget holder's authority.")
                return redirect("procurement:placements", contract_pk=contract.pk)
    rows = list(placements_for(contract))
    personal_data_read(
        actor=user,
        kind="placement",
        records=rows,
        fields=PLACEMENT_PERSONAL_FIELDS,
        path=request.path,
        agency_id=contract.agency_id,
    )
    capacity = ContractCapacity.objects.filter(contract=contract).first()
    occupied = sum(1 for p in rows if p.status in HOLDS_A_PLACE)
    return render(
        request,
        "procurement/placements.html",
        {
            "contract": contract,
            "placements": rows,
            "form": form,
            "can_manage": can_manage and contract.authority_category in ("A", "B"),
            "can_set_capacity": can_manage,
            "capacity": capacity,
            "occupied": occupied,
            "capacity_form": f.CapacityForm(
                initial={
                    "places": capacity.places if capacity else None,
                    "version": capacity.version if capacity else None,
                }
            ),
        },
    )


@login_required
@require_POST
@application_errors
def capacity_set(request: HttpRequest, contract_pk: int) -> HttpResponse:
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    try:
        data = f.parsed(f.CapacityForm(request.POST))
        current = ContractCapacity.objects.filter(contract=contract).first()
        # a stale save (someone else recorded the capacity since the page was read) is refused
        # with who changed what (docs/security.md §6)
        with expecting(current, data["version"]) if current is not None else nullcontext():
            services.capacity_set(actor=user, contract=contract, places=data["places"])
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        _ok(request, "Capacity recorded.")
    return redirect("procurement:placements", contract_pk=contract.pk)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def finance_notices(request: HttpRequest) -> HttpResponse:
    """seed 003: what Finance (the agency's finance officers) was told: contracts' and
    placements' dates, proformas, early terminations; a finance officer acknowledges each."""
    user: Any = request.user
    if not user.agency_id or not user.has_perm("procurement.view_placements", user.agency):
        raise PermissionDenied
    can_ack = user.has_perm("procurement.acknowledge_finance", user.agency)
    if request.method == "POST":
        if not can_ack:
            raise PermissionDenied
        notice = FinanceNotification.objects.filter(
            pk=request.POST.get("notice") or 0, agency_id=user.agency_id
        ).first()
        if notice is None:
            raise NotFoundError("No such notice.")
        try:
            services.finance_acknowledge(actor=user, notice=notice, today=user.agency.today())
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
        else:
            _ok(request, "Notice acknowledged.")
        return redirect("procurement:finance_notices")
    rows = (
        FinanceNotification.objects.filter(agency_id=user.agency_id, to_finance=True)
        .select_related("contract", "placement", "acknowledged_by")
        .order_by("acknowledged_on", "-created_at")[:200]
    )
    return render(
        request, "procurement/finance_notices.html", {"notices": rows, "can_ack": can_ack}
    )


# ------------------------------------------------------------------ early termination


def _review(contract: Contract) -> TerminationReview | None:
    rows = TerminationReview.objects.filter(contract=contract)
    return rows.select_related("requested_by").first()


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def termination(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """seed 003 early termination: the lead professional's request, the contract manager's
    review (supply, contractual capacity), the notice sent and kept, the effective date."""
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    review = _review(contract)
    can_terminate = user.has_perm("procurement.terminate", contract)
    initial: dict[str, Any] = {"notice_on": contract.agency.today()}
    if review and review.notice_on:
        initial = {
            "reason": review.reason,
            "alternative_providers": review.alternative_providers,
            "capacity_clause": review.capacity_clause,
            "notice_period_days": review.notice_period_days,
            "notice_on": review.notice_on,
        }
    elif review and review.request_reason:
        initial["reason"] = review.request_reason
    form = f.TerminationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_terminate:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.termination_review(actor=user, contract=contract, **form.cleaned_data)
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                _ok(request, "Termination review recorded.")
                return redirect("procurement:termination", contract_pk=contract.pk)
    open_request = review is None or review.status == TerminationStatus.DECLINED
    return render(
        request,
        "procurement/termination.html",
        {
            "contract": contract,
            "review": review,
            "form": form,
            "can_terminate": can_terminate,
            "can_request": user.has_perm("procurement.request_termination", contract)
            and open_request
            and contract.status in (ContractStatus.EXECUTED, ContractStatus.ACTIVE),
            "request_form": f.TerminationRequestForm(),
            "decline_form": f.DeclineForm(),
            "today": contract.agency.today(),
            "open_placements": Placement.objects.filter(
                contract=contract, status=S.ACTIVE
            ).select_related("key_worker"),
        },
    )


def _back(contract: Contract) -> HttpResponse:
    return redirect("procurement:termination", contract_pk=contract.pk)


@login_required
@require_POST
@application_errors
def termination_action(request: HttpRequest, contract_pk: int, action: str) -> HttpResponse:
    """The termination's steps: request (lead professional), decline, notice, takes-effect
    (contract manager). A refusal is flashed with its reason."""
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    review = _review(contract)
    today = contract.agency.today()
    try:
        if action == "request":
            data = f.parsed(f.TerminationRequestForm(request.POST))
            services.termination_request(
                actor=user, contract=contract, reason=data["reason"], today=today
            )
            _ok(request, "Request sent to the contract manager.")
            return _back(contract)
        if review is None:
            raise NotFoundError("Record the termination review first.")
        if action == "decline":
            data = f.parsed(f.DeclineForm(request.POST))
            services.termination_decline(actor=user, review=review, response=data["response"])
            _ok(request, "Request declined; the lead professional is told why.")
        elif action == "takes-effect" and request.POST.get("confirm") != "yes":
            # the notice's own confirmation is its preview (termination_notice)
            return _termination_confirm(request, contract, review, action)
        elif action == "notice":
            if not user.has_perm("procurement.terminate", contract):
                raise PermissionDenied
            if not constant_time_compare(
                request.POST.get("previewed", ""), _notice_fingerprint(review)
            ):
                # sent only from the preview, and only the notice previewed (docs/letters.md)
                messages.info(request, "Read the notice before sending it.")
                return redirect("procurement:termination_notice", contract_pk=contract.pk)
            contract = services.termination_give_notice(actor=user, review=review, today=today)
            if contract.status == ContractStatus.TERMINATED:
                _ok(request, "Notice sent; the contract is terminated.")
            else:
                _ok(
                    request,
                    "Notice sent to the provider and kept. The contract runs until the "
                    f"termination takes effect on {review.effective_on:%-d %B %Y}.",
                )
        elif action == "takes-effect":
            services.termination_take_effect(actor=user, review=review, today=today)
            _ok(request, "The contract is terminated and the closeout evaluation is due.")
        else:
            raise NotFoundError("No such action.")
    except (ValidationFailed, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    return _back(contract)


def _notice_context(contract: Contract, review: TerminationReview) -> dict[str, Any]:
    return {
        "contract": contract,
        "review": review,
        "letterhead": letterhead(
            contract.agency, provider=contract.provider, manager=contract.contract_manager
        ),
    }


def _notice_fingerprint(review: TerminationReview) -> str:
    """A keyed fingerprint of what the notice says: the preview carries it, and the notice is
    sent only when the review still says the same (the notice previewed)."""
    content = "|".join(
        str(v)
        for v in (
            review.pk,
            review.notice_on,
            review.notice_period_days,
            review.effective_on,
            review.capacity_clause,
            review.reason,
        )
    )
    return salted_hmac("steward.procurement.termination-notice", content).hexdigest()


@login_required
@application_errors
def termination_notice(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """The notice of termination as the provider will read it (seed 003 (c)), with its PDF and,
    while it is not sent, the button that sends it: the only place it is sent from."""
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    review = _review(contract)
    if review is None or not review.notice_on:
        raise NotFoundError("No termination review for this contract.")
    if not user.has_perm("procurement.terminate", contract):
        raise PermissionDenied
    context = _notice_context(contract, review)
    context["previewed"] = _notice_fingerprint(review)
    context["can_send"] = (
        not review.notice_sent
        and review.status == TerminationStatus.REVIEWED
        and contract.status in (ContractStatus.EXECUTED, ContractStatus.ACTIVE)
    )
    return render(request, "procurement/termination_notice.html", context)


def _termination_confirm(
    request: HttpRequest, contract: Contract, review: TerminationReview, action: str
) -> HttpResponse:
    """The confirmation step of sending the notice or recording the termination (issue 21),
    for the people who may terminate (others: 403, as the step itself answers)."""
    if not request.user.has_perm("procurement.terminate", contract):
        raise PermissionDenied
    effective = f"{review.effective_on:%-d %B %Y}" if review.effective_on else "not set"
    if action == "notice":
        heading = f"Send the notice of termination of {contract.number}"
        effect = (
            "The written notice is kept with the contract and sent to the provider; the "
            f"termination takes effect on {effective} (at once if that day has come), and "
            "until then the contract runs. Open placements are to be ended or moved. A notice "
            "sent is not withdrawn."
        )
        told = (
            "The provider is emailed the notice at its recorded addresses; Finance is told of the "
            "early termination; the key workers of open placements see them on their work list."
        )
        button = "Send the notice to the provider"
    else:
        heading = f"Record the termination of {contract.number}"
        effect = (
            f"The contract is terminated from {effective}; its closeout evaluation falls due. "
            "If this is a mistake, the contract manager can reopen the contract with a reason."
        )
        told = "The people who write the closeout evaluation see it on their work list."
        button = "Record the termination"
    return render(
        request,
        "core/confirm.html",
        {
            "heading": heading,
            "facts": [
                ("Contract", f"{contract.number}, {contract.title}"),
                ("Provider", contract.provider.legal_name),
                ("Reason", review.reason),
                ("Takes effect", effective),
            ],
            "effect": effect,
            "told": told,
            "button": button,
            "danger": True,
            "action": reverse("procurement:termination_action", args=[contract.pk, action]),
            "back": reverse("procurement:termination", args=[contract.pk]),
        },
    )


@login_required
@application_errors
def termination_notice_pdf(request: HttpRequest, contract_pk: int) -> HttpResponse:
    """The written notice of termination to the provider (seed 003 (c)), as kept."""
    user: Any = request.user
    contract = placement_contract_get(actor=user, pk=contract_pk)
    review = _review(contract)
    if review is None or not review.notice_on:
        raise NotFoundError("No termination review for this contract.")
    return pdf_response(
        "procurement/termination_pdf.html",
        _notice_context(contract, review),
        filename=f"termination-notice-{contract.number}.pdf",
    )
