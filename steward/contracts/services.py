"""The only code that writes contracts, amendments, documents and due dates.

Every service is keyword-only, atomic, checks the actor's permission, validates with
`full_clean()`, and writes the audit row (django-simple-history) in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from steward.contracts.hooks import TermEvent, execution_problems, renewal_problems, term_changed
from steward.contracts.models import (
    CLOSED_STATUSES,
    Amendment,
    AmendmentKind,
    Contract,
    ContractDocument,
    ContractStatus,
    DueDate,
    DueDateStatus,
)
from steward.contracts.services_due_dates import (
    agency_calendar,
    due_date_open,
    due_dates_cancel,
    due_dates_end_with_contract,
    due_dates_meet,
)
from steward.contracts.status_dates import (
    completion_problems,
    message,
    reopen_problems,
    termination_problems,
)
from steward.contracts.status_dates import execution_problems as signing_problems
from steward.core.deadlines import compute_deadline
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.services import check_uploaded_file, require_perm, save_audited
from steward.parties.models import Agency

# Fields fixed once a contract is executed: change them with an amendment instead.
LOCKED_AFTER_EXECUTION = frozenset(
    {"agency", "provider", "number", "start_date", "end_date", "maximum_obligation", "currency"}
)
# The fields a person edits, in the order the contract form shows them (the form reuses this).
EDITABLE_FIELDS: tuple[str, ...] = (
    "number",
    "title",
    "description",
    "provider",
    "contract_type",
    "service_type",
    "object_code",
    "sponsor",
    "department",
    "contract_manager",
    "start_date",
    "end_date",
    "renewal_options",
    "renewal_terms",
    "maximum_obligation",
    "compensation_structure",
    "rate_setting",
    "rate_setting_authority",
    "procurement_method",
    "authority_category",
    "notes",
)


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"Unknown contract field(s): {', '.join(sorted(unknown))}.",
            errors={name: ["Unknown field."] for name in sorted(unknown)},
        )


@transaction.atomic
def contract_create(*, actor: Any, agency: Agency, data: dict[str, Any]) -> Contract:
    """Create a draft contract for `agency` from `data` (field name → value). Returns it.

    The currency comes from the agency's policy pack. Raises PermissionDeniedError unless the
    actor is the agency's contract manager (or an administrator), ValidationFailed on bad data
    (e.g. end before start, a contract number already used in the agency)."""
    require_perm(actor, "contracts.add_contract", agency, action="create contracts in this agency")
    _check_fields(data)
    contract = Contract(agency=agency, status=ContractStatus.DRAFT, **data)
    contract.currency = agency.pack.parsed.currency
    if contract.contract_manager_id is None and actor.role == "contract_manager":
        contract.contract_manager = actor
    _check_people(contract)
    save_audited(contract, actor=actor, reason="Created")
    return contract


def _check_people(contract: Contract) -> None:
    manager = contract.contract_manager
    if manager is not None and manager.agency_id != contract.agency_id:
        raise ValidationFailed(
            "The contract manager must work for the contract's agency.",
            errors={"contract_manager": ["Choose a person from the contract's agency."]},
        )


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, data: dict[str, Any]) -> Contract:
    """Change the fields in `data` on `contract`. Returns the contract.

    Once a contract is executed its parties, number, dates and maximum obligation are fixed:
    changing them raises ValidationFailed pointing at amendments. Closed contracts (completed,
    terminated, expired) accept only notes."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    require_perm(actor, "contracts.change_contract", contract, action="change this contract")
    _check_fields(data)
    changed = {k for k, v in data.items() if getattr(contract, k) != v}
    if not changed:
        return contract
    if contract.status != ContractStatus.DRAFT:
        locked = sorted(changed & LOCKED_AFTER_EXECUTION)
        if locked:
            raise ValidationFailed(
                "An executed contract's dates, parties, number and maximum obligation change "
                "only by amendment.",
                errors={name: ["Fixed once executed: record an amendment."] for name in locked},
            )
    if contract.is_closed and changed - {"notes"}:
        raise ValidationFailed(
            f"This contract is {contract.get_status_display().lower()}; only its notes can change."
        )
    for name, value in data.items():
        setattr(contract, name, value)
    _check_people(contract)
    save_audited(contract, actor=actor, reason="Edited")
    return contract


