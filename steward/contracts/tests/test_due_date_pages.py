"""Marking a due date not needed, and reopening it, from the page and the API: who may, the
confirmation it asks for, the reason it keeps."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_complete
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, UserFactory
from steward.tests.pages import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(agency, provider, manager):
    contract = ContractFactory(agency=agency, provider=provider, status="active", number="DCF-NN-1")
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    return DueDate.objects.get(contract=contract, status=DueDateStatus.OPEN)


def test_the_page_says_what_will_happen_before_anything_changes(client, manager, due):
    url = reverse("contracts:due_not_needed", args=[due.pk])
    body = signed_in(client, manager).get(url).content.decode()
    assert "Mark a due date as not needed" in body
    assert "leaves the work lists, the calendar and the reminders" in body
    due.refresh_from_db()
    assert due.status == DueDateStatus.OPEN


def test_a_reason_is_required_and_nothing_changes_without_one(client, manager, due):
    url = reverse("contracts:due_not_needed", args=[due.pk])
    response = signed_in(client, manager).post(url, {"reason": "   "})
    assert response.status_code == 200
    assert (
        "Give the reason." in response.content.decode() or "required" in response.content.decode()
    )
    due.refresh_from_db()
    assert due.status == DueDateStatus.OPEN


def test_marked_not_needed_then_reopened_with_reasons(client, manager, due):
    signed_in(client, manager)
    response = client.post(
        reverse("contracts:due_not_needed", args=[due.pk]), {"reason": "Evaluated elsewhere"}
    )
    assert response.status_code == 302
    due.refresh_from_db()
    assert (due.status, due.close_reason) == (DueDateStatus.NOT_NEEDED, "Evaluated elsewhere")
    detail = client.get(reverse("contracts:detail", args=[due.contract_id])).content.decode()
    assert "Not needed: Evaluated elsewhere" in detail
    assert reverse("contracts:due_reopen", args=[due.pk]) in detail
    response = client.post(
        reverse("contracts:due_reopen", args=[due.pk]), {"reason": "It was not, after all"}
    )
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.status == DueDateStatus.OPEN


@pytest.mark.parametrize(
    ("role", "same_agency", "expected"),
    [
        (Role.CONTRACT_MANAGER, True, 200),
        (Role.ADMINISTRATOR, False, 200),
        (Role.CONTRACT_MANAGER, False, 404),  # another agency's contract is not visible
        (Role.CONTRACT_MONITOR, True, 403),  # the closeout is the contract manager's to act on
        (Role.FINANCE_OFFICER, True, 403),
        (Role.SENIOR_MANAGER, True, 403),
        (Role.OVERSIGHT_OFFICER, False, 403),
        (Role.PROVIDER_USER, False, 403),
    ],
)
def test_who_may_open_the_page(client, make_user, other_agency, due, role, same_agency, expected):
    if role in (Role.PROVIDER_USER, Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        user = make_user(role)
    else:
        user = make_user(role, agency=due.agency if same_agency else other_agency)
    signed_in(client, user)
    for name in ("contracts:due_not_needed", "contracts:due_reopen"):
        response = client.get(reverse(name, args=[due.pk]))
        if expected == 200 and name == "contracts:due_reopen":
            assert response.status_code == 302  # not marked not needed: back to the contract
        else:
            assert response.status_code == expected, (role, name)


def test_the_api_marks_not_needed_and_reopens(client, manager, due):
    signed_in(client, manager)
    url = f"/api/v1/due-dates/{due.pk}/not-needed"
    assert client.post(url, {"reason": ""}, content_type="application/json").status_code == 422
    response = client.post(url, {"reason": "Done elsewhere"}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["close_reason"]) == (
        "not_needed",
        "Done elsewhere",
    )
    response = client.post(
        f"/api/v1/due-dates/{due.pk}/reopen", {"reason": "Needed"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "open"


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.PROVIDER_USER, 403), (Role.FINANCE_OFFICER, 403), ("other_manager", 404)],
)
def test_the_api_refuses_those_who_may_not(client, make_user, other_agency, due, role, expected):
    if role == "other_manager":
        user = UserFactory(role=Role.CONTRACT_MANAGER, agency=other_agency)
    else:
        user = make_user(role)
    signed_in(client, user)
    response = client.post(
        f"/api/v1/due-dates/{due.pk}/not-needed", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == expected
    due.refresh_from_db()
    assert due.status == DueDateStatus.OPEN
