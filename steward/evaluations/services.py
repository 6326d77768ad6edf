"""Writes of evaluations, reports in lieu and renewal overrides (seeds 000 and 001).

Every write checks permission, validates, and writes its audit row in the same transaction.
The workflow: start (draft, with the pack's criteria and evidence gathered from the contract's
indicators, returns, concerns and risk) → update ratings and narratives → release to the
provider (all criteria rated; the score is fixed; the due date is met; the comment window
opens) → the provider acknowledges and comments within the window → a reviewing official (not
the author) finalises. A finalised evaluation is corrected by a new version with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from steward.contracts.models import (
    CLOSED_STATUSES,
    CompensationStructure,
    Contract,
    ContractStatus,
    ContractType,
    DueDate,
    DueDateStatus,
)
from steward.contracts.services import agency_calendar
from steward.contracts.services_due_dates import (
    due_date_open,
    due_dates_cancel,
    due_dates_meet,
    due_dates_unmeet,
)
from steward.core.concurrency import check_expected
from steward.core.deadlines import compute_deadline
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.mail import send_after_commit
from steward.core.packs import UnknownDeadlineError
from steward.core.services import check_uploaded_file, require_perm, save_audited
from steward.evaluations import calc
from steward.evaluations.models import (
    IMMUTABLE_MESSAGE,
    CharterReview,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    InLieuKind,
    InLieuReport,
    InLieuStatus,
    Rating,
    RenewalOverride,
    ScoreBasis,
)

# The due date kinds of this area (declared in steward.contracts.due_kinds).
#: the agency writes the closeout evaluation (seed 000)
CLOSEOUT_KIND = "closeout_evaluation"
#: the agency writes the interim evaluation of a contract year (seed 001)
INTERIM_KIND = "interim_evaluation"
#: the due dates an evaluation answers: what the due list and the compliance table count
EVALUATION_DUE_KINDS = (CLOSEOUT_KIND, INTERIM_KIND)
#: the provider's window to comment on (or acknowledge) a released evaluation
COMMENT_KIND = "evaluation_comment"
#: a reviewing official finalises the released evaluation
FINALISE_KIND = "evaluation_finalise"
#: the oversight body accepts or rejects a report in lieu of the evaluation form
IN_LIEU_KIND = "in_lieu_decision"

CLOSEOUT_RULE = "closeout_evaluation"
INTERIM_RULE = "interim_evaluation"
#: interim due dates are kept per contract year: rule keys interim_evaluation_1, _2, ...
INTERIM_PREFIX = INTERIM_RULE + "_"
#: the days the oversight body has to decide on a report in lieu, from its submission: no
#: seed sets them (seed 000 says only "subject to acceptance"), so no pack rule does either
IN_LIEU_DECISION_DAYS = 14


def evaluation_due_q(prefix: str = "") -> Q:
    """Filter on DueDate (or, with `prefix`, on a relation to it) for the due dates an
    evaluation answers: the closeout and interim evaluations, by their kind."""
    return Q(**{f"{prefix}kind__in": EVALUATION_DUE_KINDS})


# ---------------------------------------------------------------- criteria and score


def criteria_of(evaluation: Evaluation) -> list[calc.Criterion]:
    return [calc.Criterion(c["key"], c["label"], int(c["weight"])) for c in evaluation.criteria]


def scale_of(evaluation: Evaluation) -> list[calc.ScalePoint]:
    return [calc.ScalePoint(int(p["value"]), p["label"]) for p in evaluation.scale]


def score_of(evaluation: Evaluation, ratings: list[Rating] | None = None) -> calc.Score:
    """The score of the evaluation's ratings (calc.ScoreError while any is missing)."""
    rows = ratings if ratings is not None else list(evaluation.ratings.all())
    return calc.score(
        {r.criterion_key: r.rating for r in rows}, criteria_of(evaluation), scale_of(evaluation)
    )


def metric_inputs(contract: Contract, *, until: date) -> tuple[list[calc.MetricInput], Decimal]:
    """The contract's indicators with the status of each reporting period ended by `until`,
    and the plan's credit for a value within tolerance (seed 001's metrics)."""
    from steward.performance import selectors as perf

    performance = perf.contract_performance(contract=contract, today=until)
    inputs = [
        calc.MetricInput(
            name=row.indicator.name,
            weight=row.indicator.payment_weight,
            statuses=tuple(c.status for c in row.cells if c.period_end <= until),
        )
        for row in performance.rows
    ]
    plan = performance.plan
    credit = plan.tolerance_credit if plan is not None else Decimal(50)
    return inputs, credit


def metric_score_of(evaluation: Evaluation) -> calc.MetricScore:
    """The score from the contract's own metrics over the evaluation's period (calc.ScoreError
    when there is nothing to score)."""
    inputs, credit = metric_inputs(evaluation.contract, until=evaluation.period_end)
    return calc.metric_score(inputs, tolerance_credit=credit)


def arithmetic(evaluation: Evaluation, ratings: list[Rating] | None = None) -> dict[str, Any]:
    """How the evaluation's score is worked out: {complete, total, explain, basis, missing,
    rated, total_criteria}. A score from the metrics is shown as fixed on release (or, on a
    draft, as the records stand)."""
    if evaluation.score_basis == ScoreBasis.INDICATORS:
        if evaluation.metric_lines:
            credit = Decimal(str(evaluation.metric_lines[0].get("credit", "50")))
            lines = [
                calc.MetricLine(
                    name=m["name"],
                    weight=Decimal(m["weight"]),
                    share=Decimal(m["share"]),
                    periods=int(m["periods"]),
                    met=int(m["met"]),
                    within=int(m["within"]),
                    achievement=Decimal(m["achievement"]),
                    points=Decimal(m["points"]),
                )
                for m in evaluation.metric_lines
            ]
            exact = sum((line.points for line in lines), Decimal(0))
            result = calc.MetricScore(
                lines=tuple(lines),
                tolerance_credit=credit,
                exact=exact,
                total=exact.quantize(calc.CENT, rounding=ROUND_FLOOR),
                equal_weights=False,
            )
        else:
            try:
                result = metric_score_of(evaluation)
            except calc.ScoreError as exc:
                return {
                    "complete": False,
                    "basis": "indicators",
                    "problem": str(exc),
                    "missing": [],
                }
        return {
            "complete": True,
            "basis": "indicators",
            "total": evaluation.score if evaluation.score is not None else result.total,
            "explain": result.explain(),
        }
    rows = ratings if ratings is not None else list(evaluation.ratings.all())
    try:
        criteria_result = score_of(evaluation, rows)
    except calc.ScoreError as exc:
        labels = {c["key"]: c["label"] for c in evaluation.criteria}
        return {
            "complete": False,
            "basis": "criteria",
            "missing": [labels.get(k, k) for k in exc.errors],
            "rated": len(evaluation.criteria) - len(exc.errors),
            "total_criteria": len(evaluation.criteria),
        }
    return {
        "complete": True,
        "basis": "criteria",
        "total": criteria_result.total,
        "explain": criteria_result.explain(),
    }


