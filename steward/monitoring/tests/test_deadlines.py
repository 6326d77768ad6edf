"""Every deadline of the monitoring area, end to end (issue 16; seeds 002 and 003).

For each kind of due date the monitoring area keeps: created by the service that really
creates it, reminded by the daily job (`steward send-reminders`, `workspace.services.daily_run`)
on the right days to the right people, met by the service that really meets it, closed and
linked to the record that met it, and never reminded again. A window (the appeal) lapses unused
and is never a missed deadline. Each is on the work list of the person who must act, with a link
that opens for them, and on nobody else's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from steward.contracts.due_kinds import KINDS
from steward.contracts.models import ContractDocument, DueDate, DueDateStatus
from steward.contracts.services import amendment_create, contract_execute, contract_terminate
from steward.contracts.services_due_dates import due_date_not_needed, due_date_open
from steward.monitoring import calc, selectors, services
from steward.monitoring.models import Action, Cycle, ReviewMeeting, ServicesReport
from steward.monitoring.tests.factories import answers, walk
from steward.monitoring.tests.pages import signed_in
from steward.parties.models import Role
from steward.testing.factories import ContractFactory
from steward.workspace.selectors import work_items
from steward.workspace.services import daily_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def people(manager, provider_user, make_user, other_agency, other_provider):
    """Who is who: the contract's manager, a contract monitor, another contract manager and a
    senior manager of the same agency, the provider's user, another provider's user and a
    contract manager of another agency (all with an email address)."""
    return SimpleNamespace(
        manager=manager,
        monitor=make_user(Role.CONTRACT_MONITOR, username="monitor"),
        other_manager=make_user(Role.CONTRACT_MANAGER, username="other-manager"),
        senior=make_user(Role.SENIOR_MANAGER, username="senior"),
        provider=provider_user,
        other_provider=make_user(
            Role.PROVIDER_USER, provider=other_provider, username="other-provider"
        ),
        elsewhere=make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="elsewhere"),
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture
def run(mailoutbox, django_capture_on_commit_callbacks):
    """run(first, last, about): the daily job on each day from `first` to `last`; returns the
    reminders about `about` (a sentence of the work list) as [(day, words, recipients)]."""

    def daily(first: date, last: date, about: str) -> list[tuple[date, str, list[str]]]:
        sent = []
        for day in _days(first, last):
            before = len(mailoutbox)
            with django_capture_on_commit_callbacks(execute=True):
                daily_run(as_of=day)
            for mail in mailoutbox[before:]:
                if mail.subject.endswith(about):
                    sent.append((day, mail.subject.split(":")[0], sorted(mail.to)))
        return sent

    return daily


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 16, tzinfo=UTC)  # 11:00 in Connecticut


def _work(user, day: date) -> dict[int, str]:
    """{due date id: the page it links to} of `user`'s work list on `day`."""
    return {item.due.pk: item.url for item in work_items(user=user, now=_noon(day))}


def _only_on_the_work_of(due: DueDate, day: date, owners: list, others: list) -> None:
    """`due` is on each owner's work list on `day`, its link opens for them, and it is on none
    of the others'."""
    for user in owners:
        work = _work(user, day)
        assert due.pk in work, (user.username, due.kind)
        assert work[due.pk], due.kind
        with time_machine.travel(_noon(day), tick=False):
            response = signed_in(user).get(work[due.pk])
        assert response.status_code == 200, (user.username, work[due.pk])
    for user in others:
        assert due.pk not in _work(user, day), (user.username, due.kind)


def _open(kind: str, subject) -> DueDate:
    return DueDate.objects.get(
        kind=kind,
        status=DueDateStatus.OPEN,
        subject_id=subject.pk,
    )


def _met(due: DueDate, record) -> None:
    due.refresh_from_db()
    assert due.status == DueDateStatus.DONE
    assert due.met_by == record


def _sentence(kind: str, contract) -> str:
    return KINDS[kind].sentence(contract=contract.number, agency=contract.agency.name)


# ---------------------------------------------------------------- self-assessment


