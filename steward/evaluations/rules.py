"""Evaluation permissions (seeds 000 and 001; DOMAIN.md section 1).

- A draft is private to the agency writing it (its staff, oversight officers, administrators).
- Released evaluations are seen by the agency and by the provider's own users, who may
  acknowledge and comment while the window is open.
- Finalised evaluations are shared: any agency's staff may read them (past performance), and
  the provider's own users.
- Contract managers and monitors of the contract's agency write evaluations and submit reports
  in lieu; a contract manager or senior manager of that agency finalises (the reviewing
  official, never the author); the oversight officer accepts or rejects reports in lieu; a
  senior manager of the agency authorises a renewal override; the agency's Charter School
  Contract Review Team records its review of a charter school's contract (seed 001).
"""

from __future__ import annotations

from typing import Any

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


@rules.predicate
def is_finalised(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "status", None) == "finalised"


@rules.predicate
def is_released_or_final(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "status", None) in ("released", "finalised")


@rules.predicate
def is_accepted(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "status", None) == "accepted"


writer_role = has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR)
reviewer_role = has_role(Role.CONTRACT_MANAGER, Role.SENIOR_MANAGER)
senior_role = has_role(Role.SENIOR_MANAGER)
#: seed 001: the Charter School Contract Review Team
charter_team_role = has_role(Role.CHARTER_REVIEW_TEAM)

# obj: an Evaluation
rules.add_perm(
    "evaluations.view_evaluation",
    is_administrator
    | is_oversight
    | (is_agency_staff & in_own_agency)
    | (is_agency_staff & is_finalised)
    | (is_provider_user & is_own_provider & is_released_or_final),
)
rules.add_perm("evaluations.change_evaluation", is_administrator | (writer_role & in_own_agency))
rules.add_perm(
    "evaluations.finalise_evaluation", is_administrator | (reviewer_role & in_own_agency)
)
rules.add_perm("evaluations.comment_evaluation", is_provider_user & is_own_provider)
# taking a wrongly released evaluation back to draft, with a reason: the agency's contract
# manager (who answers for the evaluation) and administrators
rules.add_perm(
    "evaluations.reopen_evaluation",
    is_administrator | (has_role(Role.CONTRACT_MANAGER) & in_own_agency),
)
# obj: a Contract
rules.add_perm("evaluations.write_evaluation", is_administrator | (writer_role & in_own_agency))
rules.add_perm("evaluations.submit_in_lieu", is_administrator | (writer_role & in_own_agency))
rules.add_perm("evaluations.override_renewal", is_administrator | (senior_role & in_own_agency))
rules.add_perm(
    "evaluations.record_charter_review", is_administrator | (charter_team_role & in_own_agency)
)
# obj: an InLieuReport
rules.add_perm(
    "evaluations.view_in_lieu",
    is_administrator
    | is_oversight
    | (is_agency_staff & in_own_agency)
    | (is_agency_staff & is_accepted)
    # seed 000: shared with the provider as the evaluation form would be, once accepted
    | (is_provider_user & is_own_provider & is_accepted),
)
rules.add_perm("evaluations.decide_in_lieu", is_administrator | is_oversight)
# no obj: the due list and the compliance table (agency staff see their own agency's rows)
rules.add_perm("evaluations.view_compliance", is_administrator | is_agency_staff)
