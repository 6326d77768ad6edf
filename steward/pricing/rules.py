"""Pricing permissions (seed 004 records).

Finance officers and contract managers of the contract's agency write; agency staff of that
agency read; oversight reads all; a provider user reads its own released contract's rate
calculations and payments (not the fee, limits, consultations or attachment checklist, which are
internal). `obj` is always the Contract.
"""

from __future__ import annotations

import rules

from steward.contracts.rules import contract_released
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

pricing_writer_role = has_role(Role.CONTRACT_MANAGER, Role.FINANCE_OFFICER)

internal_readers = is_administrator | is_oversight | (is_agency_staff & in_own_agency)
provider_readers = is_provider_user & is_own_provider & contract_released

rules.add_perm("pricing.view_pricing", internal_readers | provider_readers)
rules.add_perm("pricing.view_internal", internal_readers)
rules.add_perm("pricing.change_pricing", is_administrator | (pricing_writer_role & in_own_agency))
