"""Operational monitoring report templates (issued by the contract manager) and the reports
operational teams file on a contract (seed 003). No JavaScript: a template's form has a fixed
number of question rows; blank rows are left out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.contracts.selectors import contract_get
from steward.core.errors import NotFoundError, TransitionNotAllowed, ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.monitoring import opsanswers
from steward.monitoring import services_opsreports as services
from steward.monitoring.models import OperationalReport, OperationalReportTemplate
from steward.parties.models import Role

ROWS = 8
TYPE_CHOICES = [("", "—"), *opsanswers.ANSWER_TYPES.items()]


class TemplateForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title")
    service_type = forms.CharField(
        max_length=120,
        required=False,
        label="Service type",
        help_text="Leave blank for every service type of the agency.",
    )

    def __init__(self, *args: Any, rows: int = ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for n in range(rows):
            self.fields[f"q{n}_prompt"] = forms.CharField(
                required=False, max_length=300, label=f"Question {n + 1}"
            )
            self.fields[f"q{n}_type"] = forms.ChoiceField(
                required=False, choices=TYPE_CHOICES, label=f"Answer type for question {n + 1}"
            )
            self.fields[f"q{n}_required"] = forms.BooleanField(
                required=False, initial=True, label=f"Question {n + 1} must be answered"
            )

    def question_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"q{n}_prompt"], self[f"q{n}_type"], self[f"q{n}_required"])
            for n in range(self.rows)
        ]

    def questions(self) -> list[dict[str, Any]]:
        data, out = self.cleaned_data, []
        self._rows_used: list[int] = []
        for n in range(self.rows):
            prompt, kind = data.get(f"q{n}_prompt", ""), data.get(f"q{n}_type", "")
            if prompt or kind:
                self._rows_used.append(n)
                out.append(
                    {"prompt": prompt, "answer_type": kind, "required": data[f"q{n}_required"]}
                )
        return out

    def error_field(self, name: str, message: str) -> str:
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "questions":
            row = self._rows_used[int(parts[1])]
            return f"q{row}_prompt" if parts[2] == "prompt" else f"q{row}_type"
        if name == "questions":
            return "q0_prompt"
        return name


def _initial(template: OperationalReportTemplate) -> dict[str, Any]:
    initial: dict[str, Any] = {"title": template.title, "service_type": template.service_type}
    for n, q in enumerate(template.questions):
        initial[f"q{n}_prompt"] = q["prompt"]
        initial[f"q{n}_type"] = q["answer_type"]
        initial[f"q{n}_required"] = q.get("required", True)
    return initial


def _agency_templates(user: Any) -> Any:
    qs = OperationalReportTemplate.objects.select_related("agency", "issued_by")
    if user.role == Role.ADMINISTRATOR:
        return qs
    if user.role == Role.OVERSIGHT_OFFICER:
        limit = (user.jurisdiction or "").strip()
        return qs.filter(agency__jurisdiction__iexact=limit) if limit else qs
    if not user.agency_id or not user.is_agency_staff:
        raise NotFoundError("No such page.")
    return qs.filter(agency_id=user.agency_id)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def ops_templates(request: HttpRequest) -> HttpResponse:
    """The agency's operational monitoring report templates, and the form to issue one (the
    contract manager)."""
    user: Any = request.user
    rows = _agency_templates(user)
    agency = user.agency if user.agency_id else None
    can_issue = agency is not None and user.has_perm("monitoring.issue_report_template", agency)
    form = TemplateForm(request.POST or None, initial={f"q{n}_required": True for n in range(ROWS)})
    if request.method == "POST":
        if not can_issue or agency is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                template = services.report_template_issue(
                    actor=user,
                    agency=agency,
                    title=form.cleaned_data["title"],
                    service_type=form.cleaned_data["service_type"],
                    questions=form.questions(),
                    today=agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Template issued to the operational teams.")
                return redirect("monitoring:ops_template", pk=template.pk)
    return render(
        request,
        "monitoring/ops_templates.html",
        {"rows": rows, "form": form, "can_issue": can_issue},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def ops_template(request: HttpRequest, pk: int) -> HttpResponse:
    """One template: its questions, its versions, and the form to change it (a new version once
    a report used it)."""
    user: Any = request.user
    template = _agency_templates(user).filter(pk=pk).first()
    if template is None:
        raise NotFoundError("No such template.")
    can_change = (
        user.has_perm("monitoring.issue_report_template", template.agency)
        and not template.withdrawn
    )
    rows_n = max(ROWS, len(template.questions) + 2)
    form = TemplateForm(request.POST or None, rows=rows_n, initial=_initial(template))
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                revised = services.report_template_revise(
                    actor=user,
                    template=template,
                    title=form.cleaned_data["title"],
                    service_type=form.cleaned_data["service_type"],
                    questions=form.questions(),
                    today=template.agency.today(),
                )
            except (ValidationFailed, TransitionNotAllowed) as exc:
                apply_errors(form, exc)
            else:
                if revised.pk != template.pk:
                    messages.success(
                        request,
                        f"Version {revised.version} issued; reports already filed keep the "
                        "questions they answered.",
                    )
                else:
                    messages.success(request, "Template changed.")
                return redirect("monitoring:ops_template", pk=revised.pk)
    versions = []
    older = template.previous
    while older is not None:
        versions.append(older)
        older = older.previous
    newer = OperationalReportTemplate.objects.filter(previous=template).first()
    return render(
        request,
        "monitoring/ops_template.html",
        {
            "template": template,
            "types": opsanswers.ANSWER_TYPES,
            "form": form,
            "can_change": can_change,
            "used": template.reports.count(),
            "versions": versions,
            "newer": newer,
        },
    )


def _contract(user: Any, pk: int) -> Any:
    contract = contract_get(actor=user, pk=pk)
    if not user.has_perm("monitoring.view_internal", contract):
        raise NotFoundError("No such contract.")
    return contract


@login_required
@application_errors
def ops_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The operational teams' reports on a contract, and the templates to file one on."""
    user: Any = request.user
    contract = _contract(user, pk)
    reports = OperationalReport.objects.filter(contract=contract).select_related(
        "template", "filed_by"
    )
    return render(
        request,
        "monitoring/ops_reports.html",
        {
            "contract": contract,
            "reports": reports,
            "templates": services.templates_for(contract),
            "types": opsanswers.ANSWER_TYPES,
            "can_file": user.has_perm("monitoring.file_operational_report", contract),
        },
    )


