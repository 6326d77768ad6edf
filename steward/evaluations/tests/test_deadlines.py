"""The evaluation area's due dates, each through its whole life (seeds 000 and 001): created by
the service that really creates it, reminded by the daily run on the right days to the people
who must act (and nobody else), on their work list with a link that opens for them, met by the
record that really meets it (closed, linked to that record), and never reminded again. The
provider's comment window lapses unused and is never missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from steward.contracts.due_kinds import KINDS
from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.selectors_due_dates import owes
from steward.contracts.services import contract_complete
from steward.evaluations import services
from steward.evaluations.models import Evaluation, InLieuReport
from steward.evaluations.tests.factories import all_ratings
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory, ContractFactory
from steward.workspace.selectors import work_items
from steward.workspace.services import daily_run

pytestmark = pytest.mark.django_db

COMPLETED = date(2026, 6, 30)  # the closeout evaluation is due 60 days later: 29 August 2026
CLOSEOUT_DUE = date(2026, 8, 29)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def _about_a_contract(mail) -> bool:  # type: ignore[no-untyped-def]
    """Leave out the agency's own twice-yearly report to the commissioning body (seed 002
    stage 10), which falls due for every agency holding contracts whatever this test does, and
    the prompt to start each live contract's next monitoring cycle (seed 002 stage 1), which
    has its own tests in steward/monitoring/tests/test_next_cycle.py."""
    return (
        "report on all services" not in mail.subject
        and "Start the next monitoring cycle" not in mail.subject
    )


@pytest.fixture
def run(settings, mailoutbox, django_capture_on_commit_callbacks):
    """run(days, on={day: action}) → {day: [(subject, recipients)]}: the daily run on each day,
    after that day's action (a person doing something), with the emails it sent that day."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def go(run_days: list[date], on: dict[date, Any] | None = None) -> dict[date, list]:
        sent = {}
        for day in run_days:
            if on and day in on:
                with django_capture_on_commit_callbacks(execute=True):
                    on[day]()
            mailoutbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                daily_run(as_of=day)
            sent[day] = sorted(
                (m.subject, tuple(sorted(m.to))) for m in mailoutbox if _about_a_contract(m)
            )
        return {day: mails for day, mails in sent.items() if mails}

    return go


@pytest.fixture
def people(make_user, provider, other_provider, other_agency):
    """Everyone who might be reminded: the contract's manager (who writes the evaluation),
    another contract manager, a monitor and a senior manager of the agency, the provider's
    user and another provider's, an oversight officer, another agency's manager."""
    return {
        "manager": make_user(Role.CONTRACT_MANAGER, username="manager"),
        "other_manager": make_user(Role.CONTRACT_MANAGER, username="other-manager"),
        "monitor": make_user(Role.CONTRACT_MONITOR, username="monitor"),
        "senior": make_user(Role.SENIOR_MANAGER, username="senior"),
        "provider": make_user(Role.PROVIDER_USER, username="provider"),
        "other_provider": make_user(
            Role.PROVIDER_USER, username="other-provider", provider=other_provider
        ),
        "oversight": make_user(Role.OVERSIGHT_OFFICER, username="oversight"),
        "foreign": make_user(Role.CONTRACT_MANAGER, username="foreign", agency=other_agency),
    }


@pytest.fixture
def ended(agency, provider, people):
    """A contract of the agency, managed by `manager`, completed on 30 June 2026 through the
    service: its closeout evaluation is due 29 August (seed 000)."""
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-DL-1",
        status="active",
        start_date=date(2025, 7, 1),
        end_date=COMPLETED,
        contract_manager=people["manager"],
    )
    return contract_complete(actor=people["manager"], contract=contract, completed_on=COMPLETED)


def _mail(subject: str, *usernames: str) -> tuple[str, tuple[str, ...]]:
    return subject, tuple(sorted(f"{u}@example.org" for u in usernames))


def _written(contract: Any, author: Any, today: date, kind: str = "closeout") -> Evaluation:
    evaluation = services.evaluation_start(actor=author, contract=contract, today=today, kind=kind)
    services.evaluation_update(
        actor=author,
        evaluation=evaluation,
        ratings=all_ratings(evaluation, 3),
        narratives={c["key"]: "As the returns show." for c in evaluation.criteria},
        summary="The requirement met throughout the year.",
    )
    return evaluation


