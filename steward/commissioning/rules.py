"""Permissions of strategic commissioning (seed 003 sections 2, 3 and 4).

Commissioning is internal to the agency: its staff, oversight and administrators read it;
provider users never do (their views are recorded by staff). The contract manager (the
Commissioning and Contracts Manager) and senior managers import the needs analysis, set the
area a contract serves and record the sector's commissioning decision; contract monitors may
also feed market intelligence from monitoring. The object is the agency."""

from __future__ import annotations

import rules

from steward.parties.models import Role
from steward.parties.rules import (
    has_role,
    in_own_agency,
    is_administrator,
    is_agency_staff,
    is_oversight,
)

commissioners = has_role(Role.CONTRACT_MANAGER, Role.SENIOR_MANAGER)
monitors = has_role(Role.CONTRACT_MANAGER, Role.SENIOR_MANAGER, Role.CONTRACT_MONITOR)

rules.add_perm(
    "commissioning.view_commissioning",
    is_administrator | is_oversight | (is_agency_staff & in_own_agency),
)
rules.add_perm(
    "commissioning.manage_commissioning", is_administrator | (commissioners & in_own_agency)
)
rules.add_perm("commissioning.record_intelligence", is_administrator | (monitors & in_own_agency))
