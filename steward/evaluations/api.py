"""API: contractor performance evaluations (seeds 000 and 001).

Who sees what (DOMAIN.md §1): a draft stays with the agency writing it (its staff, oversight
officers, administrators); a released evaluation is also seen by the provider's own users; a
finalised one is shared with every agency's staff. An evaluation or contract the caller may not
see answers 404; one they may see but not change, 403. Workflow refusals are 409 and input
refusals 422, with the message the services give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from steward.contracts.models import Contract
from steward.contracts.selectors import contract_get
from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError, PermissionDeniedError
from steward.core.pagination import LimitOffsetPagination
from steward.core.schemas import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS
from steward.evaluations import selectors, services, services_charter
from steward.evaluations.models import CharterReview, Evaluation, InLieuReport, RenewalOverride
from steward.evaluations.schemas import (
    CharterReviewIn,
    CharterReviewOut,
    CharterReviewsOut,
    CommentIn,
    ComplianceOut,
    CorrectIn,
    DueOut,
    EvaluationListOut,
    EvaluationOut,
    EvaluationPatchIn,
    EvaluationStartIn,
    InLieuDecisionIn,
    InLieuOut,
    OverrideOut,
    PastPerformanceOut,
    ReleaseIn,
    RenewalOut,
    RenewalOverrideIn,
    ReopenIn,
)
from steward.parties.models import Provider
from steward.parties.rules import visible_providers_q

router = Router(tags=["evaluations"])

KINDS = "closeout, interim"


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.username)


def _agency(agency: Any) -> dict[str, Any]:
    return {"slug": agency.slug, "name": agency.name}


def _provider(provider: Any) -> dict[str, Any]:
    return {"id": provider.pk, "slug": provider.slug, "name": provider.legal_name}


def _contract(contract: Any) -> dict[str, Any]:
    return {"id": contract.pk, "number": contract.number, "title": contract.title}


class _Mapped:
    """A sliceable list for the paginator: the page's rows are fetched with one query (the
    queryset's select_related) and turned into dicts; the count is one more."""

    def __init__(self, qs: Any, to_out: Callable[[Any], dict[str, Any]]) -> None:
        self.qs, self.to_out = qs, to_out

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.to_out(row) for row in self.qs[item]]


def _require_staff(actor: Any, what: str) -> None:
    if not actor.has_perm("evaluations.view_compliance"):
        raise PermissionDeniedError(f"Only agency staff see {what}.")


# ---------------------------------------------------------------- evaluations: output


def _evaluation_row(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "contract": _contract(e.contract),
        "agency": _agency(e.agency),
        "provider": _provider(e.provider),
        "kind": e.kind,
        "period_start": e.period_start,
        "period_end": e.period_end,
        "version": e.version,
        "supersedes": e.supersedes_id,
        "status": e.status,
        "score": e.score,
        "released_on": e.released_on,
        "finalised_on": e.finalised_on,
    }


