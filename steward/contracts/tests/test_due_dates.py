"""Due dates of every kind: the registry, opening, meeting, "not needed" and reopening, windows
that lapse, reminders, and who must act. Each kind's own life (created by its real service,
reminded, met, closed) is tested in its area."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from steward.contracts.due_kinds import KINDS, Nature, reminder_offset
from steward.contracts.models import DueDate, DueDateStatus, DueReminder
from steward.contracts.selectors_due_dates import owed_q, owes
from steward.contracts.services import contract_complete
from steward.contracts.services_due_dates import (
    due_date_not_needed,
    due_date_open,
    due_date_reopen,
    due_dates_meet,
    due_reminders_send,
    windows_lapse,
)
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.packs import load_shipped_packs
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- the registry


def test_every_kind_names_a_page_that_exists():
    for kind in KINDS.values():
        args = [1] if kind.page_arg else []
        try:
            reverse(kind.page, args=args)
        except NoReverseMatch:  # pragma: no cover - the assertion says which
            pytest.fail(f"{kind.key}: no page {kind.page!r} with {args}")


def test_every_rule_a_kind_names_is_in_every_shipped_pack():
    for pack in load_shipped_packs():
        for kind in KINDS.values():
            if kind.rule:
                assert pack.deadline_rule(kind.rule), (pack.slug, kind.key)


def test_every_kind_says_who_acts_what_creates_meets_and_cancels_it():
    for kind in KINDS.values():
        assert kind.roles and kind.created_by and kind.met_by and kind.cancelled_by, kind.key
        assert kind.source and kind.name and kind.todo, kind.key
        if kind.nature == Nature.WINDOW:
            assert all(offset >= 0 for offset in kind.reminders), kind.key


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 6, 24), None),
        (date(2026, 6, 25), 5),
        (date(2026, 6, 29), 5),
        (date(2026, 6, 30), 0),
        (date(2026, 7, 1), -1),
        (date(2026, 7, 9), -1),
    ],
)
def test_reminders_fall_five_days_before_on_the_day_and_the_day_after(today, expected):
    assert reminder_offset(date(2026, 6, 30), today, (5, 0, -1)) == expected


def test_a_window_is_never_reminded_once_closed():
    assert reminder_offset(date(2026, 6, 30), date(2026, 7, 1), (5, 0)) == 0


# ---------------------------------------------------------------- opening and meeting


def test_closeout_due_date_is_opened_by_completion_with_its_kind_agency_and_provider(
    contract, manager
):
    """seed 000: the written evaluation is due within 60 days of completion."""
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    due = DueDate.objects.get(contract=contract, status=DueDateStatus.OPEN)
    assert (due.kind, due.agency, due.provider) == (
        "closeout_evaluation",
        contract.agency,
        contract.provider,
    )
    assert due.due_date == date(2026, 7, 31)
    assert due.explain() == "60 days from 1 June 2026"
    assert "closeout" not in due.explain() and "seed" not in due.explain()


def test_opening_again_replaces_the_open_due_date_of_the_same_key(contract, manager):
    first = due_date_open(
        kind="closeout_evaluation", contract=contract, start=date(2026, 6, 1), actor=manager
    )
    second = due_date_open(
        kind="closeout_evaluation", contract=contract, start=date(2026, 6, 10), actor=manager
    )
    first.refresh_from_db()
    assert first.status == DueDateStatus.CANCELLED
    assert first.close_reason == "Replaced by a new due date"
    assert second.status == DueDateStatus.OPEN


def test_a_kind_that_is_not_registered_cannot_be_opened(contract, manager):
    with pytest.raises(KeyError, match="no due date kind 'performance_report'"):
        due_date_open(
            kind="performance_report",
            contract=contract,
            start=date(2026, 6, 1),
            actor=manager,
            due_on=date(2026, 6, 30),
        )


def test_meeting_closes_the_due_date_and_links_the_record_that_met_it(contract, manager):
    due = due_date_open(
        kind="closeout_evaluation", contract=contract, start=date(2026, 6, 1), actor=manager
    )
    closed = due_dates_meet(
        kind="closeout_evaluation",
        contract=contract,
        met_by=contract,
        on=date(2026, 7, 1),
        actor=manager,
    )
    assert [d.pk for d in closed] == [due.pk]
    due.refresh_from_db()
    assert (due.status, due.completed_on, due.met_by) == (
        DueDateStatus.DONE,
        date(2026, 7, 1),
        contract,
    )
    assert due.met_by_type == ContentType.objects.get_for_model(contract)
    assert due.history.first().history_change_reason == "Met: closeout evaluation recorded"
    # meeting it again changes nothing
    assert (
        due_dates_meet(
            kind="closeout_evaluation",
            contract=contract,
            met_by=contract,
            on=date(2026, 7, 2),
            actor=manager,
        )
        == []
    )


# ---------------------------------------------------------------- not needed, reopened


def test_not_needed_needs_a_reason_and_the_right_role_and_is_audited(contract, manager, make_user):
    due = due_date_open(
        kind="closeout_evaluation", contract=contract, start=date(2026, 6, 1), actor=manager
    )
    with pytest.raises(ValidationFailed):
        due_date_not_needed(actor=manager, due=due, reason="  ", today=date(2026, 6, 2))
    for role in (Role.PROVIDER_USER, Role.FINANCE_OFFICER):
        with pytest.raises(PermissionDeniedError):
            due_date_not_needed(actor=make_user(role), due=due, reason="x", today=date(2026, 6, 2))
    other = UserFactory(role=Role.CONTRACT_MANAGER)  # another agency's manager
    with pytest.raises(PermissionDeniedError):
        due_date_not_needed(actor=other, due=due, reason="x", today=date(2026, 6, 2))
    due = due_date_not_needed(
        actor=manager,
        due=due,
        reason="Evaluated under the parent contract",
        today=date(2026, 6, 2),
    )
    assert (due.status, due.closed_by, due.close_reason) == (
        DueDateStatus.NOT_NEEDED,
        manager,
        "Evaluated under the parent contract",
    )
    assert due.history.first().history_change_reason == (
        "Not needed: Evaluated under the parent contract"
    )
    with pytest.raises(TransitionNotAllowed):
        due_date_not_needed(actor=manager, due=due, reason="again", today=date(2026, 6, 2))
    due = due_date_reopen(actor=manager, due=due, reason="The parent contract was not evaluated")
    assert due.status == DueDateStatus.OPEN and due.close_reason == ""
    assert due.history.first().history_change_reason.startswith("Reopened: ")


def test_only_a_due_date_marked_not_needed_is_reopened_here(contract, manager):
    due = due_date_open(
        kind="closeout_evaluation", contract=contract, start=date(2026, 6, 1), actor=manager
    )
    with pytest.raises(TransitionNotAllowed):
        due_date_reopen(actor=manager, due=due, reason="why")


# ---------------------------------------------------------------- windows


def test_a_window_left_unused_lapses_and_is_not_missed(contract, manager):
    """seed 002 stage 8: the provider has 14 days to appeal; not appealing is no failure."""
    window = due_date_open(
        kind="monitoring_appeal",
        contract=contract,
        start=date(2026, 6, 1),
        actor=manager,
        subject=contract,
    )
    assert window.due_date == date(2026, 6, 15)
    assert windows_lapse(as_of=date(2026, 6, 15)) == 0
    assert windows_lapse(as_of=date(2026, 6, 16)) == 1
    window.refresh_from_db()
    assert window.status == DueDateStatus.LAPSED


# ---------------------------------------------------------------- reminders


def _run(days, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = {}
    for day in days:
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            due_reminders_send(as_of=day)
        sent[day] = [(m.subject, tuple(m.to)) for m in mailoutbox]
    return sent


def test_closeout_is_reminded_to_the_contract_manager_on_the_right_days_and_never_once_closed(
    agency, provider, manager, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 000: due 31 July 2026 (60 days from completion on 1 June)."""
    manager.email = "manager@dcf.example.gov"
    manager.save()
    contract = ContractFactory(
        agency=agency, provider=provider, status="active", number="DCF-9", contract_manager=manager
    )
    UserFactory(role=Role.CONTRACT_MANAGER, agency=agency, email="other@dcf.example.gov")
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    days = [date(2026, 7, 25) + timedelta(days=n) for n in range(10)]
    sent = _run(days, settings, mailoutbox, django_capture_on_commit_callbacks)
    to = ("manager@dcf.example.gov",)
    assert {day: mails for day, mails in sent.items() if mails} == {
        date(2026, 7, 26): [("Due in 5 days: Write the closeout evaluation of DCF-9", to)],
        date(2026, 7, 31): [("Due today: Write the closeout evaluation of DCF-9", to)],
        date(2026, 8, 1): [("Overdue: Write the closeout evaluation of DCF-9", to)],
    }
    body = mailoutbox  # the last run sent nothing; check a body from a fresh due date below
    assert body == []
    assert DueReminder.objects.count() == 3


