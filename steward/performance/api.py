"""API: service specifications, indicators, Performance Evaluation Plans, returns, surveys,
inspections and achievement (seeds 001, 003).

Everyone who may see a contract reads its performance: agency staff of its agency, oversight
officers, administrators, and the provider's own users once it is executed (another provider's
contract answers 404). Contract managers and monitors of the agency write; returns are also
submitted and corrected by the provider's own users."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from steward.core.concurrency import if_match, set_etag
from steward.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from steward.core.pagination import LimitOffsetPagination
from steward.core.schemas import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    BackgroundJobOut,
    job_accepted,
)
from steward.parties.models import Agency, Provider
from steward.parties.rules import visible_providers_q
from steward.performance import selectors, services, services_pep
from steward.performance.models import (
    Indicator,
    IndicatorDefinition,
    MetricsSignOff,
    Milestone,
    Plan,
    PlanVersion,
    Return,
    Specification,
)
from steward.performance.schemas import (
    CorrectionIn,
    DefinitionIn,
    DefinitionOut,
    EvidenceOut,
    ImportOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorPatch,
    InspectionIn,
    InspectionOut,
    MetricsSignOffIn,
    MetricsSignOffOut,
    MetricsSignOffStatusOut,
    MilestoneIn,
    MilestoneOut,
    PlanIn,
    PlanOut,
    PlanResponseIn,
    PlanTimelineIn,
    PlanVersionOut,
    PortfolioOut,
    ReturnIn,
    ReturnOut,
    SpecificationIn,
    SpecificationOut,
    SummaryOut,
    SurveyIn,
    SurveyOut,
)

router = Router(tags=["performance"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _indicator_out(i: Indicator) -> dict[str, Any]:
    return {
        "id": i.pk,
        "contract": i.contract_id,
        "library": i.library_id,
        **{name: getattr(i, name) for name in services.INDICATOR_FIELDS},
    }


def _return_out(ret: Return, values: list[Any] | None = None) -> dict[str, Any]:
    if values is None:
        values = list(ret.values.all())
    return {
        "id": ret.pk,
        "contract": ret.contract_id,
        "period_start": ret.period_start,
        "period_end": ret.period_end,
        "due_on": ret.due_on,
        "submitted_on": ret.submitted_on,
        "status": ret.status(timezone.localdate()),
        **{name: getattr(ret, name) for name in services.VOLUME_FIELDS},
        "values": [{"indicator": v.indicator_id, "value": v.value} for v in values],
    }


# ---------------------------------------------------------------- library


@router.get(
    "/performance/library",
    response={200: list[DefinitionOut], **READ_ERRORS},
    summary="The agency's indicator library",
    description="Indicator definitions the agency reuses across its contracts. Agency staff see "
    "their own agency's; oversight officers and administrators any agency's (`agency` slug). "
    "Provider users see none.",
)
def library_list(request: HttpRequest, agency: str = "") -> Any:
    actor = _actor(request)
    agency_id = None
    if agency:
        found = Agency.objects.filter(slug=agency).first()
        if found is None:
            raise NotFoundError("No such agency.")
        agency_id = found.pk
    return [
        {
            "id": d.pk,
            "agency": d.agency.slug,
            **{n: getattr(d, n) for n in services.DEFINITION_FIELDS},
        }
        for d in selectors.library(actor=actor, agency_id=agency_id)
    ]


@router.post(
    "/performance/library",
    response={201: DefinitionOut, **WRITE_ERRORS},
    summary="Add an indicator definition to the library",
    description="Contract managers and monitors add to their own agency's library.",
)
def library_add(request: HttpRequest, payload: DefinitionIn) -> Any:
    actor = _actor(request)
    if not actor.agency_id:
        raise PermissionDeniedError("Only agency staff keep an indicator library.")
    definition = services.definition_save(
        actor=actor, agency=actor.agency, data=payload.model_dump()
    )
    return Status(
        201,
        {"id": definition.pk, "agency": definition.agency.slug, **payload.model_dump()},
    )


# ---------------------------------------------------------------- contract performance


@router.get(
    "/performance/contracts/{contract_id}",
    response={200: SummaryOut, **READ_ERRORS},
    summary="A contract's performance summary",
    description="Per indicator and period: the value, its status against the target (met, "
    "within_tolerance, missed, no_data) and the trend; the latest period's counts; the "
    "performance-based payment per period, line by line; and whether the contract lacks the "
    "performance metrics its pack requires (seed 001).",
)
def summary(request: HttpRequest, contract_id: int) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    perf = selectors.contract_performance(contract=contract, today=timezone.localdate())
    return {
        "contract": contract.pk,
        "metrics_missing": perf.metrics_missing,
        "latest": perf.summary,
        "achievement": [
            {
                "indicator": _indicator_out(row.indicator),
                "trend": row.trend,
                "periods": [c.__dict__ for c in row.cells],
            }
            for row in perf.rows
        ],
        "payments": [
            {
                "period_start": p.period_start,
                "period_end": p.period_end,
                "amount_at_stake": p.payment.amount_at_stake,
                "earned": p.payment.earned,
                "lines": [line.__dict__ for line in p.payment.lines],
            }
            for p in perf.payments
        ],
        "payment_problem": perf.payment_problem,
    }


def _if_match_existing(request: HttpRequest, obj: Any) -> Any:
    """If-Match for a record that may not exist yet (a contract's one specification or plan):
    honoured when it exists; with none yet, there is no other change to lose."""
    return if_match(request, obj) if obj is not None else nullcontext()


@router.get(
    "/performance/contracts/{contract_id}/specification",
    response={200: SpecificationOut, **READ_ERRORS},
    summary="A contract's service specification",
    description="Service standards, outcomes for the people served, and milestones. Everyone "
    "who may see the contract.",
)
def specification_get(request: HttpRequest, contract_id: int, response: HttpResponse) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    spec = Specification.objects.filter(contract=contract).first()
    if spec is not None:
        set_etag(response, spec)
    return {
        "service_standards": spec.service_standards if spec else "",
        "outcomes": spec.outcomes if spec else "",
        "milestones": [
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "achieved_on": m.achieved_on}
            for m in Milestone.objects.filter(contract=contract)
        ],
    }


@router.put(
    "/performance/contracts/{contract_id}/specification",
    response={200: SpecificationOut, **EDIT_ERRORS},
    summary="Set a contract's service standards and outcomes",
    description="Contract managers and monitors of the contract's agency. Send the "
    'specification\'s version as `If-Match: "<version>"` (the ETag of the last read or change): '
    "412 when someone else changed it since.",
)
def specification_put(
    request: HttpRequest, contract_id: int, payload: SpecificationIn, response: HttpResponse
) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    with _if_match_existing(request, Specification.objects.filter(contract=contract).first()):
        services.specification_save(actor=actor, contract=contract, **payload.model_dump())
    return specification_get(request, contract_id, response)


@router.post(
    "/performance/contracts/{contract_id}/milestones",
    response={201: MilestoneOut, **WRITE_ERRORS},
    summary="Add a milestone to the specification",
    description="A milestone with its due date (and the date achieved, if it is). Contract "
    "managers and monitors of the contract's agency.",
)
def milestone_add(request: HttpRequest, contract_id: int, payload: MilestoneIn) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    m = services.milestone_save(actor=actor, contract=contract, **payload.model_dump())
    return Status(201, {"id": m.pk, **payload.model_dump()})


@router.get(
    "/performance/contracts/{contract_id}/indicators",
    response={200: list[IndicatorOut], **READ_ERRORS},
    summary="A contract's performance indicators",
    description="Each with category (inputs apart from outcomes, seed 003), results-based "
    "question, unit, direction, target, baseline, tolerance, frequency and payment share.",
)
def indicator_list(request: HttpRequest, contract_id: int) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    return [_indicator_out(i) for i in Indicator.objects.filter(contract=contract)]


@router.post(
    "/performance/contracts/{contract_id}/indicators",
    response={201: IndicatorOut, **WRITE_ERRORS},
    summary="Add a performance indicator",
    description="From the agency's library (`library`) or described in full. Contract managers "
    "and monitors of the contract's agency.",
)
def indicator_add(request: HttpRequest, contract_id: int, payload: IndicatorIn) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    # Fields not sent keep the model's defaults (or the library definition's values).
    data = {k: v for k, v in payload.model_dump(exclude={"library"}).items() if v is not None}
    library = None
    if payload.library is not None:
        library = IndicatorDefinition.objects.filter(pk=payload.library).first()
        if library is None:
            raise NotFoundError("No such library definition.")
    indicator = services.indicator_save(actor=actor, contract=contract, data=data, library=library)
    return Status(201, _indicator_out(indicator))


@router.patch(
    "/performance/indicators/{indicator_id}",
    response={200: IndicatorOut, **EDIT_ERRORS},
    summary="Change an indicator (target, tolerance, ...)",
    description="Only the fields sent change; every change is audited. Send the indicator's "
    'version as `If-Match: "<version>"` (the ETag of the last change): 412 when someone '
    "else changed it since.",
)
def indicator_patch(
    request: HttpRequest, indicator_id: int, payload: IndicatorPatch, response: HttpResponse
) -> Any:
    actor = _actor(request)
    indicator = selectors.indicator_get(actor=actor, pk=indicator_id)
    with if_match(request, indicator):
        indicator = services.indicator_save(
            actor=actor,
            contract=indicator.contract,
            data=payload.model_dump(exclude_unset=True),
            indicator=indicator,
        )
    set_etag(response, indicator)
    return _indicator_out(indicator)


@router.get(
    "/performance/contracts/{contract_id}/plan",
    response={200: PlanOut, **READ_ERRORS},
    summary="A contract's Performance Evaluation Plan",
    description="Seed 001: the sponsor's desired outcomes, agreed expectations, return "
    "frequency and the payment tied to indicators. 404 until a plan is set.",
)
def plan_get(request: HttpRequest, contract_id: int, response: HttpResponse) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    plan = Plan.objects.filter(contract=contract).first()
    if plan is None:
        raise NotFoundError("This contract has no Performance Evaluation Plan yet.")
    set_etag(response, plan)
    return plan


@router.put(
    "/performance/contracts/{contract_id}/plan",
    response={200: PlanOut, **EDIT_ERRORS},
    summary="Set the Performance Evaluation Plan and generate its timeline",
    description="Seed 001. Saving generates, with the deadline engine and the agency's pack, a "
    "return per reporting period (due `return_submission` after the period ends), the status "
    "meetings and the performance reports as due dates; existing ones are kept. Send the "
    'plan\'s version as `If-Match: "<version>"` (the ETag of the last read or change): 412 '
    "when someone else changed it since.",
)
def plan_put(
    request: HttpRequest, contract_id: int, payload: PlanIn, response: HttpResponse
) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    with _if_match_existing(request, Plan.objects.filter(contract=contract).first()):
        plan = services.plan_save(actor=actor, contract=contract, data=payload.model_dump())
    set_etag(response, plan)
    return plan


@router.put(
    "/performance/contracts/{contract_id}/plan/timeline",
    response={200: PlanOut, **EDIT_ERRORS},
    summary="Keep the plan's timeline of data",
    description="Seed 001: how often the provider returns data, the status meetings and the "
    "reports; saving adds any missing returns as due dates. Research, Assessment and Data "
    "staff and the contract managers and monitors of the agency; administrators. No plan yet "
    '(the sponsor writes it first): 409. Send `If-Match: "<version>"`: 412 when the plan '
    "changed since.",
)
def plan_timeline_put(
    request: HttpRequest, contract_id: int, payload: PlanTimelineIn, response: HttpResponse
) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    with _if_match_existing(request, Plan.objects.filter(contract=contract).first()):
        plan = services_pep.plan_timeline_save(
            actor=actor, contract=contract, data=payload.model_dump()
        )
    set_etag(response, plan)
    return plan


def _sign_off_out(s: MetricsSignOff, current: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "contract": s.contract_id,
        "signed_on": s.signed_on,
        "signed_by": s.signed_by.username if s.signed_by else "",
        "developed_with_sponsor": s.developed_with_sponsor,
        "metrics": s.metrics,
        "notes": s.notes,
        "current": current is not None and current.pk == s.pk,
    }


@router.get(
    "/performance/contracts/{contract_id}/metrics/sign-offs",
    response={200: MetricsSignOffStatusOut, **READ_ERRORS},
    summary="Procurement's sign-offs on the performance metrics",
    description="Seed 001: whether the pack's metrics requirement covers the contract and "
    "blocks its execution, and each sign-off (latest first), `current` when it still covers "
    "the metrics as they stand. Agency staff of the agency, oversight, administrators.",
)
def metrics_sign_offs(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    if not actor.has_perm("contracts.view_internal", contract):
        raise PermissionDeniedError("Agency staff, oversight officers and administrators.")
    current = selectors.current_sign_off(contract)
    covered = selectors.metrics_covered(contract)
    rows = MetricsSignOff.objects.filter(contract=contract).select_related("signed_by")
    return {
        "covered": covered,
        "blocks_execution": bool(
            covered and contract.agency.pack.parsed.metrics_requirement.blocks_execution
        ),
        "signed_off": current is not None,
        "sign_offs": [_sign_off_out(s, current) for s in rows],
    }


@router.post(
    "/performance/contracts/{contract_id}/metrics/sign-offs",
    response={201: MetricsSignOffOut, **WRITE_ERRORS},
    summary="Procurement signs off the performance metrics",
    description="Seed 001: the agency's procurement officers (Procurement & Risk Management) "
    "record that the metrics were developed by the contract's sponsor with them. Before "
    "execution only; no metrics yet, the contract already executed, or the metrics already "
    "signed off as they stand: 409. Where the pack's metrics requirement blocks execution, "
    "the contract is not executed without it.",
)
def metrics_sign_off_post(request: HttpRequest, contract_id: int, payload: MetricsSignOffIn) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    sign_off = services_pep.metrics_sign_off(
        actor=actor, contract=contract, today=contract.agency.today(), **payload.model_dump()
    )
    return Status(201, _sign_off_out(sign_off, sign_off))


@router.get(
    "/performance/pep",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="Contracts for the Performance Evaluation Plan",
    description="Seed 001: the live contracts that suit the plan under the agency's pack rule "
    "(high-dollar, service-based, aligned to assessment tools in place) and the fiscal year "
    "each joins by the phase-in; those with an agreed plan first. Agency staff: their agency; "
    "oversight officers and administrators: `agency` (its short name). `rule` is null when the "
    "pack sets none.",
)
def pep_index(request: HttpRequest, agency: str = "") -> Any:
    from steward.parties.models import Agency as AgencyModel

    actor = _actor(request)
    if not actor.has_perm("performance.view_portfolio"):
        raise PermissionDeniedError("Agency staff, oversight officers and administrators.")
    chosen = actor.agency or AgencyModel.objects.filter(slug=agency).first()
    if chosen is None:
        raise NotFoundError("Choose an agency: ?agency=<its short name>.")
    result = selectors.pep_list(actor=actor, agency=chosen, today=chosen.today())
    if result is None:
        return {"agency": chosen.slug, "rule": None, "contracts": []}
    return {
        "agency": chosen.slug,
        "rule": result.rule.to_dict(),
        "this_fiscal_year": result.this_year,
        "not_eligible": result.not_eligible,
        "contracts": [
            {
                "id": row.contract.pk,
                "number": row.contract.number,
                "sponsor": row.contract.sponsor,
                "maximum_obligation": str(row.contract.maximum_obligation),
                "in_plan": row.in_plan,
                "fiscal_year": row.fiscal_year,
            }
            for row in result.rows
        ],
    }


def _plan_version_out(v: PlanVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "contract": v.contract_id,
        "number": v.number,
        "status": v.status,
        "content": v.content,
        "proposed_on": v.proposed_on,
        "responded_on": v.responded_on,
        "provider_comments": v.provider_comments,
    }


@router.get(
    "/performance/contracts/{contract_id}/plan/versions",
    response={200: list[PlanVersionOut], **READ_ERRORS},
    summary="The versions of the plan proposed to the provider",
    description="Seed 001: each version as proposed (fixed) with the provider's answer, the "
    "latest first. Whoever may see the contract's performance.",
)
def plan_versions(request: HttpRequest, contract_id: int) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    return [
        _plan_version_out(v)
        for v in PlanVersion.objects.filter(contract=contract).order_by("-number")
    ]


@router.post(
    "/performance/contracts/{contract_id}/plan/versions",
    response={201: PlanVersionOut, **WRITE_ERRORS},
    summary="Propose the plan to the provider for agreement",
    description="Seed 001: the plan as it stands (outcomes, expectations, the timeline of "
    "returns, status meetings and reports, the indicators) becomes a new version, and the "
    "provider's users get a due date to agree or comment (14 days). Contract managers and "
    "monitors of the agency. No plan yet or an agreed version unchanged: 409; no indicators: "
    "422.",
)
def plan_propose(request: HttpRequest, contract_id: int) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    version = services.plan_propose(actor=actor, contract=contract, today=contract.agency.today())
    return Status(201, _plan_version_out(version))


@router.post(
    "/performance/plan-versions/{version_id}/respond",
    response={200: PlanVersionOut, **WRITE_ERRORS},
    summary="The provider agrees the plan or comments on it",
    description="Seed 001: the provider's own users agree the latest proposed version (it is "
    "then fixed) or return it with `comments` (required then: 422). Others: 403; a version "
    "already answered or replaced: 409.",
)
def plan_respond(request: HttpRequest, version_id: int, payload: PlanResponseIn) -> Any:
    actor = _actor(request)
    version = PlanVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFoundError("No such plan version.")
    contract = selectors.performance_contract_get(actor=actor, pk=version.contract_id)
    version = services.plan_respond(
        actor=actor,
        version=version,
        agree=payload.agree,
        comments=payload.comments,
        today=contract.agency.today(),
    )
    return _plan_version_out(version)


@router.get(
    "/performance/contracts/{contract_id}/returns",
    response={200: list[ReturnOut], **READ_ERRORS},
    summary="A contract's returns",
    description="One per reporting period, with status: upcoming, due, missing (overdue), "
    "on_time or late.",
)
def return_list(request: HttpRequest, contract_id: int) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    returns = Return.objects.filter(contract=contract).prefetch_related("values")
    return [_return_out(r) for r in returns]


@router.post(
    "/performance/returns/{return_id}/submit",
    response={200: ReturnOut, **WRITE_ERRORS},
    summary="Submit a return",
    description="From the last day of its period, once. The provider's own users or the "
    "agency's contract managers and monitors.",
)
def return_submit(request: HttpRequest, return_id: int, payload: ReturnIn) -> Any:
    actor = _actor(request)
    ret = selectors.return_get(actor=actor, pk=return_id)
    data = payload.model_dump()
    values = {v["indicator"]: v["value"] for v in data.pop("values")}
    ret = services.return_submit(
        actor=actor, ret=ret, values=values, volumes=data, on=timezone.localdate()
    )
    return _return_out(ret)


@router.post(
    "/performance/returns/{return_id}/correct",
    response={200: ReturnOut, **WRITE_ERRORS},
    summary="Correct a submitted return (with a reason)",
    description="Only the values and volumes sent change; the reason is kept on the audit trail.",
)
def return_correct(request: HttpRequest, return_id: int, payload: CorrectionIn) -> Any:
    actor = _actor(request)
    ret = selectors.return_get(actor=actor, pk=return_id)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason")
    # a value left out is "no data", as in a submission (a KeyError before)
    values = {v["indicator"]: v.get("value") for v in data.pop("values", [])}
    ret = services.return_correct(actor=actor, ret=ret, values=values, volumes=data, reason=reason)
    return _return_out(ret)


def _evidence_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "title": e.title,
        "original_name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
    }


@router.get(
    "/performance/returns/{return_id}/evidence",
    response={200: list[EvidenceOut], **READ_ERRORS},
    summary="A return's evidence files",
    description="Metadata of the files kept with the return; download one from the return "
    "page (`/performance/evidence/{id}/`).",
)
def evidence_list(request: HttpRequest, return_id: int) -> Any:
    ret = selectors.return_get(actor=_actor(request), pk=return_id)
    return [_evidence_out(e) for e in ret.evidence.all()]


@router.post(
    "/performance/returns/{return_id}/evidence",
    response={201: EvidenceOut, **WRITE_ERRORS},
    summary="Add an evidence file to a return",
    description="Multipart upload (`file`, optional `title`); the file is checked for type "
    "(extension and content signature) and size. The provider's own users or the agency's "
    "contract managers and monitors.",
)
def evidence_add(
    request: HttpRequest, return_id: int, file: File[UploadedFile], title: Form[str] = ""
) -> Any:
    actor = _actor(request)
    ret = selectors.return_get(actor=actor, pk=return_id)
    evidence = services.evidence_add(actor=actor, ret=ret, upload=file, title=title)
    return Status(201, _evidence_out(evidence))


@router.post(
    "/performance/import",
    response={200: ImportOut, 202: BackgroundJobOut, **WRITE_ERRORS},
    summary="Import returns (CSV or XLSX)",
    description="Multipart upload (`file`; optional `dry_run`, `reason`) into the caller's "
    "agency: one row per indicator value (contract, period start, indicator, value, ...). All "
    "or nothing: 422 with every bad row in `errors`, keyed 'line N: column'. Changing a "
    "submitted return needs `reason`. Contract managers and monitors. The import runs in "
    "the background: the file is checked (type, size, a real CSV/XLSX), stored, and the "
    "answer is at once 202 with the job (`id`, `url` to follow at `GET /api/v1/jobs/{id}`, "
    "`page_url`; also in `Location`); a worker then imports it, all or nothing. Changed in "
    "issue 20: `background` now defaults to true. `background=false` keeps the former "
    "synchronous answer (200 with the counts, 422 with every bad row) for small files.",
)
def returns_import(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    reason: Form[str] = "",
    background: Form[bool] = True,
) -> Any:
    from steward.performance.importing import check_returns_file, import_returns

    actor = _actor(request)
    if not actor.agency_id:
        raise PermissionDeniedError("Only agency staff import returns.")
    check_returns_file(file)
    if background:
        from steward.core.jobs import store_upload
        from steward.core.services import require_perm
        from steward.performance.jobs import import_start

        require_perm(actor, "performance.manage_performance", actor.agency, action="import returns")
        job = import_start(
            actor=actor,
            path=store_upload(file),
            filename=file.name or "upload",
            dry_run=dry_run,
            reason=reason,
        )
        return job_accepted(job, response)
    report = import_returns(
        actor=actor,
        agency=actor.agency,
        stream=file,
        filename=file.name or "upload",
        dry_run=dry_run,
        reason=reason,
        today=timezone.localdate(),
    )
    if report.errors:
        errors: dict[str, list[str]] = {}
        for e in report.errors:
            key = f"line {e.line}: {e.column}" if e.column else f"line {e.line}"
            errors.setdefault(key, []).append(e.reason)
        raise ValidationFailed(report.summary(), errors=errors)
    return {
        name: getattr(report, name)
        for name in (
            "filename",
            "dry_run",
            "written",
            "rows_read",
            "created",
            "updated",
            "unchanged",
            "returns_submitted",
        )
    }


@router.get(
    "/performance/contracts/{contract_id}/surveys",
    response={200: list[SurveyOut], **READ_ERRORS},
    summary="Satisfaction surveys of a contract",
    description="Survey rounds of service users, provider staff and agency staff, newest "
    "first (seed 003 keeps satisfaction apart from effectiveness).",
)
def survey_list(request: HttpRequest, contract_id: int) -> Any:
    contract = selectors.performance_contract_get(actor=_actor(request), pk=contract_id)
    return [
        {
            "id": s.pk,
            "contract": s.contract_id,
            **{n: getattr(s, n) for n in services.SURVEY_FIELDS},
        }
        for s in contract.surveys.all()
    ]


@router.post(
    "/performance/contracts/{contract_id}/surveys",
    response={201: SurveyOut, **WRITE_ERRORS},
    summary="Record a satisfaction survey round",
    description="Service users, provider staff or agency staff (seed 003): score 0–100 and "
    "comments. Contract managers and monitors of the agency.",
)
def survey_add(request: HttpRequest, contract_id: int, payload: SurveyIn) -> Any:
    actor = _actor(request)
    contract = selectors.performance_contract_get(actor=actor, pk=contract_id)
    survey = services.survey_add(actor=actor, contract=contract, data=payload.model_dump())
    return Status(201, {"id": survey.pk, "contract": contract.pk, **payload.model_dump()})


@router.post(
    "/performance/providers/{slug}/inspections",
    response={201: InspectionOut, **WRITE_ERRORS},
    summary="Record an external inspection report of a provider",
    description="Body (the regulator), date, rating and link, kept with who recorded it. The "
    "oversight body, or contract managers and monitors of an agency holding a contract with the "
    "provider (the rating feeds every agency's risk score); anyone else gets 403.",
)
def inspection_add(request: HttpRequest, slug: str, payload: InspectionIn) -> Any:
    actor = _actor(request)
    provider = Provider.objects.filter(visible_providers_q(actor), slug=slug).first()
    if provider is None:
        raise NotFoundError("No such provider.")
    inspection = services.inspection_add(actor=actor, provider=provider, data=payload.model_dump())
    return Status(
        201,
        {
            "id": inspection.pk,
            "provider": provider.pk,
            "recorded_by": actor.username,
            "recorded_by_agency": actor.agency.slug if actor.agency_id else None,
            **payload.model_dump(),
        },
    )


@router.get(
    "/performance/portfolio",
    response={200: list[PortfolioOut], **READ_ERRORS},
    summary="Performance across the caller's live contracts",
    description="Indicators, missing and late returns, the latest period's achievement and the "
    "seed 001 metrics flag per executed or active contract. `only`: `missing_returns` or "
    "`no_indicators`. Agency staff, oversight officers and administrators; paginated.",
)
@paginate(LimitOffsetPagination)
def portfolio(request: HttpRequest, q: str = "", only: str = "") -> Any:
    actor = _actor(request)
    if not actor.has_perm("performance.view_portfolio"):
        raise PermissionDeniedError("Only agency staff see the performance portfolio.")
    today = timezone.localdate()
    return _PortfolioList(
        selectors.portfolio_queryset(actor=actor, today=today, q=q, only=only),
        today,
    )


class _PortfolioList:
    """A sliceable list for the paginator: each page is turned into rows in a fixed number of
    queries."""

    def __init__(self, qs: Any, today: Any) -> None:
        self.qs, self.today = qs, today

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        rows = selectors.portfolio_rows(list(self.qs[item]), self.today)
        return [
            {
                "contract": r.contract.pk,
                "number": r.contract.number,
                "title": r.contract.title,
                "provider": r.contract.provider.legal_name,
                "indicators": r.indicators,
                "returns_missing": r.missing,
                "returns_late": r.late,
                "latest": r.latest,
                "needs_metrics": r.needs_metrics,
            }
            for r in rows
        ]
