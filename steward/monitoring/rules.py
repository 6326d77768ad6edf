"""Monitoring-cycle permissions (seeds 002 and 003; DOMAIN.md section 1).

- Agency staff of the contract's agency, oversight officers and administrators read cycles;
  the provider's own users read their contract's cycle once it is notified (stage 2), without
  the internal parts (risk, assessment notes, visit notes, the judgement before the letter).
- The contract manager runs the cycle (start, notify, assess, judge, discuss, letter); contract
  monitors also record visits, review meetings and action follow-up.
- The provider's users complete the self-assessment (staff may enter it on their behalf) and
  appeal; the contract manager records an appeal the provider sent in writing (by letter or
  email, with the day it was received); a contract manager or senior manager decides the
  appeal.
- Reports by exception and to the commissioning body: agency staff for their agency, oversight
  officers and administrators for every agency; the contract manager writes the recommendations.
"""

from __future__ import annotations

from typing import Any

import rules

from steward.contracts.rules import contract_readers
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
def is_notified(user: Any, cycle: Any) -> bool:
    return cycle is not None and getattr(cycle, "stage", 0) >= 2


manager_role = has_role(Role.CONTRACT_MANAGER)
monitor_role = has_role(Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR)
decider_role = has_role(Role.CONTRACT_MANAGER, Role.SENIOR_MANAGER)

internal_readers = is_administrator | is_oversight | (is_agency_staff & in_own_agency)

# obj: a Cycle
rules.add_perm(
    "monitoring.view_cycle",
    internal_readers | (is_provider_user & is_own_provider & is_notified),
)
rules.add_perm("monitoring.view_internal", internal_readers)
rules.add_perm("monitoring.run_cycle", is_administrator | (manager_role & in_own_agency))
rules.add_perm("monitoring.record_visit", is_administrator | (monitor_role & in_own_agency))
rules.add_perm(
    "monitoring.submit_self_assessment",
    (is_provider_user & is_own_provider & is_notified)
    | is_administrator
    | (monitor_role & in_own_agency),
)
rules.add_perm("monitoring.appeal", is_provider_user & is_own_provider & is_notified)
# the contract manager records an appeal the provider sent in writing (by letter or email)
rules.add_perm(
    "monitoring.record_appeal", (is_administrator | (manager_role & in_own_agency)) & is_notified
)
rules.add_perm("monitoring.decide_appeal", is_administrator | (decider_role & in_own_agency))
# obj: a Contract
rules.add_perm("monitoring.start_cycle", is_administrator | (manager_role & in_own_agency))
rules.add_perm("monitoring.view_actions", contract_readers)
rules.add_perm("monitoring.manage_actions", is_administrator | (monitor_role & in_own_agency))
rules.add_perm("monitoring.view_reviews", internal_readers)
rules.add_perm("monitoring.manage_reviews", is_administrator | (monitor_role & in_own_agency))
# seed 003: the lead professional (contract monitors; contract managers too) advises or asks;
# the contract manager answers. obj: a Contract
rules.add_perm("monitoring.raise_lead_request", is_administrator | (monitor_role & in_own_agency))
rules.add_perm("monitoring.answer_lead_request", is_administrator | (manager_role & in_own_agency))
# obj: an Agency (or None for the role check)
rules.add_perm("monitoring.view_reports", is_administrator | is_oversight | is_agency_staff)
rules.add_perm("monitoring.write_report", is_administrator | (manager_role & in_own_agency))
# seed 003 operational monitoring: the contract manager issues report templates (obj: an Agency);
# operational teams (contract monitors/lead professionals, key workers, reviewing officers, and
# the contract manager) file reports on a contract (obj: a Contract)
operational_role = has_role(
    Role.CONTRACT_MANAGER, Role.CONTRACT_MONITOR, Role.KEY_WORKER, Role.REVIEWING_OFFICER
)
rules.add_perm(
    "monitoring.issue_report_template", is_administrator | (manager_role & in_own_agency)
)
rules.add_perm(
    "monitoring.file_operational_report", is_administrator | (operational_role & in_own_agency)
)
