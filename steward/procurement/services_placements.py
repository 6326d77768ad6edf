"""Writes to placements and early termination (seed 003: authority to purchase, the category C
chain of the flow chart, the roles table's distribution and Finance notices, termination).

Every step that someone owes is a due date (`steward.contracts.due_kinds`), on that person's
work list and reminded; every email goes through `steward.core.mail` once the change commits.
Personal data about the child is kept to a case reference and what the specification needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse

from steward.contracts.models import Contract, ContractStatus
from steward.contracts.services import contract_terminate
from steward.contracts.services_due_dates import due_date_open, due_dates_cancel, due_dates_meet
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.formatting import fmt_money
from steward.core.mail import send_after_commit
from steward.core.services import require_perm, save_audited
from steward.parties.models import Agency, Provider, Role, User
from steward.procurement import calc
from steward.procurement.models import (
    HOLDS_A_PLACE,
    Authoriser,
    ChildOutcome,
    ContractCapacity,
    DelegatedLimit,
    FinanceNotification,
    NotificationKind,
    OutcomeReview,
    Placement,
    PlacementReview,
    PlacementStatus,
    TerminationReview,
    TerminationStatus,
)

CENTS = Decimal("0.01")
#: Steward's default for the contract manager to review a request to terminate early
TERMINATION_REVIEW_DAYS = 14
LIVE_CONTRACT = (ContractStatus.EXECUTED, ContractStatus.ACTIVE)


# ------------------------------------------------------------------ helpers


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENTS, ROUND_HALF_UP)
    except Exception as exc:
        raise ValidationFailed(
            f"{field}: enter an amount.", errors={field: ["Enter an amount."]}
        ) from exc
    if amount < 0:
        raise ValidationFailed(
            f"{field} cannot be negative.", errors={field: ["Cannot be negative."]}
        )
    return amount


def _required(value: Any, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationFailed(message, errors={field: [message]})
    return str(value).strip()


def _refuse(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _person(agency: Agency, user: Any, role: str, field: str, what: str) -> User:
    """`user` (a User or an id) if they are active staff of `agency` holding `role`."""
    pk = getattr(user, "pk", user)
    person = (
        User.objects.filter(pk=pk, agency=agency, role=role, is_active=True).first() if pk else None
    )
    if person is None:
        raise _refuse(f"Choose the {what} from the agency's staff.", field)
    return person


def finance_officers(agency: Agency) -> list[User]:
    """seed 003 "Finance": the agency's active finance officers."""
    return list(User.objects.filter(agency=agency, role=Role.FINANCE_OFFICER, is_active=True))


def _emails(people: Iterable[Any]) -> list[str]:
    return sorted({p.email for p in people if p is not None and p.email})


def _placement_link(placement: Placement) -> str:
    return reverse("procurement:placement", args=[placement.pk])


def _later(today: date, day: date) -> date:
    return day if day >= today else today


def _tell(
    *,
    actor: Any,
    agency: Agency,
    kind: str,
    people: Iterable[Any],
    subject: str,
    body: str,
    link: str,
    today: date,
    placement: Placement | None = None,
    contract: Contract | None = None,
    finance: bool = False,
    extra: Iterable[str] = (),
) -> FinanceNotification:
    """Send a notice (one email, on commit) and keep it. With `finance`, the agency's finance
    officers are among the recipients and must acknowledge it: a finance_notice due date,
    due the same day. Returns the kept notice."""
    people = list(people)
    if finance:
        people += finance_officers(agency)
    to = sorted(set(_emails(people)) | {e for e in extra if e})
    note = FinanceNotification(
        agency=agency,
        placement=placement,
        contract=contract if contract is not None else getattr(placement, "contract", None),
        kind=kind,
        sent_to=", ".join(to) or "nobody (no one with an email address holds the role)",
        to_finance=finance,
        subject=subject[:250],
        body=body,
    )
    save_audited(note, actor=actor, reason=f"Sent: {note.get_kind_display().lower()}")
    send_after_commit(subject=subject, body=body, to=to, link=link)
    if finance:
        due_date_open(
            kind="finance_notice",
            actor=actor,
            start=today,
            due_on=today,
            agency=agency,
            contract=note.contract,
            subject=note,
            label=subject[:200],
        )
    return note


def _holding(contract: Contract, exclude: Placement | None = None) -> int:
    rows = Placement.objects.filter(contract=contract, status__in=HOLDS_A_PLACE)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.count()


def _check_contract_takes(contract: Contract, category: str, reason: str) -> None:
    """seed 003: the category follows the contract; availability is enforced unless a reason
    is recorded."""
    refusal = calc.category_refusal(
        category=category, contract_category=contract.authority_category
    )
    if refusal:
        raise _refuse(refusal, "category")
    capacity = ContractCapacity.objects.filter(contract=contract).first()
    refusal = calc.capacity_refusal(
        places=capacity.places if capacity else None, holding=_holding(contract), reason=reason
    )
    if refusal:
        raise _refuse(refusal, "over_capacity_reason")


def _dates(data: dict[str, Any]) -> tuple[date, date]:
    start, end = data.get("start_date"), data.get("anticipated_end")
    if not isinstance(start, date) or not isinstance(end, date):
        raise _refuse("Give the start and anticipated end dates.", "start_date")
    if end < start:
        raise _refuse("The anticipated end cannot be before the start.", "anticipated_end")
    return start, end


def _contract_managers(placement: Placement) -> list[User]:
    contract = placement.contract
    if contract is not None and contract.contract_manager is not None:
        return [contract.contract_manager]
    return list(
        User.objects.filter(
            agency_id=placement.agency_id, role=Role.CONTRACT_MANAGER, is_active=True
        )
    )


# ------------------------------------------------------------------ limits and capacity


