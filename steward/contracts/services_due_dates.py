"""The only code that writes due dates: open one of a registered kind, meet it with the record
that fulfils it, mark it not needed (and reopen it) with a reason, cancel what a contract's end
leaves pointless, and close the windows that passed unused.

Every kind is declared in `steward.contracts.due_kinds`; a due date of an unregistered kind
cannot be written. Each write carries an audit row (django-simple-history) with its reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from steward.contracts.due_kinds import KINDS, Nature, kind_of
from steward.contracts.models import Contract, DueDate, DueDateStatus
from steward.core.deadlines import WorkingCalendar, compute_deadline
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.services import require_perm, save_audited
from steward.parties.models import Agency, Provider, Role


def agency_calendar(agency: Agency) -> WorkingCalendar:
    """Return the working-day calendar of `agency`: its pack's public holidays plus its own
    closure days."""
    pack_calendar = agency.pack.parsed.calendar()
    closures = set(pack_calendar.closure_days)
    closures.update(date.fromisoformat(d) for d in agency.closure_days or [])
    return WorkingCalendar(
        country=pack_calendar.country,
        subdivision=pack_calendar.subdivision,
        closure_days=frozenset(closures),
    )


def _content_type(obj: models.Model | None) -> ContentType | None:
    return ContentType.objects.get_for_model(obj) if obj is not None else None


def due_date_open(
    *,
    kind: str,
    actor: Any,
    start: date,
    contract: Contract | None = None,
    agency: Agency | None = None,
    provider: Provider | None = None,
    subject: models.Model | None = None,
    assignee: Any = None,
    due_on: date | None = None,
    rule_key: str | None = None,
    label: str | None = None,
) -> DueDate:
    """Open a due date of the registered `kind` and return it.

    The date is the kind's pack rule applied to `start` with the agency's calendar (working or
    calendar days), or `due_on` where the record sets it (a meeting's date, an action's). The
    agency and provider default to the contract's. `rule_key` tells one due date from the
    others of its contract (or agency): it defaults to the kind's key, or to the kind and the
    subject's id when there is a subject. An open due date with the same key is replaced
    (cancelled, with that reason). Audited with how the date was worked out."""
    spec = kind_of(kind)
    if spec.contract_bound and contract is None:
        raise ValueError(f"a {kind} due date belongs to a contract")
    agency = agency or (contract.agency if contract is not None else None)
    if agency is None:
        raise ValueError(f"a {kind} due date needs an agency")
    if provider is None and contract is not None:
        provider = contract.provider
    pack = agency.pack
    if due_on is None:
        if spec.rule is None:
            raise ValueError(f"a {kind} due date is set by its record: give due_on")
        rule = pack.parsed.deadline_rule(spec.rule)
        deadline = compute_deadline(
            start=start, rule=rule, calendar=agency_calendar(agency), pack=pack.slug
        )
        due_on, days, day_kind = deadline.due, rule.days, str(rule.kind)
        source, text = rule.source, label or rule.label
    else:
        if due_on < start:
            raise ValidationFailed(f"A due date cannot be before {start:%-d %B %Y}.")
        days, day_kind = (due_on - start).days, "calendar"
        source, text = spec.source, label or spec.name
    if rule_key is None:
        rule_key = kind if subject is None else f"{kind}:{subject.pk}"
    same = DueDate.objects.filter(rule_key=rule_key, status=DueDateStatus.OPEN)
    same = (
        same.filter(contract=contract)
        if contract is not None
        else same.filter(agency=agency, contract__isnull=True)
    )
    for old in same:
        old.status = DueDateStatus.CANCELLED
        old.close_reason = "Replaced by a new due date"
        save_audited(old, actor=actor, reason="Replaced by a new due date")
    due = DueDate(
        kind=kind,
        agency=agency,
        contract=contract,
        provider=provider,
        assignee=assignee if getattr(assignee, "pk", None) else None,
        subject_type=_content_type(subject),
        subject_id=subject.pk if subject is not None else None,
        rule_key=rule_key,
        label=text[:200],
        pack_slug=pack.slug,
        pack_version=pack.version,
        source=source[:120],
        start_date=start,
        days=days,
        day_kind=day_kind,
        due_date=due_on,
    )
    save_audited(due, actor=actor, reason=f"Due {due.explain().lower()}")
    return due


def _open_of(
    kind: str, *, contract: Contract | None, subject: models.Model | None, rule_key: str | None
) -> models.QuerySet[DueDate]:
    kind_of(kind)
    dues = DueDate.objects.select_for_update().filter(kind=kind, status=DueDateStatus.OPEN)
    if contract is not None:
        dues = dues.filter(contract=contract)
    if subject is not None:
        dues = dues.filter(subject_type=_content_type(subject), subject_id=subject.pk)
    if rule_key is not None:
        dues = dues.filter(rule_key=rule_key)
    return dues


def due_dates_meet(
    *,
    kind: str,
    actor: Any,
    on: date,
    met_by: models.Model,
    contract: Contract | None = None,
    subject: models.Model | None = None,
    rule_key: str | None = None,
) -> list[DueDate]:
    """Close the open due dates of `kind` (of `contract`, about `subject`, with `rule_key`,
    whichever are given) as met on `on` by the record `met_by`, which they then link to.
    Call it in the transaction that writes `met_by`. Returns the due dates closed (none if
    nothing was open: meeting a due date twice is harmless)."""
    if contract is None and subject is None and rule_key is None:
        raise ValueError("say which due dates: a contract, a subject or a rule key")
    closed = []
    met_type = _content_type(met_by)
    for due in _open_of(kind, contract=contract, subject=subject, rule_key=rule_key):
        due.status = DueDateStatus.DONE
        due.completed_on = on
        due.met_by_type, due.met_by_id = met_type, met_by.pk
        due.closed_by = actor if getattr(actor, "pk", None) else None
        save_audited(due, actor=actor, reason=f"Met: {kind_of(kind).name.lower()} recorded")
        closed.append(due)
    return closed


def due_dates_unmeet(*, met_by: models.Model, actor: Any, reason: str) -> list[DueDate]:
    """Open again the due dates `met_by` met (the record was withdrawn by its own workflow, e.g.
    an evaluation taken back to draft), with `reason`. Returns them. Call it in the transaction
    that withdraws `met_by`."""
    reopened = []
    dues = DueDate.objects.select_for_update().filter(
        status=DueDateStatus.DONE, met_by_type=_content_type(met_by), met_by_id=met_by.pk
    )
    for due in dues:
        due.status = DueDateStatus.OPEN
        due.completed_on = None
        due.met_by_type, due.met_by_id = None, None
        due.closed_by = None
        save_audited(due, actor=actor, reason=f"Open again: {reason}")
        reopened.append(due)
    return reopened


def due_dates_cancel(
    *,
    kind: str,
    actor: Any,
    reason: str,
    contract: Contract | None = None,
    subject: models.Model | None = None,
    rule_key: str | None = None,
) -> int:
    """Cancel the open due dates of `kind` (as `due_dates_meet` selects them) because an event
    made them pointless; `reason` says which. Returns how many."""
    if contract is None and subject is None and rule_key is None:
        raise ValueError("say which due dates: a contract, a subject or a rule key")
    count = 0
    for due in _open_of(kind, contract=contract, subject=subject, rule_key=rule_key):
        due.status = DueDateStatus.CANCELLED
        due.close_reason = reason
        save_audited(due, actor=actor, reason=reason)
        count += 1
    return count


def due_dates_end_with_contract(
    *, actor: Any, contract: Contract, ended_on: date, reason: str
) -> int:
    """When a contract ends early or its end date moves: cancel its open due dates of the kinds
    that end with the contract (`DueKind.ends_with_contract`) whose start is after `ended_on`
    (a review not yet held, a return for a period not yet begun), with `reason`. Returns how
    many."""
    kinds = [k.key for k in KINDS.values() if k.ends_with_contract]
    dues = DueDate.objects.select_for_update().filter(
        contract=contract, kind__in=kinds, status=DueDateStatus.OPEN, start_date__gt=ended_on
    )
    count = 0
    for due in dues:
        due.status = DueDateStatus.CANCELLED
        due.close_reason = reason
        save_audited(due, actor=actor, reason=reason)
        count += 1
    return count


def _require_close_perm(actor: Any, due: DueDate, action: str) -> None:
    require_perm(actor, "contracts.close_due_date", due, action=action)


@transaction.atomic
def due_date_not_needed(*, actor: Any, due: DueDate, reason: str, today: date) -> DueDate:
    """Mark an open due date "not needed" with `reason` (agency staff who act on its kind, or
    an administrator). It leaves every due list, the reminders, the calendar, the exception
    report and the risk signals. Audited with the reason."""
    _require_close_perm(actor, due, "mark this due date as not needed")
    due = DueDate.objects.select_for_update().get(pk=due.pk)
    if due.status != DueDateStatus.OPEN:
        raise TransitionNotAllowed("This due date is already closed.")
    if not (reason or "").strip():
        raise ValidationFailed(
            "Say why it is not needed.", errors={"reason": ["A reason is required."]}
        )
    due.status = DueDateStatus.NOT_NEEDED
    due.completed_on = today
    due.closed_by = actor if getattr(actor, "pk", None) else None
    due.close_reason = reason.strip()
    save_audited(due, actor=actor, reason=f"Not needed: {reason.strip()}")
    return due


@transaction.atomic
def due_date_reopen(*, actor: Any, due: DueDate, reason: str) -> DueDate:
    """Reopen a due date that was marked not needed, with `reason`: it is due again on its
    date. A due date met by a record, replaced or cancelled by an event is reopened by that
    record's own workflow, not here. Audited with the reason."""
    _require_close_perm(actor, due, "reopen this due date")
    due = DueDate.objects.select_for_update().get(pk=due.pk)
    if due.status != DueDateStatus.NOT_NEEDED:
        raise TransitionNotAllowed("Only a due date marked not needed can be reopened here.")
    if not (reason or "").strip():
        raise ValidationFailed(
            "Say why it is needed after all.", errors={"reason": ["A reason is required."]}
        )
    clash = DueDate.objects.filter(
        rule_key=due.rule_key, status=DueDateStatus.OPEN, agency=due.agency, contract=due.contract
    )
    if clash.exists():
        raise TransitionNotAllowed("A newer due date of the same kind is already open.")
    due.status = DueDateStatus.OPEN
    due.completed_on = None
    due.closed_by = None
    due.close_reason = ""
    save_audited(due, actor=actor, reason=f"Reopened: {reason.strip()}")
    return due


