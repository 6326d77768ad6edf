"""Set-based audit rows (steward.core.bulk) are the rows simple-history itself writes."""

from __future__ import annotations

from django.utils import timezone

from steward.contracts.models import Contract
from steward.core.bulk import history_from_table
from steward.testing.factories import ContractFactory


def test_history_rows_copy_the_table_with_date_type_user_and_reason(agency, provider, manager):
    contracts = ContractFactory.create_batch(3, agency=agency, provider=provider)
    Contract.history.all().delete()
    when = timezone.now()
    written = history_from_table(
        Contract,
        [c.pk for c in contracts],
        history_type="+",
        when=when,
        user=manager,
        reason="Imported from x.csv",
        batch_size=2,
    )
    assert written == 3
    for contract in contracts:
        row = contract.history.get()
        assert (row.history_type, row.history_user, row.history_change_reason) == (
            "+",
            manager,
            "Imported from x.csv",
        )
        assert row.history_date == when
        assert (row.number, row.title, row.maximum_obligation, row.agency_id) == (
            contract.number,
            contract.title,
            contract.maximum_obligation,
            contract.agency_id,
        )