def _evaluation_out(e: Evaluation, actor: Any) -> dict[str, Any]:
    ratings = selectors.ratings_of(e)
    criteria = {c["key"]: c for c in e.criteria}
    scale_labels = {int(p["value"]): p["label"] for p in e.scale}
    worked = services.arithmetic(e, ratings)
    arithmetic = worked["explain"] if worked["complete"] else []
    # internal evidence (concerns, risk) stays with the agency's own readers: never the
    # provider, nor another agency reading a finalised evaluation
    internal_hidden = not actor.has_perm("contracts.view_internal", e.contract)
    superseded_by = selectors.superseding(e, actor)
    return {
        **_evaluation_row(e),
        "superseded_by": superseded_by.pk if superseded_by is not None else None,
        "correction_reason": e.correction_reason,
        "score_basis": e.score_basis,
        "arithmetic": arithmetic,
        "ratings": [
            {
                "criterion_key": r.criterion_key,
                "label": criteria.get(r.criterion_key, {}).get("label", r.criterion_key),
                "weight": int(criteria.get(r.criterion_key, {}).get("weight", 0)),
                "rating": r.rating,
                "rating_label": scale_labels.get(r.rating) if r.rating is not None else None,
                "narrative": r.narrative,
            }
            for r in ratings
        ],
        "scale": [
            {"value": int(p["value"]), "label": p["label"], "definition": p.get("definition", "")}
            for p in e.scale
        ],
        "evidence": [
            {
                "source": item.get("source", ""),
                "label": item.get("label", ""),
                "value": str(item.get("value", "")),
                "internal": bool(item.get("internal", False)),
            }
            for item in e.evidence
            if not (internal_hidden and item.get("internal"))
        ],
        "evidence_gathered_on": e.evidence_gathered_on,
        "summary": e.summary,
        "comment_due": e.comment_due,
        "acknowledged_on": e.acknowledged_on,
        "provider_comments": e.provider_comments,
        "commented_on": e.commented_on,
        "finalised_by": _name(e.finalised_by),
        "author": _name(e.author),
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    return _evaluation_out(selectors.evaluation_get(actor=actor, pk=pk), actor)


# ---------------------------------------------------------------- lists (static paths first)


@router.get(
    "/evaluations",
    response={200: list[EvaluationListOut], **READ_ERRORS},
    summary="List evaluations",
    description="The evaluations the caller may read, latest period first; paginated (`limit`, "
    "`offset`). Filters: `contract` and `provider` (ids), `status` (draft, released, "
    f"finalised), `kind` ({KINDS}). Drafts are seen only by the authoring agency (and oversight "
    "officers and administrators); finalised evaluations by every agency's staff; provider "
    "users see only their own organisation's, once released.",
)
@paginate(LimitOffsetPagination)
def evaluation_index(
    request: HttpRequest,
    contract: int | None = None,
    provider: int | None = None,
    status: str = "",
    kind: str = "",
) -> Any:
    qs = selectors.evaluation_list(
        actor=_actor(request), contract_id=contract, provider_id=provider, status=status, kind=kind
    )
    return _Mapped(qs, _evaluation_row)


def _due_row() -> Callable[[Any], dict[str, Any]]:
    todays: dict[int, date] = {}

    def out(d: Any) -> dict[str, Any]:
        # overdue in the due date's own agency's today (an API token has no time zone)
        if d.agency_id not in todays:
            todays[d.agency_id] = d.agency.today()
        return {
            "id": d.pk,
            "contract": _contract(d.contract),
            "agency": _agency(d.contract.agency),
            "provider": d.contract.provider.legal_name,
            "kind": d.kind,
            "rule_key": d.rule_key,
            "label": d.label,
            "due_date": d.due_date,
            "overdue": d.due_date < todays[d.agency_id],
            "under_way": d.under_way,
        }

    return out


@router.get(
    "/evaluations/due",
    response={200: list[DueOut], **READ_ERRORS},
    summary="Evaluations due",
    description="Open evaluation due dates (closeout, seed 000: 60 days from completion; and "
    "interim, yearly), soonest first, with whether each is overdue and how many evaluations "
    "answering it are under way; paginated. Agency staff see their own agency's, oversight "
    "officers and administrators every agency's. Provider users: 403.",
)
@paginate(LimitOffsetPagination)
def due_index(request: HttpRequest) -> Any:
    actor = _actor(request)
    _require_staff(actor, "the evaluations due")
    return _Mapped(selectors.due_evaluations(actor=actor), _due_row())


@router.get(
    "/evaluations/compliance",
    response={200: list[ComplianceOut], **READ_ERRORS},
    summary="Evaluation compliance per agency",
    description="Seed 000: per agency, the evaluations that fell due (due date between `since` "
    "and `until`, when given) done on time, done late, missing (open, past due) and still "
    "due. Done means released to the provider, or a report accepted in lieu. Agency staff see "
    "their own agency's row; oversight officers and administrators every agency's. Provider "
    "users: 403.",
)
def compliance(request: HttpRequest, since: date | None = None, until: date | None = None) -> Any:
    actor = _actor(request)
    _require_staff(actor, "evaluation compliance")
    rows = selectors.compliance_table(actor=actor, since=since, until=until)
    return [
        {
            "agency": _agency(r.agency),
            "due": r.due,
            "on_time": r.on_time,
            "late": r.late,
            "missing": r.missing,
            "on_time_percent": r.on_time_percent,
        }
        for r in rows
    ]


# ---------------------------------------------------------------- reports in lieu


def _in_lieu_out(r: InLieuReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contract": _contract(r.contract),
        "agency": _agency(r.agency),
        "provider": r.provider.legal_name,
        "kind": r.kind,
        "title": r.title,
        "summary": r.summary,
        "link": r.link,
        "original_name": r.original_name,
        "content_type": r.content_type,
        "size": r.size,
        "submitted_on": r.submitted_on,
        "submitted_by": _name(r.submitted_by),
        "period_start": r.period_start,
        "period_end": r.period_end,
        "status": r.status,
        "decided_on": r.decided_on,
        "decided_by": _name(r.decided_by),
        "decision_reason": r.decision_reason,
    }


@router.get(
    "/evaluations/in-lieu",
    response={200: list[InLieuOut], **READ_ERRORS},
    summary="Reports in lieu of the evaluation form",
    description="Seed 000: report cards and quality-assurance reports submitted instead of the "
    "form, newest first; filter by `status` (submitted, accepted, rejected) and `contract` "
    "(id); paginated. Agency staff see their own agency's and every accepted one; oversight "
    "officers and administrators all; provider users the accepted ones about their own "
    "organisation (seed 000: shared with the provider as the evaluation form would be).",
)
@paginate(LimitOffsetPagination)
def in_lieu_index(request: HttpRequest, status: str = "", contract: int | None = None) -> Any:
    actor = _actor(request)
    return _Mapped(
        selectors.in_lieu_list(actor=actor, status=status, contract_id=contract), _in_lieu_out
    )


@router.post(
    "/evaluations/in-lieu/{report_id}/decision",
    response={200: InLieuOut, **WRITE_ERRORS},
    summary="Accept or reject a report in lieu",
    description="Oversight officers and administrators only (others who may see the report: "
    "403). A rejection needs a `reason` (422). Meets the due date to decide on it; an "
    "accepted report meets the evaluation due date it answers, on the day it was submitted. "
    "A report already decided: 409.",
)
def in_lieu_decision(request: HttpRequest, report_id: int, payload: InLieuDecisionIn) -> Any:
    actor = _actor(request)
    report = selectors.in_lieu_get(actor=actor, pk=report_id)
    services.in_lieu_decide(
        actor=actor,
        report=report,
        accept=payload.accept,
        reason=payload.reason,
        today=report.agency.today(),
    )
    return _in_lieu_out(selectors.in_lieu_get(actor=actor, pk=report_id))


@router.post(
    "/contracts/{contract_id}/in-lieu",
    response={201: InLieuOut, **WRITE_ERRORS},
    summary="Submit a report in lieu of the evaluation form",
    description="Multipart: `kind` (report_card, quality_assurance, other), `title`, optional "
    "`summary`, and a `link` or a `file` (checked for type and size); for a report card on "
    "all the provider's contracts with the agency, `period_start` and `period_end` (seed 000: "
    "accepted, it stands for each of those contracts' evaluations falling due from the "
    "period). It answers the "
    "contract's open evaluation due date and awaits the oversight officer's decision (due "
    "14 days later, on the oversight officers' work lists). Contract "
    "managers and monitors of the contract's agency, administrators; others who may see the "
    "contract: 403. One awaiting a decision already, or a draft contract: 409.",
)
def in_lieu_submit(
    request: HttpRequest,
    contract_id: int,
    kind: Form[str],
    title: Form[str],
    summary: Form[str] = "",
    link: Form[str] = "",
    file: File[UploadedFile | None] = None,
    period_start: Form[date | None] = None,
    period_end: Form[date | None] = None,
) -> Any:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    report = services.in_lieu_submit(
        actor=actor,
        contract=contract,
        kind=kind,
        title=title,
        summary=summary,
        link=link,
        upload=file,
        today=contract.agency.today(),
        period_start=period_start,
        period_end=period_end,
    )
    return Status(201, _in_lieu_out(selectors.in_lieu_get(actor=actor, pk=report.pk)))


# ---------------------------------------------------------------- one evaluation


@router.get(
    "/evaluations/{evaluation_id}",
    response={200: EvaluationOut, **READ_ERRORS},
    summary="An evaluation",
    description="The evaluation with its ratings (criterion, weight, rating on the pack's "
    "scale, narrative), the score's arithmetic line by line, the evidence gathered (provider "
    "users and other agencies do not see the internal items: concerns and risk), the "
    "provider's comments and the versions it supersedes or is superseded by. 404 when the "
    "caller may not read it (another agency's draft or released evaluation; another "
    "provider's; a draft, for provider users).",
)
def evaluation_detail(request: HttpRequest, evaluation_id: int, response: HttpResponse) -> Any:
    actor = _actor(request)
    set_etag(response, selectors.evaluation_get(actor=actor, pk=evaluation_id))
    return _detail(actor, evaluation_id)


@router.post(
    "/contracts/{contract_id}/evaluations",
    response={201: EvaluationOut, **WRITE_ERRORS},
    summary="Start an evaluation",
    description="Starts a draft with the pack's criteria and scale and the evidence the "
    "contract's records hold. `kind`: closeout (the contract must be completed, terminated or "
    "expired; seed 000), interim (an interim due date must be open) or pre_renewal (seed 001: "
    "an executed or active contract, at any time; the renewal or extension decision reads the "
    "latest finalised evaluation). Contract managers and "
    "monitors of the contract's agency, administrators; others who may see the contract: 403. "
    "Another evaluation of the kind under way, or a finalised closeout: 409.",
)
def evaluation_start(request: HttpRequest, contract_id: int, payload: EvaluationStartIn) -> Any:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    evaluation = services.evaluation_start(
        actor=actor, contract=contract, kind=payload.kind, today=contract.agency.today()
    )
    return Status(201, _detail(actor, evaluation.pk))


@router.patch(
    "/evaluations/{evaluation_id}",
    response={200: EvaluationOut, **EDIT_ERRORS},
    summary="Rate and write a draft evaluation",
    description="Only what is sent changes: `ratings` {criterion key: value on the scale, or "
    "null to clear}, `narratives` {criterion key: text}, `summary`. Unknown criteria and values "
    "off the scale: 422, naming them. Contract managers and monitors of the agency, "
    "administrators; others who may read it: 403. Released or finalised: 409. Send the "
    'draft\'s row version as `If-Match: "<n>"` (the ETag of the last read or change; not the '
    "correction number `version`): 412 when someone else changed it since.",
)
def evaluation_patch(
    request: HttpRequest, evaluation_id: int, payload: EvaluationPatchIn, response: HttpResponse
) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    data = payload.model_dump(exclude_unset=True)
    with if_match(request, evaluation):
        evaluation = services.evaluation_update(
            actor=actor,
            evaluation=evaluation,
            ratings=data.get("ratings"),
            narratives=data.get("narratives"),
            summary=data.get("summary"),
        )
    set_etag(response, evaluation)
    return _detail(actor, evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/evidence",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="Gather a draft's evidence again",
    description="Indicators, returns, surveys, concerns and risk as the contract's records "
    "stand today. Contract managers and monitors of the agency, administrators; others who "
    "may read it: 403. Released or finalised: 409.",
)
def evaluation_evidence(request: HttpRequest, evaluation_id: int) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    services.evaluation_refresh_evidence(
        actor=actor, evaluation=evaluation, today=evaluation.agency.today()
    )
    return _detail(actor, evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/release",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="Release a draft to the provider",
    description="Fixes the score, meets the due date it answers and opens the provider's "
    "comment window (the pack's `evaluation_comment` rule) from `released_on` (optional: the "
    "day it was released, today in the agency's zone by default; a future day or one before "
    "the evidence was gathered: 422); the provider's users are emailed. "
    "Every criterion must be rated and the summary written (422, naming what is missing). "
    "Contract managers and monitors of the agency, administrators; others who may read it: "
    "403. Already released or finalised: 409.",
)
def evaluation_release(
    request: HttpRequest, evaluation_id: int, payload: ReleaseIn | None = None
) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    services.evaluation_release(
        actor=actor,
        evaluation=evaluation,
        today=evaluation.agency.today(),
        released_on=payload.released_on if payload is not None else None,
    )
    return _detail(actor, evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/comment",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="The provider acknowledges and comments",
    description="The provider's own users, from the day of release up to and including the "
    "last day of the comment window (in the agency's time zone): `comments` and/or "
    "`acknowledge` (neither: 422). Meets the comment window; the first response opens the "
    "reviewing official's due date to finalise it. Anyone else who may read it: 403. After "
    "the window, or once finalised: 409.",
)
def evaluation_comment(request: HttpRequest, evaluation_id: int, payload: CommentIn) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    services.evaluation_comment(
        actor=actor,
        evaluation=evaluation,
        comments=payload.comments,
        acknowledge=payload.acknowledge,
        today=evaluation.agency.today(),
    )
    return _detail(actor, evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/finalise",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="Finalise a released evaluation",
    description="The reviewing official: a contract manager or senior manager of the agency "
    "(or an administrator), never the author (409). Once the provider has commented on or "
    "acknowledged it, or the comment window has closed (before: 409). Meets the due date to "
    "finalise it. It is immutable from then on and shared with every agency. Others who may "
    "read it: 403.",
)
def evaluation_finalise(request: HttpRequest, evaluation_id: int) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    services.evaluation_finalise(
        actor=actor, evaluation=evaluation, today=evaluation.agency.today()
    )
    return _detail(actor, evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/reopen",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="Reopen a released evaluation as a draft",
    description="For an evaluation released by mistake: back to draft with the `reason` "
    "(required: 422, kept in the history); the score, release day and comment window are "
    "cleared, the due date the release met is open again and the provider's users are "
    "emailed. The agency's contract manager or an administrator; others who may read it: 403. "
    "A draft, a finalised evaluation (immutable: correct it with a new version) or one the "
    "provider has already responded to: 409.",
)
def evaluation_reopen(request: HttpRequest, evaluation_id: int, payload: ReopenIn) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    services.evaluation_reopen(actor=actor, evaluation=evaluation, reason=payload.reason)
    return _detail(actor, evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/correct",
    response={201: EvaluationOut, **WRITE_ERRORS},
    summary="Correct a finalised evaluation (a new version)",
    description="Makes a new draft version with the same ratings, narratives and evidence and "
    "the `reason` (required: 422); the finalised version stays as it is and visible. Contract "
    "managers and monitors of the agency, administrators; others who may read it (another "
    "agency's staff): 403. Not finalised, or already corrected: 409. Answers the new version.",
)
def evaluation_correct(request: HttpRequest, evaluation_id: int, payload: CorrectIn) -> Any:
    actor = _actor(request)
    evaluation = selectors.evaluation_get(actor=actor, pk=evaluation_id)
    new = services.evaluation_correct(
        actor=actor, evaluation=evaluation, reason=payload.reason, today=evaluation.agency.today()
    )
    return Status(201, _detail(actor, new.pk))


# ---------------------------------------------------------------- renewal (seed 001)


def _internal_contract(actor: Any, contract_id: int) -> Contract:
    """The contract, if the caller may see its internal information (renewal is the agency's
    business: provider users get 404, as for risk)."""
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("contracts.view_internal", contract):
        raise NotFoundError("No such contract.")
    return contract


def _override_out(o: RenewalOverride) -> dict[str, Any]:
    return {
        "renewal_number": o.renewal_number,
        "justification": o.justification,
        "score_at_override": o.score_at_override,
        "authorised_on": o.authorised_on,
        "authorised_by": _name(o.authorised_by),
    }


@router.get(
    "/contracts/{contract_id}/renewal-eligibility",
    response={200: RenewalOut, **READ_ERRORS},
    summary="Whether a contract may be renewed or extended",
    description="Seed 001: eligible when the latest finalised evaluation scores at or above "
    "the pack's threshold (90 in the Milwaukee pack; a pack without one makes every contract "
    "eligible), or when a senior manager has recorded an override for the next renewal "
    "option. Agency staff of the contract's agency, oversight officers and administrators; "
    "provider users and other agencies: 404.",
)
def renewal_eligibility(request: HttpRequest, contract_id: int) -> Any:
    contract = _internal_contract(_actor(request), contract_id)
    status = selectors.renewal_status(contract)
    e = status.eligibility
    return {
        "contract": contract.pk,
        "eligible": e.eligible,
        "reason": e.reason,
        "threshold": e.threshold,
        "score": e.score,
        "options_left": status.options_left,
        "override": _override_out(status.override) if status.override is not None else None,
        "may_renew": status.may_renew,
    }


@router.post(
    "/contracts/{contract_id}/renewal-overrides",
    response={201: OverrideOut, **WRITE_ERRORS},
    summary="Record a renewal override",
    description="Seed 001: allow the next renewal option of a contract that is not eligible by "
    "its score, with a `justification` (at least 20 characters: 422). A senior manager of the "
    "contract's agency or an administrator; other agency staff and oversight officers: 403; "
    "provider users and other agencies: 404. Eligible already, no option left, or an override "
    "on record: 409.",
)
def renewal_override(request: HttpRequest, contract_id: int, payload: RenewalOverrideIn) -> Any:
    actor = _actor(request)
    contract = _internal_contract(actor, contract_id)
    override = services.renewal_override_record(
        actor=actor,
        contract=contract,
        justification=payload.justification,
        today=contract.agency.today(),
    )
    return Status(201, _override_out(override))


# ---------------------------------------------------------------- charter schools (seed 001)


def _charter_review_out(r: CharterReview) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contract": r.contract_id,
        "renewal_number": r.renewal_number,
        "reviewed_on": r.reviewed_on,
        "reviewers": r.reviewers,
        "outcome": r.outcome,
        "outcome_label": r.get_outcome_display(),
        "conditions": r.conditions,
        "summary": r.summary,
        "recorded_by": _name(r.recorded_by),
        "findings": [
            {
                "indicator": f.indicator_id,
                "requirement": f.requirement,
                "met": f.met,
                "evidence": f.evidence,
            }
            for f in r.findings.all()  # type: ignore[attr-defined]
        ],
    }


