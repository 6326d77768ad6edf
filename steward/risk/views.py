"""Pages of the concerns log and risk assessment (seed 003). Risk pages are internal: a
provider user gets 404 (they are not told a rating exists); concerns pages show a provider
user the concerns about their own organisation without who raised them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from steward.contracts import selectors as contract_selectors
from steward.contracts.models import Contract
from steward.contracts.selectors import contract_get
from steward.core.concurrency import add_version_field, expecting, form_version
from steward.core.errors import TransitionNotAllowed, ValidationFailed
from steward.core.exports import XLSX_TYPE, Sheet, attachment, xlsx_bytes
from steward.core.forms import apply_errors
from steward.core.query_guard import refuse_hidden_filters
from steward.core.views import application_errors
from steward.parties.access_log import CONCERN_PERSONAL_FIELDS, personal_data_read
from steward.parties.models import Agency, Provider, Role
from steward.risk import scoring, selectors, services
from steward.risk.forms import (
    AnalysisForm,
    ConcernFilterForm,
    ConcernForm,
    OverrideForm,
    PortfolioFilterForm,
    ReferralForm,
)
from steward.risk.models import Concern, RiskAssessment, RiskAssessmentComment

PAGE_SIZE = 50


def _internal(request: HttpRequest) -> None:
    if not selectors.can_read_risk(request.user):
        raise Http404("No such page.")


def _offer_only_what_they_see(form: Any, user: Any) -> None:
    """A filter offers only the agencies and providers whose contracts the person may see; a
    person who sees one agency is not offered an agency filter at all."""
    if "agency" in form.fields:
        agencies = contract_selectors.agencies_seen_by(user)
        if user.role in (Role.ADMINISTRATOR, Role.OVERSIGHT_OFFICER):
            form.fields["agency"].queryset = agencies
        else:
            form.fields.pop("agency")
    if "provider" in form.fields:
        form.fields["provider"].queryset = contract_selectors.providers_seen_by(user)


def _filters(form: Any) -> selectors.ConcernFilters:
    d = form.cleaned_data if form.is_valid() else {}
    provider = d.get("provider")
    return selectors.ConcernFilters(
        provider=provider.pk if provider else None,
        kind=d.get("kind") or "",
        severity=d.get("severity") or "",
        status=d.get("status") or "",
        source=d.get("source") or "",
        received_from=d.get("received_from"),
        received_to=d.get("received_to"),
    )


# ---------------------------------------------------------------- concerns


@login_required
@application_errors
def concern_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ConcernFilterForm(request.GET or None)
    _offer_only_what_they_see(form, user)
    refuse_hidden_filters(request.GET, selectors.concern_filters_hidden_from(user))
    if user.role == "provider_user":  # neither who raised it nor other providers' names
        form.fields.pop("source")
        form.fields.pop("provider")
    qs = selectors.concern_list(actor=user, filters=_filters(form))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if selectors.can_read_risk(user):
        personal_data_read(
            actor=user,
            kind="concern",
            records=page.object_list,
            fields=CONCERN_PERSONAL_FIELDS,
            path=request.path,
        )
    context = {
        "form": form,
        "page": page,
        "can_add": bool(user.agency_id and user.has_perm("risk.add_concern", user.agency)),
        "show_identity": selectors.can_read_risk(user),
    }
    return render(request, "risk/concern_list.html", context)


def _agency_for_new(request: HttpRequest) -> Agency:
    user: Any = request.user
    if user.agency_id:
        agency = user.agency
    elif user.role != "administrator":
        raise PermissionDenied
    else:
        agency = Agency.objects.filter(pk=request.GET.get("agency") or 0).first()
        if agency is None:
            raise Http404("Choose the agency (?agency=ID).")
    if not user.has_perm("risk.add_concern", agency):
        raise PermissionDenied
    return agency


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def concern_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    agency = _agency_for_new(request)
    initial: dict[str, Any] = {"received_on": timezone.localdate(), "wants_action": True}
    if request.GET.get("contract"):
        contract = Contract.objects.filter(agency=agency, pk=request.GET["contract"]).first()
        if contract:
            initial.update(contract=contract, provider=contract.provider)
    form = ConcernForm(request.POST or None, agency=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_log(
                actor=user,
                agency=agency,
                provider=form.cleaned_data["provider"],
                data=form.service_data(),
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Concern logged; the contract's risk was recomputed.")
            return redirect("risk:concern_detail", pk=concern.pk)
    return render(request, "risk/concern_form.html", {"form": form, "concern": None})


@login_required
@application_errors
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    concern = selectors.concern_get(actor=user, pk=pk)
    show_identity = user.has_perm("risk.view_concern_identity", concern)
    can_change = user.has_perm("risk.change_concern", concern)
    if show_identity:
        personal_data_read(
            actor=user,
            kind="concern",
            records=[concern],
            fields=CONCERN_PERSONAL_FIELDS,
            path=request.path,
        )
    context = {
        "concern": concern,
        "show_identity": show_identity,
        "can_change": can_change,
        "referrals": concern.referrals.all() if show_identity else [],
        "referral_form": ReferralForm(initial={"referred_on": timezone.localdate()})
        if can_change
        else None,
        "comments": concern.provider_comments.all(),
        "can_comment": user.has_perm("risk.comment_concern", concern),
    }
    return render(request, "risk/concern_detail.html", context)


@login_required
@require_POST
@application_errors
def concern_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """seed 003: the provider's comment on the factual accuracy of a concern about it."""
    user: Any = request.user
    concern = selectors.concern_get(actor=user, pk=pk)
    try:
        services.concern_comment_add(
            actor=user, concern=concern, comment=request.POST.get("comment", "")
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your comment is sent to the contract manager.")
    return redirect("risk:concern_detail", pk=concern.pk)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def concern_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    concern = selectors.concern_get(actor=user, pk=pk)
    if not user.has_perm("risk.change_concern", concern):
        raise PermissionDenied
    initial = {name: getattr(concern, name) for name in services.CONCERN_FIELDS}
    initial["provider"] = concern.provider
    form = ConcernForm(request.POST or None, agency=concern.agency, initial=initial)
    form.fields["provider"].disabled = True
    add_version_field(form, concern)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.service_data().items()
            if k != "version" and getattr(concern, k) != v
        }
        try:
            with expecting(concern, form_version(form)):
                services.concern_update(actor=user, concern=concern, data=data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Concern saved.")
            return redirect("risk:concern_detail", pk=concern.pk)
    return render(request, "risk/concern_form.html", {"form": form, "concern": concern})


@login_required
@require_POST
@application_errors
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    concern = selectors.concern_get(actor=user, pk=pk)
    if not user.has_perm("risk.change_concern", concern):
        raise PermissionDenied
    form = ReferralForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give who it was referred to and the date (YYYY-MM-DD).")
        return redirect("risk:concern_detail", pk=pk)
    try:
        services.referral_add(actor=user, concern=concern, **form.cleaned_data)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Referral recorded.")
    return redirect("risk:concern_detail", pk=pk)


# ---------------------------------------------------------------- analysis


def _chart(rows: list[tuple[Any, int]]) -> dict[str, Any]:
    """Bars of a horizontal bar chart, laid out on the server (no script)."""
    top = max((n for _, n in rows), default=0) or 1
    bar, gap, label_w, width = 22, 8, 260, 420
    bars = [
        {
            "label": str(k)[:40],
            "count": n,
            "y": i * (bar + gap),
            "text_y": i * (bar + gap) + bar - 6,
            "width": max(1, round(width * n / top)),
            "count_x": label_w + max(1, round(width * n / top)) + 6,
        }
        for i, (k, n) in enumerate(rows[:30])
    ]
    return {
        "bars": bars,
        "height": max(1, len(bars)) * (bar + gap),
        "label_w": label_w,
        "bar_h": bar,
        "total_w": label_w + width + 60,
    }


@login_required
@application_errors
def analysis(request: HttpRequest) -> HttpResponse:
    """Quick analysis (seed 003): counts by category, provider, contract, source or month,
    with filters, a chart (SVG drawn on the server, with the same data as a table) and XLSX."""
    _internal(request)
    form = AnalysisForm(request.GET or None)
    _offer_only_what_they_see(form, request.user)
    by = "category"
    if form.is_valid() and form.cleaned_data.get("by"):
        by = form.cleaned_data["by"]
    rows = selectors.concern_counts(actor=request.user, by=by, filters=_filters(form))
    label = selectors.ANALYSIS_DIMENSIONS[by][1]
    if request.GET.get("format") == "xlsx":
        keyed = [(str(key), n) for key, n in rows]
        sheet = Sheet(f"Concerns by {label.lower()}", [label, "Concerns"], keyed)
        return attachment(
            xlsx_bytes([sheet]), content_type=XLSX_TYPE, filename=f"concerns-by-{by}.xlsx"
        )
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = {
        "form": form,
        "rows": rows,
        "label": label,
        "by": by,
        "total": sum(n for _, n in rows),
        "chart": _chart(rows),
        "export_query": query.urlencode(),
    }
    return render(request, "risk/analysis.html", context)


# ---------------------------------------------------------------- risk


@login_required
@application_errors
def portfolio(request: HttpRequest) -> HttpResponse:
    """Every contract with its rating, trend and reasons (seed 003), filterable."""
    _internal(request)
    form = PortfolioFilterForm(request.GET or None)
    _offer_only_what_they_see(form, request.user)
    d = form.cleaned_data if form.is_valid() else {}
    # the counts ignore the rating filter, so each count still says how many there are
    rows = selectors.risk_portfolio(
        actor=request.user,
        level=d.get("level") or "",
        agency=d["agency"].pk if d.get("agency") else None,
        provider=d["provider"].pk if d.get("provider") else None,
    )
    items: list[dict[str, Any]] = [
        {
            "contract": c,
            "a": a,
            "trend": scoring.trend(a.previous_rating or None, a.rating) if a else "",
        }
        for c, a in rows
    ]
    counts = {r: sum(1 for i in items if i["a"] and i["a"].rating == r) for r in scoring.RATINGS}
    if rating := d.get("rating") or "":
        items = [i for i in items if i["a"] is not None and i["a"].rating == rating]
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "risk/portfolio.html", {"form": form, "page": page, "counts": counts})


