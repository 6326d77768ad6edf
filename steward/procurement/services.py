"""Writes to procurement records. Every service checks the permission first, validates, and
writes audited rows in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from steward.contracts.models import (
    Contract,
    ContractStatus,
    DueDate,
    DueDateStatus,
    ProcurementMethod,
)
from steward.contracts.services import contract_create
from steward.contracts.services_due_dates import (
    agency_calendar,
    due_date_open,
    due_dates_meet,
)
from steward.core.deadlines import DeadlineRule, compute_deadline
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.formatting import fmt_date
from steward.core.mail import Mail, send_batch_after_commit
from steward.core.services import require_perm, save_audited
from steward.parties.models import Agency, Provider
from steward.procurement import calc
from steward.procurement.models import (
    AppealStatus,
    Bid,
    BidAppeal,
    BidScore,
    Criterion,
    DebriefingMeeting,
    DebriefingRequest,
    ExecutionNotice,
    Solicitation,
    SolicitationStatus,
)

CENTS = Decimal("0.01")
FINANCE_EMAIL = getattr(settings, "STEWARD_FINANCE_EMAIL", "finance@localhost")


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


def _required(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationFailed(message, errors={field: [message]})
    return value.strip()


def window_due(solicitation: Solicitation, key: str, start: date) -> date:
    """Return the last day of the debriefing window ``key`` (debriefing_request or
    debriefing_meeting) from ``start``: the agency pack's rule, with the days changed when the
    procurement officer changed them for this solicitation (seed 004). Worked out with the
    agency's calendar, as its due date is (`services_due_dates.due_date_open`)."""
    agency = solicitation.agency
    rule = agency.pack.parsed.deadline_rule(key)
    override = getattr(solicitation, f"{key}_days")
    if override is not None:
        rule = DeadlineRule(
            key=rule.key,
            label=rule.label,
            days=calc.window_days(rule.days, override),
            kind=rule.kind,
            source=f"changed for {solicitation.reference}",
        )
    return compute_deadline(
        start=start, rule=rule, calendar=agency_calendar(agency), pack=agency.pack.slug
    ).due


def _debriefing_due_open(
    *, kind: str, actor: Any, solicitation: Solicitation, bid: Bid, start: date, subject: Any
) -> DueDate:
    """Open the due date of the debriefing step `kind` (debriefing_request: the bidder's
    window, about the bid; debriefing_meeting: the agency's, about the request) on the awarded
    contract, for the bidder's provider. Its date is `window_due`: the pack's rule, or the days
    the procurement officer set for this solicitation."""
    changed = getattr(solicitation, f"{kind}_days") is not None
    return due_date_open(
        kind=kind,
        actor=actor,
        start=start,
        contract=solicitation.contract,
        provider=bid.provider,
        subject=subject,
        due_on=window_due(solicitation, kind, start) if changed else None,
        label=solicitation.agency.pack.parsed.deadline_rule(kind).label if changed else None,
    )


def _last_day(kind: str, subject: Any) -> date | None:
    """The date of the latest due date of `kind` about `subject` that was not cancelled (open,
    met or lapsed), or None when there is none (records from before due dates were kept)."""
    due = (
        DueDate.objects.filter(
            kind=kind,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
        )
        .exclude(status=DueDateStatus.CANCELLED)
        .order_by("-pk")
        .first()
    )
    return due.due_date if due else None


# ------------------------------------------------------------------ solicitations


@transaction.atomic
def solicitation_create(
    *, actor: Any, agency: Agency, data: dict[str, Any], criteria: list[tuple[str, Any]]
) -> Solicitation:
    """Create a solicitation with its evaluation criteria and weights.

    seed 003: tendering is required above the pack's tender threshold; a purchase above it that
    is not tendered needs the Best Value exemption recorded (``best_value_exemption``)."""
    require_perm(actor, "procurement.manage_solicitation", agency, action="run procurement here")
    value = _money(data.get("estimated_value"), "estimated_value")
    pack = agency.pack.parsed
    required = calc.tender_required(value, pack.tender.threshold)
    exemption = (data.get("best_value_exemption") or "").strip()
    solicitation = Solicitation(
        agency=agency,
        reference=(data.get("reference") or "").strip(),
        title=(data.get("title") or "").strip(),
        service_type=(data.get("service_type") or "").strip(),
        estimated_value=value,
        currency=pack.currency,
        tendering_required=required and not exemption,
        best_value_exemption=exemption,
        debriefing_contact=(data.get("debriefing_contact") or "").strip(),
        appeal_contact=(data.get("appeal_contact") or "").strip(),
        purchase_of_service=bool(data.get("purchase_of_service", False)),
        electronic_responses=bool(data.get("electronic_responses", True)),
    )
    if not criteria:
        raise ValidationFailed(
            "Give at least one evaluation criterion.", errors={"criteria": ["Add a criterion."]}
        )
    save_audited(solicitation, actor=actor, reason="Created")
    for name, weight in criteria:
        criterion = Criterion(
            solicitation=solicitation, name=name.strip(), weight=_money(weight, "weight")
        )
        save_audited(criterion, actor=actor, reason="Criterion")
    return solicitation