@transaction.atomic
def delegated_limit_set(*, actor: Any, user: Any, amount: Any) -> DelegatedLimit:
    """seed 003: set the level of funding ``user`` may authorise."""
    require_perm(actor, "procurement.set_limit", user, action="set delegated limits")
    row = DelegatedLimit.objects.filter(user=user).first() or DelegatedLimit(user=user)
    row.amount = _money(amount, "amount")
    save_audited(row, actor=actor, reason="Delegated limit set")
    return row


@transaction.atomic
def capacity_set(*, actor: Any, contract: Contract, places: int) -> ContractCapacity:
    """seed 003: the number of places a contract buys (availability)."""
    require_perm(actor, "procurement.manage_placements", contract, action="set capacity")
    row = ContractCapacity.objects.filter(contract=contract).first() or ContractCapacity(
        contract=contract
    )
    row.places = places
    save_audited(row, actor=actor, reason="Capacity set")
    return row


# ------------------------------------------------------------------ categories A and B


@transaction.atomic
def placement_create(
    *, actor: Any, contract: Contract, data: dict[str, Any], today: date | None = None
) -> Placement:
    """seed 003: place a child (case reference) against a contract, category A or B. The
    category must be the contract's; beyond the contract's places a reason must be recorded.

    A: criteria met, placed at once. B: the Community Resource Group's decision is recorded and
    a budget holder within their delegated limit authorises it: at once when `actor` is one,
    else the placement waits for a budget holder (a placement_authorise due date on the
    budget holders' work lists). Category C starts with `placement_refer`.

    Side effects once placed (`_start`): Finance told of the start and anticipated end (kept,
    emailed, to acknowledge); the placement's end and reviews fall due to the key worker."""
    require_perm(actor, "procurement.manage_placements", contract, action="place children here")
    if contract.status not in LIVE_CONTRACT:
        raise TransitionNotAllowed(
            "Placements can be made only against an executed or active contract."
        )
    today = today or contract.agency.today()
    category = (data.get("category") or "").strip()
    if category == "C":
        raise _refuse(
            "Category C placements start with a referral to the Resource Allocation Group.",
            "category",
        )
    reason = (data.get("over_capacity_reason") or "").strip()
    _check_contract_takes(contract, category, reason)
    amount = _money(data.get("amount"), "amount")
    start, end = _dates(data)
    crg_on = data.get("crg_decided_on")
    crg_decision = (data.get("crg_decision") or "").strip()
    authoriser = Authoriser.CRITERIA_MET if category == "A" else Authoriser.BUDGET_HOLDER
    given = data.get("authoriser") or authoriser
    if category == "B" and given == Authoriser.COMMUNITY_RESOURCE_GROUP:
        authoriser = given  # refused below: the group alone is not enough
    # the delegated limit is checked when a budget holder authorises (here or later)
    refusal = calc.authority_refusal(
        category=category,
        authoriser=authoriser,
        amount=amount,
        limit=amount,
        crg_decided=bool(crg_on and crg_decision),
    )
    if refusal:
        raise _refuse(refusal, "crg_decision" if "Group" in refusal else "category")
    placement = Placement(
        agency=contract.agency,
        contract=contract,
        case_reference=(data.get("case_reference") or "").strip(),
        category=category,
        service_type=contract.service_type,
        provider=contract.provider,
        authoriser=authoriser,
        amount=amount,
        key_worker=_person(
            contract.agency, data.get("key_worker"), Role.KEY_WORKER, "key_worker", "key worker"
        ),
        reviewing_officer=(
            _person(
                contract.agency,
                data.get("reviewing_officer"),
                Role.REVIEWING_OFFICER,
                "reviewing_officer",
                "reviewing officer",
            )
            if data.get("reviewing_officer")
            else None
        ),
        lead_professional=actor if actor.role == Role.CONTRACT_MONITOR else None,
        crg_decided_on=crg_on if category == "B" else None,
        crg_decision=crg_decision if category == "B" else "",
        needs=(data.get("needs") or data.get("specification_of_need") or "").strip(),
        over_capacity_reason=reason,
        start_date=start,
        anticipated_end=end,
        status=PlacementStatus.AWAITING_AUTHORISATION,
    )
    save_audited(placement, actor=actor, reason="Recorded")
    limit = DelegatedLimit.objects.filter(user=actor).first()
    if category == "A":
        return _start(placement, actor=actor, authorised_by=actor, today=today)
    if actor.role == Role.BUDGET_HOLDER and calc.within_delegated_limit(
        amount, limit.amount if limit else None
    ):
        return _start(placement, actor=actor, authorised_by=actor, today=today)
    due_date_open(
        kind="placement_authorise",
        actor=actor,
        start=today,
        due_on=_later(today, start),
        contract=contract,
        subject=placement,
        label=f"Authorise placement {placement.case_reference}",
    )
    return placement


@transaction.atomic
def placement_authorise(*, actor: Any, placement: Placement, today: date) -> Placement:
    """seed 003 category B: a budget holder authorises the placement "up to and including the
    level of funding for which they have delegated authority" (after the Community Resource
    Group). Refused above their limit. Side effects: the placement starts (`_start`); the
    placement_authorise due date is met."""
    require_perm(actor, "procurement.authorise_placement", placement, action="authorise this")
    if placement.status != PlacementStatus.AWAITING_AUTHORISATION:
        raise TransitionNotAllowed("This placement is not waiting for a budget holder.")
    limit = DelegatedLimit.objects.filter(user=actor).first()
    refusal = calc.authority_refusal(
        category="B",
        authoriser=Authoriser.BUDGET_HOLDER,
        amount=placement.amount,
        limit=limit.amount if limit else None,
        crg_decided=bool(placement.crg_decided_on),
    )
    if refusal:
        raise _refuse(refusal, "amount")
    _start(placement, actor=actor, authorised_by=actor, today=today)
    due_dates_meet(
        kind="placement_authorise", subject=placement, met_by=placement, on=today, actor=actor
    )
    return placement