# ---------------------------------------------------------------- evidence (pre-filled)


def gather_evidence(contract: Contract, today: date) -> list[dict[str, Any]]:
    """What the contract's records say, for the evaluator to weigh: indicator achievement,
    returns on time / late / missing, surveys, concerns and the latest risk assessment.
    Items marked internal (concerns, risk) are never shown to the provider."""
    items: list[dict[str, Any]] = []
    from steward.performance import selectors as perf

    performance = perf.contract_performance(contract=contract, today=today)
    for row in performance.rows:
        latest = row.latest
        if latest is None:
            value = "No data"
        else:
            shown = "no value" if latest.value is None else f"{latest.value}"
            value = (
                f"{shown} against a target of {row.indicator.target} "
                f"({latest.status_label.lower()}, period ending {latest.period_end:%-d %B %Y}); "
                f"trend: {row.trend}"
            )
        items.append(
            {
                "source": "indicator",
                "label": f"{row.indicator.name} ({row.indicator.get_category_display().lower()})",
                "value": value,
                "internal": False,
            }
        )
    if performance.returns:
        counts: dict[str, int] = {}
        for ret in performance.returns:
            counts[ret.status_label] = counts.get(ret.status_label, 0) + 1
        items.append(
            {
                "source": "returns",
                "label": "Periodic returns",
                "value": ", ".join(f"{n} {label.lower()}" for label, n in sorted(counts.items())),
                "internal": False,
            }
        )
    for survey in performance.surveys:
        items.append(
            {
                "source": "survey",
                "label": f"Satisfaction survey of {survey.get_group_display().lower()} "
                f"({survey.round_label})",
                "value": f"score {survey.score}, {survey.respondents} respondents",
                "internal": False,
            }
        )
    from steward.risk.models import Concern, RiskAssessment, RiskRating

    concerns = Concern.objects.filter(contract=contract).aggregate(
        total=Count("id"), high=Count("id", filter=Q(severity="high"))
    )
    items.append(
        {
            "source": "concerns",
            "label": "Concerns, complaints and notifications logged",
            "value": f"{concerns['total']} in all, {concerns['high']} of high severity",
            "internal": True,
        }
    )
    assessment = RiskAssessment.objects.filter(contract=contract).order_by("-as_of", "-id").first()
    if assessment is not None:
        items.append(
            {
                "source": "risk",
                "label": "Latest risk assessment",
                "value": f"{RiskRating(assessment.rating).label} on {assessment.as_of:%-d %B %Y} "
                f"(monitoring level {assessment.monitoring_level})",
                "internal": True,
            }
        )
    return items


# ---------------------------------------------------------------- start, edit, release


def _period(
    contract: Contract, kind: str, due: DueDate | None, today: date | None = None
) -> tuple[date, date]:
    if kind == EvaluationKind.PRE_RENEWAL and today is not None:
        # the term so far (seed 001: the score that decides the renewal or extension)
        return contract.start_date, max(min(today, contract.end_date), contract.start_date)
    if kind == EvaluationKind.INTERIM and due is not None:
        # the contract year ending on the due date's start
        year_end = due.start_date
        start = calc._add_years(year_end, -1)
        start = date.fromordinal(start.toordinal() + 1)
        return max(start, contract.start_date), year_end
    end = contract.completed_on or contract.terminated_on or contract.end_date
    return contract.start_date, max(end, contract.start_date)