@transaction.atomic
def solicitation_change_windows(
    *,
    actor: Any,
    solicitation: Solicitation,
    request_days: int | None,
    meeting_days: int | None,
    reason: str,
) -> Solicitation:
    """seed 004: the procurement officer may change the debriefing windows, with a reason.
    Side effects: the windows still open move with them: each bidder's window to ask for a
    debriefing, and each debriefing meeting not yet recorded (its due date and `meeting_due`)."""
    require_perm(
        actor, "procurement.manage_solicitation", solicitation, action="change the windows"
    )
    solicitation.debriefing_request_days = request_days
    solicitation.debriefing_meeting_days = meeting_days
    solicitation.window_change_reason = _required(reason, "reason", "Say why the windows change.")
    save_audited(solicitation, actor=actor, reason=f"Debriefing windows changed: {reason.strip()}")
    _windows_replan(actor, solicitation)
    return solicitation


def _windows_replan(actor: Any, solicitation: Solicitation) -> None:
    """Re-open, with the solicitation's current days, the debriefing due dates of its bids not
    yet acted on: each open one is replaced by its moved one; a bidder's window that lapsed
    unused opens again when the change makes it end later (a window already past lapses at the
    next daily run)."""
    bids = {b.pk: b for b in solicitation.bids.select_related("provider")}
    asked = set(
        DebriefingRequest.objects.filter(bid_id__in=list(bids)).values_list("bid_id", flat=True)
    )
    latest: dict[int, DueDate] = {}
    for due in DueDate.objects.filter(
        kind="debriefing_request",
        status__in=(DueDateStatus.OPEN, DueDateStatus.LAPSED),
        subject_type=ContentType.objects.get_for_model(Bid),
        subject_id__in=[pk for pk in bids if pk not in asked],
    ).order_by("pk"):
        latest[int(due.subject_id or 0)] = due
    for bid_id, due in latest.items():
        bid = bids[bid_id]
        moved_to = window_due(solicitation, "debriefing_request", due.start_date)
        if due.status == DueDateStatus.LAPSED and moved_to <= due.due_date:
            continue
        _debriefing_due_open(
            kind="debriefing_request",
            actor=actor,
            solicitation=solicitation,
            bid=bid,
            start=due.start_date,
            subject=bid,
        )
    open_ = DueDate.objects.filter(status=DueDateStatus.OPEN)
    requests = {
        r.pk: r
        for r in DebriefingRequest.objects.filter(bid_id__in=list(bids), meeting__isnull=True)
    }
    meetings = open_.filter(
        kind="debriefing_meeting",
        subject_type=ContentType.objects.get_for_model(DebriefingRequest),
        subject_id__in=list(requests),
    )
    for due in meetings:
        request = requests[int(due.subject_id or 0)]
        moved = _debriefing_due_open(
            kind="debriefing_meeting",
            actor=actor,
            solicitation=solicitation,
            bid=bids[request.bid_id],
            start=request.requested_on,
            subject=request,
        )
        if request.meeting_due != moved.due_date:
            request.meeting_due = moved.due_date
            save_audited(request, actor=actor, reason="The debriefing windows changed")


@transaction.atomic
def bid_record(
    *, actor: Any, solicitation: Solicitation, provider: Provider, price: Any, received_on: date
) -> Bid:
    """Record a bid received from ``provider``. Only while the solicitation is open."""
    require_perm(actor, "procurement.manage_solicitation", solicitation, action="record bids")
    if solicitation.status != SolicitationStatus.OPEN:
        raise TransitionNotAllowed("Bids can be recorded only while the solicitation is open.")
    from steward.procurement.services_file import require_issued

    require_issued(solicitation)
    bid = Bid(
        solicitation=solicitation,
        provider=provider,
        price=_money(price, "price"),
        received_on=received_on,
    )
    save_audited(bid, actor=actor, reason="Bid received")
    return bid


