"""Reads of evaluations: what each person may see, the evaluations due, the compliance table
per agency (seed 000), a provider's past performance across agencies, renewal eligibility.

Every list is one query (or a fixed handful) whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from steward.contracts.models import Contract, DueDate, DueDateStatus
from steward.core.errors import NotFoundError
from steward.evaluations import calc
from steward.evaluations.models import (
    CharterReview,
    Evaluation,
    EvaluationStatus,
    InLieuReport,
    InLieuStatus,
    RenewalOverride,
)
from steward.evaluations.services import evaluation_due_q, latest_scores
from steward.parties.models import Agency, Provider, Role
from steward.parties.rules import oversight_agencies_q


def visible_evaluations_q(user: Any) -> Q:
    """The filter on Evaluation matching exactly what `user` may read (the rule
    `evaluations.view_evaluation` as a filter): drafts stay with the authoring agency,
    finalised evaluations are shared with every agency, the provider sees its own once released."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.OVERSIGHT_OFFICER:
        return oversight_agencies_q(user)
    if user.role == Role.PROVIDER_USER:
        return Q(
            provider_id=user.provider_id,
            status__in=(EvaluationStatus.RELEASED, EvaluationStatus.FINALISED),
        )
    if user.agency_id:
        return Q(agency_id=user.agency_id) | Q(status=EvaluationStatus.FINALISED)
    return Q(pk__in=[])


def visible_in_lieu_q(user: Any) -> Q:
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role == Role.ADMINISTRATOR:
        return Q()
    if user.role == Role.OVERSIGHT_OFFICER:
        return oversight_agencies_q(user)
    if user.role == Role.PROVIDER_USER:
        # seed 000: an accepted report is shared with the provider as the form would be
        return Q(provider_id=user.provider_id, status=InLieuStatus.ACCEPTED)
    if user.agency_id:
        return Q(agency_id=user.agency_id) | Q(status=InLieuStatus.ACCEPTED)
    return Q(pk__in=[])


def evaluation_list(
    *,
    actor: Any,
    contract_id: int | None = None,
    provider_id: int | None = None,
    status: str = "",
    kind: str = "",
) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.filter(visible_evaluations_q(actor)).select_related(
        "contract", "agency", "provider"
    )
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    if provider_id is not None:
        qs = qs.filter(provider_id=provider_id)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-period_end", "contract_id", "-version", "-id")


def evaluation_get(*, actor: Any, pk: int) -> Evaluation:
    evaluation = (
        Evaluation.objects.filter(visible_evaluations_q(actor), pk=pk)
        .select_related(
            "contract__agency__pack",
            "agency__pack",
            "provider",
            "author",
            "released_by",
            "finalised_by",
            "acknowledged_by",
            "supersedes",
            "due",
        )
        .first()
    )
    if evaluation is None:
        raise NotFoundError("No such evaluation.")
    return evaluation


def open_due_about(kind: str, subject: Evaluation | InLieuReport) -> DueDate | None:
    """The open due date of `kind` about `subject` (the evaluation to finalise, the report in
    lieu to decide), with the person it is assigned to; None when there is none (not yet
    opened, or met). One query."""
    return (
        DueDate.objects.filter(
            kind=kind,
            status=DueDateStatus.OPEN,
            subject_type=ContentType.objects.get_for_model(type(subject)),
            subject_id=subject.pk,
        )
        .select_related("assignee")
        .first()
    )


def ratings_of(evaluation: Evaluation) -> list[Any]:
    return list(evaluation.ratings.order_by("position"))


def superseding(evaluation: Evaluation, actor: Any) -> Evaluation | None:
    """The version that corrects `evaluation`, if `actor` may see it."""
    return (
        Evaluation.objects.filter(visible_evaluations_q(actor), supersedes=evaluation)
        .only("id", "version", "status")
        .first()
    )


