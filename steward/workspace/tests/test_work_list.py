"""The work list: what each person must do, on the home page and at GET /api/v1/me/work, in the
agency's own time zone; and, over the whole demo, that every open due date is someone's work
and every item leads to a page that person can open."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from steward.contracts.due_kinds import KINDS
from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.selectors_due_dates import owes
from steward.contracts.services import contract_complete
from steward.parties.models import Role, User
from steward.testing.factories import ContractFactory
from steward.tests.pages import signed_in
from steward.workspace.selectors import Group, work_items

pytestmark = pytest.mark.django_db

DEMO_DAY = date(2026, 3, 10)


@pytest.fixture
def closeout(agency, provider, manager):
    """A contract completed on 1 June 2026: its closeout evaluation is due 31 July (seed 000)."""
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        number="DCF-WL-1",
        contract_manager=manager,
    )
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    return contract


def test_the_home_page_lists_the_persons_work_with_a_sentence_and_a_link(client, manager, closeout):
    with time_machine.travel(datetime(2026, 7, 27, 15, 0, tzinfo=UTC)):
        body = signed_in(client, manager).get(reverse("workspace:home")).content.decode()
    assert "What you need to do" in body
    assert "Write the closeout evaluation of DCF-WL-1" in body
    assert "by 31 July 2026" in body
    assert "4 days left" in body
    assert "60 days from 1 June 2026" in body
    assert reverse("contracts:detail", args=[closeout.pk]) in body
    assert "closeout_evaluation" not in body  # no internal keys on the page


def test_another_manager_of_the_agency_does_not_get_the_contracts_work(client, make_user, closeout):
    other = make_user(Role.CONTRACT_MANAGER, username="other-manager")
    body = signed_in(client, other).get(reverse("workspace:home")).content.decode()
    assert "DCF-WL-1" not in body
    assert "You have nothing to do at the moment." in body


def test_overdue_turns_at_midnight_in_the_agencys_time_zone_not_utc(manager, closeout):
    """Connecticut: 23:30 on 31 July in Hartford is 03:30 on 1 August in UTC; the closeout
    evaluation is still due today, not overdue."""
    [item] = work_items(user=manager, now=datetime(2026, 8, 1, 3, 30, tzinfo=UTC))
    assert (item.days_left, item.group) == (0, Group.THIS_WEEK)
    [item] = work_items(user=manager, now=datetime(2026, 8, 1, 4, 30, tzinfo=UTC))
    assert (item.days_left, item.group) == (-1, Group.OVERDUE)


def test_the_page_counts_in_the_agencys_time_zone_too(client, manager, closeout):
    with time_machine.travel(datetime(2026, 8, 1, 3, 30, tzinfo=UTC)):
        body = signed_in(client, manager).get(reverse("workspace:home")).content.decode()
    assert "Due today" in body and "Overdue" not in body


def test_the_api_lists_the_same_work(client, manager, closeout):
    with time_machine.travel(datetime(2026, 7, 27, 15, 0, tzinfo=UTC)):
        data = signed_in(client, manager).get("/api/v1/me/work").json()
    assert (data["count"], data["overdue"], data["this_week"], data["later"]) == (1, 0, 1, 0)
    [item] = data["items"]
    assert item["kind"] == "closeout_evaluation"
    assert item["sentence"] == "Write the closeout evaluation of DCF-WL-1 by 31 July 2026"
    assert item["days_left"] == 4
    assert item["url"].endswith(reverse("contracts:detail", args=[closeout.pk]))
    assert item["url"].startswith("http")


def test_the_navigation_shows_the_count(client, manager, closeout):
    body = signed_in(client, manager).get(reverse("contracts:list")).content.decode()
    assert 'steward-nav__count">1<' in body


def test_a_closed_due_date_leaves_the_work_list(client, manager, closeout):
    from steward.contracts.services_due_dates import due_date_not_needed

    due = DueDate.objects.get(contract=closeout, status=DueDateStatus.OPEN)
    due_date_not_needed(
        actor=manager, due=due, reason="Evaluated elsewhere", today=date(2026, 7, 1)
    )
    assert work_items(user=manager) == []
    assert signed_in(client, manager).get("/api/v1/me/work").json()["count"] == 0


def test_the_work_list_needs_a_sign_in(client):
    assert client.get("/api/v1/me/work").status_code == 401
    assert client.get(reverse("workspace:home")).status_code == 302


@pytest.mark.parametrize("rows", [3, 30])
def test_the_work_list_makes_a_fixed_number_of_queries(
    client, agency, provider, manager, rows, django_assert_max_num_queries
):
    for n in range(rows):
        contract = ContractFactory(agency=agency, provider=provider, status="active")
        contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    signed_in(client, manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("workspace:home")).status_code == 200
    # sign-in (2), the packs' time zones, the counts, the page, its agencies and their packs
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/me/work").json()["count"] == rows


def test_the_api_pages_the_work_list_and_counts_every_group(
    client, agency, provider, manager, django_assert_max_num_queries
):
    """A manager at a state-wide register owes thousands of items: the API answers a page at a
    time, in the work list's order, with the counts of every item in each group."""
    # completed 1 June to 1 October: closeout evaluations due 60 days later (seed 000)
    for month in (6, 7, 8, 9, 10):
        contract = ContractFactory(agency=agency, provider=provider, status="active")
        contract_complete(actor=manager, contract=contract, completed_on=date(2026, month, 1))
    with time_machine.travel(datetime(2026, 9, 27, 15, 0, tzinfo=UTC)):
        everything = work_items(user=manager)
        api = signed_in(client, manager)
        pages = [
            api.get("/api/v1/me/work", {"limit": 2, "offset": offset}).json()
            for offset in (0, 2, 4)
        ]
        with django_assert_max_num_queries(7):
            overdue = api.get("/api/v1/me/work", {"group": "overdue"}).json()
        too_far = api.get("/api/v1/me/work", {"offset": 5}).json()
    assert [i["id"] for page in pages for i in page["items"]] == [i.due.pk for i in everything]
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    assert (pages[1]["limit"], pages[1]["offset"], pages[1]["count"]) == (2, 2, 5)
    by_group = {g.value: sum(1 for i in everything if i.group == g) for g in Group}
    assert by_group == {"overdue": 2, "this_week": 1, "later": 2}
    for page in (*pages, overdue):
        assert {g: page[g] for g in by_group} == by_group
    assert overdue["count"] == 2
    assert [i["id"] for i in overdue["items"]] == [
        i.due.pk for i in everything if i.group == Group.OVERDUE
    ]
    assert too_far["items"] == [] and too_far["count"] == 5


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"group": "someday"}, {"limit": "many"}],
)
def test_the_work_list_api_refuses_a_bad_page_plainly(client, manager, query):
    response = signed_in(client, manager).get("/api/v1/me/work", query)
    assert response.status_code == 422
    assert response.json()["detail"]