def _start(placement: Placement, *, actor: Any, authorised_by: Any, today: date) -> Placement:
    """The placement is made: Finance told of the start and anticipated end (to acknowledge);
    its end falls due to the key worker on the anticipated end; each review date of its
    specification falls due (to the key worker)."""
    contract = placement.contract
    assert contract is not None
    placement.status = PlacementStatus.ACTIVE
    if placement.authorised_by_id is None:
        placement.authorised_by = authorised_by
        placement.authorised_on = today
    save_audited(placement, actor=actor, reason="Placed")
    _tell(
        actor=actor,
        agency=placement.agency,
        kind=NotificationKind.START,
        people=[],
        subject=f"Placement {placement.case_reference} under {contract.number}: "
        "start and anticipated end",
        body=f"Case {placement.case_reference} is placed under contract {contract.number} "
        f"({contract.provider}) from {placement.start_date:%-d %B %Y}, anticipated end "
        f"{placement.anticipated_end:%-d %B %Y}. Category {placement.category}; cost "
        f"{fmt_money(placement.amount, contract.currency)}.",
        link=reverse("procurement:finance_notices"),
        today=today,
        placement=placement,
        finance=True,
    )
    due_date_open(
        kind="placement_end",
        actor=actor,
        start=_later(today, placement.start_date),
        due_on=_later(today, placement.anticipated_end),
        contract=contract,
        subject=placement,
        assignee=placement.key_worker,
        label=f"Placement {placement.case_reference} ends",
    )
    _open_reviews(placement, actor=actor, today=today)
    return placement


def _open_reviews(placement: Placement, *, actor: Any, today: date) -> None:
    for day in sorted(placement.review_dates or []):
        due_on = date.fromisoformat(day)
        if due_on < today:
            continue
        due_date_open(
            kind="placement_review",
            actor=actor,
            start=today,
            due_on=due_on,
            contract=placement.contract,
            subject=placement,
            assignee=placement.key_worker,
            rule_key=f"placement_review:{placement.pk}:{day}",
            label=f"Review of placement {placement.case_reference}",
        )


# ------------------------------------------------------------------ category C: the chain


@transaction.atomic
def placement_refer(
    *, actor: Any, agency: Agency, data: dict[str, Any], today: date | None = None
) -> Placement:
    """seed 003 roles table: "For RAG placement authorisations, [the lead professional is] to
    provide comprehensive information for RAG decision-making, which feeds into Schedule C".
    Records the referral (category C) with that information, the child's key worker and
    reviewing officer. Side effect: the group's decision falls due (placement_rag_decision, on
    the RAG administrators' work lists) by the intended start."""
    require_perm(actor, "procurement.refer_placement", agency, action="refer placements")
    today = today or agency.today()
    start, end = _dates(data)
    provider = data.get("provider")
    if provider is not None and not isinstance(provider, Provider):
        provider = Provider.objects.filter(pk=provider).first()
    placement = Placement(
        agency=agency,
        status=PlacementStatus.REFERRED,
        case_reference=_required(
            data.get("case_reference"), "case_reference", "Give the child's case reference."
        ),
        category="C",
        service_type=(data.get("service_type") or "").strip(),
        provider=provider,
        authoriser=Authoriser.RESOURCE_ALLOCATION_GROUP,
        amount=_money(data.get("amount"), "amount"),
        key_worker=_person(
            agency, data.get("key_worker"), Role.KEY_WORKER, "key_worker", "key worker"
        ),
        reviewing_officer=_person(
            agency,
            data.get("reviewing_officer"),
            Role.REVIEWING_OFFICER,
            "reviewing_officer",
            "reviewing officer",
        ),
        lead_professional=actor,
        lead_information=_required(
            data.get("lead_information"),
            "lead_information",
            "Give the group the information it needs to decide.",
        ),
        start_date=start,
        anticipated_end=end,
    )
    save_audited(placement, actor=actor, reason="Referred to the Resource Allocation Group")
    due_date_open(
        kind="placement_rag_decision",
        actor=actor,
        start=today,
        due_on=_later(today, start),
        agency=agency,
        subject=placement,
        label=f"Decide on placement {placement.case_reference}",
    )
    return placement


@transaction.atomic
def placement_rag_decide(
    *, actor: Any, placement: Placement, place: bool, decision: str, decided_on: date
) -> Placement:
    """seed 003 flow chart: "RAG decision to place. RAG requests CCM to issue contract".
    Records the group's decision (its words and date). To place: the key worker owes the
    specification of need (placement_specification, assigned to them), and the contract
    managers are asked (an email) to put a contract in place against the model terms. Not to
    place: the placement is declined. Either way the decision's due date is met."""
    require_perm(actor, "procurement.record_rag_decision", placement, action="record decisions")
    if placement.status != PlacementStatus.REFERRED:
        raise TransitionNotAllowed("The group has already decided on this placement.")
    placement.rag_decision = _required(decision, "decision", "Record the group's decision.")
    placement.rag_decided_on = decided_on
    placement.rag_recorded_by = actor
    placement.status = PlacementStatus.AWAITING_SPECIFICATION if place else PlacementStatus.DECLINED
    save_audited(placement, actor=actor, reason="Group decided" if place else "Group declined")
    due_dates_meet(
        kind="placement_rag_decision",
        subject=placement,
        met_by=placement,
        on=decided_on,
        actor=actor,
    )
    if not place:
        return placement
    due_date_open(
        kind="placement_specification",
        actor=actor,
        start=decided_on,
        due_on=_later(decided_on, placement.start_date),
        agency=placement.agency,
        subject=placement,
        assignee=placement.key_worker,
        label=f"Specification of need for {placement.case_reference}",
    )
    send_after_commit(
        subject=f"Resource Allocation Group: put a contract in place for "
        f"{placement.case_reference}",
        body=f"The Resource Allocation Group decided on {decided_on:%-d %B %Y} to place case "
        f"{placement.case_reference} ({placement.service_type or 'service to be agreed'}"
        f"{', ' + placement.provider.legal_name if placement.provider else ''}) from "
        f"{placement.start_date:%-d %B %Y}. Please issue a contract against the model terms "
        "once the key worker gives the specification of need (Schedule C).",
        to=_emails(_contract_managers(placement)),
        link=_placement_link(placement),
    )
    return placement


