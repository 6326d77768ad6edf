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

from steward.parties.models import AGENCY_ROLES, Role

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


def _jurisdiction_of(obj: Any) -> str | None:
    """The jurisdiction of the agency `obj` belongs to (None when it names no agency)."""
    if obj is None:
        return None
    if obj.__class__.__name__ == "Agency":
        return str(obj.jurisdiction or "")
    if getattr(obj, "agency_id", None):
        return str(obj.agency.jurisdiction or "")
    return None


@rules.predicate
def is_oversight(user: Any, obj: Any = None) -> bool:
    """An oversight officer; one limited to a jurisdiction (User.jurisdiction) only for records
    of that jurisdiction's agencies (records naming no agency, and checks without a record,
    are not limited)."""
    if not (is_active(user) and user.role == Role.OVERSIGHT_OFFICER):
        return False
    limit = (user.jurisdiction or "").strip().lower()
    if not limit:
        return True
    found = _jurisdiction_of(obj)
    return found is None or found.strip().lower() == limit


is_contract_manager = has_role(Role.CONTRACT_MANAGER)
is_finance_officer = has_role(Role.FINANCE_OFFICER)
is_provider_user = has_role(Role.PROVIDER_USER)
is_agency_administrator = has_role(Role.AGENCY_ADMINISTRATOR)
is_agency_staff = has_role(
    Role.OVERSIGHT_OFFICER,
    Role.CONTRACT_MANAGER,
    Role.CONTRACT_MONITOR,
    Role.BUDGET_HOLDER,
    Role.FINANCE_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.SENIOR_MANAGER,
    Role.AGENCY_ADMINISTRATOR,
    Role.KEY_WORKER,
    Role.REVIEWING_OFFICER,
    Role.RAG_ADMINISTRATOR,
    Role.CHARTER_REVIEW_TEAM,
    Role.RESEARCH_DATA,
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
def created_by_own_agency(user: Any, provider: Any) -> bool:
    """The provider was added by the user's agency (which then keeps its record, issue 19)."""
    agency_id = getattr(provider, "created_by_agency_id", None)
    return bool(user.agency_id and agency_id and user.agency_id == agency_id)


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
# A provider is shared by every agency that contracts with it, so its record (legal name, tax id,
# for-profit flag, addresses) is kept by the provider itself, the oversight body, and the agency
# that added it — not by any agency that happens to see it (issue 19 point 2).
rules.add_perm(
    "providers.change_provider",
    is_administrator
    | is_oversight
    | (is_provider_user & is_own_provider)
    | (can_manage_providers_role & created_by_own_agency),
)

rules.add_perm("packs.view_pack", is_active)
rules.add_perm("packs.copy_pack", is_administrator | is_oversight)
rules.add_perm("packs.change_pack", (is_administrator | is_oversight) & pack_is_editable)

rules.add_perm("audit.view_history", is_administrator | is_agency_staff)
# the log of reads of service users' personal data (issue 19 point 3); administrators are
# identified by Role.ADMINISTRATOR (see steward/parties/access_log.py)
rules.add_perm("audit.view_access_log", is_administrator | is_agency_administrator)


@rules.predicate
def is_colleague(user: Any, person: Any) -> bool:
    """`person` is agency staff of `user`'s own agency (never a site administrator or a
    provider's user)."""
    return bool(
        person is not None
        and user.agency_id
        and person.agency_id == user.agency_id
        and person.role in AGENCY_ROLES
    )


# People: site administrators manage everyone; an agency administrator invites and manages
# the staff of its own agency (DOMAIN.md §1 roles), never administrators or provider users.
rules.add_perm("people.view_people", is_administrator | is_agency_administrator)
rules.add_perm("people.invite", is_administrator | (is_agency_administrator & in_own_agency))
rules.add_perm("people.manage_person", is_administrator | (is_agency_administrator & is_colleague))


# ---------------------------------------------------------------- the same rules as filters


def visible_people_q(user: Any) -> Q:
    """Return the filter on User matching the people `user` may see on the people pages."""
    if not is_active(user):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.AGENCY_ADMINISTRATOR:
        return Q(agency_id=user.agency_id, role__in=sorted(AGENCY_ROLES))
    return Q(pk__in=[])


def oversight_agencies_q(user: Any, prefix: str = "agency") -> Q:
    """For an oversight officer limited to a jurisdiction, the filter keeping records of that
    jurisdiction's agencies (`prefix` is the path to the agency, e.g. "contract__agency");
    otherwise no limit."""
    jurisdiction = getattr(user, "jurisdiction", "") if user.role == Role.OVERSIGHT_OFFICER else ""
    if not jurisdiction:
        return Q()
    return Q(**{f"{prefix}__jurisdiction__iexact": jurisdiction})


def visible_providers_q(user: Any) -> Q:
    """Return the filter on Provider matching the providers `user` may view."""
    if not is_active(user):
        return Q(pk__in=[])
    if user.role == Role.PROVIDER_USER:
        return Q(pk=user.provider_id)
    return Q()