def _risk_contract(request: HttpRequest, pk: int) -> Contract:
    contract = contract_get(actor=request.user, pk=pk)
    if not request.user.has_perm("risk.view_risk", contract):
        raise Http404("No such page.")
    return contract


@login_required
@application_errors
def contract_risk(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _risk_contract(request, pk)
    assessments = list(
        RiskAssessment.objects.filter(contract=contract)
        .select_related("overridden_by")
        .order_by("-as_of", "-id")[:20]
    )
    latest = assessments[0] if assessments else None
    can_override = request.user.has_perm("risk.override_risk", contract)
    context = {
        "contract": contract,
        "latest": latest,
        "trend": scoring.trend(latest.previous_rating or None, latest.rating) if latest else "",
        "assessments": assessments,
        "can_override": can_override and latest is not None,
        "can_recompute": request.user.has_perm("risk.recompute_risk", contract),
        "override_form": OverrideForm(),
        "concerns": Concern.objects.filter(contract=contract)
        .select_related("category")
        .order_by("-received_on")[:10],
        "monitoring_labels": scoring.MONITORING_LABELS,
        "provider_comments": RiskAssessmentComment.objects.filter(assessment__contract=contract)
        .select_related("assessment")
        .order_by("-commented_on", "-id"),
    }
    return render(request, "risk/contract_risk.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def provider_view(request: HttpRequest, pk: int) -> HttpResponse:
    """seed 003: the provider's view of its contract's current risk assessment (rating, date,
    factors) and its comments on their factual accuracy; the form to comment (its own users).
    Agency readers see the same page (what the provider sees). Others 404."""
    user: Any = request.user
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("risk.view_own_risk", contract):
        raise Http404("No such page.")
    view = services.provider_risk_view(actor=user, contract=contract)
    can_comment = view is not None and user.has_perm("risk.comment_risk", contract)
    if request.method == "POST":
        if not can_comment or view is None:
            raise PermissionDenied
        try:
            services.risk_comment_add(
                actor=user, assessment=view["assessment"], comment=request.POST.get("comment", "")
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Your comment is sent to the contract manager.")
        return redirect("risk:provider_view", pk=contract.pk)
    return render(
        request,
        "risk/provider_view.html",
        {"contract": contract, "view": view, "can_comment": can_comment},
    )


@login_required
@require_POST
@application_errors
def contract_risk_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    contract = _risk_contract(request, pk)
    today = timezone.localdate()
    if action == "recompute":
        services.risk_recompute_contract(actor=user, contract=contract, as_of=today)
        messages.success(request, "Risk recomputed.")
    elif action in ("override", "review"):
        latest = RiskAssessment.latest_for(contract.pk)
        if latest is None:
            raise Http404("Not assessed yet.")
        if action == "review":
            services.risk_review(actor=user, assessment=latest, on=today)
            messages.success(request, "Review recorded.")
        else:
            form = OverrideForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose a rating and write the reason.")
            else:
                try:
                    services.risk_override(
                        actor=user,
                        assessment=latest,
                        rating=form.cleaned_data["rating"],
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationFailed as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, "Rating overridden until the next assessment.")
    else:
        raise Http404("No such action.")
    return redirect("risk:contract", pk=pk)


@login_required
@application_errors
def provider_risk(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider's ratings across agencies and its cumulative concerns (agency staff only)."""
    _internal(request)
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        raise Http404("No such provider.")
    return render(
        request,
        "risk/provider_risk.html",
        {"provider": provider, "section": provider_section(request, provider)},
    )


def provider_section(request: HttpRequest, provider: Provider) -> str:
    """The HTML section for the provider page: ratings across agencies and cumulative concerns,
    or "" for anyone who may not read risk (provider users)."""
    user: Any = request.user
    if not selectors.can_read_risk(user):
        return ""
    rows = selectors.provider_ratings(actor=user, provider=provider)
    return render_to_string(
        "risk/_provider_section.html",
        {
            "provider": provider,
            "rows": [
                {
                    "contract": c,
                    "a": a,
                    "trend": scoring.trend(a.previous_rating or None, a.rating) if a else "",
                }
                for c, a in rows
            ],
            "cumulative": selectors.provider_cumulative_concerns(actor=user, provider=provider),
        },
        request=request,
    )


def contract_panel(request: HttpRequest, contract: Contract) -> str | None:
    """The risk section of the contract page (internal readers); for the provider's own users,
    the current rating and factors with a link to comment on them (seed 003)."""
    if not request.user.has_perm("risk.view_risk", contract):
        if not request.user.has_perm("risk.view_own_risk", contract):
            return None
        view = services.provider_risk_view(actor=request.user, contract=contract)
        return render_to_string(
            "risk/_provider_panel.html", {"contract": contract, "view": view}, request=request
        )
    latest = RiskAssessment.latest_for(contract.pk)
    return render_to_string(
        "risk/_contract_panel.html",
        {
            "contract": contract,
            "latest": latest,
            "trend": scoring.trend(latest.previous_rating or None, latest.rating) if latest else "",
            "open_concerns": Concern.objects.filter(contract=contract)
            .exclude(status__in=("resolved", "closed"))
            .count(),
        },
        request=request,
    )