def outcome_add(*, actor: Any, placement: Placement, data: dict[str, Any]) -> ChildOutcome:
    """seed 003 §ii: an outcome for the child, linked to the child's plan by reference, with the
    provider's responsibility (the outcome, or milestones toward it: then the milestones are
    given)."""
    require_perm(actor, "procurement.specify_placement", placement, action="set outcomes")
    row = ChildOutcome(
        placement=placement,
        outcome=_required(data.get("outcome"), "outcome", "Say what the outcome is."),
        plan_kind=data.get("plan_kind") or "",
        plan_reference=_required(
            data.get("plan_reference"), "plan_reference", "Give the plan's reference."
        ),
        responsibility=data.get("responsibility") or "",
        milestones=(data.get("milestones") or "").strip(),
    )
    if row.responsibility == "milestones" and not row.milestones:
        raise _refuse("Give the milestones the provider is responsible for.", "milestones")
    save_audited(row, actor=actor, reason="Outcome agreed")
    return row


@transaction.atomic
def placement_specify(
    *,
    actor: Any,
    placement: Placement,
    needs: str,
    support: str,
    review_dates: list[date],
    outcomes: list[dict[str, Any]],
    today: date,
) -> Placement:
    """seed 003 flow chart: "Key worker to provide CCM with Individual Specification of Need
    (Schedule C)": the child's needs, the outcomes for the child (each linked to the child's
    plan, with the provider's responsibility), the support, the review dates. Side effects:
    the specification's due date is met; the contract's issue falls due to the contract
    managers (placement_contract_issue)."""
    require_perm(actor, "procurement.specify_placement", placement, action="specify the need")
    if placement.status != PlacementStatus.AWAITING_SPECIFICATION:
        raise TransitionNotAllowed("This placement is not waiting for its specification.")
    placement.needs = _required(needs, "needs", "Describe the child's needs.")
    placement.support = _required(support, "support", "Describe the support to be provided.")
    dates = sorted(set(review_dates))
    refusal = calc.review_dates_refusal(dates, placement.start_date, placement.anticipated_end)
    if refusal:
        raise _refuse(refusal, "review_dates")
    if not outcomes:
        raise _refuse("Give at least one outcome for the child.", "outcomes")
    for outcome in outcomes:
        if outcome.get("responsibility") == "milestones" and not outcome.get("milestones"):
            raise _refuse("Give the milestones the provider is responsible for.", "milestones")
    placement.review_dates = [d.isoformat() for d in dates]
    placement.specified_on = today
    placement.status = PlacementStatus.AWAITING_CONTRACT
    save_audited(placement, actor=actor, reason="Specification of need given")
    for outcome in outcomes:
        outcome_add(actor=actor, placement=placement, data=outcome)
    due_dates_meet(
        kind="placement_specification", subject=placement, met_by=placement, on=today, actor=actor
    )
    due_date_open(
        kind="placement_contract_issue",
        actor=actor,
        start=today,
        due_on=_later(today, placement.start_date),
        agency=placement.agency,
        subject=placement,
        label=f"Issue the contract for {placement.case_reference}",
    )
    return placement


@transaction.atomic
def placement_contract_issue(
    *,
    actor: Any,
    placement: Placement,
    contract: Contract,
    today: date,
    over_capacity_reason: str = "",
) -> Placement:
    """seed 003 roles table "Issuing of Contract/ Signing/ Distribution": the contract manager
    issues the contract for the placement (with its Schedule C) under `contract`, a category C
    contract of the agency, executed or active (the model terms). Distribution: a copy to the
    provider (its users and contact address), and emails to the child's key worker, the
    reviewing officer and the RAG administrators, all kept. Side effects: the issue's due date
    is met; the signature falls due to the contract manager (placement_contract_sign)."""
    require_perm(actor, "procurement.issue_placement_contract", placement, action="issue contracts")
    if placement.status != PlacementStatus.AWAITING_CONTRACT:
        raise TransitionNotAllowed("This placement is not waiting for its contract.")
    if contract.agency_id != placement.agency_id or contract.status not in LIVE_CONTRACT:
        raise _refuse("Choose an executed or active contract of the agency.", "contract")
    if placement.provider_id and contract.provider_id != placement.provider_id:
        raise _refuse(
            f"The group decided on {placement.provider}: choose one of its contracts.", "contract"
        )
    _check_contract_takes(contract, "C", over_capacity_reason)
    placement.contract = contract
    placement.provider = contract.provider
    placement.service_type = placement.service_type or contract.service_type
    placement.over_capacity_reason = over_capacity_reason.strip()
    placement.issued_on = today
    placement.status = PlacementStatus.AWAITING_SIGNATURE
    save_audited(placement, actor=actor, reason="Contract issued")
    rag_admins = User.objects.filter(
        agency_id=placement.agency_id, role=Role.RAG_ADMINISTRATOR, is_active=True
    )
    body = (
        f"Contract {contract.number} with {contract.provider} is issued for the placement of "
        f"case {placement.case_reference} from {placement.start_date:%-d %B %Y} to "
        f"{placement.anticipated_end:%-d %B %Y}, with its specification of need (Schedule C). "
        "The master contract is kept by the contract manager."
    )
    _tell(
        actor=actor,
        agency=placement.agency,
        kind=NotificationKind.ISSUED,
        people=[placement.key_worker, placement.reviewing_officer, *rag_admins],
        subject=f"Contract {contract.number} issued: placement {placement.case_reference}",
        body=body,
        link=_placement_link(placement),
        today=today,
        placement=placement,
    )
    provider_users = User.objects.filter(provider=contract.provider, is_active=True)
    _tell(
        actor=actor,
        agency=placement.agency,
        kind=NotificationKind.ISSUED,
        people=provider_users,
        extra=[contract.provider.email],
        subject=f"Contract {contract.number}: copy for the provider",
        body=body,
        link=reverse("contracts:detail", args=[contract.pk]),
        today=today,
        placement=placement,
    )
    due_dates_meet(
        kind="placement_contract_issue", subject=placement, met_by=placement, on=today, actor=actor
    )
    due_date_open(
        kind="placement_contract_sign",
        actor=actor,
        start=today,
        due_on=_later(today, placement.start_date),
        contract=contract,
        subject=placement,
        label=f"Signature of the contract for {placement.case_reference}",
    )
    return placement


