"""Pages: the performance portfolio, the indicator library, a contract's performance (its
specification, indicators, plan, returns, achievement with charts, surveys and inspections,
performance-based payment), and the return form the provider and staff submit."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts.models import Contract
from steward.core.concurrency import (
    add_version_field,
    expecting,
    form_version,
)
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.parties.models import Provider
from steward.parties.rules import visible_providers_q
from steward.performance import importing, selectors, services, services_pep
from steward.performance.forms import (
    DefinitionForm,
    EvidenceForm,
    ImportForm,
    IndicatorForm,
    InspectionForm,
    MetricsSignOffForm,
    MilestoneForm,
    PlanForm,
    PlanResponseForm,
    PlanTimelineForm,
    PortfolioFilterForm,
    ReturnForm,
    SpecificationForm,
    SurveyForm,
)
from steward.performance.models import (
    Indicator,
    MetricsSignOff,
    Plan,
    PlanVersion,
    PlanVersionStatus,
    ReturnStatus,
    Specification,
)

PAGE_SIZE = 50


def _contract(request: HttpRequest, pk: int) -> Contract:
    return selectors.performance_contract_get(actor=request.user, pk=pk)


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied("You may not do this.")


def _form_page(
    request: HttpRequest,
    *,
    form: BaseForm,
    title: str,
    intro: str,
    back: str,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    submit: str = "Save",
    multipart: bool = False,
    versioned: Any = None,
) -> HttpResponse:
    """A page with one form: on a valid POST the service saves it (its refusals land on the
    form's fields), then back to `back` with `done` flashed.

    `versioned`: the record edited (core/concurrency.py): the form carries its version, and a
    save of a record someone else changed since is refused with their change named, the
    person's input kept and the form moved on to the current version."""
    if versioned is not None:
        add_version_field(form, versioned)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = form_version(form) if versioned is not None else None
        data.pop("version", None)
        try:
            with expecting(versioned, version) if versioned is not None else nullcontext():
                save(data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "performance/form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "back": back,
            "submit": submit,
            "multipart": multipart,
        },
    )