class ReportForm(forms.Form):
    period_start = forms.DateField(
        label="Period from", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label="Period to", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name, label, required = f"a_{q['key']}", q["prompt"], q.get("required", True)
            kind = q["answer_type"]
            field: forms.Field
            if kind == "yes_no":
                field = forms.ChoiceField(
                    choices=[("", "—"), ("yes", "Yes"), ("no", "No")], required=False, label=label
                )
            elif kind == "number":
                field = forms.DecimalField(required=False, label=label, help_text="0 or more")
            elif kind == "rating":
                field = forms.ChoiceField(
                    choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))],
                    required=False,
                    label=label,
                    help_text="1 (poor) to 5 (excellent)",
                )
            else:
                field = forms.CharField(
                    required=False, label=label, widget=forms.Textarea(attrs={"rows": 3})
                )
            field.required = required
            self.fields[name] = field

    def answers(self) -> dict[str, Any]:
        out = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"a_{q['key']}")
            if value not in (None, ""):
                out[q["key"]] = str(value)
        return out

    def error_field(self, name: str, message: str) -> str:
        if name.startswith("answers."):
            return "a_" + name.split(".", 1)[1]
        return name


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def ops_report_new(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    """File a report on the contract, answering one template's questions."""
    user: Any = request.user
    contract = _contract(user, pk)
    if not user.has_perm("monitoring.file_operational_report", contract):
        raise PermissionDenied
    template = services.templates_for(contract).filter(pk=template_pk).first()
    if template is None:
        raise NotFoundError("No such template.")
    form = ReportForm(request.POST or None, questions=template.questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.operational_report_file(
                actor=user,
                contract=contract,
                template=template,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                answers=form.answers(),
                today=contract.agency.today(),
            )
        except (ValidationFailed, TransitionNotAllowed) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Report filed and sent to the contract manager.")
            return redirect("monitoring:ops_reports", pk=contract.pk)
    return render(
        request,
        "monitoring/ops_report_new.html",
        {"contract": contract, "template": template, "form": form},
    )