def windows_lapse(*, as_of: date) -> int:
    """Close, as unused, every open window (to appeal, to comment, to ask for a debriefing)
    whose last day is before `as_of`, set-based with its audit rows. Returns how many."""
    windows = [k.key for k in KINDS.values() if k.nature == Nature.WINDOW]
    with transaction.atomic():
        dues = list(
            DueDate.objects.select_for_update().filter(
                kind__in=windows, status=DueDateStatus.OPEN, due_date__lt=as_of
            )
        )
        for due in dues:
            due.status = DueDateStatus.LAPSED
            due.completed_on = due.due_date
            due.close_reason = "The window closed unused."
            due.updated_at = timezone.now()
        if dues:
            bulk_update_with_history(
                dues,
                DueDate,
                ["status", "completed_on", "close_reason", "updated_at"],
                batch_size=1000,
                default_change_reason="The window closed unused",
            )
    return len(dues)


# ---------------------------------------------------------------- reminders

#: how far back a daily run looks for a due date it may still owe a reminder about (a run
#: missed for up to a week still sends the overdue notice)
REMINDER_LOOKBACK_DAYS = 7


def _reminder_words(offset: int, what: str, due_on: date) -> tuple[str, str]:
    when = f"{due_on:%-d %B %Y}"
    if offset < 0:
        return f"Overdue: {what}", f"{what}. It was due on {when} and is overdue."
    if offset == 0:
        return f"Due today: {what}", f"{what}. It is due today, {when}."
    return f"Due in {offset} days: {what}", f"{what}. It is due on {when}."


