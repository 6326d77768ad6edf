"""Permissions of the concerns log and risk assessment (DOMAIN.md §1, seed 003).

- Concerns: agency staff of the agency that logged them read and log them; oversight and
  administrators read all; a provider user reads concerns about their own organisation but
  never who raised them (`risk.view_concern_identity` is agency-only).
- Risk is internal, except that a provider's own users read the current rating of their own
  contracts and the factors counted, and comment on their factual accuracy (seed 003); never
  the override's reason, the concerns' sources or who raised anything (DOMAIN.md §1).
- Overriding a computed rating, and reviewing one, is a contract manager's decision (DOMAIN.md
  §1 "decides on risk")."""

from __future__ import annotations

import rules

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

can_log_concerns_role = has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.SENIOR_MANAGER)
is_contract_manager = has_role(Role.CONTRACT_MANAGER)

internal_readers = is_administrator | is_oversight | (is_agency_staff & in_own_agency)

rules.add_perm("risk.view_concern", internal_readers | (is_provider_user & is_own_provider))
rules.add_perm("risk.view_concern_identity", internal_readers)
# seed 003: the provider comments on the factual accuracy of a concern about it (obj: Concern)
rules.add_perm("risk.comment_concern", is_provider_user & is_own_provider)
# obj: the agency (add) or the concern (change)
rules.add_perm("risk.add_concern", is_administrator | (can_log_concerns_role & in_own_agency))
rules.add_perm("risk.change_concern", is_administrator | (can_log_concerns_role & in_own_agency))
rules.add_perm("risk.manage_categories", is_administrator | (is_contract_manager & in_own_agency))
# obj: the contract
rules.add_perm("risk.view_risk", internal_readers)
# seed 003: the provider reads its own contract's current rating and factors, and comments on
# their factual accuracy (obj: the contract)
rules.add_perm("risk.view_own_risk", internal_readers | (is_provider_user & is_own_provider))
rules.add_perm("risk.comment_risk", is_provider_user & is_own_provider)
rules.add_perm("risk.override_risk", is_administrator | (is_contract_manager & in_own_agency))
rules.add_perm("risk.recompute_risk", is_administrator | (is_contract_manager & in_own_agency))
# obj: None — the portfolio and analysis pages
rules.add_perm("risk.view_portfolio", is_administrator | is_oversight | is_agency_staff)