@transaction.atomic
def score_record(*, actor: Any, bid: Bid, criterion: Criterion, score: Any) -> BidScore:
    """Record (or change) ``actor``'s score for ``bid`` on ``criterion`` (0-100)."""
    require_perm(actor, "procurement.manage_solicitation", bid.solicitation, action="score bids")
    if criterion.solicitation_id != bid.solicitation_id:
        raise ValidationFailed(
            "That criterion belongs to another solicitation.",
            errors={"criterion": ["Unknown criterion."]},
        )
    if bid.solicitation.status != SolicitationStatus.OPEN:
        raise TransitionNotAllowed("Scores are fixed once the solicitation is awarded.")
    value = _money(score, "score")
    row = BidScore.objects.filter(bid=bid, criterion=criterion, evaluator=actor).first()
    if row is None:
        row = BidScore(bid=bid, criterion=criterion, evaluator=actor)
    row.score = value
    save_audited(row, actor=actor, reason="Scored")
    return row


def solicitation_ranking(solicitation: Solicitation) -> list[calc.RankedBid]:
    """Return the bids ranked by averaged weighted score (calc.rank_bids)."""
    criteria = list(solicitation.criteria.all())
    names = {c.pk: c.name for c in criteria}
    bids = list(solicitation.bids.select_related("provider"))
    scores = BidScore.objects.filter(bid__solicitation=solicitation).values_list(
        "bid_id", "criterion_id", "evaluator_id", "score"
    )
    return calc.rank_bids(
        {c.name: c.weight for c in criteria},
        [calc.BidInput(b.pk, b.provider.legal_name, b.price) for b in bids],
        [calc.ScoreInput(b, names[c], str(e), s) for b, c, e, s in scores],
    )


@transaction.atomic
def solicitation_award(
    *,
    actor: Any,
    solicitation: Solicitation,
    bid: Bid,
    contract_data: dict[str, Any] | None = None,
    contract: Contract | None = None,
    reason: str = "",
) -> Contract:
    """Award ``solicitation`` to ``bid`` and create the draft contract from the award (or, with
    ``contract``, link the agency's contract with the winner already in the register).

    seed 004: refused (TransitionNotAllowed) until every bid is scored on every criterion; an
    award to a bid other than the top-ranked one needs ``reason`` (ValidationFailed without
    it), kept on the solicitation (``award_reason``) and in its history.

    The created contract's provider and maximum obligation come from the bid; its procurement
    method is tendered, under the threshold, or the Best Value exemption (seed 003). Creating a
    contract needs the contracts.add_contract permission too (the agency's contract manager)."""
    require_perm(actor, "procurement.manage_solicitation", solicitation, action="award")
    if solicitation.status != SolicitationStatus.OPEN:
        raise TransitionNotAllowed("This solicitation has already been awarded.")
    if bid.solicitation_id != solicitation.pk:
        raise ValidationFailed(
            "That bid is not for this solicitation.", errors={"bid": ["Unknown bid."]}
        )
    criteria = list(solicitation.criteria.values_list("name", flat=True))  # at least one
    bidders = dict(solicitation.bids.values_list("pk", "provider__legal_name"))
    unscored = calc.unscored_bids(
        list(bidders),
        criteria,
        BidScore.objects.filter(bid__solicitation=solicitation).values_list(
            "bid_id", "criterion__name"
        ),
    )
    if unscored:
        raise TransitionNotAllowed(
            "Score every bid on every criterion before the award (not yet scored: "
            + "; ".join(f"the bid from {bidders[pk]}" for pk in unscored)
            + ")."
        )
    reason = (reason or "").strip()
    ranking = solicitation_ranking(solicitation)
    if calc.award_reason_needed(ranking, bid.pk) and not reason:
        message = (
            f"Bid {bid.pk} is not the top-ranked bid (bid {ranking[0].bid_id} is): record why "
            "it is awarded."
        )
        raise ValidationFailed(message, errors={"reason": [message]})
    if contract is not None:
        # the award of a contract already in the register (e.g. imported): link it
        if contract.agency_id != solicitation.agency_id or contract.provider_id != bid.provider_id:
            raise ValidationFailed(
                "The contract must be the agency's contract with the winning bidder.",
                errors={"contract": ["Not this agency's contract with the winning bidder."]},
            )
        if Solicitation.objects.filter(contract=contract).exists():
            raise ValidationFailed(
                "That contract was already awarded by another solicitation.",
                errors={"contract": ["Already linked to a solicitation."]},
            )
    else:
        contract = _award_contract(actor, solicitation, bid, contract_data or {})
    solicitation.awarded_bid = bid
    solicitation.contract = contract
    solicitation.status = SolicitationStatus.AWARDED
    solicitation.award_reason = reason if calc.award_reason_needed(ranking, bid.pk) else ""
    save_audited(
        solicitation,
        actor=actor,
        reason=f"Awarded to {bid.provider}" + (f": {reason}" if solicitation.award_reason else ""),
    )
    return contract