def _release(contract: Any, author: Any, today: date, kind: str = "closeout") -> Evaluation:
    evaluation = _written(contract, author, today, kind)
    services.evaluation_release(actor=author, evaluation=evaluation, today=today)
    return Evaluation.objects.get(pk=evaluation.pk)


def _only(due: DueDate) -> DueDate:
    due.refresh_from_db()
    return due


def _holders(people: dict[str, Any], due: DueDate) -> set[str]:
    """Whose work list holds `due`; while it is open, the same people it is reminded to."""
    holders = set()
    for name, user in people.items():
        items = [i for i in work_items(user=user) if i.due.pk == due.pk]
        if due.status == DueDateStatus.OPEN:
            assert bool(items) == owes(user, due), name
        if items:
            holders.add(name)
    return holders


def _opens_for(user: Any, due: DueDate) -> int:
    [item] = [i for i in work_items(user=user) if i.due.pk == due.pk]
    assert item.url, due.kind
    client = Client()
    client.force_login(user)
    return client.get(item.url).status_code


# ---------------------------------------------------------------- closeout_evaluation


def test_closeout_evaluation_is_reminded_to_the_contracts_manager_and_met_by_the_release(
    ended, people, run
):
    """seed 000: written not later than 60 days after the work is completed. Opened by the
    contract's completion, reminded to its manager alone 5 days before, met when the
    evaluation is released to the provider, then never reminded again."""
    due = DueDate.objects.get(contract=ended, kind="closeout_evaluation")
    assert (due.status, due.due_date, due.rule_key) == ("open", CLOSEOUT_DUE, "closeout_evaluation")
    assert _holders(people, due) == {"manager"}
    assert _opens_for(people["manager"], due) == 200

    manager = people["manager"]
    released: list[Evaluation] = []
    sent = run(
        days(date(2026, 8, 22), date(2026, 9, 1)),
        on={
            date(2026, 8, 25): lambda: released.append(_release(ended, manager, date(2026, 8, 25)))
        },
    )
    todo = "Write the closeout evaluation of DCF-DL-1"
    assert sent == {date(2026, 8, 24): [_mail(f"Due in 5 days: {todo}", "manager")]}
    due = _only(due)
    assert (due.status, due.completed_on, due.met_by) == ("done", date(2026, 8, 25), released[0])
    assert _holders(people, due) == set()


def test_closeout_left_undone_is_reminded_on_the_day_and_the_day_after(ended, people, run):
    """seed 000: a closeout evaluation not written is overdue the day after its 60th day."""
    sent = run(days(date(2026, 8, 22), date(2026, 9, 3)))
    todo = "Write the closeout evaluation of DCF-DL-1"
    assert sent == {
        date(2026, 8, 24): [_mail(f"Due in 5 days: {todo}", "manager")],
        CLOSEOUT_DUE: [_mail(f"Due today: {todo}", "manager")],
        date(2026, 8, 30): [_mail(f"Overdue: {todo}", "manager")],
    }


def test_closeout_evaluation_is_met_by_a_report_accepted_in_lieu_on_the_day_submitted(
    ended, people, run
):
    """seed 000: report cards "in lieu of the form", subject to the oversight body's
    acceptance: accepted, the report meets the evaluation due date as of its submission."""
    report = services.in_lieu_submit(
        actor=people["manager"],
        contract=ended,
        kind="report_card",
        title="FY26 report card",
        link="https://example.gov/report-card",
        today=date(2026, 8, 20),
    )
    services.in_lieu_decide(
        actor=people["oversight"], report=report, accept=True, reason="", today=date(2026, 9, 4)
    )
    due = DueDate.objects.get(contract=ended, kind="closeout_evaluation")
    assert (due.status, due.completed_on, due.met_by) == ("done", date(2026, 8, 20), report)
    assert run(days(date(2026, 9, 5), date(2026, 9, 8))) == {}


# ---------------------------------------------------------------- interim_evaluation


@pytest.fixture
def milwaukee(packs):
    return AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])


@pytest.fixture
def mps(milwaukee, make_user):
    return {
        "manager": make_user(Role.CONTRACT_MANAGER, agency=milwaukee, username="mps-manager"),
        "senior": make_user(Role.SENIOR_MANAGER, agency=milwaukee, username="mps-senior"),
        "other_manager": make_user(Role.CONTRACT_MANAGER, agency=milwaukee, username="mps-other"),
    }