def test_self_assessment_is_reminded_to_the_provider_and_met_when_submitted(live, people, run):
    """seed 002 stage 2: the provider has 20 working days to complete the self-assessment"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="notified")
    due = _open("self_assessment", cycle)
    assert due.due_date == date(2026, 12, 22)  # Thanksgiving is not a working day
    assert cycle.self_assessment_due_id == due.pk
    _only_on_the_work_of(
        due,
        date(2026, 12, 1),
        owners=[people.provider],
        others=[people.manager, people.monitor, people.other_provider, people.elsewhere],
    )
    about = _sentence("self_assessment", live)
    assert run(date(2026, 12, 16), date(2026, 12, 22), about) == [
        (date(2026, 12, 17), "Due in 5 days", ["p@provider.example"]),
        (date(2026, 12, 22), "Due today", ["p@provider.example"]),
    ]
    services.self_assessment_submit(
        actor=people.provider,
        cycle=cycle,
        answers=answers(),
        qaf_level="B",
        qaf_upgrades="",
        today=date(2026, 12, 22),
    )
    _met(due, cycle)
    assert run(date(2026, 12, 23), date(2026, 12, 30), about) == []
    assert due.pk not in _work(people.provider, date(2026, 12, 23))


def test_self_assessment_is_cancelled_when_the_contract_ends_before_the_letter(live, people):
    """seed 002 stage 2: a cycle closed early (the contract terminated) asks nothing more of
    the provider"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="notified")
    due = _open("self_assessment", cycle)
    contract_terminate(
        actor=people.manager,
        contract=live,
        terminated_on=date(2026, 12, 1),
        reason="The provider ceased trading.",
    )
    due.refresh_from_db()
    assert due.status == DueDateStatus.CANCELLED
    assert due.close_reason == "The contract was terminated on 1 December 2026"
    cycle.refresh_from_db()
    assert (cycle.status, cycle.closed_on) == ("closed", date(2026, 12, 1))
    assert due.pk not in _work(people.provider, date(2026, 12, 2))


# ---------------------------------------------------------------- monitoring visit


