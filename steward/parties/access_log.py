"""The log of reads of service users' personal data (DOMAIN.md §1; issue 19 point 3).

Personal data here: a placement's case reference and specification of need (the child), a
concern's complainant reference, source and channel (who complained). Every page, endpoint and
history view that shows them calls `personal_data_read` once per request with all the records it
shows: one insert, whatever the number of rows. The log is read by administrators (`Role.
ADMINISTRATOR`: every row) and by an agency's administrators (`Role.AGENCY_ADMINISTRATOR`: the
rows of their own agency); `audit.view_access_log` and `access_log_q`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from steward.parties.models import PersonalDataRead, Role

#: The personal fields of each kind of record (DOMAIN.md §1: a case reference plus what is
#: needed); a read of any of them is logged.
PLACEMENT_PERSONAL_FIELDS = ("case_reference", "specification_of_need", "end_reason")
CONCERN_PERSONAL_FIELDS = ("complainant_reference", "source", "channel")


def personal_data_read(
    *,
    actor: Any,
    kind: str,
    records: Iterable[Any],
    fields: Iterable[str],
    path: str = "",
    agency_id: int | None = None,
) -> PersonalDataRead | None:
    """Log that `actor` was shown the personal `fields` of `records` (model instances) of
    `kind`, for agency `agency_id` (default: the records' own `agency_id` when they share one).
    One INSERT and no other query; returns the row, or None when no record was shown."""
    records = list(records)
    if not records:
        return None
    if agency_id is None:
        agencies = {getattr(r, "agency_id", None) for r in records}
        agency_id = agencies.pop() if len(agencies) == 1 else None
    return PersonalDataRead.objects.create(
        user=actor,
        agency_id=agency_id,
        kind=kind,
        record_ids=[r.pk for r in records],
        fields=sorted(fields),
        path=path[:300],
    )


def access_log_q(user: Any) -> Q:
    """Return the filter on PersonalDataRead matching the rows `user` may read: all of them for
    an administrator, their own agency's for an agency administrator, none for anyone else."""
    if user.is_active and user.role == Role.ADMINISTRATOR:
        return Q()
    if user.is_active and user.role == Role.AGENCY_ADMINISTRATOR and user.agency_id:
        return Q(agency_id=user.agency_id)
    return Q(pk__in=[])


def access_log(*, actor: Any, agency: str = "", user: str = "") -> QuerySet[PersonalDataRead]:
    """Return the log rows `actor` may read, newest first, with who and which agency joined."""
    qs = PersonalDataRead.objects.filter(access_log_q(actor)).select_related("user", "agency")
    if agency:
        qs = qs.filter(agency__slug=agency)
    if user:
        qs = qs.filter(user__username=user)
    return qs