@router.get(
    "/contracts/{contract_id}/charter-reviews",
    response={200: CharterReviewsOut, **READ_ERRORS},
    summary="A charter school's contract reviews",
    description="Seed 001: the Charter School Contract Review Team's reviews of a charter "
    "school's contract against the performance requirements in it (newest first), and the "
    "requirements to review against. Agency staff of the contract's agency, oversight officers "
    "and administrators; provider users and other agencies: 404.",
)
def charter_reviews(request: HttpRequest, contract_id: int) -> Any:
    contract = _internal_contract(_actor(request), contract_id)
    reviews = selectors.charter_review_list(contract)
    return {
        "contract": contract.pk,
        "applies": services.charter_review_applies(contract),
        "requirements": [
            {"indicator": i.pk, "requirement": i.name, "met": False, "evidence": ""}
            for i in contract.indicators.all()  # type: ignore[attr-defined]
        ],
        "reviews": [_charter_review_out(r) for r in reviews],
    }


@router.post(
    "/contracts/{contract_id}/charter-reviews",
    response={201: CharterReviewOut, **WRITE_ERRORS},
    summary="Record the Charter School Contract Review Team's review",
    description="Seed 001: each performance requirement (indicator) of the school's contract "
    "met or not with its evidence, the reviewers, the date and the outcome (renew, "
    "renew_with_conditions with its conditions, do_not_renew), for the next renewal option; "
    "where the pack's score bar leaves charter schools out, the renewal decision reads it. A "
    "member of the agency's Charter School Contract Review Team or an administrator; other "
    "staff: 403; provider users and other agencies: 404. Not a charter school, not executed or "
    "active, or no option left: 409; a requirement missing or without evidence, conditions "
    "missing, a date in the future: 422.",
)
def charter_review_create(request: HttpRequest, contract_id: int, payload: CharterReviewIn) -> Any:
    actor = _actor(request)
    contract = _internal_contract(actor, contract_id)
    review = services_charter.charter_review_record(
        actor=actor,
        contract=contract,
        reviewed_on=payload.reviewed_on,
        reviewers=payload.reviewers,
        outcome=payload.outcome,
        conditions=payload.conditions,
        summary=payload.summary,
        findings=[f.dict() for f in payload.findings],
        today=contract.agency.today(),
    )
    return Status(201, _charter_review_out(review))