def test_monitoring_visit_is_reminded_to_the_monitors_and_manager_moved_and_met_when_recorded(
    live, people, run
):
    """seed 002 stages 3 and 4: a visit is arranged for a date, then made and recorded"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="submitted")
    services.cycle_assess(
        actor=people.manager,
        cycle=cycle,
        notes="Credible.",
        route="full",
        today=date(2026, 12, 6),
        visit_planned_for=date(2026, 12, 14),
        visit_agenda="10:00 staff",
        user_consultation="Group meeting",
    )
    first = _open("monitoring_visit", cycle)
    assert first.due_date == date(2026, 12, 14)
    owners = [people.manager, people.monitor]
    _only_on_the_work_of(
        first,
        date(2026, 12, 7),
        owners=owners,
        others=[people.other_manager, people.provider, people.elsewhere],
    )
    about = _sentence("monitoring_visit", live)
    staff = ["manager@example.org", "monitor@example.org"]
    assert run(date(2026, 12, 8), date(2026, 12, 9), about) == [
        (date(2026, 12, 9), "Due in 5 days", staff)
    ]
    # the provider asks for another day: the visit moves, and its due date with it
    services.visit_move(
        actor=people.monitor,
        cycle=cycle,
        visit_planned_for=date(2026, 12, 16),
        today=date(2026, 12, 9),
    )
    first.refresh_from_db()
    assert first.status == DueDateStatus.CANCELLED
    moved = _open("monitoring_visit", cycle)
    assert moved.due_date == date(2026, 12, 16)
    assert run(date(2026, 12, 10), date(2026, 12, 16), about) == [
        (date(2026, 12, 11), "Due in 5 days", staff),
        (date(2026, 12, 16), "Due today", staff),
    ]
    services.visit_record(
        actor=people.monitor,
        cycle=cycle,
        visited_on=date(2026, 12, 16),
        staff_met="Service manager",
        self_assessment_review="Agreed.",
        action_plan_review="",
        service_users_met="Six tenants",
        qaf_spot_check="",
        dq_sampled=5,
        dq_matched=5,
        dq_notes="",
        today=date(2026, 12, 16),
    )
    _met(moved, cycle)
    assert moved.completed_on == date(2026, 12, 16)
    assert run(date(2026, 12, 17), date(2026, 12, 20), about) == []


def test_a_visit_cannot_move_once_recorded_nor_into_the_past(live, people):
    """seed 002 stage 3"""
    from steward.core.errors import TransitionNotAllowed, ValidationFailed

    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="assessed")
    with pytest.raises(ValidationFailed, match="today or later"):
        services.visit_move(
            actor=people.manager,
            cycle=cycle,
            visit_planned_for=date(2026, 12, 1),
            today=date(2026, 12, 7),
        )
    cycle = walk_visit(cycle, people)
    with pytest.raises(TransitionNotAllowed, match="was recorded"):
        services.visit_move(
            actor=people.manager,
            cycle=cycle,
            visit_planned_for=date(2026, 12, 30),
            today=date(2026, 12, 14),
        )


def walk_visit(cycle: Cycle, people) -> Cycle:
    assert cycle.visit_planned_for is not None
    return services.visit_record(
        actor=people.manager,
        cycle=cycle,
        visited_on=cycle.visit_planned_for,
        staff_met="Service manager",
        self_assessment_review="Agreed.",
        action_plan_review="",
        service_users_met="Six tenants",
        qaf_spot_check="",
        dq_sampled=5,
        dq_matched=5,
        dq_notes="",
        today=cycle.visit_planned_for,
    )


# ---------------------------------------------------------------- results letter


def _letter(cycle: Cycle, manager, day: date, actions=None) -> Cycle:
    return services.letter_issue(
        actor=manager,
        cycle=cycle,
        results_summary="A good service.",
        future_funding="Unchanged.",
        future_specification="Unchanged.",
        actions=actions
        or [{"description": "Train two staff", "owner": "Service manager", "horizon_months": 3}],
        today=day,
    )


def test_results_letter_is_reminded_to_the_contract_manager_and_met_by_the_letter(
    live, people, run
):
    """seed 002 stage 7: the letter within 20 working days of all information being in"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="visited")
    due = _open("results_letter", cycle)
    assert due.due_date == date(2027, 1, 12)  # 20 working days from the visit on 13 December
    _only_on_the_work_of(
        due,
        date(2026, 12, 20),
        owners=[people.manager],
        others=[people.monitor, people.other_manager, people.provider, people.elsewhere],
    )
    about = _sentence("results_letter", live)
    assert run(date(2027, 1, 6), date(2027, 1, 13), about) == [
        (date(2027, 1, 7), "Due in 5 days", ["manager@example.org"]),
        (date(2027, 1, 12), "Due today", ["manager@example.org"]),
        (date(2027, 1, 13), "Overdue", ["manager@example.org"]),
    ]
    services.judgement_record(
        actor=people.manager,
        cycle=cycle,
        areas={k: {**v, "comments": ""} for k, v in answers().items()},
        today=date(2027, 1, 13),
    )
    cycle = _letter(cycle, people.manager, date(2027, 1, 13))
    _met(due, ContractDocument.objects.get(pk=cycle.letter_document_id))
    assert run(date(2027, 1, 14), date(2027, 1, 20), about) == []


# ---------------------------------------------------------------- appeal window


def test_the_appeal_window_is_reminded_to_the_provider_then_lapses_unused_and_is_never_missed(
    live, people, run
):
    """seed 002 stage 8: 14 days to appeal; left unused, the window closes and the cycle with
    it, and the report by exception counts no missed deadline"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="letter")
    due = _open("monitoring_appeal", cycle)
    assert (cycle.letter_on, due.due_date) == (date(2026, 12, 17), date(2026, 12, 31))
    _only_on_the_work_of(
        due,
        date(2026, 12, 20),
        owners=[people.provider],
        others=[people.manager, people.monitor, people.other_provider],
    )
    about = _sentence("monitoring_appeal", live)
    assert run(date(2026, 12, 25), date(2027, 1, 5), about) == [
        (date(2026, 12, 26), "Due in 5 days", ["p@provider.example"]),
        (date(2026, 12, 31), "Due today", ["p@provider.example"]),
    ]
    due.refresh_from_db()
    assert (due.status, due.completed_on) == (DueDateStatus.LAPSED, date(2026, 12, 31))
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"
    with time_machine.travel(_noon(date(2027, 1, 5)), tick=False):
        report = selectors.exception_report(
            actor=people.senior, as_of=date(2027, 1, 5), since=date(2026, 7, 1)
        )
    assert due not in report.missed


def test_an_appeal_lodged_meets_the_window(live, people, run):
    """seed 002 stage 8"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="letter")
    due = _open("monitoring_appeal", cycle)
    services.appeal_lodge(
        actor=people.provider, cycle=cycle, grounds="The Q4 figures.", today=date(2026, 12, 20)
    )
    _met(due, cycle)
    assert run(date(2026, 12, 21), date(2027, 1, 2), _sentence("monitoring_appeal", live)) == []


