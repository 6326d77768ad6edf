"""The home page: what is due, what is expiring; a provider user's own contracts."""

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


@time_machine.travel(datetime(2026, 9, 1, 12, tzinfo=UTC))
def test_home_shows_what_is_due_with_overdue_in_words(client, manager, contract):
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    body = signed_in(client, manager).get(reverse("workspace:home")).content.decode()
    # due 31 July 2026 (60 calendar days from 1 June), 32 days before 1 September
    assert "31 July 2026" in body
    assert "Overdue by 32 days" in body
    assert "60 days from 1 June 2026" in body


@time_machine.travel(datetime(2026, 10, 1, 12, tzinfo=UTC))
def test_home_expiring_window_comes_from_the_agency_pack(client, manager, agency, provider):
    """connecticut-opm: expiring_window_days 120."""
    ContractFactory(
        agency=agency,
        provider=provider,
        number="SOON",
        end_date=date(2026, 12, 31),
        status=ContractStatus.ACTIVE,
    )
    ContractFactory(
        agency=agency,
        provider=provider,
        number="LATER",
        end_date=date(2027, 3, 1),
        status=ContractStatus.ACTIVE,
    )
    body = signed_in(client, manager).get(reverse("workspace:home")).content.decode()
    assert "next 120 days" in body
    assert "SOON" in body
    assert "LATER" not in body
    assert "91 days left" in body


def test_home_for_a_provider_user_lists_their_contracts(client, make_user, contract, other_agency):
    ContractFactory(agency=other_agency, number="NOT-MINE", status=ContractStatus.ACTIVE)
    body = signed_in(client, make_user(Role.PROVIDER_USER)).get(reverse("workspace:home")).content
    assert b"Your contracts" in body
    assert contract.number.encode() in body
    assert b"NOT-MINE" not in body


@pytest.mark.parametrize("rows", [5, 40])
def test_home_query_count_does_not_grow_with_rows(
    client, manager, agency, provider, rows, django_assert_max_num_queries
):
    for contract in ContractFactory.create_batch(
        rows, agency=agency, provider=provider, status=ContractStatus.ACTIVE
    ):
        contract_complete(actor=manager, contract=contract, completed_on=date(2026, 6, 1))
    signed_in(client, manager)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("workspace:home")).status_code == 200


def test_a_senior_manager_is_sent_to_the_report_by_exception(client, make_user, manager, contract):
    """seed 002 stage 9: the report by exception goes to senior managers."""
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 1, 5))
    senior = make_user(Role.SENIOR_MANAGER)
    with time_machine.travel(datetime(2026, 9, 1, 12, tzinfo=UTC)):
        body = signed_in(client, senior).get(reverse("workspace:home")).content.decode()
    assert "Reports for you" in body
    assert reverse("monitoring:exceptions") in body
    assert "1 deadline missed" in body  # the closeout evaluation, overdue since March


def test_an_oversight_officer_is_sent_to_the_agencies_late_with_evaluations(
    client, make_user, manager, contract
):
    """seed 000: the oversight body sees which agencies are late."""
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 1, 5))
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    with time_machine.travel(datetime(2026, 9, 1, 12, tzinfo=UTC)):
        body = signed_in(client, oversight).get(reverse("workspace:home")).content.decode()
    assert reverse("evaluations:compliance") in body
    assert contract.agency.name in body


def test_a_monitor_gets_no_reports_section(client, make_user):
    body = signed_in(client, make_user(Role.CONTRACT_MONITOR)).get(reverse("workspace:home"))
    assert b"Reports for you" not in body.content


def test_the_home_pages_late_agencies_are_the_compliance_tables(
    make_user, manager, agency, other_agency, provider
):
    """seed 000: the home page's summary names exactly the agencies the compliance table shows
    late or missing evaluations (it asks only whether each agency has one, not how many)."""
    from steward.evaluations.selectors import agencies_behind, compliance_table

    late = ContractFactory(agency=agency, provider=provider, status=ContractStatus.ACTIVE)
    contract_complete(actor=manager, contract=late, completed_on=date(2026, 1, 5))
    on_time = ContractFactory(agency=other_agency, provider=provider, status=ContractStatus.ACTIVE)
    other_manager = make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="dmh-manager")
    contract_complete(actor=other_manager, contract=on_time, completed_on=date(2026, 8, 20))
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    with time_machine.travel(datetime(2026, 9, 1, 12, tzinfo=UTC)):
        behind, seen = agencies_behind(actor=oversight)
        rows = compliance_table(actor=oversight)
    assert [a.pk for a in behind] == [r.agency.pk for r in rows if r.missing or r.late]
    assert [a.pk for a in behind] == [agency.pk]
    assert seen == len(rows) == 2