def _transition(
    contract: Contract, *, actor: Any, allowed_from: tuple[str, ...], to: str
) -> Contract:
    contract = (
        Contract.objects.select_for_update().select_related("agency__pack").get(pk=contract.pk)
    )
    require_perm(
        actor, "contracts.transition_contract", contract, action="change this contract's status"
    )
    if contract.status not in allowed_from:
        names = " or ".join(ContractStatus(s).label.lower() for s in allowed_from)
        raise TransitionNotAllowed(
            f"A contract can become {ContractStatus(to).label.lower()} only when it is {names}; "
            f"this one is {contract.get_status_display().lower()}."
        )
    return contract


@transaction.atomic
def contract_execute(*, actor: Any, contract: Contract, executed_on: date) -> Contract:
    """Mark a draft contract executed (signed) on `executed_on`.

    Refused when `executed_on` is after the agency's today (`status_dates`), and while a check
    registered in `steward.contracts.hooks` (commercial fee, POS attachments, ...) reports a
    problem. Side effects: status → executed; audit row."""
    contract = _transition(
        contract, actor=actor, allowed_from=(ContractStatus.DRAFT,), to="executed"
    )
    _refuse(signing_problems(executed_on=executed_on, today=contract.agency.today()))
    if contract.maximum_obligation is None or contract.maximum_obligation <= 0:
        raise TransitionNotAllowed("State the maximum obligation before executing the contract.")
    problems = execution_problems(contract)
    if problems:
        raise TransitionNotAllowed(
            "The contract cannot be executed yet: " + " ".join(problems),
            errors={"__all__": problems},
        )
    contract.status = ContractStatus.EXECUTED
    contract.executed_on = executed_on
    save_audited(contract, actor=actor, reason=f"Executed on {executed_on:%-d %B %Y}")
    renewal_decision_plan(actor=actor, contract=contract, today=executed_on)
    term_changed(contract, actor, TermEvent("executed", executed_on))
    return contract


@transaction.atomic
def contract_activate(*, actor: Any, contract: Contract, today: date) -> Contract:
    """Make an executed contract active. Refused before it is executed or before its start.

    Side effects: status → active; audit row."""
    contract = _transition(
        contract, actor=actor, allowed_from=(ContractStatus.EXECUTED,), to="active"
    )
    if today < contract.start_date:
        raise TransitionNotAllowed(
            f"The contract starts on {contract.start_date:%-d %B %Y}; it cannot be active before."
        )
    contract.status = ContractStatus.ACTIVE
    save_audited(contract, actor=actor, reason="Activated")
    return contract


@transaction.atomic
def contract_complete(*, actor: Any, contract: Contract, completed_on: date) -> Contract:
    """Record that the provider completed the work on `completed_on`.

    Refused (`status_dates`) before the start, after the end date (unless an extension moved
    it) and after the agency's today. Side effects: status → completed; the closeout
    evaluation falls due (pack rule `closeout_evaluation`, 60 days in the Connecticut pack:
    seed 000); audit rows."""
    contract = _transition(
        contract, actor=actor, allowed_from=(ContractStatus.ACTIVE,), to="completed"
    )
    _refuse(
        completion_problems(
            completed_on=completed_on,
            start_date=contract.start_date,
            end_date=contract.end_date,
            today=contract.agency.today(),
        )
    )
    contract.status = ContractStatus.COMPLETED
    contract.completed_on = completed_on
    save_audited(contract, actor=actor, reason=f"Completed on {completed_on:%-d %B %Y}")
    due_date_open(kind="closeout_evaluation", contract=contract, start=completed_on, actor=actor)
    due_dates_end_with_contract(
        actor=actor, contract=contract, ended_on=completed_on, reason="The contract was completed"
    )
    due_dates_cancel(
        kind="renewal_decision", contract=contract, actor=actor, reason="The contract ended"
    )
    term_changed(contract, actor, TermEvent("ended", completed_on))
    return contract