# ---------------------------------------------------------------- actions


def test_an_action_is_reminded_to_its_owner_met_when_done_and_counted_overdue_for_risk(
    live, people, run
):
    """seed 002 stage 7: an action plan for the next 3, 6 or 12 months, each action with its
    owner"""
    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="judged")
    _letter(
        cycle,
        people.manager,
        date(2026, 12, 17),
        actions=[
            {
                "description": "Check every return against the case system",
                "owner": "Contract monitor",
                "owner_user": people.monitor,
                "horizon_months": 3,
            },
            {"description": "Train two staff", "owner": "Service manager", "horizon_months": 6},
        ],
    )
    named, unnamed = Action.objects.filter(cycle=cycle).order_by("due_on")
    due = _open("action", named)
    assert (due.due_date, due.assignee) == (calc.action_due(date(2026, 12, 17), 3), people.monitor)
    assert due.due_date == date(2027, 3, 17)
    _only_on_the_work_of(
        due,
        date(2027, 1, 5),
        owners=[people.monitor],
        others=[people.manager, people.other_manager, people.provider, people.elsewhere],
    )
    # an action with nobody named is the contract's manager's and the monitors'
    _only_on_the_work_of(
        _open("action", unnamed),
        date(2027, 1, 5),
        owners=[people.manager, people.monitor],
        others=[people.other_manager, people.provider, people.elsewhere],
    )
    about = _sentence("action", live)
    sent = run(date(2027, 3, 11), date(2027, 3, 18), about)
    assert sent == [
        (date(2027, 3, 12), "Due in 5 days", ["monitor@example.org"]),
        (date(2027, 3, 17), "Due today", ["monitor@example.org"]),
        (date(2027, 3, 18), "Overdue", ["monitor@example.org"]),
    ]
    assert services.actions_overdue_signal([live.pk], date(2027, 3, 18)) == {
        live.pk: {"actions_overdue": 1}
    }
    services.action_complete(
        actor=people.monitor, action=named, note="Done.", today=date(2027, 3, 18)
    )
    _met(due, named)
    assert services.actions_overdue_signal([live.pk], date(2027, 3, 19)) == {}
    assert run(date(2027, 3, 19), date(2027, 3, 25), about) == []


def test_an_action_owner_works_for_the_agency(live, people):
    """seed 002 stage 7"""
    from steward.core.errors import ValidationFailed

    cycle = walk(live, manager=people.manager, provider_user=people.provider, to="judged")
    with pytest.raises(ValidationFailed, match="works for"):
        _letter(
            cycle,
            people.manager,
            date(2026, 12, 17),
            actions=[
                {
                    "description": "Train two staff",
                    "owner": "Elsewhere",
                    "owner_user": people.elsewhere,
                    "horizon_months": 3,
                }
            ],
        )


# ---------------------------------------------------------------- review meetings


@pytest.fixture
def executed(agency, provider, manager):
    """A 12-month contract executed through the contract services: its review cycle is
    planned by the monitoring area's term listener."""
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-RV-1",
        status="draft",
        contract_manager=manager,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    return contract_execute(actor=manager, contract=contract, executed_on=date(2025, 12, 10))


def _meetings(contract) -> list[tuple[str, date, bool]]:
    return [
        (m.kind, m.scheduled_for, m.cancelled_on is None)
        for m in ReviewMeeting.objects.filter(contract=contract).order_by("scheduled_for", "kind")
    ]


