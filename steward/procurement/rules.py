"""Procurement permissions (django-rules), built from the role predicates in steward.parties.rules.

Agency staff read their own agency's procurement; procurement officers and contract managers
run it. A provider user sees only solicitations its organisation bid on, and of those only its
own bid, notice, debriefing and appeals (never another bidder's bid or scores).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from steward.parties.models import Role
from steward.parties.rules import (
    has_role,
    in_own_agency,
    is_active,
    is_administrator,
    is_agency_staff,
    is_oversight,
    is_own_provider,
    is_provider_user,
    oversight_agencies_q,
)

runs_procurement = has_role(Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER)
places_people = has_role(
    Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.BUDGET_HOLDER, Role.KEY_WORKER
)
#: seed 003: the lead professional (the agency's contract monitors) and the contract manager
lead_professional = has_role(Role.CONTRACT_MONITOR, Role.CONTRACT_MANAGER)


@rules.predicate
def is_named_on_placement(user: Any, placement: Any) -> bool:
    """The placement's key worker, reviewing officer or lead professional."""
    if placement is None or not hasattr(placement, "key_worker_id"):
        return False
    return user.pk in (
        placement.key_worker_id,
        placement.reviewing_officer_id,
        placement.lead_professional_id,
    )


@rules.predicate
def provider_bid_on(user: Any, solicitation: Any) -> bool:
    if solicitation is None or not user.provider_id:
        return False
    return bool(solicitation.bids.filter(provider_id=user.provider_id).exists())


agency_readers = is_administrator | is_oversight | (is_agency_staff & in_own_agency)

rules.add_perm(
    "procurement.view_solicitation", agency_readers | (is_provider_user & provider_bid_on)
)
rules.add_perm("procurement.view_scores", agency_readers)
rules.add_perm(
    "procurement.manage_solicitation", is_administrator | (runs_procurement & in_own_agency)
)
# obj: a Bid
rules.add_perm("procurement.view_bid", agency_readers | (is_provider_user & is_own_provider))
rules.add_perm("procurement.act_for_bidder", is_provider_user & is_own_provider)
# obj: a Contract (placements, capacity, termination) or an Agency (limits)
rules.add_perm("procurement.view_placements", agency_readers)
rules.add_perm("procurement.manage_placements", is_administrator | (places_people & in_own_agency))
rules.add_perm(
    "procurement.set_limit", is_administrator | (has_role(Role.CONTRACT_MANAGER) & in_own_agency)
)
rules.add_perm(
    "procurement.terminate", is_administrator | (has_role(Role.CONTRACT_MANAGER) & in_own_agency)
)
# seed 003 roles table. obj: a Placement unless said
#: the child-level details (specification of need, outcomes, reviews): only the people who
#: work with the child, the group's administrators and the contract managers and monitors
rules.add_perm(
    "procurement.view_child_details",
    is_administrator
    | (
        in_own_agency
        & (
            has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.RAG_ADMINISTRATOR)
            | is_named_on_placement
        )
    ),
)
rules.add_perm(
    "procurement.authorise_placement",
    is_administrator | (has_role(Role.BUDGET_HOLDER) & in_own_agency),
)
# obj: an Agency
rules.add_perm(
    "procurement.refer_placement", is_administrator | (lead_professional & in_own_agency)
)
rules.add_perm(
    "procurement.record_rag_decision",
    is_administrator | (has_role(Role.RAG_ADMINISTRATOR) & in_own_agency),
)
#: the child's key worker, or a lead professional (contract monitor) standing in
works_with_child = (has_role(Role.KEY_WORKER) & is_named_on_placement) | has_role(
    Role.CONTRACT_MONITOR
)
rules.add_perm(
    "procurement.specify_placement", is_administrator | (in_own_agency & works_with_child)
)
rules.add_perm(
    "procurement.issue_placement_contract",
    is_administrator | (has_role(Role.CONTRACT_MANAGER) & in_own_agency),
)
rules.add_perm(
    "procurement.follow_placement", is_administrator | (in_own_agency & works_with_child)
)
# obj: an Agency (or a notice)
rules.add_perm(
    "procurement.acknowledge_finance",
    is_administrator | (has_role(Role.FINANCE_OFFICER) & in_own_agency),
)
# obj: a Contract
rules.add_perm(
    "procurement.request_termination",
    is_administrator | (has_role(Role.CONTRACT_MONITOR) & in_own_agency),
)


def visible_solicitations_q(user: Any) -> Q:
    """The filter on Solicitation matching exactly what `user` may view."""
    if not is_active(user):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.OVERSIGHT_OFFICER:
        return oversight_agencies_q(user)
    if user.role == Role.PROVIDER_USER:
        return Q(bids__provider_id=user.provider_id)
    if user.agency_id:
        return Q(agency_id=user.agency_id)
    return Q(pk__in=[])


# obj: a Provider (seed 004: the forms it has on file)
rules.add_perm(
    "procurement.view_provider_forms",
    is_administrator | is_oversight | is_agency_staff | (is_provider_user & is_own_provider),
)
