"""API: the concerns log, its quick analysis, and the risk assessment (seed 003).

Concerns: agency staff of the agency, oversight and administrators read the full record;
provider users read the concerns about their own organisation without who raised them (no
source, channel or case reference). Risk is internal: a provider user gets 404 on every risk
endpoint (they are not told a rating exists)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from steward.contracts.models import Contract
from steward.contracts.selectors import contract_get
from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from steward.core.pagination import LimitOffsetPagination
from steward.core.schemas import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS
from steward.parties.access_log import CONCERN_PERSONAL_FIELDS, personal_data_read
from steward.parties.models import Agency, Provider, User
from steward.risk import scoring, selectors, services
from steward.risk.models import Concern, ConcernCategory, ConcernReferral, RiskAssessment
from steward.risk.schemas import (
    AssessmentOut,
    CategoryIn,
    CategoryOut,
    ConcernCommentIn,
    ConcernCommentOut,
    ConcernFilterIn,
    ConcernIn,
    ConcernOut,
    ConcernPatch,
    ConcernProviderOut,
    CountOut,
    OverrideIn,
    ProviderRiskOut,
    RecomputeIn,
    ReferralIn,
    ReferralOut,
    ReferralOutcomeIn,
    ReviewIn,
    RiskCommentIn,
    RiskCommentOut,
)

router = Router(tags=["risk"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _missing(field: str, what: str, value: Any) -> ValidationFailed:
    return ValidationFailed(
        f"{field}: no {what} {value!r}.", errors={field: [f"No {what} {value!r}."]}
    )


def concern_out(concern: Concern, actor: Any) -> dict[str, Any]:
    """The concern as the actor may see it: the provider's view has no identity fields."""
    data: dict[str, Any] = {
        "id": concern.pk,
        "agency": concern.agency.slug,
        "provider": concern.provider.slug,
        "contract": concern.contract.number if concern.contract is not None else None,
        "kind": concern.kind,
        "received_on": concern.received_on,
        "category": concern.category.code,
        "severity": concern.severity,
        "summary": concern.summary,
        "description": concern.description,
        "status": concern.status,
        "provider_procedure_started_on": concern.provider_procedure_started_on,
        "provider_procedure_due_on": concern.provider_procedure_due_on,
        "provider_procedure_outcome": concern.provider_procedure_outcome,
        "provider_procedure_resolved_on": concern.provider_procedure_resolved_on,
        "resolved_on": concern.resolved_on,
        "resolution": concern.resolution,
    }
    if not actor.has_perm("risk.view_concern_identity", concern):
        return ConcernProviderOut(**data).model_dump()
    data.update(
        source=concern.source,
        channel=concern.channel,
        wants_action=concern.wants_action,
        complainant_reference=concern.complainant_reference,
        responsible=concern.responsible.username if concern.responsible is not None else None,
        referrals=[ReferralOut.from_orm(r).model_dump() for r in concern.referrals.all()],
    )
    return ConcernOut(**data).model_dump()


def _resolve(data: dict[str, Any], agency: Agency, provider: Any) -> dict[str, Any]:
    data = dict(data)
    if "category" in data:
        code = data["category"]
        if code is None:
            data.pop("category")
        else:
            services.categories_ensure(agency)
            category = ConcernCategory.objects.filter(agency=agency, code=code).first()
            if category is None:
                raise _missing("category", "category", code)
            data["category"] = category
    if "contract" in data:
        number = data["contract"]
        if number is None:
            data["contract"] = None
        else:
            contract = Contract.objects.filter(agency=agency, number=number).first()
            if contract is None:
                raise _missing("contract", "contract", number)
            data["contract"] = contract
    if "responsible" in data:
        name = data["responsible"]
        if name is None:
            data["responsible"] = None
        else:
            user = User.objects.filter(username=name).first()
            if user is None:
                raise _missing("responsible", "user", name)
            data["responsible"] = user
    return data