@transaction.atomic
def evaluation_start(
    *, actor: Any, contract: Contract, today: date, kind: str = EvaluationKind.CLOSEOUT
) -> Evaluation:
    """Start an evaluation of `contract` as a draft with the pack's criteria and scale and the
    evidence the contract's records hold. A closeout evaluation (seed 000) needs a completed,
    terminated or expired contract; an interim one an open interim due date (performance-based
    contracts, yearly); a pre-renewal one (seed 001) an executed or active contract that has
    started, at any time, so that its renewal or extension is decided on a score. The score
    comes from the pack's weighted criteria or, where the pack says so (`evaluation.score_from`
    "indicators"), from the contract's own metrics. Refused while another evaluation of the
    same kind is unfinished, and for a closeout when one is already finalised (correct it
    instead)."""
    contract = (
        Contract.objects.select_for_update().select_related("agency__pack").get(pk=contract.pk)
    )
    require_perm(actor, "evaluations.write_evaluation", contract, action="evaluate this contract")
    if kind not in EvaluationKind.values:
        raise ValidationFailed(
            f"Unknown kind of evaluation {kind!r}.",
            errors={"kind": [f"Choose one of: {', '.join(EvaluationKind.labels).lower()}."]},
        )
    unfinished = contract.evaluations.filter(kind=kind).exclude(status=EvaluationStatus.FINALISED)
    if unfinished.exists():
        raise TransitionNotAllowed(
            f"This contract already has a {kind} evaluation under way; finish that one first."
        )
    due: DueDate | None
    if kind == EvaluationKind.CLOSEOUT:
        if contract.status not in CLOSED_STATUSES:
            raise TransitionNotAllowed(
                "The closeout evaluation is written once the contract is completed, terminated "
                f"or expired; this one is {contract.get_status_display().lower()}."
            )
        if contract.evaluations.filter(kind=kind, status=EvaluationStatus.FINALISED).exists():
            raise TransitionNotAllowed(
                "The closeout evaluation of this contract is finalised; record a correction "
                "to change it."
            )
        due = (
            contract.due_dates.filter(kind=CLOSEOUT_KIND)
            .exclude(status=DueDateStatus.CANCELLED)
            .order_by("-due_date")
            .first()
        )
    elif kind == EvaluationKind.PRE_RENEWAL:
        if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
            raise TransitionNotAllowed(
                "A pre-renewal evaluation is written while the contract is executed or active; "
                f"this one is {contract.get_status_display().lower()}."
            )
        if today < contract.start_date:
            raise TransitionNotAllowed(
                f"The contract starts on {contract.start_date:%-d %B %Y}: there is no "
                "performance to evaluate yet."
            )
        due = None
    else:
        due = (
            contract.due_dates.filter(kind=INTERIM_KIND, status=DueDateStatus.OPEN)
            .order_by("due_date")
            .first()
        )
        if due is None:
            raise TransitionNotAllowed(
                "No interim evaluation is due on this contract: interim evaluations fall due "
                "each contract year of a performance-based contract."
            )
    pack = contract.agency.pack
    rules = pack.parsed.evaluation
    period_start, period_end = _period(contract, kind, due, today)
    evaluation = Evaluation(
        contract=contract,
        agency_id=contract.agency_id,
        provider_id=contract.provider_id,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        due=due,
        pack_slug=pack.slug,
        pack_version=pack.version,
        criteria=[{"key": c.key, "label": c.label, "weight": c.weight} for c in rules.criteria],
        scale=[
            {"value": p.value, "label": p.label, "definition": p.definition} for p in rules.scale
        ],
        evidence=gather_evidence(contract, today),
        evidence_gathered_on=today,
        score_basis=_score_basis(contract, rules.score_from),
        author=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(evaluation, actor=actor, reason="Evaluation started")
    bulk_create_with_history(
        [
            Rating(evaluation=evaluation, criterion_key=c.key, position=i)
            for i, c in enumerate(rules.criteria)
        ],
        Rating,
        default_user=actor if getattr(actor, "pk", None) else None,
        default_change_reason="Evaluation started",
    )
    return evaluation


def _score_basis(contract: Contract, score_from: str) -> str:
    """Where the new evaluation's score comes from: the contract's own metrics where the pack
    says so and the contract has indicators (seed 001), else the weighted criteria (a contract
    outside the metrics requirement, such as a contracted school, may have none)."""
    if score_from == ScoreBasis.INDICATORS and contract.indicators.exists():
        return ScoreBasis.INDICATORS
    return ScoreBasis.CRITERIA


def _require_draft(evaluation: Evaluation, what: str) -> None:
    if evaluation.status != EvaluationStatus.DRAFT:
        if evaluation.status == EvaluationStatus.FINALISED:
            raise TransitionNotAllowed(
                "A finalised evaluation cannot be changed; record a correction, which makes a "
                "new version and keeps this one."
            )
        raise TransitionNotAllowed(
            f"The evaluation has been released to the provider; {what} can no longer change."
        )


def _locked(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("contract__agency__pack")
        .get(pk=evaluation.pk)
    )


@transaction.atomic
def evaluation_update(
    *,
    actor: Any,
    evaluation: Evaluation,
    ratings: Mapping[str, int | None] | None = None,
    narratives: Mapping[str, str] | None = None,
    summary: str | None = None,
) -> Evaluation:
    """Change a draft's ratings (criterion key → scale value, or None to clear), narratives and
    overall summary. Unknown criteria and values off the scale are refused, naming them.

    Any change moves the draft's `row_version` on; within `concurrency.expecting(evaluation,
    n)` (the edit page's hidden version, the API's If-Match) a draft no longer at row version n
    is refused with StaleEdit (412), naming who changed it (issue 19 point 6)."""
    evaluation = _locked(evaluation)
    require_perm(actor, "evaluations.change_evaluation", evaluation, action="edit this evaluation")
    _require_draft(evaluation, "its ratings")
    check_expected(evaluation)
    keys = {c["key"] for c in evaluation.criteria}
    values = {int(p["value"]) for p in evaluation.scale}
    errors: dict[str, list[str]] = {}
    for key, value in (ratings or {}).items():
        if key not in keys:
            errors[key] = [f"{key!r} is not a criterion of this evaluation."]
        elif value is not None and value not in values:
            allowed = ", ".join(str(v) for v in sorted(values))
            errors[key] = [f"{value} is not on the rating scale ({allowed})."]
    for key in narratives or {}:
        if key not in keys:
            errors[key] = [f"{key!r} is not a criterion of this evaluation."]
    if errors:
        raise ValidationFailed("; ".join(m for ms in errors.values() for m in ms), errors=errors)
    touched = False
    for row in evaluation.ratings.all():
        changed = False
        if (
            ratings is not None
            and row.criterion_key in ratings
            and row.rating != ratings[row.criterion_key]
        ):
            row.rating = ratings[row.criterion_key]
            changed = True
        if narratives is not None and row.criterion_key in narratives:
            text = (narratives[row.criterion_key] or "").strip()
            if row.narrative != text:
                row.narrative = text
                changed = True
        if changed:
            row.evaluation = evaluation
            save_audited(row, actor=actor, reason="Rating changed")
            touched = True
    if summary is not None and evaluation.summary != summary.strip():
        evaluation.summary = summary.strip()
        save_audited(evaluation, actor=actor, reason="Summary changed")
    elif touched:  # the ratings changed: the draft's row version moves on all the same
        evaluation._change_reason = "Ratings changed"  # type: ignore[attr-defined]
        evaluation.save(update_fields=["updated_at"])
    return evaluation


@transaction.atomic
def evaluation_refresh_evidence(*, actor: Any, evaluation: Evaluation, today: date) -> Evaluation:
    """Gather the evidence again (a draft only): returns and concerns may have come in since."""
    evaluation = _locked(evaluation)
    require_perm(actor, "evaluations.change_evaluation", evaluation, action="edit this evaluation")
    _require_draft(evaluation, "its evidence")
    evaluation.evidence = gather_evidence(evaluation.contract, today)
    evaluation.evidence_gathered_on = today
    save_audited(evaluation, actor=actor, reason="Evidence gathered again")
    return evaluation


def _provider_emails(provider_id: int) -> list[str]:
    from steward.parties.models import Role, User

    return list(
        User.objects.filter(provider_id=provider_id, role=Role.PROVIDER_USER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


@transaction.atomic
def evaluation_release(
    *, actor: Any, evaluation: Evaluation, today: date, released_on: date | None = None
) -> Evaluation:
    """Release a draft to the provider: the summary written and every criterion rated (or, for
    a score from the contract's metrics, a reporting period ended to score).

    `released_on` is the day it was released (issue 19: an agency records what happened on
    paper): never after `today` (the agency's own), never before the evidence was gathered nor
    before the period evaluated starts; `today` by default. The audit row keeps the day it was
    recorded beside it.

    Side effects: the score is fixed (shown with its arithmetic); the due date the evaluation
    answers (closeout or interim) is met, linked to the evaluation (the written evaluation is
    done: seed 000's 60 days); the provider's comment window opens (an `evaluation_comment` due
    date from the release day by the pack's rule, whose date `comment_due` keeps); the
    provider's users are emailed with a link to respond; audit rows."""
    evaluation = _locked(evaluation)
    require_perm(
        actor, "evaluations.change_evaluation", evaluation, action="release this evaluation"
    )
    _require_draft(evaluation, "it")
    on = today if released_on is None else released_on
    if on > today:
        raise ValidationFailed(
            f"The release date cannot be in the future (today is {today:%-d %B %Y}).",
            errors={"released_on": ["The day it was released: today or earlier."]},
        )
    # a date given by the person: not before the evidence was gathered (the draft's last step)
    gathered = evaluation.evidence_gathered_on if released_on is not None else None
    not_before = max(evaluation.period_start, gathered or date.min)
    if on < not_before:
        raise ValidationFailed(
            f"The release date cannot be before {not_before:%-d %B %Y}, when the evaluation's "
            "evidence was gathered and its period started.",
            errors={"released_on": [f"On or after {not_before:%-d %B %Y}."]},
        )
    metric_lines: list[dict[str, Any]] = []
    total: Decimal
    if evaluation.score_basis == ScoreBasis.INDICATORS:
        try:
            metrics = metric_score_of(evaluation)
        except calc.ScoreError as exc:
            raise ValidationFailed(str(exc), errors=exc.errors) from exc
        total = metrics.total
        metric_lines = [
            {**line.to_dict(), "credit": str(metrics.tolerance_credit)} for line in metrics.lines
        ]
    else:
        try:
            total = score_of(evaluation).total
        except calc.ScoreError as exc:
            raise ValidationFailed(
                "Rate every criterion before releasing the evaluation.", errors=exc.errors
            ) from exc
    if not evaluation.summary.strip():
        raise ValidationFailed(
            "Write the overall summary before releasing the evaluation.",
            errors={"summary": ["Write the overall summary."]},
        )
    contract = evaluation.contract
    window = due_date_open(
        kind=COMMENT_KIND, actor=actor, start=on, contract=contract, subject=evaluation
    )
    evaluation.status = EvaluationStatus.RELEASED
    evaluation.score = total
    evaluation.metric_lines = metric_lines
    evaluation.released_on = on
    evaluation.released_by = actor if getattr(actor, "pk", None) else None
    evaluation.comment_due = window.due_date
    recorded = "" if on == today else f" on {on:%-d %B %Y} (recorded {today:%-d %B %Y})"
    save_audited(
        evaluation, actor=actor, reason=f"Released to the provider{recorded}; score {total}"
    )
    answered = evaluation.due
    if answered is not None:
        due_dates_meet(
            kind=answered.kind,
            actor=actor,
            on=on,
            met_by=evaluation,
            contract=contract,
            rule_key=answered.rule_key,
        )
    recipients = _provider_emails(evaluation.provider_id)
    if recipients:
        subject = f"Evaluation of {contract.number} released for your comments"
        body = (
            f"{evaluation.agency.name} has released its {evaluation.get_kind_display().lower()} "
            f"of contract {contract.number} ({contract.title}).\n"
            f"Score: {total}. You may acknowledge it and comment until "
            f"{window.due_date:%-d %B %Y}.\n"
        )
        send_after_commit(
            subject=subject,
            body=body,
            to=recipients,
            link=reverse("evaluations:comment", args=[evaluation.pk]),
        )
    return evaluation


@transaction.atomic
def evaluation_reopen(*, actor: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """Take an evaluation released by mistake back to draft, with the reason (required), so it
    can be corrected and released again. The agency's contract manager or an administrator.

    Refused once it is finalised (finalised evaluations never change: a correction is a new
    version) and once the provider has acknowledged or commented (their response is about the
    released text: finalise it, then correct it). Side effects: status → draft; the score,
    release day and comment window are cleared (the history keeps them, with the reason); the
    due date the release met (closeout or interim) is open again, and the provider's comment
    window and the due date to finalise are cancelled; the provider's users are emailed that
    the evaluation was withdrawn; audit rows."""
    evaluation = _locked(evaluation)
    require_perm(
        actor, "evaluations.reopen_evaluation", evaluation, action="reopen this evaluation"
    )
    if evaluation.status != EvaluationStatus.RELEASED:
        raise TransitionNotAllowed(
            IMMUTABLE_MESSAGE
            if evaluation.status == EvaluationStatus.FINALISED
            else "Only an evaluation released to the provider can be reopened; this one is a draft."
        )
    if evaluation.acknowledged_on is not None or evaluation.commented_on is not None:
        raise TransitionNotAllowed(
            "The provider has already responded to this evaluation, so it is not reopened: "
            "finalise it, then record a correction (a new version)."
        )
    if not (reason or "").strip():
        raise ValidationFailed(
            "Give the reason for reopening the evaluation.",
            errors={"reason": ["Give the reason for reopening (it is kept in the history)."]},
        )
    contract = evaluation.contract
    released_on = evaluation.released_on
    evaluation.status = EvaluationStatus.DRAFT
    evaluation.score = None
    evaluation.metric_lines = []
    evaluation.released_on = None
    evaluation.released_by = None
    evaluation.comment_due = None
    save_audited(evaluation, actor=actor, reason=f"Reopened as a draft: {reason.strip()}")
    due_dates_cancel(
        kind=COMMENT_KIND, actor=actor, reason="The evaluation was reopened", subject=evaluation
    )
    due_dates_cancel(
        kind=FINALISE_KIND, actor=actor, reason="The evaluation was reopened", subject=evaluation
    )
    due_dates_unmeet(met_by=evaluation, actor=actor, reason="The evaluation was reopened")
    recipients = _provider_emails(evaluation.provider_id)
    if recipients:
        send_after_commit(
            subject=f"Evaluation of {contract.number} withdrawn for changes",
            body=(
                f"{evaluation.agency.name} has withdrawn the "
                f"{evaluation.get_kind_display().lower()} of contract {contract.number} "
                f"({contract.title}) it released on {released_on:%-d %B %Y}, to correct it. "
                "You will be asked for your comments again when it is released.\n"
            ),
            to=recipients,
            link=reverse("evaluations:detail", args=[evaluation.pk]),
        )
    return evaluation


# ---------------------------------------------------------------- the provider's side


@transaction.atomic
def evaluation_comment(
    *, actor: Any, evaluation: Evaluation, comments: str, acknowledge: bool, today: date
) -> Evaluation:
    """The provider acknowledges the released evaluation and/or comments on it, from the day
    it is released up to and including the last day of the pack's window.

    Side effects: the comment window (`evaluation_comment`) is met, linked to the evaluation;
    the reviewing official's due date to finalise it (`evaluation_finalise`) opens from today,
    the first time the provider responds; audit rows."""
    evaluation = _locked(evaluation)
    require_perm(
        actor, "evaluations.comment_evaluation", evaluation, action="comment on this evaluation"
    )
    if evaluation.status != EvaluationStatus.RELEASED:
        raise TransitionNotAllowed(
            "This evaluation is finalised; comments are closed."
            if evaluation.status == EvaluationStatus.FINALISED
            else "This evaluation has not been released to you yet."
        )
    if not calc.comment_window_open(
        released_on=evaluation.released_on, comment_due=evaluation.comment_due, today=today
    ):
        raise TransitionNotAllowed(
            f"The window for comments closed on {evaluation.comment_due:%-d %B %Y}."
        )
    text = (comments or "").strip()
    if not text and not acknowledge:
        raise ValidationFailed(
            "Acknowledge the evaluation or write a comment.",
            errors={"comments": ["Write a comment, or tick acknowledge."]},
        )
    if text:
        evaluation.provider_comments = text
        evaluation.commented_on = today
    if acknowledge and evaluation.acknowledged_on is None:
        evaluation.acknowledged_on = today
        evaluation.acknowledged_by = actor if getattr(actor, "pk", None) else None
    reason = "Acknowledged by the provider" if acknowledge else "Provider commented"
    save_audited(evaluation, actor=actor, reason=reason)
    due_dates_meet(kind=COMMENT_KIND, actor=actor, on=today, met_by=evaluation, subject=evaluation)
    _finalise_due_open(evaluation, actor=actor, start=today)
    return evaluation


# ---------------------------------------------------------------- finalise and correct


def reviewing_official(evaluation: Evaluation) -> Any:
    """The person asked to finalise `evaluation` (its `evaluation_finalise` due date is
    assigned to them, so it is on their work list alone): the contract's own manager, unless
    they wrote it; else the agency's senior manager, then contract manager, who has been
    with Steward longest and did not write it. Active users only. None when the agency has
    nobody else who may finalise (the due date then falls to the agency's contract managers
    and senior managers)."""
    from steward.parties.models import Role, User

    people = (
        User.objects.filter(
            is_active=True,
            agency_id=evaluation.agency_id,
            role__in=(Role.CONTRACT_MANAGER, Role.SENIOR_MANAGER),
        )
        .exclude(pk=evaluation.author_id or 0)
        .order_by("date_joined", "pk")
    )
    candidates = list(people)
    manager_id = evaluation.contract.contract_manager_id
    for person in candidates:
        if person.pk == manager_id and person.role == Role.CONTRACT_MANAGER:
            return person
    for role in (Role.SENIOR_MANAGER, Role.CONTRACT_MANAGER):
        for person in candidates:
            if person.role == role:
                return person
    return None


def _finalise_due_open(evaluation: Evaluation, *, actor: Any, start: date) -> None:
    """Open the reviewing official's due date to finalise `evaluation` from `start` (the pack's
    `evaluation_finalise` rule), assigned to its reviewing official, unless one was opened
    already (the provider responds more than once; the daily run comes again)."""
    already = (
        DueDate.objects.filter(
            kind=FINALISE_KIND,
            subject_type=ContentType.objects.get_for_model(Evaluation),
            subject_id=evaluation.pk,
        )
        .exclude(status=DueDateStatus.CANCELLED)
        .exists()
    )
    if already:
        return
    due_date_open(
        kind=FINALISE_KIND,
        actor=actor,
        start=start,
        contract=evaluation.contract,
        subject=evaluation,
        assignee=reviewing_official(evaluation),
    )


def evaluations_finalise_due_open(*, as_of: date | None = None) -> int:
    """The daily run's step, after the windows lapse: open the due date to finalise every
    released evaluation that is ready for it and has none yet: the provider's comment window
    closed unused (from the day after it closed) or, for evaluations released before these
    due dates existed, the provider responded (from that day). "Closed" is by each agency's
    own today, or `as_of` for every agency when given. Idempotent. Returns how many opened."""
    have = DueDate.objects.filter(
        kind=FINALISE_KIND, subject_type=ContentType.objects.get_for_model(Evaluation)
    ).exclude(status=DueDateStatus.CANCELLED)
    # an agency ahead of UTC may be a day ahead: no window closed after tomorrow's date
    latest = as_of or timezone.localdate() + timedelta(days=1)
    ready = (
        Evaluation.objects.filter(status=EvaluationStatus.RELEASED)
        .filter(
            Q(commented_on__isnull=False)
            | Q(acknowledged_on__isnull=False)
            | Q(comment_due__lt=latest)
        )
        .exclude(pk__in=have.values("subject_id"))
        .select_related("contract", "agency__pack")
        .order_by("pk")
    )
    opened = 0
    todays: dict[int, date] = {}
    for evaluation in ready:
        responses = [d for d in (evaluation.commented_on, evaluation.acknowledged_on) if d]
        if responses:
            start = min(responses)
        else:
            if evaluation.agency_id not in todays:
                todays[evaluation.agency_id] = as_of or evaluation.agency.today()
            assert evaluation.comment_due is not None  # the filter above
            if evaluation.comment_due >= todays[evaluation.agency_id]:
                continue
            start = evaluation.comment_due + timedelta(days=1)
        with transaction.atomic():
            _finalise_due_open(evaluation, actor=None, start=start)
        opened += 1
    return opened


@transaction.atomic
def evaluation_finalise(*, actor: Any, evaluation: Evaluation, today: date) -> Evaluation:
    """The reviewing official (a contract manager or senior manager of the agency, not the
    author) finalises a released evaluation once the provider has responded (commented or
    acknowledged) or the comment window has closed. It is immutable from then on and shared
    with every agency.

    Side effects: the due date to finalise it is met, linked to the evaluation; a comment
    window still open (closed, but not yet lapsed by the daily run) is cancelled; audit rows."""
    evaluation = _locked(evaluation)
    require_perm(
        actor, "evaluations.finalise_evaluation", evaluation, action="finalise this evaluation"
    )
    if evaluation.status != EvaluationStatus.RELEASED:
        raise TransitionNotAllowed(
            "This evaluation is already finalised."
            if evaluation.status == EvaluationStatus.FINALISED
            else "Release the evaluation to the provider before finalising it."
        )
    if evaluation.author_id is not None and evaluation.author_id == getattr(actor, "pk", None):
        raise TransitionNotAllowed(
            "A reviewing official other than the author finalises the evaluation."
        )
    if (
        evaluation.acknowledged_on is None
        and evaluation.commented_on is None
        and evaluation.comment_due is not None
        and today <= evaluation.comment_due
    ):
        raise TransitionNotAllowed(
            f"The provider may comment until {evaluation.comment_due:%-d %B %Y}; finalise after "
            "that, or once the provider acknowledges or comments on the evaluation."
        )
    evaluation.status = EvaluationStatus.FINALISED
    evaluation.finalised_on = today
    evaluation.finalised_by = actor if getattr(actor, "pk", None) else None
    save_audited(evaluation, actor=actor, reason=f"Finalised; score {evaluation.score}")
    due_dates_meet(kind=FINALISE_KIND, actor=actor, on=today, met_by=evaluation, subject=evaluation)
    due_dates_cancel(
        kind=COMMENT_KIND, actor=actor, reason="The evaluation was finalised", subject=evaluation
    )
    return evaluation


@transaction.atomic
def evaluation_correct(
    *, actor: Any, evaluation: Evaluation, reason: str, today: date
) -> Evaluation:
    """Correct a finalised evaluation: a new draft version with the same ratings, narratives
    and evidence, and the reason; the finalised one stays as it is, visible, until the new
    version is finalised and supersedes it."""
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("contract__agency")
        .get(pk=evaluation.pk)
    )
    require_perm(
        actor, "evaluations.change_evaluation", evaluation, action="correct this evaluation"
    )
    if evaluation.status != EvaluationStatus.FINALISED:
        raise TransitionNotAllowed(
            "Only a finalised evaluation is corrected; change the draft itself."
            if evaluation.status == EvaluationStatus.DRAFT
            else "Only a finalised evaluation is corrected; this one is still with the provider."
        )
    if Evaluation.objects.filter(supersedes=evaluation).exists():
        raise TransitionNotAllowed(
            "This version already has a correction; correct the latest version instead."
        )
    if not (reason or "").strip():
        raise ValidationFailed(
            "Give the reason for the correction.",
            errors={"reason": ["A correction needs a reason."]},
        )
    new = Evaluation(
        contract=evaluation.contract,
        agency_id=evaluation.agency_id,
        provider_id=evaluation.provider_id,
        kind=evaluation.kind,
        period_start=evaluation.period_start,
        period_end=evaluation.period_end,
        due=None,
        version=evaluation.version + 1,
        supersedes=evaluation,
        correction_reason=reason.strip(),
        pack_slug=evaluation.pack_slug,
        pack_version=evaluation.pack_version,
        criteria=evaluation.criteria,
        scale=evaluation.scale,
        evidence=evaluation.evidence,
        evidence_gathered_on=evaluation.evidence_gathered_on,
        summary=evaluation.summary,
        author=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(new, actor=actor, reason=f"Correction of version {evaluation.version}: {reason}")
    bulk_create_with_history(
        [
            Rating(
                evaluation=new,
                criterion_key=r.criterion_key,
                position=r.position,
                rating=r.rating,
                narrative=r.narrative,
            )
            for r in evaluation.ratings.all()
        ],
        Rating,
        default_user=actor if getattr(actor, "pk", None) else None,
        default_change_reason=f"Copied from version {evaluation.version}",
    )
    return new


# ---------------------------------------------------------------- reports in lieu (seed 000)


@transaction.atomic
def in_lieu_submit(
    *,
    actor: Any,
    contract: Contract,
    kind: str,
    title: str,
    summary: str = "",
    link: str = "",
    upload: Any = None,
    today: date,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InLieuReport:
    """Submit a report card or quality-assurance report in lieu of the evaluation form, for the
    oversight officer to accept or reject (seed 000). It answers the contract's open
    evaluation due date, when there is one. A file (checked for type and size) or a link.
    With a period (`period_start`, `period_end`, both or neither, the end not before the
    start nor after today), it is the provider's whole report card for that period: accepted,
    it stands for every evaluation of the provider's contracts with the agency that falls due
    from a completion or contract year in the period.

    Side effects: the oversight officers' due date to decide on it (`in_lieu_decision`) opens,
    due `IN_LIEU_DECISION_DAYS` after today; audit rows."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    require_perm(actor, "evaluations.submit_in_lieu", contract, action="submit a report in lieu")
    errors: dict[str, list[str]] = {}
    if kind not in InLieuKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(InLieuKind.labels).lower()}."]
    if not (title or "").strip():
        errors["title"] = ["Give the report a title."]
    if upload is None and not (link or "").strip():
        errors["file"] = ["Attach the report or give a link to it."]
    if (period_start is None) != (period_end is None):
        errors["period_end" if period_end is None else "period_start"] = [
            "Give both the first and the last day of the period the report card covers."
        ]
    elif period_start is not None and period_end is not None:
        if period_end < period_start:
            errors["period_end"] = ["The period cannot end before it starts."]
        elif period_end > today:
            errors["period_end"] = ["The period cannot end after today."]
    if errors:
        raise ValidationFailed("; ".join(m for ms in errors.values() for m in ms), errors=errors)
    if contract.status == ContractStatus.DRAFT:
        raise TransitionNotAllowed("A draft contract has no performance to report on.")
    if contract.in_lieu_reports.filter(status=InLieuStatus.SUBMITTED).exists():
        raise TransitionNotAllowed(
            "A report in lieu of this contract's evaluation is already awaiting a decision."
        )
    due = (
        contract.due_dates.filter(evaluation_due_q(), status=DueDateStatus.OPEN)
        .order_by("due_date")
        .first()
    )
    report = InLieuReport(
        contract=contract,
        agency_id=contract.agency_id,
        provider_id=contract.provider_id,
        due=due,
        kind=kind,
        title=title.strip(),
        summary=(summary or "").strip(),
        link=(link or "").strip(),
        submitted_on=today,
        submitted_by=actor if getattr(actor, "pk", None) else None,
        period_start=period_start,
        period_end=period_end,
    )
    if upload is not None:
        checked = check_uploaded_file(upload, fallback_name="report")
        report.original_name = checked.name
        report.content_type = checked.content_type
        report.size = checked.size
        report.sha256 = checked.sha256
        report.file.save(checked.name, upload, save=False)
    save_audited(report, actor=actor, reason="Submitted in lieu of the evaluation form")
    due_date_open(
        kind=IN_LIEU_KIND,
        actor=actor,
        start=today,
        due_on=today + timedelta(days=IN_LIEU_DECISION_DAYS),
        contract=contract,
        subject=report,
    )
    return report


@transaction.atomic
def in_lieu_decide(
    *, actor: Any, report: InLieuReport, accept: bool, reason: str, today: date
) -> InLieuReport:
    """The oversight officer accepts or rejects a report in lieu (a rejection needs a reason).
    An accepted report counts as the evaluation done on the day it was submitted.

    Side effects: the due date to decide on it is met, linked to the report; when accepted,
    the evaluation due date it answers is met by the report as of its submission, and, for a
    report card covering a period (seed 000), every open evaluation due date of the provider's
    contracts with the agency whose completion or contract year ends in the period; audit
    rows."""
    report = (
        InLieuReport.objects.select_for_update(of=("self",)).select_related("due").get(pk=report.pk)
    )
    require_perm(actor, "evaluations.decide_in_lieu", report, action="decide on reports in lieu")
    if report.status != InLieuStatus.SUBMITTED:
        raise TransitionNotAllowed(f"This report is already {report.get_status_display().lower()}.")
    if not accept and not (reason or "").strip():
        raise ValidationFailed(
            "Give the reason for rejecting the report.",
            errors={"reason": ["A rejection needs a reason."]},
        )
    report.status = InLieuStatus.ACCEPTED if accept else InLieuStatus.REJECTED
    report.decided_on = today
    report.decided_by = actor if getattr(actor, "pk", None) else None
    report.decision_reason = (reason or "").strip()
    save_audited(report, actor=actor, reason=report.get_status_display())
    due_dates_meet(kind=IN_LIEU_KIND, actor=actor, on=today, met_by=report, subject=report)
    answered = report.due
    if accept and answered is not None:
        due_dates_meet(
            kind=answered.kind,
            actor=actor,
            on=report.submitted_on,
            met_by=report,
            contract=report.contract,
            rule_key=answered.rule_key,
        )
    if accept:
        for due in list(in_lieu_covers(report)):
            due_dates_meet(
                kind=due.kind,
                actor=actor,
                on=report.submitted_on,
                met_by=report,
                contract=due.contract,
                rule_key=due.rule_key,
            )
    return report


def in_lieu_covers(report: InLieuReport) -> QuerySet[DueDate]:
    """The open evaluation due dates a report card covering a period stands for (seed 000): the
    provider's contracts with the agency, each evaluation falling due from a completion or a
    contract year ending in the period. None for a report about one contract."""
    if report.period_start is None or report.period_end is None:
        return DueDate.objects.none()
    return (
        DueDate.objects.filter(
            evaluation_due_q(),
            agency_id=report.agency_id,
            provider_id=report.provider_id,
            status=DueDateStatus.OPEN,
            start_date__gte=report.period_start,
            start_date__lte=report.period_end,
        )
        .select_related("contract")
        .order_by("due_date", "id")
    )


# ---------------------------------------------------------------- renewal eligibility (seed 001)


def latest_scores(contract_ids: list[int]) -> dict[int, Decimal]:
    """The score of each contract's latest finalised evaluation (closeout or interim, latest
    period, latest version), in one query."""
    scores: dict[int, Decimal] = {}
    rows = (
        Evaluation.objects.filter(
            contract_id__in=contract_ids, status=EvaluationStatus.FINALISED, score__isnull=False
        )
        .order_by("contract_id", "-period_end", "-version", "-finalised_on", "-id")
        .values_list("contract_id", "score")
    )
    for contract_id, value in rows:
        if value is not None:
            scores.setdefault(contract_id, value)
    return scores


def renewal_gated(contract: Contract, pack: Any = None) -> bool:
    """Whether the pack's renewal score bar applies to `contract` (seed 001: professional
    services let by formal procurement with terms over one year, where the pack's
    `renewal.scope` says so; every contract when the pack sets no scope)."""
    rules = (pack or contract.agency.pack.parsed).renewal
    scope = rules.scope
    if scope is None:
        return True
    return calc.renewal_gated(
        contract_type=contract.contract_type,
        formal_procurement=contract.procurement_method == "tendered",
        start=contract.start_date,
        end=contract.end_date,
        contract_types=scope.contract_types,
        formal_only=scope.formal_procurement,
        term_months_over=scope.term_months_over,
    )


def not_gated_reason(contract: Contract) -> str:
    return (
        f"The evaluation score needed for renewal or extension does not apply to this "
        f"{contract.get_contract_type_display().lower()} contract under the "
        f"{contract.agency.pack.name} policy pack."
    )


def charter_review_applies(contract: Contract, pack: Any = None) -> bool:
    """Whether `contract` is a charter school's whose renewal reads the Charter School Contract
    Review Team's outcome (seed 001): the pack sets a score bar whose `renewal.scope` leaves
    charter schools out."""
    rules = (pack or contract.agency.pack.parsed).renewal
    return (
        contract.contract_type == ContractType.CHARTER_SCHOOL
        and rules.score_threshold is not None
        and rules.scope is not None
        and not renewal_gated(contract, pack)
    )


def charter_review_for_next(contract: Contract) -> CharterReview | None:
    """The team's latest review deciding the contract's next renewal option, or None."""
    return (
        CharterReview.objects.filter(
            contract=contract, renewal_number=contract.renewals_exercised + 1
        )
        .order_by("-reviewed_on", "-id")
        .first()
    )


def renewal_eligibility(contract: Contract) -> calc.Eligibility:
    """Whether the latest finalised evaluation (closeout, interim or pre-renewal, the latest
    period and version) makes `contract` eligible for renewal or extension (seed 001). A
    charter school outside the score bar reads the Charter School Contract Review Team's
    outcome for its next renewal option instead."""
    pack = contract.agency.pack.parsed
    score = latest_scores([contract.pk]).get(contract.pk)
    if charter_review_applies(contract, pack):
        review = charter_review_for_next(contract)
        found = calc.charter_eligibility(
            review.outcome if review else None, reviewed_on=review.reviewed_on if review else None
        )
        return calc.Eligibility(found.eligible, found.reason, None, score)
    if pack.renewal.score_threshold is not None and not renewal_gated(contract, pack):
        return calc.Eligibility(True, not_gated_reason(contract), None, score)
    return calc.renewal_eligibility(score, pack.renewal.score_threshold, terms=pack.terms.provider)


def _override_for_next(contract: Contract) -> RenewalOverride | None:
    """The override on record for the next renewal or extension (not used by one yet)."""
    return RenewalOverride.objects.filter(contract=contract, used_by__isnull=True).first()


def renewal_override_use(contract: Contract, actor: Any, event: Any) -> None:
    """The term listener: a renewal or extension (the end date moved later) uses the override
    that allowed it, so the next one is gated again (seed 001)."""
    amendment = getattr(event, "amendment", None)
    if event.kind != "term_changed" or amendment is None:
        return
    if amendment.new_end_date <= amendment.previous_end_date:
        return
    override = _override_for_next(contract)
    if override is not None:
        override.used_by = amendment
        save_audited(override, actor=actor, reason=f"Used by amendment {amendment.sequence}")


def renewal_check(contract: Contract) -> list[str]:
    """The renewal check registered with the contracts area: the reason a renewal is refused,
    unless an authorised override for this renewal option is on record."""
    eligibility = renewal_eligibility(contract)
    if eligibility.eligible or _override_for_next(contract) is not None:
        return []
    return [eligibility.reason + " A senior manager may record an override with a justification."]


@transaction.atomic
def renewal_override_record(
    *, actor: Any, contract: Contract, justification: str, today: date
) -> RenewalOverride:
    """Record an authorised override allowing the next renewal or extension of a contract that
    is not eligible by its evaluation score, with the justification (seed 001). The renewal or
    extension it allows uses it (`used_by`); the one after is gated again."""
    contract = (
        Contract.objects.select_for_update().select_related("agency__pack").get(pk=contract.pk)
    )
    require_perm(
        actor, "evaluations.override_renewal", contract, action="override renewal eligibility"
    )
    text = (justification or "").strip()
    if len(text) < 20:
        raise ValidationFailed(
            "Write the justification for the override (at least 20 characters).",
            errors={"justification": ["At least 20 characters: why renew despite the score?"]},
        )
    if contract.status not in (ContractStatus.EXECUTED, ContractStatus.ACTIVE):
        raise TransitionNotAllowed(
            "Only an executed or active contract is renewed; this one is "
            f"{contract.get_status_display().lower()}."
        )
    eligibility = renewal_eligibility(contract)
    if eligibility.eligible:
        raise TransitionNotAllowed(
            f"The contract is eligible for renewal ({eligibility.reason}); no override is needed."
        )
    number = contract.renewals_exercised + 1
    if _override_for_next(contract) is not None:
        raise TransitionNotAllowed(
            "An override for the next renewal or extension is already on record."
        )
    override = RenewalOverride(
        contract=contract,
        renewal_number=number,
        justification=text,
        score_at_override=eligibility.score,
        authorised_on=today,
        authorised_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(override, actor=actor, reason=f"Renewal {number} allowed: {text}")
    return override


# ---------------------------------------------------------------- interim evaluations due


def interim_due_open(*, as_of: date | None = None) -> int:
    """Open the interim evaluation due dates (one per contract year ended by `as_of`, yearly,
    on performance-based contracts that are executed or active), set-based: a bounded number of
    queries whatever the number of contracts. Each is due by the pack's `interim_evaluation`
    rule (or, in a pack without one, `closeout_evaluation`) from the end of the contract year,
    with the rule key `interim_evaluation_<contract year>`. Without `as_of`, each agency's own
    today. Years already opened (in any status) are not opened again. Returns how many were
    opened."""
    latest = as_of or timezone.localdate() + timedelta(days=1)
    contracts = list(
        Contract.objects.filter(
            compensation_structure=CompensationStructure.PERFORMANCE_BASED,
            status__in=(ContractStatus.EXECUTED, ContractStatus.ACTIVE),
            start_date__lt=latest,
        ).select_related("agency__pack")
    )
    if not contracts:
        return 0
    existing = set(
        DueDate.objects.filter(contract__in=contracts, kind=INTERIM_KIND).values_list(
            "contract_id", "rule_key"
        )
    )
    calendars: dict[int, Any] = {}
    rows: list[DueDate] = []
    todays: dict[int, date] = {}
    for contract in contracts:
        agency = contract.agency
        if agency.pk not in todays:
            todays[agency.pk] = as_of or agency.today()
        years = calc.interim_years(contract.start_date, contract.end_date, todays[agency.pk])
        if not years:
            continue
        pack = agency.pack
        try:
            rule = pack.parsed.deadline_rule(INTERIM_RULE)
        except UnknownDeadlineError:
            rule = pack.parsed.deadline_rule(CLOSEOUT_RULE)
        if agency.pk not in calendars:
            calendars[agency.pk] = agency_calendar(agency)
        for number, year_end in years:
            key = f"{INTERIM_PREFIX}{number}"
            if (contract.pk, key) in existing:
                continue
            deadline = compute_deadline(
                start=year_end, rule=rule, calendar=calendars[agency.pk], pack=pack.slug
            )
            rows.append(
                DueDate(
                    kind=INTERIM_KIND,
                    agency=agency,
                    contract=contract,
                    provider_id=contract.provider_id,
                    rule_key=key,
                    label=f"Interim evaluation of contract year {number}",
                    pack_slug=pack.slug,
                    pack_version=pack.version,
                    source=rule.source,
                    start_date=year_end,
                    days=rule.days,
                    day_kind=str(rule.kind),
                    due_date=deadline.due,
                )
            )
    if rows:
        bulk_create_with_history(
            rows, DueDate, batch_size=1000, default_change_reason="Interim evaluation due"
        )
    return len(rows)
