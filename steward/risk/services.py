"""Writes of the concerns log and the risk assessment (seeds 002 stage 1, 003)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from steward.contracts.hooks import ratings_changed
from steward.contracts.models import Contract, ContractStatus
from steward.contracts.selectors import contract_manager_emails
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.mail import send_after_commit
from steward.core.services import require_perm, save_audited
from steward.parties.models import Agency
from steward.risk import scoring
from steward.risk.categories import DEFAULT_CATEGORIES
from steward.risk.models import (
    Concern,
    ConcernCategory,
    ConcernComment,
    ConcernKind,
    ConcernReferral,
    ConcernStatus,
    MonitoringLevel,
    RiskAssessment,
    RiskAssessmentComment,
    RiskRating,
)
from steward.risk.risk_signals import ContractRow, gather

LIVE_STATUSES = (ContractStatus.EXECUTED, ContractStatus.ACTIVE)
CHUNK = 5000

CONCERN_FIELDS = (
    "kind",
    "received_on",
    "source",
    "channel",
    "category",
    "severity",
    "summary",
    "description",
    "wants_action",
    "complainant_reference",
    "status",
    "responsible",
    "contract",
    "provider_procedure_started_on",
    "provider_procedure_due_on",
    "provider_procedure_outcome",
    "provider_procedure_resolved_on",
    "resolved_on",
    "resolution",
)


# ---------------------------------------------------------------- categories


def categories_ensure(agency: Agency) -> None:
    """Give `agency` the default list of categories the first time it needs one (seed 003
    "pre-agreed categories"; Steward default list for children's and adult social care)."""
    if ConcernCategory.objects.filter(agency=agency).exists():
        return
    ConcernCategory.objects.bulk_create(
        [
            ConcernCategory(agency=agency, code=code, name=name, financial=financial, order=i)
            for i, (code, name, financial) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def category_create(
    *, actor: Any, agency: Agency, code: str, name: str, financial: bool = False
) -> ConcernCategory:
    """Add a category to the agency's list."""
    require_perm(actor, "risk.manage_categories", agency, action="change the concern categories")
    categories_ensure(agency)
    if ConcernCategory.objects.filter(agency=agency, code=code).exists():
        raise ValidationFailed(
            f"code: the agency already has a category {code!r}.",
            errors={"code": ["Already in the agency's list."]},
        )
    order = ConcernCategory.objects.filter(agency=agency).count()
    category = ConcernCategory(
        agency=agency, code=code, name=name, financial=financial, order=order
    )
    save_audited(category, actor=actor, reason="Category added")
    return category


# ---------------------------------------------------------------- concerns


def _check_concern(concern: Concern) -> None:
    errors: dict[str, list[str]] = {}
    if concern.category_id and concern.category.agency_id != concern.agency_id:
        errors["category"] = ["Choose one of the agency's own categories."]
    contract = concern.contract if concern.contract_id else None
    if contract is not None and (
        contract.agency_id != concern.agency_id or contract.provider_id != concern.provider_id
    ):
        errors["contract"] = ["The contract must be the agency's contract with this provider."]
    if concern.status == ConcernStatus.RESOLVED and not concern.resolved_on:
        errors["resolved_on"] = ["Give the date the concern was resolved."]
    if concern.resolved_on and concern.resolved_on < concern.received_on:
        errors["resolved_on"] = ["Cannot be before the date received."]
    if (
        concern.status == ConcernStatus.PROVIDER_PROCEDURE
        and not concern.provider_procedure_started_on
    ):
        errors["provider_procedure_started_on"] = [
            "Give the date the provider's own complaints procedure started."
        ]
    started = concern.provider_procedure_started_on
    for name in ("provider_procedure_due_on", "provider_procedure_resolved_on"):
        value = getattr(concern, name)
        if value and not started:
            errors[name] = ["Give the date the provider's procedure started first."]
        elif value and started and value < started:
            errors[name] = ["Cannot be before the provider's procedure started."]
    responsible = concern.responsible if concern.responsible_id else None
    if responsible is not None and responsible.agency_id != concern.agency_id:
        errors["responsible"] = ["Choose someone in the agency."]
    if concern.kind == ConcernKind.COMPLIMENT and concern.status == ConcernStatus.REFERRED:
        errors["status"] = ["A compliment is not referred."]
    _refuse_if(errors)


def _apply(concern: Concern, data: dict[str, Any]) -> None:
    unknown = set(data) - set(CONCERN_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name}: not a field of a concern.", errors={name: ["Unknown."]})
    for key, value in data.items():
        setattr(concern, key, value)


@transaction.atomic
def concern_log(
    *, actor: Any, agency: Agency, provider: Any, data: dict[str, Any], today: date | None = None
) -> Concern:
    """Log a concern, complaint, compliment or notification (seed 003), then recompute the risk
    of the contracts it bears on."""
    require_perm(actor, "risk.add_concern", agency, action="log a concern for this agency")
    categories_ensure(agency)
    concern = Concern(agency=agency, provider=provider)
    _apply(concern, data)
    if concern.status == ConcernStatus.OPEN and concern.provider_procedure_started_on:
        concern.status = ConcernStatus.PROVIDER_PROCEDURE
    _check_concern(concern)
    save_audited(concern, actor=actor, reason="Concern logged")
    _recompute_for(concern, today=today)
    _alert_contract_manager(concern)
    return concern


def _alert_contract_manager(concern: Concern) -> None:
    """seed 003: complaint logs are sent to the contract manager (the CCM "receive[s] concerns
    ... and intervene[s] when necessary"): the contract's manager, or the agency's contract
    managers, are emailed through the outbox when a concern, complaint or notification is
    logged (a compliment is not a concern). The email gives the kind, severity, provider,
    contract and summary, and links to the concern; never the complainant's reference."""
    if concern.kind == ConcernKind.COMPLIMENT:
        return
    contract = concern.contract if concern.contract_id else None
    to = contract_manager_emails(agency=concern.agency, contract=contract)
    about = f"{concern.provider}" + (f", contract {contract.number}" if contract else "")
    send_after_commit(
        subject=f"{concern.get_kind_display()} logged: {about}",
        body=(
            f"A {concern.get_kind_display().lower()} ({concern.get_severity_display().lower()}"
            f" severity) was logged about {about}, received on "
            f"{concern.received_on:%-d %B %Y}: {concern.summary}"
        ),
        to=to,
        link=reverse("risk:concern_detail", args=[concern.pk]),
    )


@transaction.atomic
def concern_update(
    *, actor: Any, concern: Concern, data: dict[str, Any], today: date | None = None
) -> Concern:
    """Change a concern (status through to resolution, the provider's procedure, who is
    responsible); recompute the risk it bears on."""
    require_perm(actor, "risk.change_concern", concern, action="change this concern")
    before = (concern.contract_id, concern.provider_id, concern.agency_id)
    _apply(concern, data)
    _check_concern(concern)
    save_audited(concern, actor=actor, reason="Concern updated")
    _recompute_for(concern, today=today, also_contract=before[0])
    return concern


@transaction.atomic
def referral_add(
    *,
    actor: Any,
    concern: Concern,
    party: str,
    referred_on: date,
    outcome: str = "",
    outcome_on: date | None = None,
) -> ConcernReferral:
    """Record a referral to another party (complaints officer, licensing, police,
    safeguarding — seed 003) with its date and, when known, its outcome."""
    require_perm(actor, "risk.change_concern", concern, action="refer this concern")
    if referred_on < concern.received_on:
        raise ValidationFailed(
            "referred_on: cannot be before the concern was received.",
            errors={"referred_on": ["Cannot be before the concern was received."]},
        )
    if outcome_on and outcome_on < referred_on:
        raise ValidationFailed(
            "outcome_on: cannot be before the referral.",
            errors={"outcome_on": ["Cannot be before the referral."]},
        )
    referral = ConcernReferral(
        concern=concern,
        party=party,
        referred_on=referred_on,
        outcome=outcome,
        outcome_on=outcome_on,
    )
    save_audited(referral, actor=actor, reason="Referral recorded")
    if concern.status in (ConcernStatus.OPEN, ConcernStatus.INVESTIGATING):
        concern.status = ConcernStatus.REFERRED
        save_audited(concern, actor=actor, reason=f"Referred to {referral.get_party_display()}")
    return referral


@transaction.atomic
def referral_outcome(
    *, actor: Any, referral: ConcernReferral, outcome: str, outcome_on: date
) -> ConcernReferral:
    """Record the outcome of a referral."""
    require_perm(actor, "risk.change_concern", referral.concern, action="change this referral")
    if outcome_on < referral.referred_on:
        raise ValidationFailed(
            "outcome_on: cannot be before the referral.",
            errors={"outcome_on": ["Cannot be before the referral."]},
        )
    referral.outcome = outcome
    referral.outcome_on = outcome_on
    save_audited(referral, actor=actor, reason="Referral outcome recorded")
    return referral


def _recompute_for(
    concern: Concern, *, today: date | None, also_contract: int | None = None
) -> None:
    """Recompute the risk of the live contracts a concern bears on (its contract, or all the
    provider's contracts with the agency when no contract is named)."""
    if concern.contract_id:
        q = Q(pk=concern.contract_id)
    else:
        q = Q(agency_id=concern.agency_id, provider_id=concern.provider_id)
    if also_contract:
        q |= Q(pk=also_contract)
    recompute(as_of=today or timezone.localdate(), contracts=Contract.objects.filter(q))


# ---------------------------------------------------------------- risk assessment


def recompute(*, as_of: date, contracts: Any = None, chunk: int = CHUNK) -> int:
    """Assess every live (executed or active) contract in `contracts` (default: all) as of
    `as_of`, set-based, `chunk` contracts at a time (memory stays flat): signals gathered in a
    bounded number of queries, assessments written in one stream. A contract whose latest
    assessment has the same date and the same signals is left alone (its override stands);
    otherwise a new assessment is made and any override lapses (seed 003: the override expires
    at the next assessment). Returns the number of assessments made. Internal: the command and
    the services call it; the permission to ask for it is checked by `risk_recompute_contract`.

    How it stays fast at 100,000 contracts (docs/risk.md "Performance"): each chunk's queries
    name its contracts by a subquery (the chunk's id range within `contracts`), never by a
    list of thousands of ids; only the latest assessment of each contract is read; the rule
    (`scoring.assess`, the single source of truth) runs once per distinct set of signals under
    one pack, not once per contract (most contracts share a few sets of counts); and the rows
    are written from plain values, without building a model instance per assessment.
    """
    from steward.core.models import PolicyPack

    packs = {p.pk: p.parsed for p in PolicyPack.objects.all()}
    qs = (contracts if contracts is not None else Contract.objects.all()).filter(
        status__in=LIVE_STATUSES
    )
    scored: dict[tuple[int, tuple[tuple[str, int], ...]], _Scored] = {}
    made = 0
    last_id = 0
    while True:
        batch = list(
            qs.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("id", "agency_id", "provider_id", "start_date", "agency__pack_id")[:chunk]
        )
        if not batch:
            break
        first_id, last_id = batch[0][0], batch[-1][0]
        rows = [
            ContractRow(
                id=cid, agency_id=aid, provider_id=pid, start_date=start, rules=packs[pack].risk
            )
            for cid, aid, pid, start, pack in batch
        ]
        # exactly the batch's contracts, as a subquery (the same filter, bounded by its ids)
        in_batch = qs.filter(pk__gte=first_id, pk__lte=last_id)
        if len(scored) > _SCORED_MAX:  # pathological variety: keep memory bounded
            scored.clear()
        made += _assess_batch(rows, as_of, in_batch, scored)
    return made


# The most distinct (pack, signals) results kept while recomputing (a few hundred in practice).
_SCORED_MAX = 50_000


@dataclass(frozen=True)
class _Scored:
    """`scoring.assess` of one set of signals under one pack, with what is written of it:
    `copy_text`, its columns of a COPY row (rating, score, reasons, signals), escaped once."""

    result: scoring.Assessment
    copy_text: str


def _copy_escape(value: str) -> str:
    """`value` in COPY's text format (backslash, tab and line ends escaped)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _scored(result: scoring.Assessment, signals: dict[str, int]) -> _Scored:
    columns = (
        result.rating,
        str(result.score),
        _copy_escape(json.dumps(result.reasons)),
        _copy_escape(json.dumps(signals)),
    )
    return _Scored(result, "\t".join(columns))


@dataclass(frozen=True)
class _Previous:
    as_of: date
    signals: dict[str, int]
    rating: str


def _latest(in_batch: Any, as_of: date) -> dict[int, _Previous]:
    """The latest assessment on or before `as_of` of each contract of the `in_batch` query, in
    one query that reads only that row per contract: for each contract, its latest id by the
    index (contract, -as_of, -id), then those rows by primary key (however many assessments a
    contract has gathered over the years)."""
    latest_id = (
        RiskAssessment.objects.filter(contract_id=OuterRef("pk"), as_of__lte=as_of)
        .order_by("-as_of", "-id")
        .values("id")[:1]
    )
    ids = in_batch.order_by().annotate(latest_id=Subquery(latest_id)).values("latest_id")
    return {
        contract_id: _Previous(on, signals, override or computed)
        for contract_id, on, signals, computed, override in RiskAssessment.objects.filter(
            id__in=ids
        )
        .order_by()
        .values_list("contract_id", "as_of", "signals", "computed_rating", "override_rating")
        .iterator(chunk_size=2000)
    }


def _assess_batch(
    rows: list[ContractRow],
    as_of: date,
    in_batch: Any,
    scored: dict[tuple[int, tuple[tuple[str, int], ...]], _Scored],
) -> int:
    """Assess `rows` (the contracts of the `in_batch` query); `scored` memoises the rule's
    results across batches. Writes the new assessments and tells the rating listeners."""
    signals = gather(rows, as_of, chunk=in_batch)
    previous = _latest(in_batch, as_of)
    new: list[tuple[int, _Scored, dict[str, int], str]] = []
    for row in rows:
        sig = signals[row.id]
        prev = previous.get(row.id)
        if prev is not None and prev.as_of == as_of and prev.signals == sig:
            continue
        # the rule is pure: the same signals under the same pack always rate the same
        items = tuple(sorted(sig.items()))
        key = (id(row.rules), items)
        hit = scored.get(key)
        if hit is None:
            hit = scored[key] = _scored(scoring.assess(sig, row.rules), dict(items))
        new.append((row.id, hit, sig, prev.rating if prev else ""))
    _write(new, as_of)
    # seed 002: a contract's next monitoring cycle follows its rating (registered listeners)
    ratings_changed(
        {
            contract_id: hit.result.rating
            for contract_id, hit, _, previous_rating in new
            if hit.result.rating != previous_rating
        },
        as_of,
    )
    return len(new)


_COPY_COLUMNS = (
    "created_at",
    "updated_at",
    "as_of",
    "computed_rating",
    "score",
    "reasons",
    "signals",
    "previous_rating",
    "override_rating",
    "override_reason",
    "monitoring_level",
    "contract_id",
)


def _write(new: list[tuple[int, _Scored, dict[str, int], str]], as_of: date) -> None:
    """Insert the assessments of `new` ((contract id, its scored result, its signals, the
    previous rating)) in one statement stream: PostgreSQL COPY (several times faster than a
    multi-row INSERT for 100,000 rows), bulk_create elsewhere. History rows are not written
    for computed assessments (they are created once and never changed by a recompute)."""
    if not new:
        return
    if connection.vendor != "postgresql":
        RiskAssessment.objects.bulk_create(
            [
                RiskAssessment(
                    contract_id=contract_id,
                    as_of=as_of,
                    computed_rating=hit.result.rating,
                    score=hit.result.score,
                    reasons=list(hit.result.reasons),
                    signals=sig,
                    previous_rating=previous_rating,
                    monitoring_level=hit.result.monitoring_level,
                )
                for contract_id, hit, sig, previous_rating in new
            ],
            batch_size=1000,
        )
        return
    # Each row formatted here, in COPY's text format: the columns that depend only on the
    # signals come escaped from the memo (a few hundred distinct), the rest are plain words,
    # numbers and one date and time (several times as fast as psycopg's write_row per value).
    now = timezone.now().isoformat()
    head = f"{now}\t{now}\t{as_of.isoformat()}\t"
    table = RiskAssessment._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN") as copy:
            for start in range(0, len(new), 2000):
                copy.write(
                    "".join(
                        [
                            f"{head}{hit.copy_text}\t{previous_rating}\t\t\t"
                            f"{hit.result.monitoring_level}\t{contract_id}\n"
                            for contract_id, hit, _, previous_rating in new[start : start + 2000]
                        ]
                    )
                )


@transaction.atomic
def risk_recompute_contract(*, actor: Any, contract: Contract, as_of: date) -> RiskAssessment:
    """Assess one contract now (a contract manager asks for it)."""
    require_perm(actor, "risk.recompute_risk", contract, action="recompute this contract's risk")
    recompute(as_of=as_of, contracts=Contract.objects.filter(pk=contract.pk))
    latest = RiskAssessment.latest_for(contract.pk)
    if latest is None:
        raise TransitionNotAllowed(
            "contract: only executed or active contracts are assessed.",
            errors={"contract": ["Only executed or active contracts are assessed."]},
        )
    return latest


def _refuse_if(errors: dict[str, list[str]]) -> None:
    """Raise ValidationFailed naming the first field's problem, with every field's, if any."""
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"{first}: {errors[first][0]}", errors=errors)


@transaction.atomic
def risk_override(
    *, actor: Any, assessment: RiskAssessment, rating: str, reason: str
) -> RiskAssessment:
    """A contract manager overrides the computed rating with a written reason (audited; seed
    003). The override belongs to this assessment and lapses at the next one. It counts as a
    review of the assessment, and sets the monitoring level to the overriding rating's."""
    require_perm(
        actor, "risk.override_risk", assessment.contract, action="override this risk rating"
    )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if rating not in RiskRating.values:
        errors["rating"] = ["Choose red, amber or green."]
    if not reason:
        errors["reason"] = ["Write why the computed rating is overridden."]
    latest = RiskAssessment.latest_for(assessment.contract_id)
    if latest is None or latest.pk != assessment.pk:
        errors["assessment"] = ["Only the latest assessment can be overridden."]
    _refuse_if(errors)
    before = assessment.rating
    assessment.override_rating = rating
    assessment.override_reason = reason
    assessment.overridden_by = actor
    assessment.overridden_at = timezone.now()
    assessment.monitoring_level = scoring.monitoring_level(rating)
    assessment.reviewed_on = timezone.localdate()
    save_audited(assessment, actor=actor, reason=f"Rating overridden to {rating}: {reason}")
    if rating != before:
        ratings_changed({assessment.contract_id: rating}, assessment.reviewed_on, actor)
    return assessment


@transaction.atomic
def risk_review(*, actor: Any, assessment: RiskAssessment, on: date) -> RiskAssessment:
    """A contract manager confirms they reviewed the assessment's rating (shown as "Last
    reviewed"; the `review_overdue` signal is the contract's review meetings, not this)."""
    require_perm(actor, "risk.override_risk", assessment.contract, action="review this rating")
    assessment.reviewed_on = on
    save_audited(assessment, actor=actor, reason="Assessment reviewed")
    return assessment


@transaction.atomic
def monitoring_level_set(
    *, actor: Any, assessment: RiskAssessment, level: str, reason: str
) -> RiskAssessment:
    """The contract manager sets the monitoring level of the contract's latest assessment
    (seed 003: "what additional monitoring some providers should get"), with the reason kept
    in its history; the rating is unchanged. Counts as a review of the assessment. Raises
    ValidationFailed for an unknown level, no reason, or an assessment that is not the
    latest; PermissionDeniedError for anyone but the agency's contract managers."""
    require_perm(
        actor, "risk.override_risk", assessment.contract, action="change the monitoring level"
    )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if level not in MonitoringLevel.values:
        errors["level"] = ["Choose light, standard or enhanced."]
    if not reason:
        errors["reason"] = ["Write why the monitoring level changes."]
    latest = RiskAssessment.latest_for(assessment.contract_id)
    if latest is None or latest.pk != assessment.pk:
        errors["assessment"] = ["Only the latest assessment's level can be changed."]
    _refuse_if(errors)
    assessment.monitoring_level = level
    assessment.reviewed_on = timezone.localdate()
    save_audited(assessment, actor=actor, reason=f"Monitoring level set to {level}: {reason}")
    return assessment


@transaction.atomic
def concern_comment_add(
    *, actor: Any, concern: Concern, comment: str, today: date | None = None
) -> ConcernComment:
    """seed 003: a user of the provider the concern is about comments on its factual accuracy.
    The comment is kept with the concern; the contract manager (the contract's, else the
    agency's) is emailed through the outbox. Raises PermissionDeniedError for anyone but the
    provider's own users, ValidationFailed for an empty comment. Audited."""
    require_perm(actor, "risk.comment_concern", concern, action="comment on this concern")
    text = (comment or "").strip()
    if not text:
        raise ValidationFailed(
            "Write your comment on the facts.", errors={"comment": ["Write your comment."]}
        )
    row = ConcernComment(
        concern=concern,
        provider_id=concern.provider_id,
        comment=text,
        commented_by=actor,
        commented_on=today or concern.agency.today(),
    )
    save_audited(row, actor=actor, reason="Provider commented on the facts")
    contract = concern.contract if concern.contract_id else None
    send_after_commit(
        subject=f"{concern.provider} comments on a {concern.get_kind_display().lower()}",
        body=f"{concern.provider} commented on the factual accuracy of "
        f'"{concern.summary}" (received {concern.received_on:%-d %B %Y}):\n\n{text}',
        to=contract_manager_emails(agency=concern.agency, contract=contract),
        link=reverse("risk:concern_detail", args=[concern.pk]),
    )
    return row


def provider_risk_view(*, actor: Any, contract: Contract) -> dict[str, Any] | None:
    """seed 003: what the provider sees of its own contract's risk: the current rating (the
    override when there is one), when it was assessed, and the factors counted (the reasons,
    counts only). Never the override's reason, a concern's source or who raised anything.
    None when the contract has not been assessed. Raises PermissionDeniedError for anyone but
    the contract's own provider users and the agency's readers."""
    require_perm(actor, "risk.view_own_risk", contract, action="see this contract's risk")
    latest = RiskAssessment.latest_for(contract.pk)
    if latest is None:
        return None
    return {
        "assessment": latest,
        "id": latest.pk,
        "contract_id": contract.pk,
        "as_of": latest.as_of,
        "rating": latest.rating,
        "rating_label": RiskRating(latest.rating).label,
        "set_by_contract_manager": bool(latest.override_rating),
        "factors": list(latest.reasons),
        "comments": list(latest.provider_comments.all()),
    }


@transaction.atomic
def risk_comment_add(
    *, actor: Any, assessment: RiskAssessment, comment: str, today: date | None = None
) -> RiskAssessmentComment:
    """seed 003: a user of the contract's provider comments on the factual accuracy of the
    contract's current risk assessment (its rating and factors). Kept with the assessment and
    shown to staff; the contract manager (the contract's, else the agency's) is emailed.
    Raises PermissionDeniedError (anyone but the provider's own users), TransitionNotAllowed
    (a superseded assessment: comment on the current one), ValidationFailed (no comment)."""
    contract = assessment.contract
    require_perm(actor, "risk.comment_risk", contract, action="comment on this risk assessment")
    latest = RiskAssessment.latest_for(contract.pk)
    if latest is None or latest.pk != assessment.pk:
        raise TransitionNotAllowed("A newer assessment replaced this one: comment on that.")
    text = (comment or "").strip()
    if not text:
        raise ValidationFailed(
            "Write your comment on the facts.", errors={"comment": ["Write your comment."]}
        )
    row = RiskAssessmentComment(
        assessment=assessment,
        provider_id=contract.provider_id,
        comment=text,
        commented_by=actor,
        commented_on=today or contract.agency.today(),
    )
    save_audited(row, actor=actor, reason="Provider commented on the risk assessment")
    send_after_commit(
        subject=f"{contract.provider} comments on the risk assessment of {contract.number}",
        body=f"{contract.provider} commented on the factual accuracy of the risk assessment of "
        f"{contract.number} ({contract.title}) as of {assessment.as_of:%-d %B %Y} "
        f"({RiskRating(assessment.rating).label.lower()}):\n\n{text}",
        to=contract_manager_emails(agency=contract.agency, contract=contract),
        link=reverse("risk:contract", args=[contract.pk]),
    )
    return row