@transaction.atomic
def contract_terminate(
    *, actor: Any, contract: Contract, terminated_on: date, reason: str
) -> Contract:
    """Terminate an executed or active contract early, with a written reason.

    Refused (`status_dates`) without a reason, before the signing and after the agency's today.
    Where the agency's process is the early-termination review (seed 003) the pages go through
    it (`steward.procurement`), which calls this when the termination takes effect.
    Side effects: status → terminated; the closeout evaluation falls due from the termination
    date (seed 000); audit rows."""
    contract = _transition(
        contract,
        actor=actor,
        allowed_from=(ContractStatus.EXECUTED, ContractStatus.ACTIVE),
        to="terminated",
    )
    _refuse(
        termination_problems(
            terminated_on=terminated_on,
            executed_on=contract.executed_on,
            reason=reason,
            today=contract.agency.today(),
        )
    )
    contract.status = ContractStatus.TERMINATED
    contract.terminated_on = terminated_on
    contract.termination_reason = reason.strip()
    save_audited(contract, actor=actor, reason=f"Terminated: {reason.strip()}")
    due_date_open(kind="closeout_evaluation", contract=contract, start=terminated_on, actor=actor)
    due_dates_end_with_contract(
        actor=actor, contract=contract, ended_on=terminated_on, reason="The contract was terminated"
    )
    due_dates_cancel(
        kind="renewal_decision", contract=contract, actor=actor, reason="The contract ended"
    )
    term_changed(contract, actor, TermEvent("ended", terminated_on))
    return contract


@transaction.atomic
def contract_reopen(*, actor: Any, contract: Contract, reason: str) -> Contract:
    """Reopen a contract completed or terminated by mistake, with the reason (required).

    The contract runs again: active, or executed when it has not started yet (one past its end
    date is expired by the nightly job as usual). Same permission as the other status changes
    (the agency's contract manager, an administrator). Side effects: the completion or
    termination date and reason are cleared (the history keeps them, with the reason for
    reopening, in the same transaction); the closeout evaluation the end opened is cancelled;
    the renewal decision is planned again; the areas re-plan what hangs on the term (review
    meetings) as for a changed term. Due dates the end closed stay closed."""
    contract = _transition(
        contract, actor=actor, allowed_from=tuple(ContractStatus.values), to="active"
    )
    problems = reopen_problems(status=contract.status, reason=reason)
    if "__all__" in problems:
        raise TransitionNotAllowed(message({"__all__": problems["__all__"]}))
    _refuse(problems)
    today = contract.agency.today()
    was = contract.get_status_display().lower()
    contract.status = (
        ContractStatus.EXECUTED if today < contract.start_date else ContractStatus.ACTIVE
    )
    contract.completed_on = None
    contract.terminated_on = None
    contract.termination_reason = ""
    save_audited(contract, actor=actor, reason=f"Reopened (was {was}): {reason.strip()}")
    due_dates_cancel(
        kind="closeout_evaluation",
        contract=contract,
        actor=actor,
        reason="The contract was reopened",
    )
    renewal_decision_plan(actor=actor, contract=contract, today=today)
    term_changed(contract, actor, TermEvent("term_changed", today))
    return contract


def _refuse(problems: dict[str, list[str]]) -> None:
    """Raise ValidationFailed with `problems` (field → messages), if there are any."""
    if problems:
        raise ValidationFailed(message(problems), errors=problems)


@transaction.atomic
def contract_expire(*, actor: Any, contract: Contract, today: date) -> Contract:
    """Mark an active or executed contract expired once its end date has passed.

    Side effects: status → expired; the closeout evaluation falls due from the end date
    (seed 000); audit rows."""
    contract = _transition(
        contract,
        actor=actor,
        allowed_from=(ContractStatus.EXECUTED, ContractStatus.ACTIVE),
        to="expired",
    )
    if contract.end_date >= today:
        raise TransitionNotAllowed(
            f"The contract runs until {contract.end_date:%-d %B %Y}; it has not expired."
        )
    contract.status = ContractStatus.EXPIRED
    save_audited(contract, actor=actor, reason="Expired at the end of its term")
    due_date_open(
        kind="closeout_evaluation", contract=contract, start=contract.end_date, actor=actor
    )
    due_dates_cancel(
        kind="renewal_decision", contract=contract, actor=actor, reason="The contract ended"
    )
    term_changed(contract, actor, TermEvent("ended", contract.end_date))
    return contract


