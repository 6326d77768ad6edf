"""Who may read and change contracts: the contract permissions, and the same rule as a filter
for lists (`visible_contracts_q`). A provider user sees only its own organisation's contracts,
and only once released (not draft)."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from steward.parties.models import Role
from steward.parties.rules import (
    can_amend_role,
    can_upload_role,
    can_write_contracts_role,
    in_own_agency,
    is_active,
    is_administrator,
    is_agency_staff,
    is_oversight,
    is_own_provider,
    is_provider_user,
    oversight_agencies_q,
)


@rules.predicate
def contract_released(user: Any, contract: Any) -> bool:
    return contract is not None and contract.status != "draft"


# ---------------------------------------------------------------- the permissions

contract_readers = (
    is_administrator
    | is_oversight
    | (is_agency_staff & in_own_agency)
    | (is_provider_user & is_own_provider & contract_released)
)
rules.add_perm("contracts.view_contract", contract_readers)
rules.add_perm(
    "contracts.view_internal", is_administrator | is_oversight | (is_agency_staff & in_own_agency)
)
# obj is the agency the contract would belong to
rules.add_perm(
    "contracts.add_contract", is_administrator | (can_write_contracts_role & in_own_agency)
)
rules.add_perm(
    "contracts.change_contract", is_administrator | (can_write_contracts_role & in_own_agency)
)
rules.add_perm(
    "contracts.transition_contract", is_administrator | (can_write_contracts_role & in_own_agency)
)
rules.add_perm("contracts.amend_contract", is_administrator | (can_amend_role & in_own_agency))
rules.add_perm("contracts.upload_document", is_administrator | (can_upload_role & in_own_agency))


# marking a due date "not needed" (and reopening it): agency staff of the due date's agency
# whose role acts on its kind, and administrators; never provider users (obj: the DueDate)
@rules.predicate
def acts_on_due_kind(user: Any, due: Any) -> bool:
    from steward.contracts.due_kinds import Owner, kind_of

    if due is None or not user.agency_id or user.agency_id != due.agency_id:
        return False
    kind = kind_of(due.kind)
    return kind.owner != Owner.PROVIDER and user.role in kind.roles


rules.add_perm("contracts.close_due_date", is_administrator | (is_agency_staff & acts_on_due_kind))

# the expiring-contracts and annual POS/PSA reports (seed 000): agency staff for their agency,
# oversight officers and administrators for every agency; never provider users
rules.add_perm("reports.view_register_reports", is_administrator | is_agency_staff)


# ---------------------------------------------------------------- the same rules as filters


def visible_contracts_q(user: Any) -> Q:
    """Return the filter on Contract matching exactly the contracts `user` may view."""
    if not is_active(user):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.OVERSIGHT_OFFICER:
        return oversight_agencies_q(user)
    if user.role == Role.PROVIDER_USER:
        return Q(provider_id=user.provider_id) & ~Q(status="draft")
    if user.agency_id:
        return Q(agency_id=user.agency_id)
    return Q(pk__in=[])