@pytest.fixture
def performance_based(milwaukee, provider, mps):
    return ContractFactory(
        agency=milwaukee,
        provider=provider,
        number="MPS-DL-1",
        status="active",
        compensation_structure="performance_based",
        start_date=date(2024, 7, 1),
        end_date=date(2027, 6, 30),
        contract_manager=mps["manager"],
    )


def test_interim_evaluation_is_opened_yearly_by_the_daily_run_reminded_and_met_by_the_release(
    performance_based, mps, people, run
):
    """seed 001: a performance-based contract is scored while it runs. The daily run opens the
    interim evaluation at the end of each contract year (rule key interim_evaluation_<year>),
    due 60 days later; reminded to the contract's manager; met by the interim evaluation's
    release to the provider."""
    assert run([date(2025, 6, 30)]) == {}
    assert not DueDate.objects.filter(kind="interim_evaluation").exists()
    run([date(2025, 7, 1), date(2025, 7, 1)])  # the second run opens nothing more
    [due] = DueDate.objects.filter(contract=performance_based, kind="interim_evaluation")
    assert (due.rule_key, due.start_date, due.due_date, due.status) == (
        "interim_evaluation_1",
        date(2025, 6, 30),
        date(2025, 8, 29),
        "open",
    )
    everyone = {**people, **{f"mps_{k}": v for k, v in mps.items()}}
    assert _holders(everyone, due) == {"mps_manager"}
    assert _opens_for(mps["manager"], due) == 200

    released: list[Evaluation] = []

    def release() -> None:
        released.append(_release(performance_based, mps["manager"], date(2025, 8, 26), "interim"))

    sent = run(days(date(2025, 8, 22), date(2025, 9, 1)), on={date(2025, 8, 26): release})
    todo = "Write the interim evaluation of MPS-DL-1"
    assert sent == {date(2025, 8, 24): [_mail(f"Due in 5 days: {todo}", "mps-manager")]}
    due = _only(due)
    assert (due.status, due.completed_on, due.met_by) == ("done", date(2025, 8, 26), released[0])
    assert released[0].due_id == due.pk
    # the next contract year gets its own, with its own rule key
    run([date(2026, 7, 1)])
    keys = DueDate.objects.filter(kind="interim_evaluation").values_list("rule_key", "status")
    assert sorted(keys) == [("interim_evaluation_1", "done"), ("interim_evaluation_2", "open")]


# ---------------------------------------------------------------- evaluation_comment (a window)


RELEASED = date(2026, 7, 20)  # the provider may comment until 3 August (14 calendar days)
COMMENT_DUE = date(2026, 8, 3)


def test_comment_window_opens_at_release_is_reminded_to_the_provider_and_met_by_its_comments(
    ended, people, run
):
    """seed 000: the evaluation is shared with the provider, who may comment. The window opens
    when it is released (the pack's `evaluation_comment` days from the release date; the
    evaluation's `comment_due` is its date), is reminded to the provider's users, and is met
    when they comment: no reminder on its last day."""
    evaluation = _release(ended, people["manager"], RELEASED)
    window = DueDate.objects.get(kind="evaluation_comment")
    assert (window.subject, window.due_date, window.status) == (evaluation, COMMENT_DUE, "open")
    assert evaluation.comment_due == window.due_date
    assert _holders(people, window) == {"provider"}
    assert _opens_for(people["provider"], window) == 200

    def comment() -> None:
        services.evaluation_comment(
            actor=people["provider"],
            evaluation=evaluation,
            comments="Staffing improved in the last quarter.",
            acknowledge=False,
            today=date(2026, 7, 30),
        )

    sent = run(days(date(2026, 7, 27), date(2026, 8, 5)), on={date(2026, 7, 30): comment})
    todo = "Read and comment on the evaluation of DCF-DL-1"
    assert sent == {date(2026, 7, 29): [_mail(f"Due in 5 days: {todo}", "provider")]}
    window = _only(window)
    assert (window.status, window.completed_on, window.met_by) == (
        "done",
        date(2026, 7, 30),
        evaluation,
    )