@transaction.atomic
def placement_contract_signed(
    *, actor: Any, placement: Placement, signed_on: date, today: date
) -> Placement:
    """seed 003 flow chart: "Informs key worker and Finance when signed." Records the
    signature; the key worker and Finance are told (Finance with the start and anticipated end
    of the RAG placement, to acknowledge); the placement starts (`_start`: its end and reviews
    fall due to the key worker); the signature's due date is met."""
    require_perm(
        actor, "procurement.issue_placement_contract", placement, action="record signatures"
    )
    if placement.status != PlacementStatus.AWAITING_SIGNATURE:
        raise TransitionNotAllowed("This placement's contract is not waiting for signature.")
    if signed_on > today:
        raise _refuse("The signature cannot be in the future.", "signed_on")
    contract = placement.contract
    assert contract is not None
    placement.signed_on = signed_on
    save_audited(placement, actor=actor, reason="Contract signed")
    _tell(
        actor=actor,
        agency=placement.agency,
        kind=NotificationKind.SIGNED,
        people=[placement.key_worker],
        subject=f"Contract {contract.number} signed: placement {placement.case_reference}",
        body=f"The contract for case {placement.case_reference} with {contract.provider} was "
        f"signed on {signed_on:%-d %B %Y}. The placement runs from "
        f"{placement.start_date:%-d %B %Y}, anticipated end "
        f"{placement.anticipated_end:%-d %B %Y}.",
        link=_placement_link(placement),
        today=today,
        placement=placement,
    )
    due_dates_meet(
        kind="placement_contract_sign", subject=placement, met_by=placement, on=today, actor=actor
    )
    return _start(placement, actor=actor, authorised_by=placement.rag_recorded_by, today=today)


# ------------------------------------------------------------------ running and ending


@transaction.atomic
def placement_review_record(
    *,
    actor: Any,
    placement: Placement,
    held_on: date,
    progress: dict[int, tuple[str, str]],
    actions: str,
) -> PlacementReview:
    """seed 003: the child's outcomes are reviewed at the placement's reviews, with actions for
    the child ("feed the results of monitoring into actions and changes for individual
    children"). `progress` maps each outcome's id to (progress, note); every outcome is
    reviewed. Side effect: the earliest open review due date is met."""
    require_perm(actor, "procurement.follow_placement", placement, action="review placements")
    if placement.status != PlacementStatus.ACTIVE:
        raise TransitionNotAllowed("Only a running placement is reviewed.")
    outcomes = list(placement.outcomes.all())
    missing = [o for o in outcomes if o.pk not in progress]
    if missing:
        raise _refuse("Give the progress of every outcome.", "progress")
    review = PlacementReview(
        placement=placement,
        held_on=held_on,
        recorded_by=actor,
        actions=_required(actions, "actions", "Record the actions for the child."),
    )
    save_audited(review, actor=actor, reason="Placement reviewed")
    for outcome in outcomes:
        state, note = progress[outcome.pk]
        save_audited(
            OutcomeReview(review=review, outcome=outcome, progress=state, note=note.strip()),
            actor=actor,
            reason="Outcome reviewed",
        )
    from steward.contracts.models import DueDate, DueDateStatus

    first = (
        DueDate.objects.filter(
            kind="placement_review",
            status=DueDateStatus.OPEN,
            rule_key__startswith=f"placement_review:{placement.pk}:",
        )
        .order_by("due_date")
        .first()
    )
    if first is not None:
        due_dates_meet(
            kind="placement_review",
            rule_key=first.rule_key,
            contract=placement.contract,
            met_by=review,
            on=held_on,
            actor=actor,
        )
    return review


def _proforma(placement: Placement, *, actor: Any, today: date) -> FinanceNotification:
    contract = placement.contract
    assert contract is not None and placement.ended_on is not None
    return _tell(
        actor=actor,
        agency=placement.agency,
        kind=NotificationKind.TERMINATION,
        people=_contract_managers(placement),
        subject=f"Termination proforma: placement {placement.case_reference} under "
        f"{contract.number}",
        body=f"Placement of case {placement.case_reference} under contract {contract.number} "
        f"({contract.provider}) started {placement.start_date:%-d %B %Y} and ended "
        f"{placement.ended_on:%-d %B %Y}. Reason: {placement.end_reason}",
        link=reverse("procurement:finance_notices"),
        today=today,
        placement=placement,
        finance=True,
    )


