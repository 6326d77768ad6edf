"""The home page shows the first few items of each group of the work list; the work list page
shows them all, a group at a time or together, 50 to a page. Items come from real due dates:
closing a contract owes its closeout evaluation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from steward.contracts.models import ContractStatus
from steward.contracts.services import contract_complete
from steward.parties.models import Role
from steward.testing.factories import ContractFactory
from steward.tests.pages import signed_in
from steward.workspace.views import HOME_ITEMS_PER_GROUP, WORK_PAGE_SIZE

pytestmark = pytest.mark.django_db
AUGUST = datetime(2026, 9, 1, 12, tzinfo=UTC)


def owe_closeouts(manager, agency, provider, n: int) -> list[str]:
    """n contracts completed on 1 June 2026: n closeout evaluations overdue on 1 September."""
    numbers = []
    for contract in ContractFactory.create_batch(
        n, agency=agency, provider=provider, status=ContractStatus.ACTIVE, contract_manager=manager
    ):
        contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
        numbers.append(contract.number)
    return numbers


@time_machine.travel(AUGUST)
def test_home_shows_the_first_items_of_a_group_and_links_to_all(client, manager, agency, provider):
    numbers = owe_closeouts(manager, agency, provider, HOME_ITEMS_PER_GROUP + 3)
    body = signed_in(client, manager).get(reverse("workspace:home")).content.decode()
    shown = [n for n in numbers if f"{n}<" in body or f"{n} " in body]
    assert len(shown) == HOME_ITEMS_PER_GROUP
    assert f"Show all {len(numbers)} (3 more)" in body
    assert f"{reverse('workspace:work')}?group=overdue" in body


@time_machine.travel(AUGUST)
def test_home_has_no_show_all_link_when_everything_fits(client, manager, agency, provider):
    owe_closeouts(manager, agency, provider, 2)
    body = signed_in(client, manager).get(reverse("workspace:home")).content.decode()
    assert "Show all" not in body
    assert "Your whole work list" in body


@time_machine.travel(AUGUST)
def test_the_work_page_lists_every_item_of_the_group_in_pages(
    client, manager, agency, provider, django_assert_max_num_queries
):
    numbers = owe_closeouts(manager, agency, provider, WORK_PAGE_SIZE + 2)
    signed_in(client, manager)
    with django_assert_max_num_queries(10):
        first = client.get(reverse("workspace:work"), {"group": "overdue"})
    body = first.content.decode()
    assert first.status_code == 200
    assert f"{len(numbers)} items, soonest first" in body
    assert "Page 1 of 2" in body
    second = client.get(reverse("workspace:work"), {"group": "overdue", "page": 2}).content
    assert b"Page 2 of 2" in second
    later = client.get(reverse("workspace:work"), {"group": "later"}).content.decode()
    assert "You have nothing to do here" in later


@time_machine.travel(AUGUST)
def test_the_work_page_shows_only_the_persons_own_work(
    client, manager, make_user, agency, provider
):
    numbers = owe_closeouts(manager, agency, provider, 2)
    other = make_user(Role.CONTRACT_MANAGER, username="someone-else")
    body = signed_in(client, other).get(reverse("workspace:work")).content.decode()
    assert not any(n in body for n in numbers)
    assert all(n in signed_in(client, manager).get("/work/").content.decode() for n in numbers)
    provider_user = make_user(Role.PROVIDER_USER)
    response = signed_in(client, provider_user).get(reverse("workspace:work"))
    assert response.status_code == 200


@pytest.mark.parametrize("group", ["nonsense", "<script>", "overdue'--", ""])
def test_an_unknown_group_shows_everything(client, manager, group):
    response = signed_in(client, manager).get(reverse("workspace:work"), {"group": group})
    assert response.status_code == 200
    assert "All your work" in response.content.decode()


def test_the_work_page_needs_a_sign_in(client):
    response = client.get(reverse("workspace:work"))
    assert response.status_code == 302 and "login" in response["Location"]