def _award_contract(
    actor: Any, solicitation: Solicitation, bid: Bid, contract_data: dict[str, Any]
) -> Contract:
    """Create the draft contract of an award through contracts.services.contract_create."""
    if solicitation.tendering_required:
        method = ProcurementMethod.TENDERED
    elif solicitation.best_value_exemption:
        method = ProcurementMethod.BEST_VALUE_EXEMPTION
    else:
        method = ProcurementMethod.UNDER_THRESHOLD
    data = {
        "title": solicitation.title,
        "service_type": solicitation.service_type,
        "contract_type": "pos",
        "compensation_structure": "fixed_price",
        **contract_data,
        "provider": bid.provider,
        "maximum_obligation": bid.price,
        "procurement_method": method,
    }
    return contract_create(actor=actor, agency=solicitation.agency, data=data)


@transaction.atomic
def notices_send(*, actor: Any, solicitation: Solicitation, notified_on: date) -> int:
    """seed 004: notify every bidder, dated, of the execution of the contract. Returns how many
    notices were written (one per bid, bulk). Refused until the awarded contract is executed
    (the notice is of its execution), and for a date before its execution.

    Side effects: each bidder is emailed its notice (its active users, steward.core.mail);
    each non-successful bidder's window to ask for a debriefing
    opens (a due date of kind debriefing_request about its bid, on its work list and reminded
    to its users; it lapses unused at the end of the window)."""
    require_perm(actor, "procurement.manage_solicitation", solicitation, action="send notices")
    if solicitation.status != SolicitationStatus.AWARDED:
        raise TransitionNotAllowed("Send the notices once the solicitation is awarded.")
    contract = (
        Contract.objects.filter(pk=solicitation.contract_id).first()
        if solicitation.contract_id
        else None
    )
    if contract is None or contract.status == ContractStatus.DRAFT:
        number = f" {contract.number}" if contract is not None else ""
        raise TransitionNotAllowed(
            f"Execute the contract{number} first: the notices tell the bidders of its execution."
        )
    if contract.executed_on and notified_on < contract.executed_on:
        message = (
            f"The contract was executed on {contract.executed_on:%-d %B %Y}; the bidders are "
            "notified on or after that day."
        )
        raise ValidationFailed(message, errors={"on": [message]})
    bids = list(solicitation.bids.select_related("provider"))
    notices = [
        ExecutionNotice(
            bid=b, notified_on=notified_on, successful=b.pk == solicitation.awarded_bid_id
        )
        for b in bids
    ]
    ExecutionNotice.objects.bulk_create(notices)
    solicitation.status = SolicitationStatus.NOTIFIED
    save_audited(solicitation, actor=actor, reason=f"Bidders notified on {fmt_date(notified_on)}")
    _mail_notices(solicitation, contract, bids, notified_on)
    for bid in bids:
        if bid.pk != solicitation.awarded_bid_id:
            _debriefing_due_open(
                kind="debriefing_request",
                actor=actor,
                solicitation=solicitation,
                bid=bid,
                start=notified_on,
                subject=bid,
            )
    return len(notices)


