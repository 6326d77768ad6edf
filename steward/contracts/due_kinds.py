"""Every kind of due date Steward keeps, in one place.

A due date (`contracts.DueDate`) is one deadline of one kind: the provider's return for a
quarter, the evaluation the agency owes after a contract ends, the debriefing meeting a bidder
asked for. This module declares each kind once: the pack rule that sets its date (and the policy
text it comes from), who must act, what creates it, what record meets it (and so closes it),
what cancels it, the page where the action is done and when its reminders go out. The services
that create, meet and cancel due dates (`steward.contracts.services`), the reminder job, the
work list, the calendar and `docs/deadlines.md` all read this table, so none of them can miss a
kind, and the areas never agree on a key by convention alone.

Plain data only: no import of the areas that create the kinds (they import this).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Owner(StrEnum):
    """Who must act on a due date of a kind."""

    #: the provider's users (the due date's provider)
    PROVIDER = "provider"
    #: agency staff of the due date's agency holding one of the kind's roles; for a contract's
    #: due date and the contract manager role, the contract's own manager where it has one
    AGENCY = "agency"
    #: the person named on the due date (an action's owner, a reviewing official), or the
    #: agency roles when nobody is named
    ASSIGNEE = "assignee"
    #: oversight officers (of any agency: they oversee them all)
    OVERSIGHT = "oversight"


class Nature(StrEnum):
    """Whether missing a due date is a missed deadline."""

    #: something that must be done by the date; open after it, it is overdue and missed
    OBLIGATION = "obligation"
    #: a window someone may use (to appeal, to comment, to ask for a debriefing): it lapses
    #: unused at its end, and is never a missed deadline
    WINDOW = "window"


#: days before the due date a reminder goes out: 5 days before, on the day, and (−1) the day
#: after it was missed. Windows are reminded before they close, never once closed.
DEFAULT_REMINDERS: tuple[int, ...] = (5, 0, -1)
WINDOW_REMINDERS: tuple[int, ...] = (5, 0)


@dataclass(frozen=True)
class DueKind:
    key: str
    #: what it is, in plain words, for lists and headings ("Self-assessment")
    name: str
    #: what the person must do, a sentence with {contract} (its number) or {agency} in it
    todo: str
    #: the policy pack deadline rule that sets the date, or None where a record sets it
    rule: str | None
    #: where the kind comes from (a seed, or "Steward default"): for docs and the pack page only
    source: str
    owner: Owner
    #: the roles who act (for Owner.AGENCY, Owner.ASSIGNEE when nobody is named)
    roles: tuple[str, ...]
    created_by: str
    met_by: str
    cancelled_by: str
    #: the URL name of the page where the action is done, and what its one argument is:
    #: "subject" (the record the due date is about), "contract", or "" (no argument)
    page: str
    page_arg: str
    nature: Nature = Nature.OBLIGATION
    reminders: tuple[int, ...] = DEFAULT_REMINDERS
    #: False for agency-level due dates (a report on all services), which belong to no contract
    contract_bound: bool = True
    #: True where a contract ending early leaves it pointless: open ones that had not begun by
    #: the end (a review not yet held, a return for a later period) are cancelled
    ends_with_contract: bool = False

    def sentence(self, *, contract: str = "", agency: str = "") -> str:
        """The plain sentence of what to do, with the contract number or agency name in it."""
        return self.todo.format(contract=contract, agency=agency)


CONTRACT_MANAGER = "contract_manager"
CONTRACT_MONITOR = "contract_monitor"
SENIOR_MANAGER = "senior_manager"
PROCUREMENT_OFFICER = "procurement_officer"
PROVIDER_USER = "provider_user"
OVERSIGHT_OFFICER = "oversight_officer"
BUDGET_HOLDER = "budget_holder"
FINANCE_OFFICER = "finance_officer"
KEY_WORKER = "key_worker"
RAG_ADMINISTRATOR = "rag_administrator"
CHARTER_REVIEW_TEAM = "charter_review_team"

KINDS: dict[str, DueKind] = {
    kind.key: kind
    for kind in (
        # ------------------------------------------------------------ evaluations (seed 000)
        DueKind(
            key="closeout_evaluation",
            name="Closeout evaluation",
            todo="Write the closeout evaluation of {contract}",
            rule="closeout_evaluation",
            source="seed 000 (CGS 4-217: within 60 days of completion)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the contract is completed, terminated or expires",
            met_by="the evaluation is released to the provider, or a report in lieu is accepted",
            cancelled_by="never (an ended contract is always evaluated)",
            page="contracts:detail",
            page_arg="contract",
        ),
        DueKind(
            key="interim_evaluation",
            name="Interim evaluation",
            todo="Write the interim evaluation of {contract}",
            rule="interim_evaluation",
            source="seed 001 (performance-based contracts scored while they run)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the daily job, at the end of each contract year of a performance-based "
            "contract over a year",
            met_by="the interim evaluation is released to the provider, or a report in lieu "
            "is accepted",
            cancelled_by="the contract ends before the contract year it covers does (one "
            "already due stays due: ending the contract does not excuse it)",
            page="contracts:detail",
            page_arg="contract",
            ends_with_contract=True,
        ),
        DueKind(
            key="evaluation_comment",
            name="Comments on an evaluation",
            todo="Read and comment on the evaluation of {contract}",
            rule="evaluation_comment",
            source="seed 000 (the evaluation is shared with the provider)",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the agency releases the evaluation to the provider (from that day)",
            met_by="the provider comments on (or acknowledges) the evaluation",
            cancelled_by="the evaluation is finalised",
            page="evaluations:detail",
            page_arg="subject",
            nature=Nature.WINDOW,
            reminders=WINDOW_REMINDERS,
        ),
        DueKind(
            key="plan_agreement",
            name="Performance Evaluation Plan to agree",
            todo="Agree or comment on the Performance Evaluation Plan of {contract}",
            rule=None,
            source="seed 001 (MPS and the contractor establish the expectations and the "
            "timeline together); the 14 days are a Steward default",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the agency proposes a version of the plan to the provider",
            met_by="the provider agrees the version or comments on it",
            cancelled_by="the agency proposes a newer version",
            page="performance:plan_version",
            page_arg="subject",
        ),
        DueKind(
            key="evaluation_finalise",
            name="Evaluation to finalise",
            todo="Review and finalise the evaluation of {contract}",
            rule="evaluation_finalise",
            source="seed 000 (finalised evaluations are shared between agencies)",
            owner=Owner.ASSIGNEE,
            roles=(CONTRACT_MANAGER, SENIOR_MANAGER),
            created_by="the provider comments on or acknowledges the evaluation (from that "
            "day), or its comment window closes unused (the daily job, from the day after); "
            "assigned to the reviewing official: the contract's own manager, else a senior "
            "manager, never the author",
            met_by="a reviewing official (not the author) finalises the evaluation",
            cancelled_by="never",
            page="evaluations:detail",
            page_arg="subject",
        ),
        DueKind(
            key="in_lieu_decision",
            name="Report in lieu to decide",
            todo="Decide whether to accept the report in lieu of an evaluation of {contract}",
            rule=None,
            source="seed 000 (a report card may be submitted in lieu, subject to acceptance)",
            owner=Owner.OVERSIGHT,
            roles=(OVERSIGHT_OFFICER,),
            created_by="an agency submits a report in lieu of the evaluation form (due 14 "
            "calendar days later, Steward default)",
            met_by="the oversight body accepts or rejects it",
            cancelled_by="never",
            page="evaluations:in_lieu",
            page_arg="subject",
        ),
        # ------------------------------------------------------------ monitoring (seed 002)
        DueKind(
            key="monitoring_cycle",
            name="Monitoring cycle to start",
            todo="Start the next monitoring cycle for {contract}",
            rule=None,
            source="seed 002 stage 1 (the annual cycle, from the desk-top risk assessment); "
            "the months by risk rating are the pack's",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER, CONTRACT_MONITOR),
            created_by="a monitoring cycle starts (the next one), or the daily job finds a live "
            "contract with none; a change of its risk rating moves it",
            met_by="the next monitoring cycle is started",
            cancelled_by="the contract ends (or is terminated) before it",
            page="monitoring:contract",
            page_arg="contract",
            ends_with_contract=True,
        ),
        DueKind(
            key="self_assessment",
            name="Self-assessment",
            todo="Complete the self-assessment for {contract}",
            rule="self_assessment",
            source="seed 002 stage 2",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the agency sends the notification letter of a monitoring cycle",
            met_by="the self-assessment is submitted (by the provider, or entered for it)",
            cancelled_by="the cycle is closed early: the contract ends before the results letter",
            page="monitoring:self_assessment",
            page_arg="subject",
        ),
        DueKind(
            key="monitoring_visit",
            name="Monitoring visit",
            todo="Visit the service of {contract} and record the visit",
            rule=None,
            source="seed 002 stages 3 and 4 (if necessary arrange a date for a visit)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MONITOR, CONTRACT_MANAGER),
            created_by="the contract manager plans a visit when assessing the self-assessment",
            met_by="the visit is recorded",
            cancelled_by="the visit is moved to another date (the new date replaces it), or the "
            "cycle is closed early: the contract ends before the results letter",
            page="monitoring:visit",
            page_arg="subject",
        ),
        DueKind(
            key="results_letter",
            name="Results letter",
            todo="Send the monitoring results letter and report for {contract}",
            rule="results_letter",
            source="seed 002 stage 7",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="all information of the monitoring cycle is in (the self-assessment, and "
            "the visit where there is one)",
            met_by="the results letter is sent",
            cancelled_by="the cycle is closed early: the contract ends before the results letter",
            page="monitoring:letter",
            page_arg="subject",
        ),
        DueKind(
            key="monitoring_appeal",
            name="Appeal against a monitoring decision",
            todo="Appeal the monitoring decision on {contract}, if you wish to",
            rule="monitoring_appeal",
            source="seed 002 stage 8",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the results letter is sent",
            met_by="the provider lodges an appeal",
            cancelled_by="never: unused, it lapses when the window closes (and the cycle closes)",
            page="monitoring:appeal",
            page_arg="subject",
            nature=Nature.WINDOW,
            reminders=WINDOW_REMINDERS,
        ),
        DueKind(
            key="action",
            name="Action-plan action",
            todo="Complete the action agreed for {contract}",
            rule=None,
            source="seed 002 stage 7 (actions at 3, 6 or 12 months)",
            owner=Owner.ASSIGNEE,
            roles=(CONTRACT_MANAGER, CONTRACT_MONITOR),
            created_by="each action of the results letter's action plan, due at 3, 6 or 12 months",
            met_by="the action is marked done",
            cancelled_by="the contract ends (or is terminated) before the action is due",
            page="monitoring:contract",
            page_arg="contract",
            ends_with_contract=True,
        ),
        DueKind(
            key="review_meeting",
            name="Review meeting",
            todo="Hold the review meeting for {contract}",
            rule=None,
            source="seed 003 (a cycle of annual and biannual review meetings)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MONITOR, CONTRACT_MANAGER),
            created_by="the contract is executed: its cycle of biannual and annual reviews, as "
            "the pack asks (re-planned when its end date changes)",
            met_by="the review meeting is recorded as held",
            cancelled_by="the contract ends (or is terminated) before the meeting, or its end "
            "date moves so that the cycle no longer holds it",
            page="monitoring:review",
            page_arg="subject",
            ends_with_contract=True,
        ),
        DueKind(
            key="commissioning_report",
            name="Report to the commissioning body",
            todo="Write the twice-yearly report on all services of {agency}",
            rule="commissioning_report",
            source="seed 002 stage 10",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the daily job, once a half of the agency's fiscal year has ended",
            met_by="the report for that half-year is written",
            cancelled_by="never",
            page="monitoring:reports",
            page_arg="",
            contract_bound=False,
        ),
        # ------------------------------------------------------------ performance (seeds 001, 003)
        DueKind(
            key="return",
            name="Return",
            todo="Submit the return for {contract}",
            rule="return_submission",
            source="seed 001 (a timeline of data returns) and seed 003 (routine returns)",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the Performance Evaluation Plan's timeline (one return per period)",
            met_by="the return is submitted",
            cancelled_by="the contract is terminated before the period ends",
            page="performance:return",
            page_arg="subject",
            ends_with_contract=True,
        ),
        # ------------------------------------------------------------ procurement (seeds 004, 003)
        DueKind(
            key="debriefing_request",
            name="Debriefing request",
            todo="Ask for a debriefing on the award of {contract}, if you wish to",
            rule="debriefing_request",
            source="seed 004 (14 days from notification of contract execution)",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the unsuccessful bidders are notified of the contract's execution",
            met_by="the bidder asks for a debriefing",
            cancelled_by="never",
            page="procurement:bid",
            page_arg="subject",
            nature=Nature.WINDOW,
            reminders=WINDOW_REMINDERS,
        ),
        DueKind(
            key="debriefing_meeting",
            name="Debriefing meeting",
            todo="Hold and record the debriefing meeting a bidder asked for ({contract})",
            rule="debriefing_meeting",
            source="seed 004 (scheduled within 14 days of the request)",
            owner=Owner.AGENCY,
            roles=(PROCUREMENT_OFFICER, CONTRACT_MANAGER),
            created_by="a bidder asks for a debriefing",
            met_by="the debriefing meeting is recorded",
            cancelled_by="never",
            page="procurement:debriefing",
            page_arg="subject",
        ),
        DueKind(
            key="bid_appeal",
            name="Bid appeal",
            todo="Appeal the award of {contract}, if you wish to",
            rule="bid_appeal",
            source="seed 004 (appeals follow a debriefing)",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the debriefing meeting is recorded",
            met_by="the bidder lodges an appeal",
            cancelled_by="never",
            page="procurement:bid",
            page_arg="subject",
            nature=Nature.WINDOW,
            reminders=WINDOW_REMINDERS,
        ),
        DueKind(
            key="provider_form",
            name="Provider form expiring",
            todo="Renew the provider's signed form on file with {agency} before it expires",
            rule=None,
            source="seed 004 (Commonwealth Terms and Conditions for Human and Social Services "
            "and the Supplier Diversity Plan, on file)",
            owner=Owner.PROVIDER,
            roles=(PROVIDER_USER,),
            created_by="the agency records a signed form on file, with the day it expires",
            met_by="a newer form of the same kind is recorded (it replaces the due date)",
            cancelled_by="a newer form of the same kind replaces it",
            page="procurement:provider_form",
            page_arg="subject",
            contract_bound=False,
        ),
        # ------------------------------------------------ placements (seed 003, roles table)
        DueKind(
            key="placement_authorise",
            name="Placement to authorise",
            todo="Authorise a category B placement under {contract} within your delegated limit",
            rule=None,
            source="seed 003 (category B: authorised by budget holders up to their delegated "
            "limit, after the Community Resource Group)",
            owner=Owner.AGENCY,
            roles=(BUDGET_HOLDER,),
            created_by="a category B placement is recorded with the Community Resource Group's "
            "decision by someone who may not authorise its cost",
            met_by="a budget holder within their delegated limit authorises it",
            cancelled_by="the contract is terminated",
            page="procurement:placement",
            page_arg="subject",
            ends_with_contract=True,
        ),
        DueKind(
            key="placement_rag_decision",
            name="Resource Allocation Group decision",
            todo="Record the Resource Allocation Group's decision on a placement request",
            rule=None,
            source="seed 003 (category C: the Resource Allocation Group decides to place)",
            owner=Owner.AGENCY,
            roles=(RAG_ADMINISTRATOR,),
            created_by="a lead professional refers a placement to the Resource Allocation Group",
            met_by="the group's decision is recorded",
            cancelled_by="never",
            page="procurement:placement",
            page_arg="subject",
            contract_bound=False,
        ),
        DueKind(
            key="placement_specification",
            name="Specification of need",
            todo="Give the contract manager the child's specification of need (Schedule C)",
            rule=None,
            source="seed 003 (the key worker provides the Individual Specification of Need)",
            owner=Owner.ASSIGNEE,
            roles=(KEY_WORKER,),
            created_by="the Resource Allocation Group decides to place",
            met_by="the key worker records the specification of need",
            cancelled_by="never",
            page="procurement:placement",
            page_arg="subject",
            contract_bound=False,
        ),
        DueKind(
            key="placement_contract_issue",
            name="Contract to issue for a placement",
            todo="Issue the contract for a placement the Resource Allocation Group decided",
            rule=None,
            source="seed 003 (the RAG asks the contract manager to issue a contract against "
            "the model terms)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the key worker gives the specification of need",
            met_by="the contract manager issues the contract (copies go to the provider, the "
            "key worker, the reviewing officer and the group's administrator)",
            cancelled_by="never",
            page="procurement:placement",
            page_arg="subject",
            contract_bound=False,
        ),
        DueKind(
            key="placement_contract_sign",
            name="Contract to sign for a placement",
            todo="Record the signature of the placement contract under {contract}",
            rule=None,
            source="seed 003 (the contract manager organises signing)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the contract manager issues the contract for a placement",
            met_by="the signature is recorded (the key worker and Finance are told)",
            cancelled_by="the contract is terminated",
            page="procurement:placement",
            page_arg="subject",
            ends_with_contract=True,
        ),
        DueKind(
            key="placement_review",
            name="Placement review",
            todo="Hold the placement review under {contract} and review the child's outcomes",
            rule=None,
            source="seed 003 (review dates in Schedule C; outcomes reviewed for the child)",
            owner=Owner.ASSIGNEE,
            roles=(KEY_WORKER, CONTRACT_MONITOR),
            created_by="the placement starts, one for each review date of its specification",
            met_by="the review is recorded, with each outcome's progress and actions",
            cancelled_by="the placement ends before the review date",
            page="procurement:placement",
            page_arg="subject",
            ends_with_contract=True,
        ),
        DueKind(
            key="placement_end",
            name="Placement ending",
            todo="End the placement under {contract} and send the termination proforma",
            rule=None,
            source="seed 003 (the key worker notifies Finance and the contract manager at the "
            "end of a placement)",
            owner=Owner.ASSIGNEE,
            roles=(KEY_WORKER, CONTRACT_MONITOR),
            created_by="a placement starts, with its anticipated end (brought forward to the "
            "effective date when the contract is terminated early)",
            met_by="the placement's end is recorded (the termination proforma goes to Finance "
            "and the contract manager), or it is moved to another contract",
            cancelled_by="the contract ends otherwise (completed or expired) before it is due",
            page="procurement:placement",
            page_arg="subject",
            ends_with_contract=True,
        ),
        DueKind(
            key="finance_notice",
            name="Notice to Finance",
            todo="Record the dates Finance was told of, and acknowledge the notice",
            rule=None,
            source="seed 003 (Finance is told the start and anticipated end of contracts and "
            "placements, and the end of placements)",
            owner=Owner.AGENCY,
            roles=(FINANCE_OFFICER,),
            created_by="Finance is told of a contract's or a placement's dates, or of a "
            "placement's end or a contract's early termination",
            met_by="a finance officer acknowledges the notice",
            cancelled_by="never",
            page="procurement:finance_notices",
            page_arg="",
            contract_bound=False,
        ),
        DueKind(
            key="termination_request",
            name="Request to terminate early",
            todo="Review the request to terminate {contract} early: supply and contractual "
            "capacity",
            rule=None,
            source="seed 003 (the contract manager reviews the supply repercussions and checks "
            "the contractual capacity to terminate); the 14 days are Steward's default",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="a lead professional asks the contract manager to terminate early",
            met_by="the contract manager records the review, or declines the request",
            cancelled_by="the contract ends otherwise first",
            page="procurement:termination",
            page_arg="contract",
        ),
        DueKind(
            key="lead_professional_request",
            name="Lead professional's advice or request",
            todo="Answer the lead professional's advice or request on {contract}",
            rule=None,
            source="seed 003 (the lead professional analyses risk, decides whether additional "
            "monitoring is required and advises the contract manager, or asks them to enforce "
            "the terms or renegotiate); the 14 days are Steward's default",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="a lead professional sends their risk analysis and advice, or asks the "
            "contract manager to enforce the terms or renegotiate",
            met_by="the contract manager accepts or declines it, with a response",
            cancelled_by="never (an answer is kept even when the contract has ended)",
            page="monitoring:lead_requests",
            page_arg="contract",
        ),
        DueKind(
            key="termination_effective",
            name="Early termination taking effect",
            todo="Record the end of {contract}: its early termination takes effect",
            rule=None,
            source="seed 003 (the contract runs until the termination takes effect)",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the contract manager gives notice of early termination",
            met_by="the contract is recorded as terminated",
            cancelled_by="the contract ends otherwise first (completed or expired)",
            page="procurement:termination",
            page_arg="contract",
        ),
        DueKind(
            key="renewal_decision",
            name="Renewal decision",
            todo="Decide whether to renew or extend {contract} before it ends",
            rule=None,
            source="seed 001 (renewal or extension needs an eligible score); the days before "
            "the end are the pack's",
            owner=Owner.AGENCY,
            roles=(CONTRACT_MANAGER,),
            created_by="the contract is executed with an option to renew or extend",
            met_by="a renewal or extension is recorded, or the decision not to renew",
            cancelled_by="the contract is terminated",
            page="contracts:detail",
            page_arg="contract",
            ends_with_contract=True,
        ),
        DueKind(
            key="charter_review",
            name="Charter school contract review",
            todo="Review {contract} against the performance requirements in the school's "
            "contract and record the outcome",
            rule=None,
            source="seed 001 (the Charter School Contract Review Team analyses the school's data "
            "and performance against its contract's requirements); due on the day the renewal "
            "is to be decided (the pack's days before the end)",
            owner=Owner.AGENCY,
            roles=(CHARTER_REVIEW_TEAM,),
            created_by="a charter school's contract with a renewal option left is executed, "
            "renewed or extended, where the pack's renewal scope leaves charter schools out of "
            "the score",
            met_by="the Charter School Contract Review Team records its review",
            cancelled_by="the contract ends, or no renewal option is left",
            page="evaluations:charter_review",
            page_arg="contract",
            ends_with_contract=True,
        ),
    )
}


def kind_of(key: str) -> DueKind:
    """The registered kind `key`. Raises KeyError naming the key if there is none: a due date
    of an unregistered kind is a bug, never something to show."""
    try:
        return KINDS[key]
    except KeyError:
        raise KeyError(f"no due date kind {key!r} is registered") from None


def reminder_offset(due_on: date, today: date, offsets: tuple[int, ...]) -> int | None:
    """The reminder to send about a due date on `due_on` when the daily run happens on `today`,
    as its offset (days before the due date: 5, 0, or −1 for the day after it was missed), or
    None. A run that missed days still sends the latest reminder that has fallen due, so a
    missed run never loses the overdue notice; the caller keeps a log so each goes once."""
    fallen = [
        offset for offset in sorted(offsets, reverse=True) if due_on - timedelta(offset) <= today
    ]
    return fallen[-1] if fallen else None