def contracts_expire_due(*, today: date) -> int:
    """Expire every executed/active contract whose end date is before `today`, set-based.

    Returns the count. Writes, in a handful of statements whatever the number of contracts:
    the status change, one audit row per contract, and each contract's closeout evaluation due
    date (seed 000), computed once per (agency, end date) with the agency's pack and calendar.
    Open closeout due dates of the same contracts (none in normal operation) are cancelled."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    with transaction.atomic():
        contracts = list(
            Contract.objects.select_for_update(of=("self",))
            .filter(status__in=(ContractStatus.EXECUTED, ContractStatus.ACTIVE), end_date__lt=today)
            .select_related("agency__pack")
        )
        if not contracts:
            return 0
        for contract in contracts:
            contract.status = ContractStatus.EXPIRED
        bulk_update_with_history(
            contracts,
            Contract,
            ["status"],
            batch_size=1000,
            default_change_reason="Expired at the end of its term",
        )
        # no closeout is open in normal operation; a renewal decision not taken is moot now
        DueDate.objects.filter(
            contract__in=contracts,
            kind__in=("closeout_evaluation", "renewal_decision"),
            status=DueDateStatus.OPEN,
        ).update(status=DueDateStatus.CANCELLED, close_reason="The contract ended")
        calendars: dict[int, Any] = {}
        dues: dict[tuple[int, date], date] = {}
        new_rows = []
        for contract in contracts:
            agency = contract.agency
            pack = agency.pack
            rule = pack.parsed.deadline_rule("closeout_evaluation")
            if agency.pk not in calendars:
                calendars[agency.pk] = agency_calendar(agency)
            key = (agency.pk, contract.end_date)
            if key not in dues:
                dues[key] = compute_deadline(
                    start=contract.end_date,
                    rule=rule,
                    calendar=calendars[agency.pk],
                    pack=pack.slug,
                ).due
            new_rows.append(
                DueDate(
                    kind="closeout_evaluation",
                    agency=agency,
                    contract=contract,
                    provider_id=contract.provider_id,
                    rule_key=rule.key,
                    label=rule.label,
                    pack_slug=pack.slug,
                    pack_version=pack.version,
                    source=rule.source,
                    start_date=contract.end_date,
                    days=rule.days,
                    day_kind=str(rule.kind),
                    due_date=dues[key],
                )
            )
        bulk_create_with_history(
            new_rows, DueDate, batch_size=1000, default_change_reason="Contract expired"
        )
        return len(contracts)


def contracts_reopen_renewed(
    *, actor: Any, agency: Agency, contract_ids: list[int], today: date, reason: str
) -> int:
    """Expired contracts of `agency` whose end date a renewal or extension (recorded from an
    imported register) moved to `today` or later are running again: status → active
    (executed if they have not started), set-based. Returns how many changed.

    `actor` None is an operator at the command line; anyone else needs permission to change
    the contracts' status. Side effects: an audit row per contract with `reason`; the closeout
    evaluation the expiry opened is cancelled ("The contract was renewed")."""
    from simple_history.utils import bulk_update_with_history

    if actor is not None:
        require_perm(actor, "contracts.add_contract", agency, action="import contracts")
    with transaction.atomic():
        contracts = list(
            Contract.objects.select_for_update()
            .filter(
                pk__in=contract_ids,
                agency=agency,
                status=ContractStatus.EXPIRED,
                end_date__gte=today,
            )
            .order_by("pk")
        )
        if not contracts:
            return 0
        for contract in contracts:
            contract.status = (
                ContractStatus.EXECUTED if contract.start_date > today else ContractStatus.ACTIVE
            )
        bulk_update_with_history(
            contracts,
            Contract,
            ["status"],
            batch_size=1000,
            default_change_reason=reason,
            default_user=actor if getattr(actor, "pk", None) else None,
        )
        DueDate.objects.filter(
            contract__in=contracts, kind="closeout_evaluation", status=DueDateStatus.OPEN
        ).update(status=DueDateStatus.CANCELLED, close_reason="The contract was renewed")
        return len(contracts)


@transaction.atomic
def amendment_create(
    *,
    actor: Any,
    contract: Contract,
    effective_on: date,
    reason: str,
    new_end_date: date | None = None,
    new_maximum_obligation: Decimal | None = None,
) -> Amendment:
    """Amend an executed or active contract: extend its end date and/or change its maximum
    obligation, with a reason and effective date. Returns the amendment.

    Side effects: the contract's end date / maximum obligation change; audit rows on both.
    Raises ValidationFailed when nothing changes, the new end is before the start, the
    obligation is negative or there is no reason; TransitionNotAllowed on draft or closed
    contracts (a draft is simply edited) and on an extension (the end date moved later) that a
    registered renewal check refuses: an extension is gated as a renewal is (seed 001)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    require_perm(actor, "contracts.amend_contract", contract, action="amend this contract")
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        raise TransitionNotAllowed(
            "Only executed or active contracts are amended; "
            f"this one is {contract.get_status_display().lower()}."
            + (" Edit the draft instead." if contract.status == ContractStatus.DRAFT else "")
        )
    errors: dict[str, list[str]] = {}
    end = new_end_date if new_end_date is not None else contract.end_date
    obligation = (
        new_maximum_obligation
        if new_maximum_obligation is not None
        else contract.maximum_obligation
    )
    if not reason or not reason.strip():
        errors["reason"] = ["Give the reason for the amendment."]
    if end < contract.start_date:
        errors["new_end_date"] = [
            f"The end date cannot be before the start date ({contract.start_date:%-d %B %Y})."
        ]
    if obligation < 0:
        errors["new_maximum_obligation"] = ["The maximum obligation cannot be negative."]
    end_changed = end != contract.end_date
    obligation_changed = obligation != contract.maximum_obligation
    if not errors and not end_changed and not obligation_changed:
        errors["__all__"] = ["The amendment changes neither the end date nor the obligation."]
    if errors:
        raise ValidationFailed(
            "; ".join(m for msgs in errors.values() for m in msgs), errors=errors
        )
    if end > contract.end_date:
        # an extension is gated as a renewal is (seed 001: "renewal or extension")
        problems = renewal_problems(contract)
        if problems:
            raise TransitionNotAllowed(
                "The contract cannot be extended: " + " ".join(problems),
                errors={"__all__": problems},
            )
    kind = (
        AmendmentKind.EXTENSION_AND_OBLIGATION
        if end_changed and obligation_changed
        else AmendmentKind.EXTENSION
        if end_changed
        else AmendmentKind.OBLIGATION
    )
    sequence = (
        contract.amendments.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    amendment = Amendment(
        contract=contract,
        sequence=sequence,
        kind=kind,
        effective_on=effective_on,
        reason=reason.strip(),
        previous_end_date=contract.end_date,
        new_end_date=end,
        previous_maximum_obligation=contract.maximum_obligation,
        new_maximum_obligation=obligation,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(amendment, actor=actor, reason=reason.strip())
    contract.end_date = end
    contract.maximum_obligation = obligation
    save_audited(contract, actor=actor, reason=f"Amendment {sequence}: {reason.strip()}")
    if end_changed:
        _term_moved(contract=contract, actor=actor, amendment=amendment, on=effective_on)
    return amendment


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    contract: Contract,
    kind: str,
    title: str,
    upload: UploadedFile,
    released_to_provider: bool = True,
) -> ContractDocument:
    """Store `upload` with `contract` after checking its type (extension and signature) and size.

    Returns the document. Raises ValidationFailed with the reason a file is refused; nothing is
    written then."""
    require_perm(actor, "contracts.upload_document", contract, action="add documents here")
    checked = check_uploaded_file(upload)
    safe_name = checked.name
    document = ContractDocument(
        contract=contract,
        kind=kind,
        title=title.strip() or safe_name,
        original_name=safe_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        released_to_provider=released_to_provider,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    document.file.save(safe_name, upload, save=False)
    try:
        save_audited(document, actor=actor, reason=f"Uploaded {safe_name}")
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def closed_statuses() -> tuple[str, ...]:
    return tuple(str(s) for s in CLOSED_STATUSES)


@transaction.atomic
def renewal_exercise(
    *,
    actor: Any,
    contract: Contract,
    new_end_date: date,
    effective_on: date,
    reason: str,
    new_maximum_obligation: Decimal | None = None,
) -> Amendment:
    """Exercise one of the contract's renewal or extension options: a new end date (and, if
    the renewal adds money, a new maximum obligation), recorded as a renewal amendment.

    Refused past the options in the contract ("all 2 options are exercised"), on a contract
    that is not executed or active, when the new end is not after the current one, or while a
    check registered with `steward.contracts.hooks.register_renewal_check` (renewal
    eligibility from the latest evaluation, seed 001) objects. Side effects: renewals
    exercised + 1; end date (and obligation) change; audit rows on both."""
    contract = (
        Contract.objects.select_for_update().select_related("agency__pack").get(pk=contract.pk)
    )
    require_perm(actor, "contracts.amend_contract", contract, action="renew this contract")
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        raise TransitionNotAllowed(
            "Only an executed or active contract is renewed; "
            f"this one is {contract.get_status_display().lower()}."
        )
    if contract.renewals_exercised >= contract.renewal_options:
        options = contract.renewal_options
        raise TransitionNotAllowed(
            "This contract has no renewal options."
            if options == 0
            else f"All {options} renewal option{'s' if options != 1 else ''} of this contract "
            "are exercised; a further renewal needs an amendment to the contract."
        )
    errors: dict[str, list[str]] = {}
    if not reason or not reason.strip():
        errors["reason"] = ["Give the reason for the renewal."]
    if new_end_date <= contract.end_date:
        errors["new_end_date"] = [
            f"A renewal extends the contract beyond its end date ({contract.end_date:%-d %B %Y})."
        ]
    if new_maximum_obligation is not None and new_maximum_obligation < contract.maximum_obligation:
        errors["new_maximum_obligation"] = [
            "A renewal cannot reduce the maximum obligation; record an amendment instead."
        ]
    if errors:
        raise ValidationFailed(
            "; ".join(m for msgs in errors.values() for m in msgs), errors=errors
        )
    problems = renewal_problems(contract)
    if problems:
        raise TransitionNotAllowed(
            "The contract cannot be renewed: " + " ".join(problems), errors={"__all__": problems}
        )
    obligation = (
        contract.maximum_obligation if new_maximum_obligation is None else new_maximum_obligation
    )
    sequence = (
        contract.amendments.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    number = contract.renewals_exercised + 1
    amendment = Amendment(
        contract=contract,
        sequence=sequence,
        kind=AmendmentKind.RENEWAL,
        effective_on=effective_on,
        reason=f"Renewal option {number} of {contract.renewal_options}: {reason.strip()}",
        previous_end_date=contract.end_date,
        new_end_date=new_end_date,
        previous_maximum_obligation=contract.maximum_obligation,
        new_maximum_obligation=obligation,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(amendment, actor=actor, reason=amendment.reason)
    contract.end_date = new_end_date
    contract.maximum_obligation = obligation
    contract.renewals_exercised = number
    save_audited(contract, actor=actor, reason=amendment.reason)
    _term_moved(contract=contract, actor=actor, amendment=amendment, on=effective_on)
    return amendment


def _term_moved(*, contract: Contract, actor: Any, amendment: Amendment, on: date) -> None:
    """The end date moved (an extension or a renewal): the renewal decision it answers is met
    by the amendment, the next one is planned for the new end, and the areas re-plan what
    hangs on the term (review meetings)."""
    if amendment.new_end_date > amendment.previous_end_date:
        due_dates_meet(
            kind="renewal_decision", contract=contract, met_by=amendment, on=on, actor=actor
        )
    else:
        due_dates_end_with_contract(
            actor=actor,
            contract=contract,
            ended_on=contract.end_date,
            reason="The contract's end date moved earlier",
        )
    renewal_decision_plan(actor=actor, contract=contract, today=on)
    term_changed(contract, actor, TermEvent("term_changed", on, amendment))


def renewal_decision_plan(*, actor: Any, contract: Contract, today: date) -> DueDate | None:
    """Open the due date by which the contract manager decides whether to renew or extend
    `contract` (the pack's days before its end; seed 001 gates the decision on the score), if
    it has a renewal option left; replaces an open one. Returns it, or None when there is no
    option left. Met by a renewal or an extension; "not needed" (with the reason) records a
    decision not to renew."""
    if contract.renewals_exercised >= (contract.renewal_options or 0):
        due_dates_cancel(
            kind="renewal_decision",
            contract=contract,
            actor=actor,
            reason="No renewal option is left",
        )
        return None
    days = contract.agency.pack.parsed.renewal.decision_days_before_end
    # dated from itself: "set for <date>" reads better than "N days from the execution"
    due_on = max(contract.end_date - timedelta(days=days), min(today, contract.end_date))
    return due_date_open(
        kind="renewal_decision",
        contract=contract,
        start=due_on,
        due_on=due_on,
        actor=actor,
        label=f"Renewal or extension decided ({days} days before the end)",
    )