class ConcernPageOut(Schema):
    items: list[dict[str, Any]]
    count: int


@router.get(
    "/concerns",
    response={200: ConcernPageOut, **READ_ERRORS},
    summary="List concerns",
    description="The concerns the caller may read, newest first, filtered; paginated with "
    "`limit` (at most 500) and `offset`, answered as `items` and `count`. Provider users see "
    "those about their own organisation without `source`, `channel`, "
    "`complainant_reference`, `responsible` or referrals (seed 003), and may not filter on "
    "`source`: 403 `filter_not_allowed` (DOMAIN.md §1).",
)
def concern_index(
    request: HttpRequest, filters: Query[ConcernFilterIn], limit: int = 100, offset: int = 0
) -> Any:
    actor = _actor(request)
    f = filters.model_dump()
    provider_id = None
    if f.get("provider"):
        found = Provider.objects.filter(slug=f["provider"]).values_list("id", flat=True).first()
        provider_id = found or -1
    qs = selectors.concern_list(
        actor=actor,
        filters=selectors.ConcernFilters(
            provider=provider_id,
            contract=f.get("contract"),
            kind=f.get("kind") or "",
            severity=f.get("severity") or "",
            status=f.get("status") or "",
            source=f.get("source") or "",
            received_from=f.get("received_from"),
            received_to=f.get("received_to"),
        ),
    ).prefetch_related("referrals")
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    page = list(qs[offset : offset + limit])
    if selectors.can_read_risk(actor):
        personal_data_read(
            actor=actor,
            kind="concern",
            records=page,
            fields=CONCERN_PERSONAL_FIELDS,
            path=request.path,
        )
    items = [concern_out(c, actor) for c in page]
    return {"items": items, "count": qs.count()}


@router.post(
    "/concerns",
    response={201: dict[str, Any], **WRITE_ERRORS},
    summary="Log a concern",
    description="Log a concern, complaint, compliment or notification about a provider (slug) "
    "and optionally one of its contracts with the agency (number). `category` is a code of "
    "the agency's list (GET /risk/categories). The complainant is held as a case reference "
    "only. Recomputes the risk of the contracts it bears on. Contract managers, contract "
    "monitors and senior managers of the agency; administrators (give `agency`).",
)
def concern_add(request: HttpRequest, payload: ConcernIn) -> Any:
    actor = _actor(request)
    data = payload.model_dump()
    slug = data.pop("agency")
    if slug:
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise _missing("agency", "agency", slug)
    elif actor.agency_id:
        agency = actor.agency
    else:
        raise ValidationFailed("agency: give the agency.", errors={"agency": ["Required."]})
    provider_slug = data.pop("provider")
    provider = Provider.objects.filter(slug=provider_slug).first()
    if provider is None:
        raise _missing("provider", "provider", provider_slug)
    if not actor.has_perm("risk.add_concern", agency):
        raise PermissionDeniedError("You do not have permission to log a concern for this agency.")
    concern = services.concern_log(
        actor=actor, agency=agency, provider=provider, data=_resolve(data, agency, provider)
    )
    return Status(201, concern_out(concern, actor))


def _concern(request: HttpRequest, concern_id: int) -> Concern:
    return selectors.concern_get(actor=_actor(request), pk=concern_id)


@router.get(
    "/concerns/{concern_id}",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="Read a concern",
    description="One concern; provider users get it without who raised it.",
)
def concern_read(request: HttpRequest, concern_id: int, response: HttpResponse) -> Any:
    actor = _actor(request)
    concern = _concern(request, concern_id)
    if actor.has_perm("risk.view_concern_identity", concern):
        personal_data_read(
            actor=actor,
            kind="concern",
            records=[concern],
            fields=CONCERN_PERSONAL_FIELDS,
            path=request.path,
        )
    set_etag(response, concern)
    return concern_out(concern, actor)