@transaction.atomic
def placement_end(
    *, actor: Any, placement: Placement, ended_on: date, reason: str, today: date | None = None
) -> Placement:
    """seed 003: "To complete a termination proforma at the end of a child's placement, and
    send this to Finance and the CCM." Side effects: the proforma is kept and emailed to the
    finance officers (to acknowledge) and the contract manager; the placement's end due date is
    met by it; its reviews still to come are cancelled."""
    require_perm(actor, "procurement.follow_placement", placement, action="end placements")
    if placement.status != PlacementStatus.ACTIVE:
        raise TransitionNotAllowed("Only a running placement can be ended.")
    if ended_on < placement.start_date:
        raise _refuse("The end cannot be before the start.", "ended_on")
    today = today or placement.agency.today()
    placement.ended_on = ended_on
    placement.end_reason = _required(reason, "reason", "Say why the placement ends.")
    placement.status = PlacementStatus.ENDED
    save_audited(placement, actor=actor, reason="Ended")
    proforma = _proforma(placement, actor=actor, today=today)
    due_dates_meet(
        kind="placement_end", subject=placement, met_by=proforma, on=ended_on, actor=actor
    )
    due_dates_cancel(
        kind="placement_review", subject=placement, actor=actor, reason="The placement ended"
    )
    return placement


@transaction.atomic
def placement_move(
    *,
    actor: Any,
    placement: Placement,
    to_contract: Contract,
    moved_on: date,
    reason: str,
    today: date | None = None,
) -> Placement:
    """seed 003 early termination: an open placement moves to another contract of the same
    category (availability enforced): this placement ends on `moved_on` with its proforma, and
    a new one starts under `to_contract` with the same child, people, specification and
    outcomes (Finance told). Returns the new placement."""
    require_perm(actor, "procurement.follow_placement", placement, action="move placements")
    require_perm(actor, "procurement.manage_placements", to_contract, action="place children")
    if to_contract.pk == placement.contract_id or to_contract.status not in LIVE_CONTRACT:
        raise _refuse("Choose another executed or active contract.", "to_contract")
    if to_contract.agency_id != placement.agency_id:
        raise _refuse("Choose a contract of the agency.", "to_contract")
    _check_contract_takes(to_contract, placement.category, "")
    today = today or placement.agency.today()
    why = _required(reason, "reason", "Say why the placement moves.")
    end = placement.anticipated_end if placement.anticipated_end >= moved_on else moved_on
    moved = Placement(
        agency=placement.agency,
        contract=to_contract,
        status=PlacementStatus.AWAITING_AUTHORISATION,
        case_reference=placement.case_reference,
        category=placement.category,
        service_type=to_contract.service_type,
        provider=to_contract.provider,
        authoriser=placement.authoriser,
        authorised_by=placement.authorised_by,
        authorised_on=placement.authorised_on,
        amount=placement.amount,
        key_worker=placement.key_worker,
        reviewing_officer=placement.reviewing_officer,
        lead_professional=placement.lead_professional,
        crg_decided_on=placement.crg_decided_on,
        crg_decision=placement.crg_decision,
        lead_information=placement.lead_information,
        rag_decided_on=placement.rag_decided_on,
        rag_decision=placement.rag_decision,
        rag_recorded_by=placement.rag_recorded_by,
        needs=placement.needs,
        support=placement.support,
        review_dates=[d for d in placement.review_dates if d >= moved_on.isoformat()],
        specified_on=placement.specified_on,
        start_date=moved_on,
        anticipated_end=end,
    )
    save_audited(moved, actor=actor, reason=f"Moved from {placement.contract}")
    for outcome in placement.outcomes.all():
        save_audited(
            ChildOutcome(
                placement=moved,
                outcome=outcome.outcome,
                plan_kind=outcome.plan_kind,
                plan_reference=outcome.plan_reference,
                responsibility=outcome.responsibility,
                milestones=outcome.milestones,
            ),
            actor=actor,
            reason="Outcome carried over",
        )
    placement_end(
        actor=actor,
        placement=placement,
        ended_on=moved_on,
        reason=f"Moved to contract {to_contract.number}: {why}",
        today=today,
    )
    placement.moved_to = moved
    save_audited(placement, actor=actor, reason="Moved")
    _start(moved, actor=actor, authorised_by=placement.authorised_by, today=today)
    return moved


@transaction.atomic
def finance_acknowledge(*, actor: Any, notice: FinanceNotification, today: date) -> None:
    """seed 003: a finance officer acknowledges a notice sent to Finance (the dates are in the
    budget). Side effect: its finance_notice due date is met."""
    require_perm(actor, "procurement.acknowledge_finance", notice, action="acknowledge notices")
    if not notice.to_finance:
        raise TransitionNotAllowed("This notice was not sent to Finance.")
    if notice.acknowledged_on:
        raise TransitionNotAllowed("This notice is already acknowledged.")
    notice.acknowledged_on = today
    notice.acknowledged_by = actor
    save_audited(notice, actor=actor, reason="Acknowledged by Finance")
    due_dates_meet(kind="finance_notice", subject=notice, met_by=notice, on=today, actor=actor)


def contract_dates_to_finance(contract: Contract, actor: Any, on: date) -> None:
    """seed 003 roles table: "To notify Finance of start and anticipated end dates of
    contracts": when a contract is executed, its agency's finance officers are told (kept,
    emailed, to acknowledge). Nothing when the agency has no finance officer."""
    if not finance_officers(contract.agency):
        return
    _tell(
        actor=actor,
        agency=contract.agency,
        kind=NotificationKind.CONTRACT_DATES,
        people=[],
        subject=f"Contract {contract.number}: start and anticipated end",
        body=f"Contract {contract.number} with {contract.provider} starts "
        f"{contract.start_date:%-d %B %Y} and is expected to end {contract.end_date:%-d %B %Y}. "
        f"Maximum obligation {fmt_money(contract.maximum_obligation, contract.currency)}.",
        link=reverse("procurement:finance_notices"),
        today=on,
        contract=contract,
        finance=True,
    )


# ------------------------------------------------------------------ early termination