def versions(evaluation: Evaluation, actor: Any) -> list[Evaluation]:
    """Every version of the evaluation `actor` may see, first to last (a correction chain)."""
    chain_ids = [evaluation.pk]
    # walk back through supersedes (corrections are few: a handful of queries at most)
    current = evaluation
    while current.supersedes_id is not None:
        chain_ids.append(current.supersedes_id)
        current = Evaluation.objects.only("id", "supersedes_id").get(pk=current.supersedes_id)
    nxt = Evaluation.objects.filter(supersedes_id=evaluation.pk).only("id").first()
    while nxt is not None:
        chain_ids.append(nxt.pk)
        nxt = Evaluation.objects.filter(supersedes_id=nxt.pk).only("id").first()
    return list(
        Evaluation.objects.filter(visible_evaluations_q(actor), pk__in=chain_ids).order_by(
            "version"
        )
    )


def in_lieu_list(*, actor: Any, status: str = "", contract_id: int | None = None) -> QuerySet:
    qs = InLieuReport.objects.filter(visible_in_lieu_q(actor)).select_related(
        "contract", "agency", "provider", "submitted_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    return qs


def in_lieu_met(report: InLieuReport) -> QuerySet[DueDate]:
    """The evaluation due dates `report` was accepted for (its own contract's, and for a report
    card covering a period every one of the provider's contracts with the agency whose
    evaluation fell due in it; seed 000), with their contracts."""
    return (
        DueDate.objects.filter(
            met_by_type=ContentType.objects.get_for_model(InLieuReport), met_by_id=report.pk
        )
        .exclude(kind="in_lieu_decision")
        .select_related("contract")
        .order_by("start_date", "id")
    )


def in_lieu_get(*, actor: Any, pk: int) -> InLieuReport:
    report = (
        InLieuReport.objects.filter(visible_in_lieu_q(actor), pk=pk)
        .select_related("contract", "agency__pack", "provider", "submitted_by", "decided_by", "due")
        .first()
    )
    if report is None:
        raise NotFoundError("No such report.")
    return report


# ---------------------------------------------------------------- due and overdue


def _staff_agencies_q(actor: Any, prefix: str) -> Q:
    """Agency staff see their agency; oversight officers and administrators every agency."""
    if actor.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        return Q()
    if actor.agency_id and actor.role != Role.PROVIDER_USER:
        return Q(**{f"{prefix}agency_id": actor.agency_id})
    return Q(pk__in=[])


def due_filters_hidden_from(actor: Any) -> frozenset[str]:
    """Return the filters of the due list `actor` may not use (issue 19 point 1): the agency
    column is shown only to those who see every agency, so no one else filters on it."""
    wide = actor.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER)
    return frozenset() if wide else frozenset({"agency"})


def due_evaluations(*, actor: Any, agency_id: int | None = None) -> QuerySet[DueDate]:
    """Open evaluation due dates (closeout and interim) the actor answers for, soonest first,
    each annotated with `under_way`: how many of its evaluations are started, not finalised."""
    qs = (
        DueDate.objects.filter(evaluation_due_q(), status=DueDateStatus.OPEN)
        .filter(_staff_agencies_q(actor, "contract__"))
        .select_related(
            "agency__pack", "contract__agency", "contract__provider", "contract__contract_manager"
        )
        .annotate(
            under_way=Count(
                "evaluations", filter=~Q(evaluations__status=EvaluationStatus.FINALISED)
            )
        )
        .order_by("due_date", "contract__number")
    )
    if agency_id is not None:
        qs = qs.filter(contract__agency_id=agency_id)
    return qs


@dataclass
class ComplianceRow:
    agency: Agency
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.due + self.on_time + self.late + self.missing

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_percent(self) -> Decimal | None:
        finished = self.on_time + self.late + self.missing
        if not finished:
            return None
        return (Decimal(self.on_time) * 100 / finished).quantize(Decimal("0.1"))


def _agencies_of(actor: Any) -> list[Agency]:
    """The agencies whose evaluations `actor` follows, by name: every agency for administrators
    and oversight officers, their own for agency staff."""
    agencies = list(Agency.objects.select_related("pack").order_by("name"))
    if actor.role not in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
        agencies = [a for a in agencies if a.pk == actor.agency_id]
    return agencies