@router.patch(
    "/concerns/{concern_id}",
    response={200: dict[str, Any], **EDIT_ERRORS},
    summary="Update a concern",
    description="Change the status (open, provider_procedure, investigating, referred, "
    "resolved with `resolved_on`, closed), severity, category, who is responsible, and the "
    "provider's own complaints procedure (started, due, outcome, resolved). Recomputes risk.",
)
def concern_patch(
    request: HttpRequest, concern_id: int, payload: ConcernPatch, response: HttpResponse
) -> Any:
    concern = _concern(request, concern_id)
    data = _resolve(payload.model_dump(exclude_unset=True), concern.agency, concern.provider)
    with if_match(request, concern):
        services.concern_update(actor=_actor(request), concern=concern, data=data)
    concern = _concern(request, concern_id)
    set_etag(response, concern)
    return concern_out(concern, _actor(request))


@router.post(
    "/concerns/{concern_id}/referrals",
    response={201: ReferralOut, **WRITE_ERRORS},
    summary="Refer a concern",
    description="Record a referral to another party (complaints_officer, licensing, police, "
    "safeguarding, other) with its date and, when known, its outcome.",
)
def referral_create(request: HttpRequest, concern_id: int, payload: ReferralIn) -> Any:
    concern = _concern(request, concern_id)
    if not _actor(request).has_perm("risk.view_concern_identity", concern):
        raise NotFoundError("No such concern.")
    referral = services.referral_add(actor=_actor(request), concern=concern, **payload.model_dump())
    return Status(201, referral)


@router.patch(
    "/concerns/{concern_id}/referrals/{referral_id}",
    response={200: ReferralOut, **WRITE_ERRORS},
    summary="Record a referral's outcome",
    description="The outcome of a referral and its date.",
)
def referral_patch(
    request: HttpRequest, concern_id: int, referral_id: int, payload: ReferralOutcomeIn
) -> Any:
    concern = _concern(request, concern_id)
    if not _actor(request).has_perm("risk.view_concern_identity", concern):
        raise NotFoundError("No such referral.")
    referral = ConcernReferral.objects.filter(concern=concern, pk=referral_id).first()
    if referral is None:
        raise NotFoundError("No such referral.")
    return services.referral_outcome(
        actor=_actor(request), referral=referral, **payload.model_dump()
    )


@router.get(
    "/risk/categories",
    response={200: list[CategoryOut], **READ_ERRORS},
    summary="The agency's concern categories",
    description="The caller's agency's list (the default list for children's and adult social "
    "care is created on first use). Agency staff.",
)
def category_index(request: HttpRequest) -> Any:
    actor = _actor(request)
    if not actor.agency_id or not selectors.can_read_risk(actor):
        raise NotFoundError("No category list.")
    return list(selectors.categories_for(actor.agency))


@router.post(
    "/risk/categories",
    response={201: CategoryOut, **WRITE_ERRORS},
    summary="Add a concern category",
    description="Add a category to the caller's agency's list. Contract managers.",
)
def category_add(request: HttpRequest, payload: CategoryIn) -> Any:
    actor = _actor(request)
    if not actor.agency_id:
        raise PermissionDeniedError("Only agency staff keep a category list.")
    return Status(
        201, services.category_create(actor=actor, agency=actor.agency, **payload.model_dump())
    )