def _bidder_emails(provider: Provider) -> list[str]:
    """The addresses a bidder is written to: its active users' (as the monitoring letters)."""
    from steward.parties.models import Role, User

    return sorted(
        set(
            User.objects.filter(provider_id=provider.pk, role=Role.PROVIDER_USER, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _mail_notices(
    solicitation: Solicitation, contract: Contract, bids: list[Bid], notified_on: date
) -> None:
    """seed 004: email each bidder its notice of contract execution, with, for the others, who
    debriefing requests and appeals go to (the RFR's contacts)."""
    mails = []
    for bid in bids:
        to = _bidder_emails(bid.provider)
        if not to:
            continue
        won = bid.pk == solicitation.awarded_bid_id
        body = (
            f"On {notified_on:%-d %B %Y} {solicitation.agency.name} notifies you of the execution "
            f"of contract {contract.number} awarded under {solicitation.reference} "
            f"({solicitation.title}). "
        )
        if won:
            body += "Your bid was successful."
        else:
            due = window_due(solicitation, "debriefing_request", notified_on)
            body += (
                f"Your bid was not successful. You may request a debriefing until "
                f"{due:%-d %B %Y}; a debriefing is needed before any appeal."
            )
            if solicitation.debriefing_contact:
                body += f" Debriefing requests go to {solicitation.debriefing_contact}."
            if solicitation.appeal_contact:
                body += f" Appeals go to {solicitation.appeal_contact}."
        mails.append(
            Mail(
                subject=f"{solicitation.reference}: notice of contract execution",
                body=body,
                to=to,
                link=reverse("procurement:bid", args=[bid.pk]),
            )
        )
    send_batch_after_commit(mails)


# ------------------------------------------------------------------ debriefings and appeals


def _require_bidder_or_staff(actor: Any, bid: Bid, action: str) -> bool:
    """A bidder's own users act for its bid; the agency's procurement staff record what the
    bidder sent by letter or email (seed 004). Returns True for staff."""
    if actor.has_perm("procurement.manage_solicitation", bid.solicitation):
        return True
    require_perm(actor, "procurement.act_for_bidder", bid, action=action)
    return False


def _happened_on(on: date | None, *, agency: Agency, after: date | None, after_what: str) -> date:
    """The date something happened: `on`, or today in the agency's zone when None. Refused
    (ValidationFailed on "on") in the future or before the step it follows (`after`). (The
    pages and the API date a bidder's own request today; staff give the day a letter came.)"""
    today = agency.today()
    on = on or today
    refusal = calc.date_refusal(on=on, today=today, after=after, after_what=after_what)
    if refusal:
        raise ValidationFailed(refusal, errors={"on": [refusal]})
    return on


@transaction.atomic
def debriefing_request(
    *, actor: Any, bid: Bid, requested_on: date | None = None
) -> DebriefingRequest:
    """seed 004: a non-successful bidder requests a debriefing within the window (pack
    debriefing_request days from the notice, day N allowed, N+1 refused). The bidder's own
    users request it; the agency's procurement staff record a request the bidder sent by
    letter or email, dated the day it was received (`requested_on`: today in the agency's zone
    when None; never in the future, never before the notice: ValidationFailed). Refused
    (TransitionNotAllowed, 409) before the notice, to the winner, twice, or after the window.

    Side effects: the bidder's window (its debriefing_request due date) is met by the request;
    the debriefing meeting falls due within the debriefing_meeting window of the request (a due
    date about the request, on the work list of the agency's procurement officers and the
    contract's manager; `meeting_due` is its date)."""
    _require_bidder_or_staff(actor, bid, "request a debriefing for this bid")
    notice = ExecutionNotice.objects.filter(bid=bid).first()
    if notice is None:
        raise TransitionNotAllowed("A debriefing can be requested once bidders have been notified.")
    if notice.successful:
        raise TransitionNotAllowed("Debriefings are for non-successful bidders.")
    if DebriefingRequest.objects.filter(bid=bid).exists():
        raise TransitionNotAllowed("A debriefing has already been requested for this bid.")
    solicitation = bid.solicitation
    requested_on = _happened_on(
        requested_on,
        agency=solicitation.agency,
        after=notice.notified_on,
        after_what="the notice of contract execution",
    )
    due = _last_day("debriefing_request", bid) or window_due(
        solicitation, "debriefing_request", notice.notified_on
    )
    if not calc.within_window(notice.notified_on, requested_on, due):
        raise TransitionNotAllowed(
            f"Debriefings had to be requested by {due:%-d %B %Y}.",
            errors={"requested_on": [f"The window ended on {due:%-d %B %Y}."]},
        )
    request = DebriefingRequest(
        bid=bid,
        requested_on=requested_on,
        requested_by=actor,
        meeting_due=window_due(solicitation, "debriefing_meeting", requested_on),
    )
    save_audited(request, actor=actor, reason="Debriefing requested")
    due_dates_meet(
        kind="debriefing_request", subject=bid, met_by=request, on=requested_on, actor=actor
    )
    meeting_due = _debriefing_due_open(
        kind="debriefing_meeting",
        actor=actor,
        solicitation=solicitation,
        bid=bid,
        start=requested_on,
        subject=request,
    )
    if meeting_due.due_date != request.meeting_due:  # one date, whatever computed it
        request.meeting_due = meeting_due.due_date
        save_audited(request, actor=actor, reason="Debriefing meeting due")
    return request


@transaction.atomic
def debriefing_schedule(
    *, actor: Any, request: DebriefingRequest, meeting_on: date, scheduled_on: date | None = None
) -> DebriefingRequest:
    """seed 004: the agency schedules the debriefing meeting "within 14 days of the receipt of
    the request" (the pack's debriefing_meeting window); the meeting itself may be set for a
    later day. `scheduled_on` is the day it was scheduled (today in the agency's zone when
    None; never in the future, never before the request: ValidationFailed); `meeting_on` the
    day the meeting is set for (not before the request). Scheduling after the window is
    recorded all the same, as late. Refused (TransitionNotAllowed) once the meeting is recorded.

    Side effects: the meeting's due date (debriefing_meeting) is met by the scheduling."""
    solicitation = request.bid.solicitation
    require_perm(
        actor, "procurement.manage_solicitation", solicitation, action="schedule debriefings"
    )
    if hasattr(request, "meeting"):
        raise TransitionNotAllowed("This debriefing has already been held and recorded.")
    scheduled_on = _happened_on(
        scheduled_on,
        agency=solicitation.agency,
        after=request.requested_on,
        after_what="the debriefing request",
    )
    if meeting_on < request.requested_on:
        message = f"The debriefing was requested on {request.requested_on:%-d %B %Y}."
        raise ValidationFailed(
            f"{message} The meeting cannot be before the request.",
            errors={"meeting_on": [message]},
        )
    request.scheduled_on = scheduled_on
    request.meeting_on = meeting_on
    late = scheduled_on > request.meeting_due
    save_audited(
        request,
        actor=actor,
        reason=f"Debriefing meeting set for {fmt_date(meeting_on)}" + (" (late)" if late else ""),
    )
    due_dates_meet(
        kind="debriefing_meeting", subject=request, met_by=request, on=scheduled_on, actor=actor
    )
    return request


@transaction.atomic
def debriefing_meeting_record(
    *, actor: Any, request: DebriefingRequest, held_on: date, attendees: str, discussion: str
) -> DebriefingMeeting:
    """seed 004: record the debriefing meeting, who attended and what was discussed; it goes in
    the procurement file. A meeting held after its due date (`meeting_due`) is recorded all the
    same, as late: the bidder keeps its right to appeal. Refused before the request and for a
    day still to come (ValidationFailed).

    Side effects: the meeting's due date is met by the meeting; the bidder's window to appeal
    opens (a bid_appeal due date about the bid, pack bid_appeal days from the meeting, on the
    bidder's work list; it lapses unused)."""
    solicitation = request.bid.solicitation
    require_perm(
        actor, "procurement.manage_solicitation", solicitation, action="record debriefings"
    )
    if hasattr(request, "meeting"):
        raise TransitionNotAllowed("This debriefing has already been recorded.")
    if held_on < request.requested_on:
        message = f"The debriefing was requested on {request.requested_on:%-d %B %Y}."
        raise ValidationFailed(
            f"{message} The meeting cannot be before the request.", errors={"held_on": [message]}
        )
    meeting = DebriefingMeeting(
        request=request,
        held_on=held_on,
        attendees=_required(attendees, "attendees", "Say who attended."),
        discussion=_required(discussion, "discussion", "Say what was discussed."),
    )
    if held_on > solicitation.agency.today():
        message = "The meeting cannot be recorded before it is held (the date is in the future)."
        raise ValidationFailed(message, errors={"held_on": [message]})
    late = held_on > (request.meeting_on or request.meeting_due)
    save_audited(meeting, actor=actor, reason="Debriefing held" + (" late" if late else ""))
    due_dates_meet(
        kind="debriefing_meeting", subject=request, met_by=meeting, on=held_on, actor=actor
    )
    bid = request.bid
    due_date_open(
        kind="bid_appeal",
        actor=actor,
        start=held_on,
        contract=solicitation.contract,
        provider=bid.provider,
        subject=bid,
    )
    return meeting


def appeal_due(
    bid: Bid, *, solicitation: Solicitation | None = None, held_on: date | None = None
) -> date | None:
    """The last day to lodge an appeal: pack bid_appeal days from the debriefing meeting (the
    date of the bid's bid_appeal due date), or None when no debriefing was held. Pass
    `solicitation` and `held_on` when already loaded."""
    if held_on is None:
        meeting = DebriefingMeeting.objects.filter(request__bid=bid).first()
        if meeting is None:
            return None
        held_on = meeting.held_on
    solicitation = solicitation or bid.solicitation
    agency = solicitation.agency
    rule = agency.pack.parsed.deadline_rule("bid_appeal")
    return compute_deadline(
        start=held_on, rule=rule, calendar=agency_calendar(agency), pack=agency.pack.slug
    ).due


@transaction.atomic
def appeal_lodge(
    *, actor: Any, bid: Bid, ground: str, statement: str, lodged_on: date | None = None
) -> BidAppeal:
    """seed 004: a non-successful bidder appeals after its debriefing, within the pack's
    bid_appeal limit. The bidder's own users lodge it; the agency's procurement staff record an
    appeal the bidder sent by letter or email, dated the day it was received (`lodged_on`:
    today in the agency's zone when None; never in the future, never before the debriefing:
    ValidationFailed).

    Refused (TransitionNotAllowed, 409, nothing written) without a debriefing or after the
    time limit. An appeal on a ground other than the two is kept in the procurement file,
    refused with the reason (status refused; "Departments may reject appeal requests based on
    grounds other than those stated"). A pending appeal does not block contract execution.

    Side effects: the bidder's window to appeal (its bid_appeal due date) is met by the
    appeal (not by a refused one: the bidder may still appeal on the grounds in time)."""
    _require_bidder_or_staff(actor, bid, "appeal for this bid")
    meeting = DebriefingMeeting.objects.filter(request__bid=bid).first()
    if meeting is None:
        raise TransitionNotAllowed("A debriefing must take place before an appeal can be lodged.")
    lodged_on = _happened_on(
        lodged_on,
        agency=bid.solicitation.agency,
        after=meeting.held_on,
        after_what="the debriefing",
    )
    valid_ground = ground in {g.value for g in calc.AppealGround}
    refusal = calc.appeal_refusal(
        ground=ground if valid_ground else calc.AppealGround.NON_COMPLIANCE.value,
        debriefing_held_on=meeting.held_on,
        lodged_on=lodged_on,
        due=_last_day("bid_appeal", bid) or appeal_due(bid),
    )
    if refusal:
        raise TransitionNotAllowed(refusal, errors={"__all__": [refusal]})
    appeal = BidAppeal(
        bid=bid,
        lodged_on=lodged_on,
        lodged_by=actor,
        ground=ground if valid_ground else calc.OTHER_GROUND,
        statement=_required(statement, "statement", "Set out the appeal."),
    )
    if not valid_ground:
        appeal.status = AppealStatus.REFUSED
        appeal.decision = calc.GROUND_REFUSAL
        appeal.decided_on = lodged_on
    save_audited(
        appeal, actor=actor, reason="Appeal lodged" + (": refused" if not valid_ground else "")
    )
    if valid_ground:  # a refused appeal leaves the window open for one on the grounds
        due_dates_meet(kind="bid_appeal", subject=bid, met_by=appeal, on=lodged_on, actor=actor)
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Any, appeal: BidAppeal, status: str, decision: str, decided_on: date
) -> BidAppeal:
    """Record the decision on a pending appeal (upheld or dismissed, with the reasons)."""
    require_perm(
        actor, "procurement.manage_solicitation", appeal.bid.solicitation, action="decide appeals"
    )
    if appeal.status != AppealStatus.PENDING:
        raise TransitionNotAllowed("This appeal has already been decided.")
    if status not in (AppealStatus.UPHELD, AppealStatus.DISMISSED):
        raise ValidationFailed(
            "Choose upheld or dismissed.", errors={"status": ["Choose upheld or dismissed."]}
        )
    appeal.status = status
    appeal.decision = _required(decision, "decision", "Give the reasons for the decision.")
    appeal.decided_on = decided_on
    save_audited(appeal, actor=actor, reason=f"Appeal {status}")
    return appeal