def _agency_today(agencies: list[Agency], today: date | None) -> Case:
    """Each agency's today (or `today` for all), as a value the database compares due dates
    with."""
    return Case(
        *[When(agency_id=a.pk, then=Value(today or a.today())) for a in agencies],
        default=Value(today or date.max),
        output_field=DateField(),
    )


def compliance_table(
    *,
    actor: Any,
    today: date | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[ComplianceRow]:
    """Per agency: evaluations that fell due (due date in [since, until] when given) and whether
    they were done on time, late, or are missing or still due (seed 000: the reason for the
    shared database). Done means written and released to the provider, or a report accepted in
    lieu. An open one is missing once its due date has passed in its agency's own today (or
    `today` for every agency when given). Two queries whatever the number of contracts: the
    agencies, then the counts grouped by agency."""
    agencies = _agencies_of(actor)
    if not agencies:
        return []
    dues = DueDate.objects.filter(evaluation_due_q()).exclude(status=DueDateStatus.CANCELLED)
    dues = dues.filter(_staff_agencies_q(actor, ""))
    if since is not None:
        dues = dues.filter(due_date__gte=since)
    if until is not None:
        dues = dues.filter(due_date__lte=until)
    agency_today = _agency_today(agencies, today)
    done = Q(status=DueDateStatus.DONE)
    is_open = Q(status=DueDateStatus.OPEN)
    counts = dues.values("agency_id").annotate(
        on_time=Count("id", filter=done & Q(completed_on__lte=F("due_date"))),
        late=Count("id", filter=done & Q(completed_on__gt=F("due_date"))),
        missing=Count("id", filter=is_open & Q(due_date__lt=agency_today)),
        still_due=Count("id", filter=is_open & Q(due_date__gte=agency_today)),
    )
    by_agency: dict[int, dict[str, Any]] = {row["agency_id"]: dict(row) for row in counts}
    rows = []
    for agency in agencies:
        row = by_agency.get(agency.pk, {})
        rows.append(
            ComplianceRow(
                agency=agency,
                due=row.get("still_due", 0),
                on_time=row.get("on_time", 0),
                late=row.get("late", 0),
                missing=row.get("missing", 0),
            )
        )
    return rows


def agencies_behind(*, actor: Any, today: date | None = None) -> tuple[list[Agency], int]:
    """The agencies `actor` sees that are late with their evaluations (a closeout or interim
    evaluation missing past its due date, or done after it: the compliance table's "late" and
    "missing"), and how many agencies `actor` sees: the home page's summary. One query that
    stops at each agency's first such evaluation, where the compliance table counts every
    evaluation ever due (400,000 at 1,000,000 contracts: docs/performance.md)."""
    agencies = _agencies_of(actor)
    if not agencies:
        return [], 0
    agency_today = _agency_today(agencies, today)
    evaluations = DueDate.objects.filter(evaluation_due_q(), agency_id=OuterRef("pk"))
    missing = evaluations.filter(status=DueDateStatus.OPEN, due_date__lt=agency_today)
    late = evaluations.filter(status=DueDateStatus.DONE, completed_on__gt=F("due_date"))
    behind = set(
        Agency.objects.filter(pk__in=[a.pk for a in agencies])
        .filter(Exists(missing) | Exists(late))
        .values_list("pk", flat=True)
    )
    return [a for a in agencies if a.pk in behind], len(agencies)


# ---------------------------------------------------------------- past performance


@dataclass
class PastPerformance:
    provider: Provider
    evaluations: list[Evaluation]
    in_lieu: list[InLieuReport]
    history: list[tuple[date, Decimal, Evaluation]] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        scores = [e.score for e in self.current if e.score is not None]
        if not scores:
            return None
        return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))

    @property
    def current(self) -> list[Evaluation]:
        """Finalised evaluations not superseded by a finalised correction."""
        superseded = {e.supersedes_id for e in self.evaluations if e.is_final and e.supersedes_id}
        return [e for e in self.evaluations if e.is_final and e.pk not in superseded]