def test_comment_window_left_unused_lapses_and_is_never_missed(ended, people, run):
    """seed 000: commenting is the provider's choice. Unused, the window is reminded before it
    closes (5 days before and on its last day, never after) and lapses the day after."""
    _release(ended, people["manager"], RELEASED)
    window = DueDate.objects.get(kind="evaluation_comment")
    sent = run(days(date(2026, 7, 27), date(2026, 8, 6)))
    todo = "Read and comment on the evaluation of DCF-DL-1"
    assert sent == {
        date(2026, 7, 29): [_mail(f"Due in 5 days: {todo}", "provider")],
        COMMENT_DUE: [_mail(f"Due today: {todo}", "provider")],
    }
    window = _only(window)
    assert (window.status, window.completed_on) == ("lapsed", COMMENT_DUE)
    assert KINDS["evaluation_comment"].nature == "window"
    assert _holders(people, window) == set()


# ---------------------------------------------------------------- evaluation_finalise


def test_finalise_opens_when_the_provider_comments_is_assigned_to_a_reviewer_not_the_author(
    ended, people, run
):
    """seed 000: finalised evaluations are shared between agencies; a reviewing official, not
    the author, finalises. The provider's comments open the due date to finalise (the pack's
    `evaluation_finalise` days from that day), assigned to a senior manager because the
    contract's own manager wrote it: on the senior manager's work list alone, reminded to
    them alone, met when they finalise."""
    evaluation = _release(ended, people["manager"], RELEASED)
    services.evaluation_comment(
        actor=people["provider"],
        evaluation=evaluation,
        comments="We accept the ratings.",
        acknowledge=False,
        today=date(2026, 7, 30),
    )
    due = DueDate.objects.get(kind="evaluation_finalise")
    assert (due.subject, due.start_date, due.due_date, due.assignee) == (
        evaluation,
        date(2026, 7, 30),
        date(2026, 8, 13),
        people["senior"],
    )
    assert _holders(people, due) == {"senior"}
    assert _opens_for(people["senior"], due) == 200

    def finalise() -> None:
        services.evaluation_finalise(
            actor=people["senior"], evaluation=evaluation, today=date(2026, 8, 10)
        )

    sent = run(days(date(2026, 8, 6), date(2026, 8, 16)), on={date(2026, 8, 10): finalise})
    todo = "Review and finalise the evaluation of DCF-DL-1"
    assert sent == {date(2026, 8, 8): [_mail(f"Due in 5 days: {todo}", "senior")]}
    due = _only(due)
    assert (due.status, due.completed_on, due.met_by) == ("done", date(2026, 8, 10), evaluation)
    # the provider's comments had already met the window
    assert DueDate.objects.get(kind="evaluation_comment").status == DueDateStatus.DONE


def test_finalise_opens_the_day_after_the_comment_window_closed_unused(ended, people, run):
    """seed 000: with no comments, the reviewing official finalises after the window: the
    daily run (after the windows lapse) opens the due date from the day after it closed, once
    however often it runs. A monitor wrote this one, so the contract's own manager reviews
    it; left undone, it is reminded to them on the day and overdue the day after."""
    evaluation = _release(ended, people["monitor"], RELEASED)
    sent = run([COMMENT_DUE, date(2026, 8, 4), date(2026, 8, 4)])
    assert not any("finalise" in s for mails in sent.values() for s, _ in mails)
    [due] = DueDate.objects.filter(kind="evaluation_finalise")
    assert (due.subject, due.start_date, due.due_date, due.assignee) == (
        evaluation,
        date(2026, 8, 4),
        date(2026, 8, 18),
        people["manager"],
    )
    assert _holders(people, due) == {"manager"}
    sent = run(days(date(2026, 8, 12), date(2026, 8, 21)))
    todo = "Review and finalise the evaluation of DCF-DL-1"
    assert sent == {
        date(2026, 8, 13): [_mail(f"Due in 5 days: {todo}", "manager")],
        date(2026, 8, 18): [_mail(f"Due today: {todo}", "manager")],
        date(2026, 8, 19): [_mail(f"Overdue: {todo}", "manager")],
    }
    services.evaluation_finalise(
        actor=people["manager"], evaluation=evaluation, today=date(2026, 8, 22)
    )
    due = _only(due)
    assert (due.status, due.completed_on, due.met_by) == ("done", date(2026, 8, 22), evaluation)
    assert run(days(date(2026, 8, 22), date(2026, 8, 30))) == {}