# ---------------------------------------------------------------- past performance


@router.get(
    "/providers/{provider_id}/past-performance",
    response={200: PastPerformanceOut, **READ_ERRORS},
    summary="A provider's past performance across agencies",
    description="Seed 000's shared database: the provider's evaluations the caller may read "
    "(finalised ones from every agency, the caller's agency's drafts too), the score history "
    "of the current finalised ones, their average, and reports accepted in lieu. Agency staff, "
    "oversight officers and administrators; provider users only their own organisation "
    "(another provider: 404).",
)
def past_performance(request: HttpRequest, provider_id: int) -> Any:
    actor = _actor(request)
    provider = Provider.objects.filter(visible_providers_q(actor), pk=provider_id).first()
    if provider is None:
        raise NotFoundError("No such provider.")
    result = selectors.past_performance(actor=actor, provider=provider)
    return {
        "provider": _provider(provider),
        "average": result.average,
        "history": [
            {
                "finalised_on": on,
                "score": score,
                "evaluation": e.pk,
                "contract_number": e.contract.number,
                "agency": e.agency.slug,
            }
            for on, score, e in result.history
        ],
        "evaluations": [_evaluation_row(e) for e in result.evaluations],
        "in_lieu": [_in_lieu_out(r) for r in result.in_lieu],
    }