#: the policy texts whose early termination is the contract manager's review of supply and
#: contractual capacity, then written notice (seed 003 "Termination of Contract"); on other
#: packs (the US ones) a contract is terminated with its date and reason from its own page
TERMINATION_REVIEW_SEEDS = frozenset({"003"})


def termination_workflow(contract: Contract) -> str | None:
    """The contracts hook: the early-termination page of `contract` when its agency's pack
    follows seed 003 (a copy of the pack keeps its seed), else None."""
    if contract.agency.pack.seed not in TERMINATION_REVIEW_SEEDS:
        return None
    return reverse("procurement:termination", args=[contract.pk])


@transaction.atomic
def termination_request(
    *, actor: Any, contract: Contract, reason: str, today: date
) -> TerminationReview:
    """seed 003 "Where requested by lead social work/ education professionals to prematurely
    terminate a contract": the lead professional's request, with its reason. Side effect: the
    contract manager owes the review (termination_request, in 14 days)."""
    require_perm(actor, "procurement.request_termination", contract, action="request this")
    if contract.status not in LIVE_CONTRACT:
        raise TransitionNotAllowed("Only an executed or active contract can be terminated early.")
    review = TerminationReview.objects.filter(contract=contract).first()
    if review is not None and review.status != TerminationStatus.DECLINED:
        raise TransitionNotAllowed("A request to terminate this contract is already open.")
    review = review or TerminationReview(contract=contract)
    review.status = TerminationStatus.REQUESTED
    review.requested_by = actor
    review.requested_on = today
    review.request_reason = _required(reason, "reason", "Say why the contract should end.")
    review.response = ""
    save_audited(review, actor=actor, reason="Termination requested")
    from datetime import timedelta

    due_date_open(
        kind="termination_request",
        actor=actor,
        start=today,
        due_on=today + timedelta(days=TERMINATION_REVIEW_DAYS),
        contract=contract,
        subject=review,
        label="Review the request to terminate early",
    )
    return review


@transaction.atomic
def termination_decline(*, actor: Any, review: TerminationReview, response: str) -> None:
    """The contract manager decides not to terminate; the response is kept for the lead
    professional. Side effect: the request's due date is met."""
    require_perm(actor, "procurement.terminate", review.contract, action="decide on this")
    if review.status not in (TerminationStatus.REQUESTED, TerminationStatus.REVIEWED):
        raise TransitionNotAllowed("There is no request to decline.")
    review.status = TerminationStatus.DECLINED
    review.response = _required(response, "response", "Say why the contract continues.")
    save_audited(review, actor=actor, reason="Termination declined")
    due_dates_meet(
        kind="termination_request",
        contract=review.contract,
        met_by=review,
        on=review.contract.agency.today(),
        actor=actor,
    )
    if review.requested_by is not None:
        send_after_commit(
            subject=f"Contract {review.contract.number} will not be terminated early",
            body=review.response,
            to=_emails([review.requested_by]),
            link=reverse("procurement:termination", args=[review.contract_id]),
        )


@transaction.atomic
def termination_review(
    *,
    actor: Any,
    contract: Contract,
    reason: str,
    alternative_providers: str,
    notice_period_days: int,
    notice_on: date,
    capacity_clause: str = "",
) -> TerminationReview:
    """seed 003: (a) review supply repercussions (the open placements are listed, the
    alternative providers recorded) and (b) check the contractual capacity to terminate (the
    contract's terms that allow it, and the notice period: termination takes effect at notice
    date + period, which must fall before the contract's own end). Side effect: a lead
    professional's open request is met by the review."""
    require_perm(actor, "procurement.terminate", contract, action="terminate this contract")
    if contract.status not in LIVE_CONTRACT:
        raise TransitionNotAllowed("Only an executed or active contract can be terminated early.")
    open_placements = Placement.objects.filter(
        contract=contract, status=PlacementStatus.ACTIVE
    ).order_by("case_reference")
    review = TerminationReview.objects.filter(contract=contract).first() or TerminationReview(
        contract=contract
    )
    if review.notice_sent:
        raise TransitionNotAllowed("The notice has already been sent.")
    review.reason = _required(reason, "reason", "Say why the contract is terminated.")
    review.alternative_providers = _required(
        alternative_providers,
        "alternative_providers",
        "Record the alternative providers (supply repercussions).",
    )
    review.capacity_clause = (capacity_clause or "").strip()
    review.placements_affected = "\n".join(
        f"{p.case_reference} (since {p.start_date:%-d %B %Y})" for p in open_placements
    )
    review.notice_period_days = notice_period_days
    review.notice_on = notice_on
    review.effective_on = calc.notice_ends(notice_on, notice_period_days)
    if review.effective_on > contract.end_date:
        message = (
            f"With this notice the termination would take effect on "
            f"{review.effective_on:%-d %B %Y}, after the contract ends "
            f"({contract.end_date:%-d %B %Y})."
        )
        raise _refuse(message, "notice_period_days")
    review.status = TerminationStatus.REVIEWED
    save_audited(review, actor=actor, reason="Termination reviewed")
    due_dates_meet(
        kind="termination_request", contract=contract, met_by=review, on=notice_on, actor=actor
    )
    return review


def notice_text(review: TerminationReview) -> str:
    """The written notice to the provider (seed 003 (c)), as sent and kept."""
    contract = review.contract
    assert review.notice_on is not None and review.effective_on is not None
    clause = f" under {review.capacity_clause}" if review.capacity_clause else ""
    return (
        f"Notice of termination of contract {contract.number} ({contract.title}).\n\n"
        f"{contract.agency.name} gives {contract.provider.legal_name} notice on "
        f"{review.notice_on:%-d %B %Y}{clause} that the contract is terminated with "
        f"{review.notice_period_days} days' notice. The termination takes effect on "
        f"{review.effective_on:%-d %B %Y}; until then the contract continues on its terms.\n\n"
        f"Reason: {review.reason}"
    )


