"""Pages of the procurement file (seed 004, issue 22): documents of appeals, debriefings and
the RFR checklist, issuing a purchase-of-service RFR, and a provider's forms on file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from steward.core.errors import NotFoundError, ValidationFailed
from steward.core.views import application_errors
from steward.parties.models import Agency
from steward.procurement import calc, services_file
from steward.procurement import selectors_file as sf
from steward.procurement.models import (
    BidAppeal,
    DebriefingRequest,
    ProviderForm,
    ProviderFormKind,
    Solicitation,
)
from steward.procurement.selectors import bids_visible, solicitation_get
from steward.procurement.views import back_on_refusal


def file_context(
    request: HttpRequest, solicitation: Solicitation, rows: list[Any]
) -> dict[str, Any]:
    """The checklist, the documents per appeal and debriefing, and (agency view) each bidder's
    forms on file, for the procurement file page."""
    user: Any = request.user
    # the file's documents belong to debriefings and appeals (none before a debriefing)
    documents = (
        list(sf.documents_visible(actor=user, solicitation=solicitation))
        if any(row["request"] for row in rows)
        else []
    )
    by_appeal: dict[int, list[Any]] = {}
    by_debriefing: dict[int, list[Any]] = {}
    for doc in documents:
        if doc.appeal_id:
            by_appeal.setdefault(doc.appeal_id, []).append(doc)
        elif doc.debriefing_id:
            by_debriefing.setdefault(doc.debriefing_id, []).append(doc)
    checklist = sf.checklist(solicitation)
    agency_view = user.has_perm("procurement.view_scores", solicitation)
    on_file: dict[int, dict[str, Any]] = {}
    if checklist.applies and agency_view:
        on_file = services_file.forms_on_file([r["bid"].provider_id for r in rows])
    today = solicitation.agency.today()
    file_rows = []
    for row in rows:
        bid = row["bid"]
        request_ = row["request"]
        own = user.has_perm("procurement.act_for_bidder", bid)
        file_rows.append(
            {
                "bid": bid,
                "can_attach": own or user.has_perm("procurement.manage_solicitation", solicitation),
                "debriefing": request_,
                "debriefing_documents": by_debriefing.get(request_.pk, []) if request_ else [],
                "appeals": [(a, by_appeal.get(a.pk, [])) for a in row["appeals"]],
                "form_problems": [
                    text
                    for text, _ in calc.form_problems(
                        on_file=on_file.get(bid.provider_id, {}),
                        on=today,
                        electronic=solicitation.electronic_responses,
                    )
                ]
                if checklist.applies and agency_view
                else [],
            }
        )
    return {"checklist": checklist, "file_rows": file_rows}


@login_required
@require_POST
@application_errors
@back_on_refusal("procurement:detail", "pk")
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to an appeal, a debriefing or a checklist item (`target`)."""
    user: Any = request.user
    solicitation = solicitation_get(actor=user, pk=pk)
    target = request.POST.get("target", "")
    kind, _, ref = target.partition(":")
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed("Choose a file.", errors={"file": ["Choose a file."]})
    title = request.POST.get("title", "")
    bids = bids_visible(actor=user, solicitation=solicitation)
    if kind == "appeal":
        appeal = BidAppeal.objects.filter(pk=_int(ref), bid__in=bids).first()
        if appeal is None:
            raise NotFoundError("No such appeal.")
        services_file.document_add(actor=user, upload=upload, title=title, appeal=appeal)
    elif kind == "debriefing":
        debriefing = DebriefingRequest.objects.filter(pk=_int(ref), bid__in=bids).first()
        if debriefing is None:
            raise NotFoundError("No such debriefing.")
        services_file.document_add(actor=user, upload=upload, title=title, debriefing=debriefing)
    elif kind == "checklist":
        services_file.document_add(
            actor=user, upload=upload, title=title, solicitation=solicitation, checklist_item=ref
        )
    else:
        raise NotFoundError("No such place in the file.")
    messages.success(request, "Document put in the procurement file.")
    return redirect("procurement:detail", pk=pk)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise NotFoundError("Not found.") from exc


@login_required
@require_POST
@application_errors
@back_on_refusal("procurement:detail", "pk")
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    solicitation = solicitation_get(actor=request.user, pk=pk)
    services_file.solicitation_issue(actor=request.user, solicitation=solicitation)
    messages.success(request, "RFR issued: bids can now be recorded.")
    return redirect("procurement:detail", pk=pk)


@login_required
@application_errors
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = sf.document_get(actor=request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The document's file is missing.") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


class ProviderFormForm(forms.Form):
    kind = forms.ChoiceField(label="Form", choices=ProviderFormKind.choices)
    signed_on = forms.DateField(label="Signed on", widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label="Expires on", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="Reference (optional)", required=False, max_length=200)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def provider_forms(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider's signed forms on file and their expiry; procurement staff record new ones."""
    user: Any = request.user
    provider, rows = sf.provider_forms_get(actor=user, pk=pk)
    agency = Agency.objects.filter(pk=user.agency_id).first() if user.agency_id else None
    can_record = bool(agency and user.has_perm("procurement.manage_solicitation", agency))
    form = ProviderFormForm(request.POST or None)
    if request.method == "POST":
        if not can_record or agency is None:
            raise NotFoundError("No such page.")
        if form.is_valid():
            try:
                services_file.provider_form_record(
                    actor=user, agency=agency, provider=provider, **form.cleaned_data
                )
            except ValidationFailed as exc:
                for field, errs in (exc.errors or {}).items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            else:
                messages.success(request, "Form recorded on file.")
                return redirect("procurement:provider_forms", pk=provider.pk)
    today = agency.today() if agency else None
    return render(
        request,
        "procurement/provider_forms.html",
        {
            "provider": provider,
            "rows": list(rows),
            "form": form if can_record else None,
            "today": today,
        },
    )


@login_required
@application_errors
def provider_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a form's expiry due date links: the provider's forms page."""
    form = ProviderForm.objects.filter(pk=pk).first()
    if form is None:
        raise NotFoundError("No such form.")
    sf.provider_forms_get(actor=request.user, pk=form.provider_id)
    return redirect("procurement:provider_forms", pk=form.provider_id)
