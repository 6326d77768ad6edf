"""Performance permissions (seeds 001, 003). `obj` is the Contract (or, for the library, the
Agency).

- Everyone who may see a contract may see its specification, indicators, plan, returns,
  achievement and surveys: agency staff of its agency, oversight officers and administrators,
  and the provider's own users once the contract is executed.
- Contract managers and monitors of the agency set the specification, indicators and plan,
  record surveys and inspections, and keep the agency's indicator library.
- The plan's timeline of data is also kept by the agency's Research, Assessment and Data
  staff; the performance metrics are signed off by its procurement officers (seed 001).
- Returns are submitted and corrected by the provider's own users (their own contracts only) or
  by the agency's contract managers and monitors.
"""

from __future__ import annotations

from typing import Any

import rules

from steward.contracts.rules import contract_readers, contract_released
from steward.parties.models import Role
from steward.parties.rules import (
    has_role,
    in_own_agency,
    is_administrator,
    is_agency_staff,
    is_oversight,
    is_own_provider,
    is_provider_user,
)

monitor_role = has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR)
staff_writers = is_administrator | (monitor_role & in_own_agency)

rules.add_perm("performance.view_performance", contract_readers)
rules.add_perm("performance.manage_performance", staff_writers)
rules.add_perm(
    "performance.submit_return",
    staff_writers | (is_provider_user & is_own_provider & contract_released),
)
# seed 001: the contractor agrees the Performance Evaluation Plan or comments on it
rules.add_perm(
    "performance.respond_plan",
    is_administrator | (is_provider_user & is_own_provider & contract_released),
)
rules.add_perm("performance.view_portfolio", is_administrator | is_oversight | is_agency_staff)
# seed 001: the Department of Research, Assessment and Data keeps the plan's timeline of data
# (return frequency, status meetings, reports) with the contract's managers and monitors
rules.add_perm(
    "performance.manage_data_timeline",
    is_administrator
    | (has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.RESEARCH_DATA) & in_own_agency),
)
# seed 001: the Department of Procurement & Risk Management signs off the performance metrics
# the sponsor developed with it (formal procurements of professional services over a year)
rules.add_perm(
    "performance.sign_off_metrics",
    is_administrator | (has_role(Role.PROCUREMENT_OFFICER) & in_own_agency),
)


@rules.predicate
def contracts_with_provider(user: Any, provider: Any) -> bool:
    """The user's agency holds a contract (of any status) with `provider`."""
    from steward.contracts.models import Contract

    return bool(
        user.agency_id
        and provider is not None
        and Contract.objects.filter(agency_id=user.agency_id, provider_id=provider.pk).exists()
    )


# A regulator's rating feeds every agency's risk score: it is recorded by the oversight body or
# by an agency that contracts with the provider, never by any agency (issue 19 point 2).
rules.add_perm(
    "performance.record_inspection",
    is_administrator | is_oversight | (monitor_role & contracts_with_provider),
)