# ---------------------------------------------------------------- portfolio and library


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Every live contract the person may see: indicators, missing and late returns, the latest
    period's achievement, and the seed 001 metrics flag."""
    _require(request, "performance.view_portfolio")
    form = PortfolioFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    qs = selectors.portfolio_queryset(
        actor=request.user, today=today, q=d.get("q") or "", only=d.get("only") or ""
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.portfolio_rows(list(page.object_list), today)
    return render(request, "performance/portfolio.html", {"form": form, "page": page, "rows": rows})


@login_required
@require_http_methods(["GET"])
@application_errors
def pep(request: HttpRequest) -> HttpResponse:
    """The contracts that suit the Performance Evaluation Plan under the agency's pack (seed
    001) and the fiscal year each joins it. Agency staff see their own agency's; oversight
    officers and administrators choose one (`?agency=<slug>`)."""
    _require(request, "performance.view_portfolio")
    user: Any = request.user
    agency = user.agency
    if agency is None:
        from steward.parties.models import Agency

        agency = Agency.objects.filter(slug=request.GET.get("agency", "")).first()
        if agency is None:
            raise Http404("Choose an agency: ?agency=<its short name>.")
    result = selectors.pep_list(actor=user, agency=agency, today=agency.today())
    return render(
        request,
        "performance/pep.html",
        {"agency": agency, "result": result, "currency": agency.pack.parsed.currency},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def library(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.agency_id and user.role not in ("administrator", "oversight_officer"):
        raise PermissionDenied("Only agency staff keep an indicator library.")
    can_add = bool(user.agency_id) and user.has_perm("performance.manage_performance", user.agency)
    form = DefinitionForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("You may not change this library.")
        if form.is_valid():
            try:
                services.definition_save(actor=user, agency=user.agency, data=form.cleaned_data)
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Added to the library.")
                return redirect("performance:library")
    return render(
        request,
        "performance/library.html",
        {
            "definitions": selectors.library(actor=user),
            "form": form if can_add else None,
        },
    )


# ---------------------------------------------------------------- a contract's performance


@login_required
@application_errors
def contract_performance(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    perf = selectors.contract_performance(contract=contract, today=contract.agency.today())
    return render(
        request,
        "performance/contract.html",
        {
            "contract": contract,
            "perf": perf,
            "can_manage": request.user.has_perm("performance.manage_performance", contract),
            "can_timeline": request.user.has_perm("performance.manage_data_timeline", contract),
            "can_sign_off": request.user.has_perm("performance.sign_off_metrics", contract),
            "metrics_covered": selectors.metrics_covered(contract),
            "sign_off": selectors.current_sign_off(contract),
            "last_sign_off": MetricsSignOff.objects.filter(contract=contract).first(),
            "can_submit": request.user.has_perm("performance.submit_return", contract),
            "can_inspect": request.user.has_perm(
                "performance.record_inspection", contract.provider
            ),
            "plan_name": plan_name(contract),
            "plan_versions": list(
                PlanVersion.objects.filter(contract=contract).order_by("-number")[:10]
            ),
        },
    )


@login_required
@require_POST
@application_errors
def plan_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose the plan as it stands to the provider, as a new version (seed 001)."""
    contract = _contract(request, pk)
    _require(request, "performance.manage_performance", contract)
    try:
        version = services.plan_propose(
            actor=request.user, contract=contract, today=contract.agency.today()
        )
    except (ValidationFailed, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
        return redirect(reverse("performance:contract", args=[contract.pk]) + "#plan")
    messages.success(
        request, f"Version {version.number} of the plan proposed to the provider for agreement."
    )
    return redirect("performance:plan_version", pk=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def plan_version(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of the Performance Evaluation Plan as proposed, and the provider's answer:
    the provider's own users agree it or comment while it is the latest proposed (seed 001)."""
    version = (
        PlanVersion.objects.select_related("contract__agency", "contract__provider")
        .filter(pk=pk)
        .first()
    )
    if version is None:
        raise Http404("No such plan version.")
    contract = _contract(request, version.contract_id)
    user: Any = request.user
    latest = PlanVersion.objects.filter(plan_id=version.plan_id).order_by("-number").first()
    may_respond = (
        user.has_perm("performance.respond_plan", contract)
        and version.status == PlanVersionStatus.PROPOSED
        and latest is not None
        and latest.pk == version.pk
    )
    form = PlanResponseForm(request.POST or None)
    if request.method == "POST":
        if not may_respond:
            raise PermissionDenied("The provider's own users answer the latest proposed plan.")
        if form.is_valid():
            try:
                services.plan_respond(
                    actor=user,
                    version=version,
                    agree=form.cleaned_data["answer"] == "agree",
                    comments=form.cleaned_data["comments"],
                    today=contract.agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Your answer is recorded.")
                return redirect("performance:plan_version", pk=version.pk)
    return render(
        request,
        "performance/plan_version.html",
        {
            "contract": contract,
            "version": version,
            "content": version.content,
            "form": form if may_respond else None,
            "is_latest": latest is not None and latest.pk == version.pk,
        },
    )


def plan_name(contract: Contract) -> str:
    """What the plan of returns and reports is called: Milwaukee's "Performance Evaluation
    Plan" (seed 001) only where the agency's pack uses it (its metrics requirement), else
    "Returns and reporting plan" (issue 17: seed 003 and 002 agencies never heard of a PEP)."""
    uses_pep = (
        contract.agency.pack.parsed.metrics_requirement.formal_procurement_term_months_over
        is not None
    )
    return "Performance Evaluation Plan" if uses_pep else "Returns and reporting plan"


def _back(contract: Contract) -> str:
    return reverse("performance:contract", args=[contract.pk])


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def specification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(request, "performance.manage_performance", contract)
    spec = Specification.objects.filter(contract=contract).first()
    return _form_page(
        request,
        versioned=spec,
        form=SpecificationForm(request.POST or None, instance=spec),
        title=f"Service specification of {contract.number}",
        intro="The service standards the provider works to and the outcomes for the people served.",
        back=_back(contract),
        save=lambda d: services.specification_save(actor=request.user, contract=contract, **d),
        done="Specification saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(request, "performance.manage_performance", contract)
    return _form_page(
        request,
        form=MilestoneForm(request.POST or None),
        title=f"Add a milestone to {contract.number}",
        intro="",
        back=_back(contract),
        save=lambda d: services.milestone_save(actor=request.user, contract=contract, **d),
        done="Milestone added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(request, "performance.manage_performance", contract)

    def save(d: dict[str, Any]) -> Any:
        library = d.pop("library", None)
        if library is not None:
            d = {k: v for k, v in d.items() if v not in (None, "")}
        return services.indicator_save(
            actor=request.user, contract=contract, data=d, library=library
        )

    return _form_page(
        request,
        form=IndicatorForm(request.POST or None, agency_id=contract.agency_id),
        title=f"Add an indicator to {contract.number}",
        intro="Keep inputs apart from outcomes. The tolerance is how far from the "
        "target, in the indicator's unit, still counts as within tolerance.",
        back=_back(contract),
        save=save,
        done="Indicator added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator: Indicator = selectors.indicator_get(actor=request.user, pk=pk)
    contract = indicator.contract
    _require(request, "performance.manage_performance", contract)
    return _form_page(
        request,
        form=IndicatorForm(request.POST or None, instance=indicator, new=False),
        title=f"Change {indicator.name}",
        intro="Every change is kept on the audit trail.",
        back=_back(contract),
        save=lambda d: services.indicator_save(
            actor=request.user, contract=contract, data=d, indicator=indicator
        ),
        done="Indicator saved.",
        versioned=indicator,
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(request, "performance.manage_performance", contract)
    plan = Plan.objects.filter(contract=contract).first()
    return _form_page(
        request,
        versioned=plan,
        form=PlanForm(request.POST or None, instance=plan),
        title=f"{plan_name(contract)} of {contract.number}",
        intro="The sponsor's desired outcomes and the agreed expectations. Saving "
        "generates the timeline of returns, status meetings and reports as due dates.",
        back=_back(contract),
        save=lambda d: services.plan_save(actor=request.user, contract=contract, data=d),
        done="Plan saved and its timeline generated.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def plan_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's timeline of data: how often data is returned, the status meetings and the
    reports (seed 001: kept by Research, Assessment and Data or the contract's managers)."""
    contract = _contract(request, pk)
    _require(request, "performance.manage_data_timeline", contract)
    plan = Plan.objects.filter(contract=contract).first()
    if plan is None:
        messages.error(request, "The sponsor sets the plan's desired outcomes first.")
        return redirect(_back(contract) + "#plan")
    return _form_page(
        request,
        versioned=plan,
        form=PlanTimelineForm(request.POST or None, instance=plan),
        title=f"Timeline of data of {contract.number}",
        intro="How often the provider returns data, when the status meetings are held and "
        "which reports are due. Saving adds any missing returns as due dates.",
        back=_back(contract),
        save=lambda d: services_pep.plan_timeline_save(
            actor=request.user, contract=contract, data=d
        ),
        done="Timeline of data saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def metrics_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """Procurement & Risk Management signs off the contract's performance metrics as developed
    with the sponsor (seed 001)."""
    contract = _contract(request, pk)
    _require(request, "performance.sign_off_metrics", contract)
    return _form_page(
        request,
        form=MetricsSignOffForm(request.POST or None),
        title=f"Sign off the performance metrics of {contract.number}",
        intro="Confirm the metrics on the contract were developed by its sponsor with the "
        "Department of Procurement & Risk Management. A later change to them needs a new "
        "sign-off.",
        back=_back(contract) + "#indicators",
        save=lambda d: services_pep.metrics_sign_off(
            actor=request.user, contract=contract, today=contract.agency.today(), **d
        ),
        done="Performance metrics signed off.",
        submit="Sign off",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def survey_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(request, "performance.manage_performance", contract)
    return _form_page(
        request,
        form=SurveyForm(request.POST or None),
        title=f"Record a satisfaction survey for {contract.number}",
        intro="One survey round of one group: service users, provider staff or agency staff.",
        back=_back(contract),
        save=lambda d: services.survey_add(actor=request.user, contract=contract, data=d),
        done="Survey recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    provider = contract.provider
    _require(request, "performance.record_inspection", provider)
    return _form_page(
        request,
        form=InspectionForm(request.POST or None),
        title=f"Record an inspection report of {provider.legal_name}",
        intro="An external inspection (Care Inspectorate, CQC, state licensing): body, date, "
        "rating and a link to the report.",
        back=_back(contract),
        save=lambda d: services.inspection_add(actor=request.user, provider=provider, data=d),
        done="Inspection recorded.",
    )


# ---------------------------------------------------------------- returns


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The return of one period: submit it (once, from the period's last day) or correct it
    with a reason; add evidence files."""
    ret = selectors.return_get(actor=request.user, pk=pk)
    contract = ret.contract
    can_submit = request.user.has_perm("performance.submit_return", contract)
    indicators = list(Indicator.objects.filter(contract=contract).order_by("category", "name"))
    correcting = ret.submitted_on is not None
    form = ReturnForm(
        request.POST if request.method == "POST" and "file" not in request.FILES else None,
        ret=ret,
        indicators=indicators,
        correcting=correcting,
    )
    evidence_form = EvidenceForm()
    # the contract's agency's today, for its staff and the provider alike
    today = contract.agency.today()
    if request.method == "POST":
        if not can_submit:
            raise PermissionDenied("You may not submit this return.")
        if "file" in request.FILES:
            evidence_form = EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                try:
                    services.evidence_add(
                        actor=request.user,
                        ret=ret,
                        upload=evidence_form.cleaned_data["file"],
                        title=evidence_form.cleaned_data["title"],
                    )
                except ValidationFailed as exc:
                    apply_errors(evidence_form, exc)
                else:
                    messages.success(request, "Evidence added.")
                    return redirect("performance:return", pk=ret.pk)
        elif form.is_valid():
            try:
                if correcting:
                    services.return_correct(
                        actor=request.user,
                        ret=ret,
                        values=form.values(),
                        volumes=form.volumes(),
                        reason=form.cleaned_data["reason"],
                    )
                else:
                    services.return_submit(
                        actor=request.user,
                        ret=ret,
                        values=form.values(),
                        volumes=form.volumes(),
                        on=today,
                    )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, "Return corrected." if correcting else "Return submitted."
                )
                return redirect("performance:contract", pk=contract.pk)
    return render(
        request,
        "performance/return.html",
        {
            "ret": ret,
            "status": ret.status(today),
            "status_label": ReturnStatus(ret.status(today)).label,
            "contract": contract,
            "form": form if can_submit else None,
            "evidence_form": evidence_form if can_submit else None,
            "evidence": ret.evidence.all(),
            "correcting": correcting,
            "can_submit_now": can_submit and (correcting or today >= ret.period_end),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def import_returns(request: HttpRequest) -> HttpResponse:
    """Upload a returns file (CSV/XLSX): all or nothing, every bad row listed on the job's
    page (the import runs as a background job)."""
    user: Any = request.user
    if not user.agency_id or not user.has_perm("performance.manage_performance", user.agency):
        raise PermissionDenied("Contract managers and monitors import returns.")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            importing.check_returns_file(upload)
        except ValidationFailed as exc:
            apply_errors(form, exc)
            return render(request, "performance/import.html", {"form": form})
        # The import (or its check, "check only") runs as a background job: the request does
        # no work per row; it stores the upload and answers at once with the job's page,
        # which follows it to its report.
        from steward.core.jobs import store_upload
        from steward.core.models import JobStatus
        from steward.performance.jobs import import_start

        job = import_start(
            actor=user,
            path=store_upload(upload),
            filename=upload.name,
            dry_run="dry_run" in request.POST,
            reason="",
        )
        if job.status == JobStatus.SUCCEEDED and job.result.get("written"):
            messages.success(request, job.summary)  # done already (a quick worker, tests)
        return redirect("core:job", pk=job.pk)
    return render(request, "performance/import.html", {"form": form})


@login_required
@application_errors
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Send a return's evidence file as an attachment to whoever may see the return."""
    evidence = selectors.evidence_get(actor=request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The evidence file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


# ---------------------------------------------------------------- panels on other pages


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The performance section of the contract page."""
    if not request.user.has_perm("performance.view_performance", contract):
        return None
    perf = selectors.contract_performance(contract=contract, today=contract.agency.today())
    return render_to_string(
        "performance/_contract_panel.html", {"contract": contract, "perf": perf}, request=request
    )


def provider_section(request: HttpRequest, provider: Provider) -> str:
    """The provider page's charts of each indicator over time, per contract."""
    if not Provider.objects.filter(visible_providers_q(request.user), pk=provider.pk).exists():
        return ""
    items = selectors.provider_performance(
        actor=request.user, provider=provider, today=timezone.localdate()
    )
    return render_to_string(
        "performance/_provider_section.html",
        {"provider": provider, "items": items},
        request=request,
    )