def due_reminders_send(*, as_of: date | None = None) -> dict[str, int]:
    """The daily reminders: for every open due date, the reminder its kind asks for on this day
    (5 days before, on the day, and the day after it was missed; a window only before it
    closes), emailed to the people who must act (the same people whose work list holds it,
    `selectors_due_dates.owes`), with a link to the page where they act. "This day" is each
    agency's own today in its time zone, or `as_of` for every agency when given. Each reminder
    goes once (`DueReminder`); a due date that is met, not needed or cancelled is never
    reminded. A fixed number of queries whatever the number of due dates. Returns counts."""
    from django.urls import reverse

    from steward.contracts.due_kinds import reminder_offset
    from steward.contracts.models import DueReminder
    from steward.contracts.selectors_due_dates import owes
    from steward.core.mail import Mail, send_batch_after_commit
    from steward.parties.models import Agency, User

    now = timezone.now()
    todays = {a.pk: (as_of or a.today(now)) for a in Agency.objects.select_related("pack")}
    if not todays:
        return {"reminders": 0, "emails": 0}
    earliest = min(todays.values()) - timedelta(days=REMINDER_LOOKBACK_DAYS)
    latest = max(todays.values()) + timedelta(days=max(max(k.reminders) for k in KINDS.values()))
    dues = list(
        DueDate.objects.filter(
            status=DueDateStatus.OPEN,
            kind__in=list(KINDS),
            due_date__gte=earliest,
            due_date__lte=latest,
        ).select_related("contract", "agency")
    )
    sent = set(DueReminder.objects.filter(due__in=dues).values_list("due_id", "offset"))
    wanted: list[tuple[DueDate, int]] = []
    for due in dues:
        today = todays[due.agency_id]
        if due.due_date < today - timedelta(days=REMINDER_LOOKBACK_DAYS):
            continue
        offset = reminder_offset(due.due_date, today, KINDS[due.kind].reminders)
        if offset is not None and (due.pk, offset) not in sent:
            wanted.append((due, offset))
    if not wanted:
        return {"reminders": 0, "emails": 0}
    provider_ids = {d.provider_id for d, _ in wanted if d.provider_id}
    agency_ids = {d.agency_id for d, _ in wanted}
    people = list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(provider_id__in=provider_ids, role=Role.PROVIDER_USER)
            | Q(agency_id__in=agency_ids)
            | Q(role=Role.OVERSIGHT_OFFICER)
            | Q(pk__in={d.assignee_id for d, _ in wanted if d.assignee_id})
        )
    )
    mails: list[Mail] = []
    logs: list[DueReminder] = []
    for due, offset in wanted:
        kind = KINDS[due.kind]
        to = sorted({p.email for p in people if owes(p, due)})
        what = kind.sentence(
            contract=due.contract.number if due.contract is not None else "",
            agency=due.agency.name,
        )
        subject, body = _reminder_words(offset, what, due.due_date)
        mails.append(
            Mail(subject=subject, body=body, to=to, link=due_page(due) or reverse("workspace:home"))
        )
        logs.append(
            DueReminder(due=due, offset=offset, sent_on=todays[due.agency_id], recipients=len(to))
        )
    with transaction.atomic():
        DueReminder.objects.bulk_create(logs, ignore_conflicts=True)
        rows = send_batch_after_commit(mails)
    return {"reminders": len(logs), "emails": len(rows)}


def due_page(due: DueDate) -> str:
    """The path of the page where the person who must act on `due` does it ("" when its kind
    names no page)."""
    from django.urls import NoReverseMatch, reverse

    kind = KINDS.get(due.kind)
    if kind is None or not kind.page:
        return ""
    if kind.page_arg == "subject":
        args: list[Any] = [due.subject_id]
    elif kind.page_arg == "contract":
        args = [due.contract_id]
    else:
        args = []
    if any(a is None for a in args):
        return ""
    try:
        return reverse(kind.page, args=args)
    except NoReverseMatch:
        return ""
