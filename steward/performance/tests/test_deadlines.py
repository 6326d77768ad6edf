"""Returns as due dates, through their whole life: the Performance Evaluation Plan's timeline
opens one per period (about the return), the daily run reminds the provider's users on the
right days, submitting the return (on its page, or by the returns import) meets it, and a
submitted return is never reminded. Each is on the provider's work list, with a link to the
return's page that opens for them, and on nobody else's.

A Connecticut contract DCF-24-001 for 2026 with a quarterly plan: the first quarter's return
is due 20 working days after 31 March 2026."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_terminate
from steward.core.formatting import fmt_date
from steward.parties.models import Role
from steward.performance import services
from steward.performance.importing import import_returns
from steward.performance.models import Return
from steward.performance.tests.factories import with_plan
from steward.testing.factories import ProviderFactory, UserFactory
from steward.tests.pages import signed_in
from steward.workspace.selectors import work_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(contract, manager, provider):
    """The quarterly plan of DCF-24-001 (its returns generated), and the provider's two users."""
    contract.contract_manager = manager
    contract.save()
    indicators = with_plan(contract, manager)
    users = [
        UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None, username=name)
        for name in ("anna", "ben")
    ]
    return contract, indicators, users


PROVIDER = ("anna@example.org", "ben@example.org")
WORDS = "Submit the return for DCF-24-001"


def _return(contract, start: date) -> Return:
    return Return.objects.get(contract=contract, period_start=start)


def _due(ret: Return) -> DueDate:
    return DueDate.objects.get(kind="return", subject_id=ret.pk)


def test_the_plan_opens_a_due_date_per_return_about_the_return(planned):
    """seed 001: the plan's timeline of data returns, one per period, each due by the pack's
    return_submission rule (20 working days after the period ends)."""
    contract, _, _ = planned
    returns = list(Return.objects.filter(contract=contract).order_by("period_start"))
    assert [r.period_end for r in returns] == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
    ]
    for ret in returns:
        due = _due(ret)
        assert (due.status, due.subject, due.provider, due.due_date) == (
            DueDateStatus.OPEN,
            ret,
            contract.provider,
            ret.due_on,
        )
        assert due.explain() == f"20 working days from {fmt_date(ret.period_end)}"


def test_a_return_is_reminded_to_the_providers_users_until_it_is_submitted(
    planned, manager, make_user, run_days, client
):
    """seed 003: routine returns; the provider's users are reminded 5 days before, on the day
    and the day after; once the return is submitted, never again."""
    contract, indicators, (anna, _) = planned
    q1 = _return(contract, date(2026, 1, 1))
    due_on = q1.due_on
    stranger = UserFactory(role=Role.PROVIDER_USER, provider=ProviderFactory(), agency=None)
    monitor = make_user(Role.CONTRACT_MONITOR)

    [item] = [i for i in work_items(user=anna) if i.due.subject_id == q1.pk]
    assert item.url == f"/performance/returns/{q1.pk}/"
    assert signed_in(client, anna).get(item.url).status_code == 200
    for user in (manager, monitor, stranger):
        assert [i for i in work_items(user=user) if i.due.kind == "return"] == []
    assert signed_in(client, stranger).get(item.url).status_code == 404

    sent = run_days(due_on - timedelta(days=7), due_on + timedelta(days=3))
    assert sent == {
        due_on - timedelta(days=5): [(f"Due in 5 days: {WORDS}", PROVIDER)],
        due_on: [(f"Due today: {WORDS}", PROVIDER)],
        due_on + timedelta(days=1): [(f"Overdue: {WORDS}", PROVIDER)],
    }
    ret = services.return_submit(
        actor=anna,
        ret=q1,
        values={indicators[0].pk: "91", indicators[1].pk: "9"},
        on=due_on + timedelta(days=3),
    )
    due = _due(q1)
    assert (due.status, due.met_by, due.completed_on) == (
        DueDateStatus.DONE,
        ret,
        due_on + timedelta(days=3),
    )
    assert [i for i in work_items(user=anna) if i.due.subject_id == q1.pk] == []
    assert run_days(due_on + timedelta(days=4), due_on + timedelta(days=10)) == {}


def test_a_return_submitted_before_its_reminders_is_never_reminded(planned, run_days):
    """A return submitted on the last day of its period is never reminded."""
    contract, indicators, (anna, _) = planned
    q2 = _return(contract, date(2026, 4, 1))
    services.return_submit(
        actor=anna, ret=q2, values={indicators[0].pk: "95"}, on=date(2026, 6, 30)
    )
    assert _due(q2).status == DueDateStatus.DONE
    sent = run_days(q2.due_on - timedelta(days=6), q2.due_on + timedelta(days=2))
    assert sent == {}


def test_the_returns_import_meets_the_due_dates_on_the_day_each_was_submitted(
    planned, manager, run_days
):
    """The returns import submits a return: its due date is met by the return, on the day the
    file says it was submitted, and is not reminded afterwards."""
    contract, (a, _), _ = planned
    q3 = _return(contract, date(2026, 7, 1))
    body = (
        "contract,period start,indicator,value,submitted on\n"
        f"{contract.number},2026-07-01,{a.name},90,2026-10-02\n"
    )
    report = import_returns(
        actor=manager,
        agency=contract.agency,
        stream=io.BytesIO(body.encode()),
        filename="returns.csv",
        today=date(2026, 10, 20),
    )
    assert report.ok, report.errors
    due = _due(q3)
    assert (due.status, due.met_by, due.completed_on) == (
        DueDateStatus.DONE,
        q3,
        date(2026, 10, 2),
    )
    assert run_days(q3.due_on - timedelta(days=6), q3.due_on + timedelta(days=2)) == {}


def test_terminating_the_contract_cancels_the_returns_of_periods_not_yet_ended(planned, manager):
    """A return for a period that had not ended when the contract was terminated is no longer
    due; the returns of periods already ended still are."""
    contract, _, _ = planned
    contract_terminate(
        actor=manager, contract=contract, terminated_on=date(2026, 5, 15), reason="Failure"
    )
    statuses = {r.period_start: _due(r).status for r in Return.objects.filter(contract=contract)}
    assert statuses == {
        date(2026, 1, 1): DueDateStatus.OPEN,
        date(2026, 4, 1): DueDateStatus.CANCELLED,
        date(2026, 7, 1): DueDateStatus.CANCELLED,
        date(2026, 10, 1): DueDateStatus.CANCELLED,
    }
