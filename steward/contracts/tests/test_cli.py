"""`steward contracts expire`: the daily job that expires contracts past their end date."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.contracts.models import ContractStatus, DueDate, DueDateStatus
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db


def expire(today: str) -> str:
    out = StringIO()
    call_command("contracts", "expire", "--today", today, stdout=out)
    return out.getvalue()


def test_expire_ends_contracts_past_their_end_date_and_opens_closeout_due_dates(agency, provider):
    """seed 000: closeout evaluation within 60 days of completion (here, the end date)."""
    ended = ContractFactory(
        agency=agency, provider=provider, status="active", end_date=date(2026, 5, 31)
    )
    signed_never_started = ContractFactory(
        agency=agency, provider=provider, status="executed", end_date=date(2026, 4, 30)
    )
    ends_today = ContractFactory(
        agency=agency, provider=provider, status="active", end_date=date(2026, 6, 1)
    )
    draft = ContractFactory(
        agency=agency, provider=provider, status="draft", end_date=date(2026, 5, 1)
    )
    completed = ContractFactory(
        agency=agency, provider=provider, status="completed", end_date=date(2026, 3, 31)
    )

    output = expire("2026-06-01")

    assert "Expired 2 contracts" in output
    for contract, status in [
        (ended, ContractStatus.EXPIRED),
        (signed_never_started, ContractStatus.EXPIRED),
        (ends_today, ContractStatus.ACTIVE),
        (draft, ContractStatus.DRAFT),
        (completed, ContractStatus.COMPLETED),
    ]:
        contract.refresh_from_db()
        assert contract.status == status, contract.number
    dues = {
        d.contract_id: d
        for d in DueDate.objects.filter(rule_key="closeout_evaluation", status=DueDateStatus.OPEN)
    }
    assert set(dues) == {ended.pk, signed_never_started.pk}
    assert dues[ended.pk].due_date == date(2026, 7, 30)  # 60 calendar days after 31 May
    assert dues[ended.pk].days == 60
    assert dues[ended.pk].source == "seed 000"
    assert dues[signed_never_started.pk].due_date == date(2026, 6, 29)
    assert ended.history.first().history_change_reason == "Expired at the end of its term"


def test_expire_twice_does_nothing_the_second_time(agency, provider):
    ContractFactory(agency=agency, provider=provider, status="active", end_date=date(2026, 5, 31))
    assert "Expired 1 contract " in expire("2026-06-01")
    assert "No contracts to expire" in expire("2026-06-01")
    assert DueDate.objects.count() == 1


def test_expire_rejects_a_badly_written_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("contracts", "expire", "--today", "1 June", stdout=StringIO())
