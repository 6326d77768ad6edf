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


def owe_spread(manager, agency, provider) -> None:
    """Closeout evaluations (due 60 days after completion, seed 000) that fall overdue, due this
    week and later on 1 September 2026: contracts completed from 1 June to 20 August."""
    for day in (date(2026, 6, d) for d in (1, 2, 3)):
        contract = ContractFactory(agency=agency, provider=provider, status=ContractStatus.ACTIVE)
        contract_complete(actor=manager, contract=contract, completed_on=day)
    for day in (date(2026, 7, d) for d in (2, 3, 4, 5, 9, 10, 11, 20)):
        contract = ContractFactory(agency=agency, provider=provider, status=ContractStatus.ACTIVE)
        contract_complete(actor=manager, contract=contract, completed_on=day)


@pytest.mark.parametrize("limit", [1, 2, 10])
@time_machine.travel(AUGUST)
def test_the_home_pages_groups_are_the_work_lists_cut_in_the_database(
    manager, agency, provider, limit
):
    """The home page asks the database for the first few items of each group and their counts
    (window functions); it shows exactly what cutting the whole work list would show."""
    from steward.workspace.selectors import Group, work_items, work_previews

    owe_spread(manager, agency, provider)
    whole = work_items(user=manager)
    cut, total = work_previews(user=manager, limit=limit)
    assert total == len(whole) == 11
    expected = []
    for group in Group:
        of_group = [i.due.pk for i in whole if i.group == group]
        expected.append((group, len(of_group), of_group[:limit]))
    assert [(g.group, g.total, [i.due.pk for i in g.items]) for g in cut] == expected
    assert [g.total for g in cut] == [4, 4, 3]  # overdue, this week (1-7 Sep), later


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 9, 1, 3, 30, tzinfo=UTC),  # 31 August in Hartford, 1 September in Scotland
        datetime(2026, 9, 1, 4, 30, tzinfo=UTC),  # 1 September in both
        datetime(2026, 9, 7, 23, 30, tzinfo=UTC),  # 8 September in Scotland, 7th in Hartford
    ],
)
def test_the_database_groups_each_due_date_from_its_own_agencys_today(
    manager, agency, provider, packs, now
):
    """Overdue turns at midnight in the agency's own time zone (its pack's), in the database's
    grouping as in the work list's: two agencies five hours apart, at instants where their
    dates differ."""
    from steward.contracts.models import DueDate
    from steward.parties.models import Role
    from steward.testing.factories import AgencyFactory, UserFactory
    from steward.workspace.selectors import _group, group_expression

    scottish = AgencyFactory(name="Scottish Council", slug="scc", pack=packs["scottish-childrens"])
    with time_machine.travel(AUGUST):
        owe_spread(manager, agency, provider)
        owe_spread(UserFactory(role=Role.CONTRACT_MANAGER, agency=scottish), scottish, provider)
    dues = list(DueDate.objects.select_related("agency__pack").annotate(g=group_expression(now)))
    assert {due.agency_id for due in dues} == {agency.pk, scottish.pk}
    for due in dues:
        expected = _group((due.due_date - due.agency.today(now)).days)
        assert due.g == expected.value, (due.agency.slug, due.kind, due.due_date, now)


@time_machine.travel(AUGUST)
def test_the_navigation_counts_up_to_99_and_the_home_page_exactly(
    client, manager, agency, provider, monkeypatch
):
    """Every page shows the count beside Home; it is counted only up to a cap ("99+" past it),
    while the home page and the work list count every item."""
    from steward.workspace import selectors

    monkeypatch.setattr(selectors, "NAV_COUNT_CAP", 3)
    owe_closeouts(manager, agency, provider, 5)
    signed_in(client, manager)
    register = client.get(reverse("contracts:list")).content.decode()
    assert 'steward-nav__count">3+</span><span class="usa-sr-only"> things to do' in register
    home = client.get(reverse("workspace:home")).content.decode()
    assert 'steward-nav__count">3+<' in home and "Show all" not in home
    assert '<span class="usa-tag steward-tag--overdue">5</span>' in home
    monkeypatch.setattr(selectors, "NAV_COUNT_CAP", 5)
    assert 'steward-nav__count">5<' in client.get(reverse("contracts:list")).content.decode()