@router.get(
    "/risk/concern-counts",
    response={200: list[CountOut], **READ_ERRORS},
    summary="Quick analysis of concerns",
    description="Counts of the concerns the caller may read by `by` (category, provider, "
    "contract, source, month), with the same filters as the list. Internal (not providers).",
)
def concern_count_index(request: HttpRequest, by: str, filters: Query[ConcernFilterIn]) -> Any:
    actor = _actor(request)
    if not selectors.can_read_risk(actor):
        raise NotFoundError("No such analysis.")
    if by not in selectors.ANALYSIS_DIMENSIONS:
        raise ValidationFailed(
            "by: choose category, provider, contract, source or month.",
            errors={"by": ["Choose category, provider, contract, source or month."]},
        )
    f = filters.model_dump()
    rows = selectors.concern_counts(
        actor=actor,
        by=by,
        filters=selectors.ConcernFilters(
            contract=f.get("contract"),
            kind=f.get("kind") or "",
            severity=f.get("severity") or "",
            status=f.get("status") or "",
            source=f.get("source") or "",
            received_from=f.get("received_from"),
            received_to=f.get("received_to"),
        ),
    )
    return [{"key": str(k), "count": n} for k, n in rows]


def assessment_out(a: RiskAssessment, number: str) -> dict[str, Any]:
    return {
        "id": a.pk,
        "contract_id": a.contract_id,
        "contract_number": number,
        "as_of": a.as_of,
        "rating": a.rating,
        "computed_rating": a.computed_rating,
        "score": a.score,
        "reasons": a.reasons,
        "signals": a.signals,
        "previous_rating": a.previous_rating,
        "trend": scoring.trend(a.previous_rating or None, a.rating),
        "monitoring_level": a.monitoring_level,
        "override_rating": a.override_rating,
        "override_reason": a.override_reason,
        "overridden_by": a.overridden_by.username if a.overridden_by is not None else None,
        "overridden_at": a.overridden_at,
        "reviewed_on": a.reviewed_on,
    }


def _risk_contract(request: HttpRequest, contract_id: int) -> Contract:
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("risk.view_risk", contract):
        raise NotFoundError("No such contract.")
    return contract


@router.get(
    "/risk/assessments",
    response={200: list[AssessmentOut], **READ_ERRORS},
    summary="Portfolio risk",
    description="Every contract the caller may see with its latest assessment (rating, trend, "
    "reasons, monitoring level); filter by `rating` or `level`. Internal: provider users 404.",
)
@paginate(LimitOffsetPagination)
def assessment_index(request: HttpRequest, rating: str = "", level: str = "") -> Any:
    actor = _actor(request)
    if not selectors.can_read_risk(actor):
        raise NotFoundError("No such list.")
    rows = selectors.risk_portfolio(actor=actor, rating=rating, level=level)
    return [assessment_out(a, c.number) for c, a in rows if a is not None]


@router.get(
    "/contracts/{contract_id}/risk",
    response={200: list[AssessmentOut], **READ_ERRORS},
    summary="A contract's risk assessments",
    description="Every assessment of the contract, newest first. Internal: provider users 404.",
)
def contract_risk(request: HttpRequest, contract_id: int) -> Any:
    contract = _risk_contract(request, contract_id)
    qs = (
        RiskAssessment.objects.filter(contract=contract)
        .select_related("overridden_by")
        .order_by("-as_of", "-id")
    )
    return [assessment_out(a, contract.number) for a in qs]


@router.post(
    "/contracts/{contract_id}/risk/recompute",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="Recompute a contract's risk",
    description="Assess the contract now (or `as_of`). Contract managers of the agency.",
)
def contract_risk_recompute(request: HttpRequest, contract_id: int, payload: RecomputeIn) -> Any:
    contract = _risk_contract(request, contract_id)
    a = services.risk_recompute_contract(
        actor=_actor(request), contract=contract, as_of=payload.as_of or timezone.localdate()
    )
    return assessment_out(a, contract.number)


def _latest(contract: Contract) -> RiskAssessment:
    a = RiskAssessment.latest_for(contract.pk)
    if a is None:
        raise NotFoundError("The contract has not been assessed yet.")
    return a