def test_a_reminder_carries_an_absolute_link_and_stops_once_not_needed(
    agency, provider, manager, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STEWARD_SITE_URL = "https://steward.example.gov"
    manager.email = "manager@dcf.example.gov"
    manager.save()
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    sent = _run([date(2026, 7, 26)], settings, mailoutbox, django_capture_on_commit_callbacks)
    assert len(sent[date(2026, 7, 26)]) == 1
    due = DueDate.objects.get(contract=contract, status=DueDateStatus.OPEN)
    assert DueReminder.objects.filter(due=due).count() == 1
    due_date_not_needed(
        actor=manager, due=due, reason="Evaluated elsewhere", today=date(2026, 7, 27)
    )
    sent = _run(
        [date(2026, 7, 31), date(2026, 8, 1)],
        settings,
        mailoutbox,
        django_capture_on_commit_callbacks,
    )
    assert sent == {date(2026, 7, 31): [], date(2026, 8, 1): []}


def test_a_reminder_body_links_to_the_page_where_the_person_acts(
    agency, provider, manager, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STEWARD_SITE_URL = "https://steward.example.gov"
    manager.email = "manager@dcf.example.gov"
    manager.save()
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        due_reminders_send(as_of=date(2026, 7, 31))
    [mail] = mailoutbox
    link = "https://steward.example.gov" + reverse("contracts:detail", args=[contract.pk])
    assert link in mail.body
    assert "31 July 2026" in mail.body


# ---------------------------------------------------------------- each agency's own today


def test_an_agencys_today_is_its_own_at_2330_local_time(agency, packs):
    """A US deadline does not turn overdue at 7 pm Eastern the day before."""
    # 23:30 in Hartford on 31 December 2026 is 04:30 UTC on 1 January 2027
    moment = datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
    assert agency.today(moment) == date(2026, 12, 31)
    # 23:30 in London on 31 December (GMT) is 23:30 UTC
    agency.pack = packs["west-london-sp"]
    assert agency.today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)
    assert agency.today(datetime(2027, 1, 1, 0, 30, tzinfo=UTC)) == date(2027, 1, 1)


# ---------------------------------------------------------------- who must act


ROLES = [r for r in Role.values]


def test_who_must_act_agrees_as_a_filter_and_as_a_test(agency, other_agency, provider):
    """The work list (the filter) and the reminders (the test) hold the same people. The due
    dates are written directly, one of every kind on three contracts: this compares two forms
    of one rule; each kind's real creation is tested in its own area."""
    manager = UserFactory(role=Role.CONTRACT_MANAGER, agency=agency)
    own = ContractFactory(
        agency=agency, provider=provider, status="active", contract_manager=manager
    )
    unmanaged = ContractFactory(agency=agency, provider=provider, status="active")
    elsewhere = ContractFactory(agency=other_agency, provider=provider, status="active")
    users = [manager] + [
        UserFactory(
            role=role,
            agency=None if role in (Role.PROVIDER_USER, Role.ADMINISTRATOR) else org,
            provider=provider if role == Role.PROVIDER_USER else None,
        )
        for role, org in itertools.product(ROLES, (agency, other_agency))
    ]
    dues = []
    for contract, kind in itertools.product((own, unmanaged, elsewhere), KINDS.values()):
        if not kind.contract_bound:
            continue
        dues.append(
            DueDate.objects.create(
                kind=kind.key,
                agency=contract.agency,
                contract=contract,
                provider=contract.provider,
                rule_key=kind.key,
                label=kind.name,
                pack_slug="x",
                pack_version=1,
                source="x",
                start_date=date(2026, 6, 1),
                days=0,
                day_kind="calendar",
                due_date=date(2026, 6, 1),
            )
        )
    for user in users:
        by_filter = set(DueDate.objects.filter(owed_q(user)).values_list("pk", flat=True))
        by_test = {d.pk for d in dues if owes(user, d)}
        assert by_filter == by_test, (user.role, user.agency_id)
    # the contract's own manager, not the agency's other managers
    other_manager = next(
        u
        for u in users
        if u.role == Role.CONTRACT_MANAGER and u != manager and u.agency_id == agency.pk
    )
    closeout_own = next(d for d in dues if d.contract == own and d.kind == "closeout_evaluation")
    assert owes(manager, closeout_own) and not owes(other_manager, closeout_own)
