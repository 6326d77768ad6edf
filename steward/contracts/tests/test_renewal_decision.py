"""The renewal decision, through its whole life: executing a contract with renewal options
opens it (the pack's days before the end: 90 in the Connecticut pack), the daily run reminds
the contract's manager, exercising a renewal meets it and plans the next one for the new end,
"not needed" with a reason records the decision not to renew, and the contract ending cancels
it. It is on the contract manager's work list, with a link to the contract page, and on nobody
else's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from steward.contracts import services
from steward.contracts.models import Amendment, DueDate, DueDateStatus
from steward.parties.models import Role
from steward.tests.pages import signed_in
from steward.workspace.selectors import work_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def executed(manager, agency, provider):
    """DCF-26-200, 2026, two renewal options, created and executed by its manager."""
    contract = services.contract_create(
        actor=manager,
        agency=agency,
        data={
            "number": "DCF-26-200",
            "title": "Family preservation",
            "contract_type": "pos",
            "provider": provider,
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
            "renewal_options": 2,
            "maximum_obligation": Decimal("480000.00"),
            "compensation_structure": "fixed_price",
            "procurement_method": "tendered",
        },
    )
    return services.contract_execute(
        actor=manager, contract=contract, executed_on=date(2025, 12, 15)
    )


def _open(contract) -> DueDate:
    return DueDate.objects.get(contract=contract, kind="renewal_decision", status="open")


def _renewal_items(user) -> list:
    return [i for i in work_items(user=user) if i.due.kind == "renewal_decision"]


WORDS = "Decide whether to renew or extend DCF-26-200 before it ends"
MANAGER = ("manager@example.org",)


def test_executing_a_contract_with_renewal_options_opens_the_decision_for_its_manager(
    executed, manager, make_user, run_days, client
):
    """seed 001 (renewal or extension needs a decision); the pack sets 90 days before the end:
    due 2 October 2026, reminded to the contract's manager only."""
    due = _open(executed)
    assert due.due_date == date(2026, 10, 2)
    other_manager = make_user(Role.CONTRACT_MANAGER, username="other-manager")
    monitor = make_user(Role.CONTRACT_MONITOR, username="monitor")
    provider_user = make_user(Role.PROVIDER_USER, username="provider-user")
    [item] = _renewal_items(manager)
    assert item.url == reverse("contracts:detail", args=[executed.pk])
    assert signed_in(client, manager).get(item.url).status_code == 200
    for user in (other_manager, monitor, provider_user):
        assert _renewal_items(user) == []

    sent = run_days(date(2026, 9, 26), date(2026, 10, 4))
    assert sent == {
        date(2026, 9, 27): [(f"Due in 5 days: {WORDS}", MANAGER)],
        date(2026, 10, 2): [(f"Due today: {WORDS}", MANAGER)],
        date(2026, 10, 3): [(f"Overdue: {WORDS}", MANAGER)],
    }


def test_exercising_a_renewal_meets_it_and_plans_the_next_for_the_new_end(
    executed, manager, run_days
):
    due = _open(executed)
    amendment = services.renewal_exercise(
        actor=manager,
        contract=executed,
        new_end_date=date(2027, 12, 31),
        effective_on=date(2026, 9, 30),
        reason="Outcomes met",
    )
    due.refresh_from_db()
    assert (due.status, due.met_by, due.completed_on) == (
        DueDateStatus.DONE,
        amendment,
        date(2026, 9, 30),
    )
    assert isinstance(due.met_by, Amendment)
    following = _open(executed)
    assert following.due_date == date(2027, 10, 2)
    sent = run_days(date(2026, 9, 30), date(2026, 10, 6))
    assert sent == {}  # the decision taken is never reminded
    # the last option exercised: no decision is left to take
    services.renewal_exercise(
        actor=manager,
        contract=executed,
        new_end_date=date(2028, 12, 31),
        effective_on=date(2027, 9, 30),
        reason="Outcomes met",
    )
    assert not DueDate.objects.filter(
        contract=executed, kind="renewal_decision", status="open"
    ).exists()


def test_an_extension_amendment_meets_it_too(executed, manager):
    due = _open(executed)
    amendment = services.amendment_create(
        actor=manager,
        contract=executed,
        effective_on=date(2026, 9, 1),
        reason="Extended while the service is recommissioned",
        new_end_date=date(2027, 3, 31),
    )
    due.refresh_from_db()
    assert (due.status, due.met_by) == (DueDateStatus.DONE, amendment)
    assert _open(executed).due_date == date(2026, 12, 31)  # 90 days before 31 March 2027


def test_not_needed_with_a_reason_records_the_decision_not_to_renew(
    executed, manager, client, run_days
):
    """The contract page's "Not needed" link, with a reason, is how the manager records "we
    will not renew": it leaves the work list and the reminders, and can be reopened."""
    due = _open(executed)
    signed_in(client, manager)
    page = client.get(reverse("contracts:detail", args=[executed.pk])).content.decode()
    link = reverse("contracts:due_not_needed", args=[due.pk])
    assert link in page
    assert client.get(link).status_code == 200
    response = client.post(
        link, {"reason": "We will not renew: the service is being recommissioned"}
    )
    assert response.status_code == 302
    due.refresh_from_db()
    assert (due.status, due.close_reason, due.closed_by) == (
        DueDateStatus.NOT_NEEDED,
        "We will not renew: the service is being recommissioned",
        manager,
    )
    assert _renewal_items(manager) == []
    assert run_days(date(2026, 9, 26), date(2026, 10, 4)) == {}
    page = client.get(reverse("contracts:detail", args=[executed.pk])).content.decode()
    assert reverse("contracts:due_reopen", args=[due.pk]) in page


def test_the_contract_ending_cancels_it(executed, manager, run_days):
    due = _open(executed)
    services.contract_terminate(
        actor=manager, contract=executed, terminated_on=date(2026, 6, 30), reason="Failure"
    )
    due.refresh_from_db()
    assert due.status == DueDateStatus.CANCELLED
    assert due.close_reason == "The contract was terminated"
    sent = run_days(date(2026, 9, 26), date(2026, 10, 4))
    assert not any(WORDS in subject for mails in sent.values() for subject, _ in mails)