@router.post(
    "/contracts/{contract_id}/risk/override",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="Override the computed rating",
    description="A contract manager overrides the latest assessment's rating with a written "
    "`reason` (audited). The override lapses at the next assessment (seed 003).",
)
def contract_risk_override(request: HttpRequest, contract_id: int, payload: OverrideIn) -> Any:
    contract = _risk_contract(request, contract_id)
    a = services.risk_override(
        actor=_actor(request),
        assessment=_latest(contract),
        rating=payload.rating,
        reason=payload.reason,
    )
    return assessment_out(a, contract.number)


@router.post(
    "/contracts/{contract_id}/risk/review",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="Record a review of the rating",
    description="A contract manager records that they reviewed the latest assessment "
    "(shown as last reviewed; the review-overdue signal counts the contract's review meetings "
    "not held by their date).",
)
def contract_risk_review(request: HttpRequest, contract_id: int, payload: ReviewIn) -> Any:
    contract = _risk_contract(request, contract_id)
    a = services.risk_review(
        actor=_actor(request), assessment=_latest(contract), on=payload.on or timezone.localdate()
    )
    return assessment_out(a, contract.number)


@router.get(
    "/concerns/{concern_id}/provider-comments",
    response={200: list[ConcernCommentOut], **READ_ERRORS},
    summary="The provider's comments on the factual accuracy of a concern",
    description="seed 003. Whoever may read the concern (its provider's users, agency staff).",
)
def concern_comments(request: HttpRequest, concern_id: int) -> Any:
    concern = _concern(request, concern_id)
    return list(concern.provider_comments.all())


@router.post(
    "/concerns/{concern_id}/provider-comments",
    response={201: ConcernCommentOut, **WRITE_ERRORS},
    summary="Comment on the factual accuracy of a concern about your organisation",
    description="seed 003: provider users of the concern's provider; the contract manager is "
    "emailed. The provider never sees who raised the concern.",
)
def concern_comment_add(request: HttpRequest, concern_id: int, payload: ConcernCommentIn) -> Any:
    concern = _concern(request, concern_id)
    row = services.concern_comment_add(
        actor=_actor(request), concern=concern, comment=payload.comment
    )
    return Status(201, row)


def _own_risk_contract(request: HttpRequest, contract_id: int) -> Contract:
    """The contract, for its own provider's users and the agency's readers (others 404)."""
    actor = _actor(request)
    contract = contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("risk.view_own_risk", contract):
        raise NotFoundError("No such contract.")
    return contract


def _provider_view(request: HttpRequest, contract: Contract) -> dict[str, Any]:
    view = services.provider_risk_view(actor=_actor(request), contract=contract)
    if view is None:
        raise NotFoundError("The contract has not been assessed yet.")
    return view


@router.get(
    "/contracts/{contract_id}/risk/provider-view",
    response={200: ProviderRiskOut, **READ_ERRORS},
    summary="The provider's view of its contract's current risk assessment",
    description="seed 003: the current rating (red, amber or green), its date and the factors "
    "counted, with the provider's comments on their factual accuracy. For the contract's own "
    "provider users (and the agency's readers, to see what the provider sees); never the "
    "override's reason, a concern's source or who raised anything. Others 404.",
)
def provider_risk_view(request: HttpRequest, contract_id: int) -> Any:
    return _provider_view(request, _own_risk_contract(request, contract_id))


@router.post(
    "/contracts/{contract_id}/risk/provider-comments",
    response={201: RiskCommentOut, **WRITE_ERRORS},
    summary="Comment on the factual accuracy of the contract's risk assessment",
    description="seed 003: the contract's provider users comment on the current assessment "
    "(`comment`); kept with the assessment and shown to staff; the contract manager is "
    "emailed. Agency staff 403 (they do not comment on the provider's behalf).",
)
def risk_comment_add(request: HttpRequest, contract_id: int, payload: RiskCommentIn) -> Any:
    view = _provider_view(request, _own_risk_contract(request, contract_id))
    row = services.risk_comment_add(
        actor=_actor(request), assessment=view["assessment"], comment=payload.comment
    )
    return Status(201, row)