def past_performance(*, actor: Any, provider: Provider) -> PastPerformance:
    """A provider's evaluations across agencies that `actor` may read (finalised ones from
    every agency; the actor's own agency's drafts too), with the score history of the finalised
    ones, oldest first, and accepted reports in lieu. Three queries."""
    evaluations = list(
        evaluation_list(actor=actor, provider_id=provider.pk).select_related(
            "contract", "agency", "finalised_by"
        )
    )
    in_lieu = list(
        in_lieu_list(actor=actor).filter(provider=provider, status=InLieuStatus.ACCEPTED)
    )
    result = PastPerformance(provider=provider, evaluations=evaluations, in_lieu=in_lieu)
    result.history = sorted(
        (
            (e.finalised_on, e.score, e)
            for e in result.current
            if e.finalised_on and e.score is not None
        ),
        key=lambda item: (item[0], item[2].pk),
    )
    return result


# ---------------------------------------------------------------- renewal eligibility


@dataclass(frozen=True)
class RenewalStatus:
    eligibility: calc.Eligibility
    override: RenewalOverride | None
    options_left: int

    @property
    def may_renew(self) -> bool:
        return self.options_left > 0 and (self.eligibility.eligible or self.override is not None)


def renewal_status(contract: Contract) -> RenewalStatus:
    from steward.evaluations.services import renewal_eligibility

    override = RenewalOverride.objects.filter(contract=contract, used_by__isnull=True).first()
    return RenewalStatus(
        eligibility=renewal_eligibility(contract),
        override=override,
        options_left=max(contract.renewal_options - contract.renewals_exercised, 0),
    )


def scores_and_eligibility(contracts: list[Contract]) -> dict[int, tuple[Decimal | None, bool]]:
    """For the register's expiring-contracts report: each contract's latest finalised score and
    whether it is eligible for renewal (pack threshold, overrides), in two queries."""
    ids = [c.pk for c in contracts]
    scores = latest_scores(ids)
    from steward.evaluations.services import renewal_gated

    overridden = set(
        RenewalOverride.objects.filter(contract_id__in=ids, used_by__isnull=True).values_list(
            "contract_id", flat=True
        )
    )
    from steward.evaluations.services import charter_review_applies

    # seed 001: a charter school outside the score bar reads the team's latest outcome
    outcomes: dict[tuple[int, int], str] = {}
    schools = [c.pk for c in contracts if c.contract_type == "charter_school"]
    for contract_id, number, outcome in (
        CharterReview.objects.filter(contract_id__in=schools)
        .order_by("contract_id", "-reviewed_on", "-id")
        .values_list("contract_id", "renewal_number", "outcome")
        if schools
        else []
    ):
        outcomes.setdefault((contract_id, number), outcome)
    result: dict[int, tuple[Decimal | None, bool]] = {}
    parsed: dict[int, Any] = {}  # per pack: parse each pack's rules once
    for contract in contracts:
        pack_id = contract.agency.pack_id
        if pack_id not in parsed:
            parsed[pack_id] = contract.agency.pack.parsed
        pack = parsed[pack_id]
        threshold = pack.renewal.score_threshold if renewal_gated(contract, pack) else None
        score = scores.get(contract.pk)
        if charter_review_applies(contract, pack):
            decided = outcomes.get((contract.pk, contract.renewals_exercised + 1))
            found = calc.charter_eligibility(decided).eligible
        else:
            found = calc.renewal_eligibility(score, threshold).eligible
        eligible = found or contract.pk in overridden
        result[contract.pk] = (score, eligible)
    return result


def charter_review_list(contract: Any) -> Any:
    """The Charter School Contract Review Team's reviews of `contract`, newest first, with
    their findings and who recorded them (seed 001). The caller checks the contract is
    visible."""
    return (
        CharterReview.objects.filter(contract=contract)
        .select_related("recorded_by")
        .prefetch_related("findings")
        .order_by("-reviewed_on", "-id")
    )