def test_the_provider_responding_lets_the_reviewer_finalise_before_the_window_closes(ended, people):
    """seed 000: the due date to finalise opens on the day the provider comments, so the
    reviewing official can finalise from that day, not only once the window has closed."""
    evaluation = _release(ended, people["manager"], RELEASED)
    services.evaluation_comment(
        actor=people["provider"],
        evaluation=evaluation,
        comments="Noted.",
        acknowledge=False,
        today=date(2026, 7, 21),
    )
    services.evaluation_finalise(
        actor=people["senior"], evaluation=evaluation, today=date(2026, 7, 22)
    )
    assert Evaluation.objects.get(pk=evaluation.pk).status == "finalised"
    assert DueDate.objects.get(kind="evaluation_finalise").status == "done"


def test_the_reviewer_is_nobody_when_the_author_is_the_agencys_only_reviewer(
    agency, provider, make_user
):
    """The due date falls to the agency's roles when nobody else may finalise (the page says
    the author may not)."""
    only = make_user(Role.CONTRACT_MANAGER, username="only")
    contract = ContractFactory(
        agency=agency, provider=provider, status="active", contract_manager=only
    )
    contract_complete(actor=only, contract=contract, completed_on=COMPLETED)
    evaluation = _release(contract, only, RELEASED)
    assert services.reviewing_official(evaluation) is None


# ---------------------------------------------------------------- in_lieu_decision


def test_in_lieu_decision_is_the_oversight_officers_reminded_and_met_by_the_decision(
    ended, people, make_user, run
):
    """seed 000: a report card may be submitted in lieu of the form, "subject to acceptance"
    by the oversight body. Submitting it opens the decision (14 days, set by Steward), on
    every oversight officer's work list and reminded to them; the decision meets it. A
    rejected report leaves the closeout evaluation due."""
    second = make_user(Role.OVERSIGHT_OFFICER, username="oversight-2")
    report = services.in_lieu_submit(
        actor=people["manager"],
        contract=ended,
        kind="report_card",
        title="FY26 report card",
        link="https://example.gov/report-card",
        today=date(2026, 9, 1),
    )
    due = DueDate.objects.get(kind="in_lieu_decision")
    assert (due.subject, due.start_date, due.due_date, due.status) == (
        report,
        date(2026, 9, 1),
        date(2026, 9, 15),
        "open",
    )
    assert _holders({**people, "second": second}, due) == {"oversight", "second"}
    assert _opens_for(people["oversight"], due) == 200

    def reject() -> None:
        services.in_lieu_decide(
            actor=people["oversight"],
            report=report,
            accept=False,
            reason="A report card does not cover the whole term.",
            today=date(2026, 9, 12),
        )

    sent = run(days(date(2026, 9, 8), date(2026, 9, 17)), on={date(2026, 9, 12): reject})
    todo = "Decide whether to accept the report in lieu of an evaluation of DCF-DL-1"
    assert sent == {
        date(2026, 9, 10): [_mail(f"Due in 5 days: {todo}", "oversight", "oversight-2")]
    }
    due = _only(due)
    report = InLieuReport.objects.get(pk=report.pk)
    assert (due.status, due.completed_on, due.met_by) == ("done", date(2026, 9, 12), report)
    closeout = DueDate.objects.get(contract=ended, kind="closeout_evaluation")
    assert closeout.status == "open"


# ---------------------------------------------------------------- the agency's own today


def test_the_provider_may_comment_until_midnight_in_the_agencys_time_zone(ended, people):
    """seed 000: the window's last day is the agency's (Connecticut: America/New_York). At
    23:30 in Hartford on 3 August it is 03:30 on 4 August in UTC, and the provider, who has
    no time zone of their own, may still comment; an hour later the window has closed."""
    evaluation = _release(ended, people["manager"], RELEASED)
    client = Client()
    client.force_login(people["provider"])
    comment = reverse("evaluations:comment", args=[evaluation.pk])
    with time_machine.travel(datetime(2026, 8, 4, 4, 30, tzinfo=UTC), tick=False):
        body = client.post(comment, {"comments": "Too late?"}).content.decode()
    assert "The window for comments closed on 3 August 2026" in body
    with time_machine.travel(datetime(2026, 8, 4, 3, 30, tzinfo=UTC), tick=False):
        response = client.post(comment, {"comments": "Just in time."})
    assert response.status_code == 302
    window = DueDate.objects.get(kind="evaluation_comment")
    assert (window.status, window.completed_on) == ("done", COMMENT_DUE)