def _review(meeting: ReviewMeeting, actor, day: date) -> ReviewMeeting:
    return services.review_record(
        actor=actor,
        meeting=meeting,
        held_on=day,
        chair="Team leader",
        attendees="Provider's manager",
        contract_manager_attended=True,
        minutes="Returns reviewed.",
        today=day,
    )


def test_a_review_meeting_is_planned_at_execution_reminded_and_met_when_held(executed, people, run):
    """seed 003: a cycle of annual and biannual review meetings for every contract, chaired by
    operational managers; holding the meeting counts as reviewed for the risk assessment"""
    assert _meetings(executed) == [
        ("biannual", date(2026, 6, 30), True),
        ("annual", date(2026, 12, 31), True),
    ]
    meeting = ReviewMeeting.objects.get(contract=executed, kind="biannual")
    due = _open("review_meeting", meeting)
    assert due.due_date == date(2026, 6, 30)
    assert due.explain() == "Set for 30 June 2026"
    _only_on_the_work_of(
        due,
        date(2026, 6, 1),
        owners=[people.monitor, people.manager],
        others=[people.other_manager, people.provider, people.elsewhere],
    )
    about = _sentence("review_meeting", executed)
    staff = ["manager@example.org", "monitor@example.org"]
    sent = [s for s in run(date(2026, 6, 24), date(2026, 7, 1), about)]
    assert sent == [
        (date(2026, 6, 25), "Due in 5 days", staff),
        (date(2026, 6, 30), "Due today", staff),
        (date(2026, 7, 1), "Overdue", staff),
    ]
    assert services.reviews_overdue_signal([executed.pk], date(2026, 7, 1)) == {
        executed.pk: {"review_overdue": 1}
    }
    _review(meeting, people.monitor, date(2026, 7, 1))
    _met(due, meeting)
    assert services.reviews_overdue_signal([executed.pk], date(2026, 7, 2)) == {}
    assert run(date(2026, 7, 2), date(2026, 7, 8), about) == []


def test_the_review_counts_for_the_risk_assessment(executed, people):
    """seed 003: review meetings not held by their date are a risk signal; holding one clears
    it"""
    from steward.risk.models import RiskAssessment
    from steward.risk.services import recompute

    contracts = type(executed).objects.filter(pk=executed.pk)
    recompute(as_of=date(2026, 7, 1), contracts=contracts)
    latest = RiskAssessment.objects.filter(contract=executed).order_by("-as_of", "-id").first()
    assert latest.signals["review_overdue"] == 1
    assert "1 review meeting not held by its date" in " ".join(latest.reasons)
    _review(
        ReviewMeeting.objects.get(contract=executed, kind="biannual"),
        people.monitor,
        date(2026, 7, 1),
    )
    recompute(as_of=date(2026, 7, 2), contracts=contracts)
    latest = RiskAssessment.objects.filter(contract=executed).order_by("-as_of", "-id").first()
    assert latest.signals["review_overdue"] == 0


def test_the_review_cycle_follows_the_term_and_ends_with_the_contract(executed, people):
    """seed 003: the review cycle is re-planned when the contract's end date moves, and the
    meetings after an early end are cancelled"""
    amendment_create(
        actor=people.manager,
        contract=executed,
        effective_on=date(2026, 11, 1),
        reason="Extended for six months",
        new_end_date=date(2027, 6, 30),
    )
    # the last day of the old term is now a contract year's end; the new final (partial) year
    # ends with its annual review on the new last day
    assert _meetings(executed) == [
        ("biannual", date(2026, 6, 30), True),
        ("annual", date(2026, 12, 31), True),
        ("annual", date(2027, 6, 30), True),
    ]
    extended = ReviewMeeting.objects.get(contract=executed, scheduled_for=date(2027, 6, 30))
    assert _open("review_meeting", extended).due_date == date(2027, 6, 30)
    with time_machine.travel(date(2026, 12, 16), tick=False):  # recorded once it happened
        contract_terminate(
            actor=people.manager,
            contract=executed,
            terminated_on=date(2026, 12, 15),
            reason="The service moved to another provider.",
        )
    assert _meetings(executed) == [
        ("biannual", date(2026, 6, 30), True),
        ("annual", date(2026, 12, 31), False),
        ("annual", date(2027, 6, 30), False),
    ]
    cancelled = DueDate.objects.filter(contract=executed, kind="review_meeting").exclude(
        status=DueDateStatus.OPEN
    )
    assert {d.status for d in cancelled} == {DueDateStatus.CANCELLED}
    # the biannual review, due before the end and not held, is still owed
    assert (
        DueDate.objects.filter(
            contract=executed, kind="review_meeting", status=DueDateStatus.OPEN
        ).count()
        == 1
    )


