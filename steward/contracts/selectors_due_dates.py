"""Who must act on which due date: the same rule as a query filter (a person's work list, their
calendar) and as a test on one due date (the people a reminder goes to); a test keeps the two in
agreement for every kind and role.

The rule, by the kind's owner (`steward.contracts.due_kinds.Owner`):

- **provider**: the provider's users, for their own provider's due dates (never a draft
  contract's);
- **agency**: the agency's staff holding one of the kind's roles; where the role is the
  contract manager and the contract names its manager, that person alone;
- **assignee**: the person named on the due date; when nobody is named, as for the agency;
- **oversight**: every oversight officer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from steward.contracts.due_kinds import CONTRACT_MANAGER, KINDS, Owner
from steward.contracts.models import Contract, DueDate, DueDateStatus
from steward.contracts.rules import visible_contracts_q
from steward.parties.models import Role


def _manages_q(user: Any) -> Q:
    """The contract names no manager, or names `user` (or there is no contract)."""
    return (
        Q(contract__isnull=True)
        | Q(contract__contract_manager__isnull=True)
        | Q(contract__contract_manager_id=user.pk)
    )


def owed_q(user: Any) -> Q:
    """The filter on DueDate matching every due date (open or not) that `user` must act on.

    The kinds are gathered by the shape of their condition (``kind IN (...)`` per shape, the
    agency's part under one ``agency_id =``), so that PostgreSQL reads the agency's due dates
    and the person's assigned ones through their indexes instead of testing every open due
    date of the register: at 1,000,000 contracts that halves a manager's work list
    (docs/performance.md). The same rule as `owes`, which a test holds it to."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    role = user.role
    provider_kinds: list[str] = []
    oversight_kinds: list[str] = []
    assigned_kinds: list[str] = []
    #: the agency's part: (unassigned only, the contract's manager only) -> kinds
    agency_kinds: dict[tuple[bool, bool], list[str]] = {}
    for kind in KINDS.values():
        if kind.owner == Owner.PROVIDER:
            if role == Role.PROVIDER_USER and user.provider_id:
                provider_kinds.append(kind.key)
            continue
        if kind.owner == Owner.OVERSIGHT:
            if role in kind.roles:
                oversight_kinds.append(kind.key)
            continue
        if kind.owner == Owner.ASSIGNEE:
            assigned_kinds.append(kind.key)
        if user.agency_id and role in kind.roles:
            shape = (
                kind.owner == Owner.ASSIGNEE,
                role == CONTRACT_MANAGER and kind.contract_bound,
            )
            agency_kinds.setdefault(shape, []).append(kind.key)
    q = Q(pk__in=[])
    if provider_kinds:
        q |= Q(kind__in=provider_kinds, provider_id=user.provider_id) & ~Q(contract__status="draft")
    if oversight_kinds:
        q |= Q(kind__in=oversight_kinds)
    if assigned_kinds:
        q |= Q(kind__in=assigned_kinds, assignee_id=user.pk)
    if agency_kinds:
        agency_part = Q(pk__in=[])
        for (unassigned, managed), keys in sorted(agency_kinds.items()):
            part = Q(kind__in=keys)
            if unassigned:
                part &= Q(assignee__isnull=True)
            if managed:
                part &= _manages_q(user)
            agency_part |= part
        q |= Q(agency_id=user.agency_id) & agency_part
    return q


def owes(user: Any, due: DueDate) -> bool:
    """Whether `user` must act on `due`: the same rule as `owed_q`, on one due date (the
    contract, when there is one, must be loaded or loadable)."""
    if not (user and user.is_active):
        return False
    kind = KINDS.get(due.kind)
    if kind is None:
        return False
    role = user.role
    contract = due.contract if due.contract_id else None
    if kind.owner == Owner.PROVIDER:
        return bool(
            role == Role.PROVIDER_USER
            and user.provider_id
            and due.provider_id == user.provider_id
            and (contract is None or contract.status != "draft")
        )
    if kind.owner == Owner.OVERSIGHT:
        return role in kind.roles
    if kind.owner == Owner.ASSIGNEE and due.assignee_id is not None:
        return bool(due.assignee_id == user.pk)
    if not (user.agency_id and role in kind.roles and due.agency_id == user.agency_id):
        return False
    if role == CONTRACT_MANAGER and kind.contract_bound and contract is not None:
        return contract.contract_manager_id in (None, user.pk)
    return True


def owed_open(*, user: Any) -> QuerySet[DueDate]:
    """The open due dates `user` must act on, soonest first, with what a work list shows (the
    contract, its agency and pack, the provider) loaded: three queries. The agencies and their
    packs come in their own queries, so that each pack (a few KB of rules) is read once, not once
    per due date: at 700 due dates that halves the time (docs/performance.md)."""
    return (
        DueDate.objects.filter(owed_q(user), status=DueDateStatus.OPEN)
        .select_related("contract", "provider")
        .prefetch_related("agency__pack")
        .order_by("due_date", "pk")
    )


def visible_due_date(user, pk: int) -> DueDate:  # type: ignore[no-untyped-def]
    """The due date `pk` if `user` may see it (its contract is visible to them, or it is an
    agency-level due date of their agency), else Http404."""
    due = (
        DueDate.objects.select_related("contract", "agency__pack", "provider").filter(pk=pk).first()
    )
    if due is None:
        raise Http404("No such due date.")
    if due.contract_id is not None:
        if not Contract.objects.filter(visible_contracts_q(user), pk=due.contract_id).exists():
            raise Http404("No such due date.")
    elif not (user.role == "administrator" or user.agency_id == due.agency_id):
        raise Http404("No such due date.")
    return due