# ---------------------------------------------------------------- the whole demo


@pytest.fixture
def demo_loaded():
    call_command("demo", "--as-of", DEMO_DAY.isoformat(), stdout=StringIO())


def test_every_open_due_date_of_the_demo_is_some_demo_users_work(demo_loaded):
    """Every open due date is of a registered kind and on the work list of a person who can
    act on it: nothing is open that nobody can close."""
    users = list(User.objects.filter(is_active=True).select_related("agency", "provider"))
    orphans = []
    for due in DueDate.objects.filter(status=DueDateStatus.OPEN).select_related("contract"):
        assert due.kind in KINDS, due.kind
        if not any(owes(user, due) for user in users):
            orphans.append((due.kind, due.contract.number if due.contract_id else due.agency_id))
    assert orphans == []


def test_every_demo_users_work_links_to_a_page_they_can_open(client, demo_loaded):
    """As each demo role (the provider too): GET /api/v1/me/work lists only that person's work,
    and every item's page opens for them."""
    checked = 0
    for user in User.objects.filter(
        username__in=[
            "manager",
            "monitor",
            "senior",
            "provider",
            "oversight",
            "procurement",
            "finance",
            "budget",
            "manager-mps",
            "manager-wl",
            "manager-scot",
            "manager-ma",
        ]
    ):
        client.force_login(user)
        data = client.get("/api/v1/me/work").json()
        for item in data["items"]:
            due = DueDate.objects.select_related("contract").get(pk=item["id"])
            assert owes(user, due), (user.username, item["kind"])
            assert item["url"], (user.username, item["kind"])
            path = item["url"].split("://", 1)[1].split("/", 1)[1]
            response = client.get("/" + path)
            assert response.status_code == 200, (user.username, item["kind"], item["url"])
            checked += 1
        client.logout()
    assert checked > 0