def test_an_earlier_end_cancels_the_meetings_the_term_no_longer_holds(executed, people):
    """seed 003"""
    from steward.contracts.models import ContractStatus

    amendment_create(
        actor=people.manager,
        contract=executed,
        effective_on=date(2026, 5, 1),
        reason="Shortened by agreement",
        new_end_date=date(2026, 9, 30),
    )
    executed.refresh_from_db()
    assert executed.status == ContractStatus.EXECUTED
    assert _meetings(executed) == [
        ("biannual", date(2026, 6, 30), True),
        ("annual", date(2026, 9, 30), True),
        ("annual", date(2026, 12, 31), False),
    ]
    gone = ReviewMeeting.objects.get(contract=executed, scheduled_for=date(2026, 12, 31))
    assert gone.cancel_reason == "The contract's end date moved to 30 September 2026"
    assert not DueDate.objects.filter(subject_id=gone.pk, kind="review_meeting", status="open")


def test_reviews_are_planned_for_a_contract_executed_before_and_old_due_dates_retired(live, people):
    """seed 003: `steward reviews plan` (and the contract page's button) plan the review cycle
    of a contract executed before it was planned at execution, from today; the review due
    dates of the first wave (no meeting behind them) are cancelled by a data migration"""
    from importlib import import_module

    from django.apps import apps

    old = due_date_open(
        kind="review_meeting",
        contract=live,
        start=date(2026, 1, 1),
        due_on=date(2026, 6, 30),
        rule_key="biannual_review:2026-06-30",
        actor=None,
    )
    import_module("steward.monitoring.migrations.0003_old_review_due_dates_cancelled").cancel(
        apps, None
    )
    old.refresh_from_db()
    assert (old.status, old.close_reason) == (
        DueDateStatus.CANCELLED,
        "Replaced by the contract's review cycle",
    )
    counts = services.reviews_plan_all(today=date(2026, 11, 1))
    assert counts == {"contracts": 1, "meetings planned": 3, "meetings cancelled": 0}
    assert _meetings(live) == [
        ("annual", date(2026, 12, 31), True),
        ("biannual", date(2027, 6, 30), True),
        ("annual", date(2027, 12, 31), True),
    ]
    assert services.reviews_plan_all(today=date(2026, 11, 1))["meetings planned"] == 0
    assert DueDate.objects.filter(contract=live, kind="review_meeting", status="open").count() == 3


def test_a_review_due_date_marked_not_needed_stays_closed_when_planned_again(executed, people):
    """seed 003"""
    meeting = ReviewMeeting.objects.get(contract=executed, kind="biannual")
    due = _open("review_meeting", meeting)
    due_date_not_needed(
        actor=people.manager, due=due, reason="Held with the annual review.", today=date(2026, 6, 1)
    )
    services.reviews_plan(actor=people.manager, contract=executed, today=date(2026, 6, 1))
    assert not DueDate.objects.filter(subject_id=meeting.pk, kind="review_meeting", status="open")


# ---------------------------------------------------------------- report to the commissioning body


