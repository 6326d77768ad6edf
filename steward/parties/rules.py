"""Who may do what, by role: the predicates every area's permission rules are built from, and
the permissions on agencies, providers, policy packs and the audit trail.

Object permissions are `rules` predicates, checked with `user.has_perm(name, obj)` by the
services (writes) and by the page/API layer (reads). List visibility is the same rule written
as a `Q` filter (`visible_providers_q` here, `visible_contracts_q` in steward.contracts.rules,
and one per area), used by the selectors; the test suite checks that the predicate and the
filter agree for every role.

Roles (DOMAIN.md §1): an administrator may do everything; an oversight officer sees every
agency's records read-only and owns policy packs; agency staff act within their own agency;
a provider user sees only its own organisation's records.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from steward.parties.models import Role

# ---------------------------------------------------------------- predicates on the user


@rules.predicate
def is_active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_role(*roles: str):  # type: ignore[no-untyped-def]
    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user: Any) -> bool:
        return bool(is_active(user) and user.role in roles)

    return predicate


is_administrator = has_role(Role.ADMINISTRATOR)
is_oversight = has_role(Role.OVERSIGHT_OFFICER)
is_contract_manager = has_role(Role.CONTRACT_MANAGER)
is_finance_officer = has_role(Role.FINANCE_OFFICER)
is_provider_user = has_role(Role.PROVIDER_USER)
is_agency_staff = has_role(
    Role.OVERSIGHT_OFFICER,
    Role.CONTRACT_MANAGER,
    Role.CONTRACT_MONITOR,
    Role.BUDGET_HOLDER,
    Role.FINANCE_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.SENIOR_MANAGER,
    Role.KEY_WORKER,
    Role.REVIEWING_OFFICER,
    Role.RAG_ADMINISTRATOR,
)
can_write_contracts_role = has_role(Role.CONTRACT_MANAGER)
can_amend_role = has_role(Role.CONTRACT_MANAGER, Role.FINANCE_OFFICER)
can_upload_role = has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.PROCUREMENT_OFFICER)
can_manage_providers_role = has_role(Role.CONTRACT_MANAGER, Role.PROCUREMENT_OFFICER)

# ---------------------------------------------------------------- predicates on objects


def _agency_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    # an Agency, or anything that carries agency_id (a Contract, ...)
    if obj.__class__.__name__ == "Agency":
        return obj.pk
    return getattr(obj, "agency_id", None)


@rules.predicate
def in_own_agency(user: Any, obj: Any) -> bool:
    agency_id = _agency_id_of(obj)
    return bool(user.agency_id and agency_id and user.agency_id == agency_id)


@rules.predicate
def is_own_provider(user: Any, obj: Any) -> bool:
    if not user.provider_id or obj is None:
        return False
    provider_id = obj.pk if obj.__class__.__name__ == "Provider" else obj.provider_id
    return bool(provider_id == user.provider_id)


@rules.predicate
def pack_is_editable(user: Any, pack: Any) -> bool:
    return pack is not None and not pack.shipped


# ---------------------------------------------------------------- the permissions

rules.add_perm("agencies.view_agency", is_active)
rules.add_perm("agencies.add_agency", is_administrator)
rules.add_perm("agencies.change_agency", is_administrator)
rules.add_perm("agencies.assign_pack", is_administrator | is_oversight)

rules.add_perm("providers.view_provider", is_administrator | is_agency_staff | is_own_provider)
rules.add_perm("providers.add_provider", is_administrator | can_manage_providers_role)
rules.add_perm("providers.change_provider", is_administrator | can_manage_providers_role)

rules.add_perm("packs.view_pack", is_active)
rules.add_perm("packs.copy_pack", is_administrator | is_oversight)
rules.add_perm("packs.change_pack", (is_administrator | is_oversight) & pack_is_editable)

rules.add_perm("audit.view_history", is_administrator | is_agency_staff)


# ---------------------------------------------------------------- the same rules as filters


def visible_providers_q(user: Any) -> Q:
    """Return the filter on Provider matching the providers `user` may view."""
    if not is_active(user):
        return Q(pk__in=[])
    if user.role == Role.PROVIDER_USER:
        return Q(pk=user.provider_id)
    return Q()