@transaction.atomic
def termination_give_notice(*, actor: Any, review: TerminationReview, today: date) -> Contract:
    """seed 003 (c) "advise provider in writing of decision to terminate": the notice is sent
    (emailed to the provider's users and contact address) and kept (its text, to whom). The
    contract runs until the termination takes effect (notice date + notice period).

    Side effects: Finance is told of the early end (to acknowledge); each running placement's
    end is brought forward to the effective date (its key worker ends it with its proforma, or
    moves it); the termination's effective date falls due to the contract manager. When it has
    already taken effect by `today` and no placement runs under the contract, the contract is
    terminated at once (`termination_take_effect`). Returns the contract."""
    require_perm(actor, "procurement.terminate", review.contract, action="terminate this contract")
    if review.notice_sent:
        raise TransitionNotAllowed("The notice has already been sent.")
    if review.status != TerminationStatus.REVIEWED or review.effective_on is None:
        raise TransitionNotAllowed("Review the supply and the contractual capacity first.")
    contract = review.contract
    if contract.status not in LIVE_CONTRACT:
        raise TransitionNotAllowed("Only an executed or active contract can be terminated early.")
    assert review.notice_on is not None
    provider_people = list(User.objects.filter(provider=contract.provider, is_active=True))
    to = sorted(set(_emails(provider_people)) | {contract.provider.email} - {""})
    if not to:
        raise TransitionNotAllowed(
            "The provider has no email address to send the notice to: record its email "
            "address first."
        )
    review.notice_text = notice_text(review)
    review.notice_sent = True
    review.notice_sent_to = ", ".join(to)
    review.status = TerminationStatus.NOTICE_SENT
    save_audited(review, actor=actor, reason="Notice sent")
    send_after_commit(
        subject=f"Notice of termination: contract {contract.number}",
        body=review.notice_text,
        to=to,
        link=reverse("contracts:detail", args=[contract.pk]),
    )
    _tell(
        actor=actor,
        agency=contract.agency,
        kind=NotificationKind.NOTICE,
        people=[],
        subject=f"Contract {contract.number} terminated early from {review.effective_on:%-d %B %Y}",
        body=f"Notice was given on {review.notice_on:%-d %B %Y}: contract {contract.number} "
        f"with {contract.provider} ends early on {review.effective_on:%-d %B %Y} (anticipated "
        f"end was {contract.end_date:%-d %B %Y}).",
        link=reverse("procurement:finance_notices"),
        today=today,
        contract=contract,
        finance=True,
    )
    for placement in Placement.objects.filter(contract=contract, status=PlacementStatus.ACTIVE):
        due_date_open(
            kind="placement_end",
            actor=actor,
            start=_later(today, placement.start_date),
            due_on=max(today, min(placement.anticipated_end, review.effective_on)),
            contract=contract,
            subject=placement,
            assignee=placement.key_worker,
            label=f"Placement {placement.case_reference}: end or move it (contract terminated)",
        )
    due_date_open(
        kind="termination_effective",
        actor=actor,
        start=review.notice_on,
        due_on=review.effective_on,
        contract=contract,
        subject=review,
        label="Early termination takes effect",
    )
    running = Placement.objects.filter(contract=contract, status=PlacementStatus.ACTIVE)
    if review.effective_on <= today and not running.exists():
        return termination_take_effect(actor=actor, review=review, today=today)
    return contract


@transaction.atomic
def termination_take_effect(*, actor: Any, review: TerminationReview, today: date) -> Contract:
    """seed 003: the early termination takes effect: the contract is terminated from the
    effective date (contract_terminate, which starts the closeout evaluation clock; the term
    listener meets the termination's due date). Refused before the notice is sent, before the
    effective date, and while a placement under it runs (each gets its proforma or a move)."""
    require_perm(actor, "procurement.terminate", review.contract, action="terminate this contract")
    if not review.notice_sent or review.effective_on is None:
        raise TransitionNotAllowed("Send the notice to the provider first.")
    if today < review.effective_on:
        raise TransitionNotAllowed(
            f"The termination takes effect on {review.effective_on:%-d %B %Y}; until then the "
            "contract runs."
        )
    running = list(
        Placement.objects.filter(contract=review.contract, status=PlacementStatus.ACTIVE)
        .order_by("case_reference")
        .values_list("case_reference", flat=True)
    )
    if running:
        raise TransitionNotAllowed(
            "End or move each placement first (its key worker sends the proforma): "
            + ", ".join(running)
            + "."
        )
    review.status = TerminationStatus.EFFECTIVE
    save_audited(review, actor=actor, reason="Termination took effect")
    return contract_terminate(
        actor=actor,
        contract=review.contract,
        terminated_on=review.effective_on,
        reason=review.reason,
    )


def contract_term_changed(contract: Contract, actor: Any, event: Any) -> None:
    """The contracts term listener (registered in `ProcurementConfig.ready`). Executed: Finance
    is told the contract's start and anticipated end. Ended: the due date of its early
    termination is met if it was terminated (by the termination review, or the contract when
    there is none) and cancelled if it ended otherwise first; a request not yet reviewed is
    cancelled."""
    if event.kind == "executed":
        contract_dates_to_finance(contract, actor, event.on)
        return
    if event.kind != "ended":
        return
    due_dates_cancel(
        kind="termination_request",
        contract=contract,
        actor=actor,
        reason="The contract ended before the request was reviewed",
    )
    if contract.status != ContractStatus.TERMINATED:
        due_dates_cancel(
            kind="termination_effective",
            contract=contract,
            actor=actor,
            reason="The contract ended before its termination took effect",
        )
        return
    review = TerminationReview.objects.filter(contract=contract).first()
    due_dates_meet(
        kind="termination_effective",
        contract=contract,
        met_by=review or contract,
        on=event.on,
        actor=actor,
    )