def test_the_report_to_the_commissioning_body_opens_after_each_half_year_and_is_met_by_it(
    contract, people, agency, run
):
    """seed 002 stage 10: twice yearly, a report on all services to the commissioning body
    (Connecticut's fiscal year starts on 1 July; the report is due 30 days after each half)"""
    about = KINDS["commissioning_report"].sentence(agency=agency.name)
    assert run(date(2027, 1, 1), date(2027, 1, 1), about) == []
    due = DueDate.objects.get(kind="commissioning_report", status=DueDateStatus.OPEN)
    assert (due.agency, due.contract, due.start_date, due.due_date) == (
        agency,
        None,
        date(2026, 12, 31),
        date(2027, 1, 30),
    )
    assert due.label == "Report on all services, 1 July 2026 to 31 December 2026"
    _only_on_the_work_of(
        due,
        date(2027, 1, 5),
        owners=[people.manager, people.other_manager],
        others=[people.monitor, people.senior, people.provider, people.elsewhere],
    )
    managers = ["manager@example.org", "other-manager@example.org"]
    assert run(date(2027, 1, 2), date(2027, 1, 31), about) == [
        (date(2027, 1, 25), "Due in 5 days", managers),
        (date(2027, 1, 30), "Due today", managers),
        (date(2027, 1, 31), "Overdue", managers),
    ]
    report = services.services_report_create(
        actor=people.manager,
        agency=agency,
        period_start=date(2026, 7, 1),
        recommendations="More visits.",
        today=date(2027, 1, 31),
    )
    _met(due, report)
    assert run(date(2027, 2, 1), date(2027, 2, 3), about) == []
    assert run(date(2027, 6, 30), date(2027, 6, 30), about) == []
    assert DueDate.objects.filter(kind="commissioning_report").count() == 1
    # the next half-year's, once it has ended
    daily_run(as_of=date(2027, 7, 1))
    assert DueDate.objects.filter(kind="commissioning_report", status="open").get().due_date == (
        date(2027, 7, 30)
    )


def test_no_report_is_asked_for_a_half_year_already_reported_or_of_an_agency_without_contracts(
    contract, people, agency, other_agency
):
    """seed 002 stage 10"""
    services.services_report_create(
        actor=people.manager,
        agency=agency,
        period_start=date(2026, 7, 1),
        recommendations="Early.",
        today=date(2026, 12, 20),
    )
    assert services.commissioning_reports_open(as_of=date(2027, 1, 1)) == 0
    assert services.commissioning_reports_open(as_of=date(2027, 1, 1)) == 0
    assert not DueDate.objects.filter(kind="commissioning_report").exists()
    assert ServicesReport.objects.count() == 1


# ---------------------------------------------------------------- the report by exception


def test_the_report_by_exception_lists_only_deadlines_really_missed(live, people, agency):
    """seed 002 stage 9: deadlines missed are obligations still open after their day in the
    agency's today: never a window, nor one met, not needed or cancelled"""
    overdue_letter = walk(live, manager=people.manager, provider_user=people.provider, to="visited")
    letter = _open("results_letter", overdue_letter)
    other = ContractFactory(agency=agency, provider=live.provider, status="active")
    appeal_cycle = walk(other, manager=people.manager, provider_user=people.provider, to="letter")
    window = _open("monitoring_appeal", appeal_cycle)
    not_needed_action = _open("action", Action.objects.filter(cycle=appeal_cycle).first())
    due_date_not_needed(
        actor=people.manager,
        due=not_needed_action,
        reason="Replaced by the new specification.",
        today=date(2026, 12, 18),
    )
    services.commissioning_reports_open(as_of=date(2027, 1, 1))  # due 30 January 2027

    def missed(day: date, hour: int = 16) -> dict[int, int]:
        now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
        report = selectors.exception_report(
            actor=people.senior, as_of=day, since=date(2026, 7, 1), now=now
        )
        return {d.pk: report.days_overdue[d.pk] for d in report.missed}

    assert missed(date(2027, 1, 12)) == {}  # the letter is due today
    # 23:30 on 12 January in Connecticut is 04:30 on the 13th in UTC: not missed yet
    assert missed(date(2027, 1, 13), hour=4) == {}
    assert missed(date(2027, 1, 13), hour=6) == {letter.pk: 1}
    report_due = DueDate.objects.get(kind="commissioning_report")
    assert missed(date(2027, 2, 1)) == {letter.pk: 20, report_due.pk: 2}
    assert window.pk not in missed(date(2027, 2, 1))
    assert not_needed_action.pk not in missed(date(2027, 7, 1))
