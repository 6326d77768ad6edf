"""Forms of the performance pages. Each form's field list is the service's."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.parties.models import InspectionRating
from steward.performance import services
from steward.performance.models import (
    Indicator,
    IndicatorDefinition,
    Milestone,
    Plan,
    Return,
    Specification,
    Survey,
)

DATE = forms.DateInput(attrs={"type": "date"})


class DefinitionForm(forms.ModelForm):
    class Meta:
        model = IndicatorDefinition
        fields = list(services.DEFINITION_FIELDS)
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(forms.ModelForm):
    library = forms.ModelChoiceField(
        queryset=IndicatorDefinition.objects.none(),
        required=False,
        label="From the agency's library",
        help_text="Copies the definition; the fields below then set the target and the rest.",
    )

    class Meta:
        model = Indicator
        fields = list(services.INDICATOR_FIELDS)
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"target": "In the indicator's unit", "baseline": "Where the service starts"}

    def __init__(self, *args: Any, agency_id: int | None = None, new: bool = True, **kw: Any):
        super().__init__(*args, **kw)
        if new and agency_id:
            library = self.fields["library"]
            assert isinstance(library, forms.ModelChoiceField)
            library.queryset = IndicatorDefinition.objects.filter(agency_id=agency_id)
            # With a library definition these may be left blank (the service copies them).
            for name in services.DEFINITION_FIELDS:
                self.fields[name].required = False
        else:
            del self.fields["library"]

    def _post_clean(self) -> None:  # the service validates the model
        pass


class SpecificationForm(forms.ModelForm):
    class Meta:
        model = Specification
        fields = ["service_standards", "outcomes"]


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "achieved_on"]
        widgets = {"due_on": DATE, "achieved_on": DATE}


#: the model's help text names its source (seed 001, for developers); the form says it plainly
STATUS_MEETINGS_HINT = "When MPS and the contractor meet on progress"


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = list(services.PLAN_FIELDS)
        widgets = {
            "desired_outcomes": forms.Textarea(attrs={"rows": 3}),
            "agreed_expectations": forms.Textarea(attrs={"rows": 3}),
            "status_meetings": forms.Textarea(attrs={"rows": 2}),
            "reports": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"status_meetings": STATUS_MEETINGS_HINT}

    def _post_clean(self) -> None:
        pass


class PlanTimelineForm(forms.ModelForm):
    """The plan's timeline of data (seed 001), kept by Research, Assessment and Data."""

    class Meta:
        model = Plan
        fields = ["return_frequency", "status_meetings", "reports"]
        widgets = {
            "status_meetings": forms.Textarea(attrs={"rows": 2}),
            "reports": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"status_meetings": STATUS_MEETINGS_HINT}

    def _post_clean(self) -> None:
        pass


class MetricsSignOffForm(forms.Form):
    """Procurement's sign-off on the performance metrics (seed 001)."""

    developed_with_sponsor = forms.BooleanField(
        label="These performance metrics were developed by the contract's sponsor with us",
        required=True,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PlanResponseForm(forms.Form):
    """The provider's answer to a proposed version of the plan (seed 001)."""

    answer = forms.ChoiceField(
        label="Your answer",
        choices=[
            ("agree", "We agree this version of the plan"),
            ("comment", "We ask for changes (say which below)"),
        ],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Your comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you ask for changes.",
    )


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = list(services.SURVEY_FIELDS)
        widgets = {"conducted_on": DATE, "comments": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass


class InspectionForm(forms.ModelForm):
    link = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = InspectionRating
        fields = list(services.INSPECTION_FIELDS)
        widgets = {"inspected_on": DATE}

    def _post_clean(self) -> None:
        pass


class ReturnForm(forms.Form):
    """The values of every indicator of the contract (blank: no data), volumes and costs;
    a correction also asks for the reason."""

    def __init__(
        self, *args: Any, ret: Return, indicators: list[Indicator], correcting: bool, **kw: Any
    ):
        initial = {name: getattr(ret, name) for name in services.VOLUME_FIELDS}
        for v in ret.values.all():
            initial[f"indicator_{v.indicator_id}"] = v.value
        kw.setdefault("initial", initial)
        super().__init__(*args, **kw)
        self.indicators = indicators
        for ind in indicators:
            self.fields[f"indicator_{ind.pk}"] = forms.DecimalField(
                label=f"{ind.name} ({ind.get_unit_display().lower()})",
                required=False,
                max_digits=14,
                decimal_places=2,
                help_text=f"Target {ind.target.normalize():,f}; "
                f"{ind.get_direction_display().lower()}. Leave blank when there is no data.",
            )
        self.fields["units_delivered"] = forms.DecimalField(
            required=False, min_value=0, max_digits=14, decimal_places=2
        )
        for name in ("referrals", "starts", "leavers"):
            self.fields[name] = forms.IntegerField(required=False, min_value=0)
        self.fields["costs"] = forms.DecimalField(
            required=False, min_value=0, max_digits=14, decimal_places=2
        )
        if correcting:
            self.fields["reason"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Why the submitted return is corrected (kept on the audit trail).",
            )

    def values(self) -> dict[int, Any]:
        return {ind.pk: self.cleaned_data.get(f"indicator_{ind.pk}") for ind in self.indicators}

    def volumes(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.VOLUME_FIELDS}

    def error_field(self, name: str, message: str) -> str:
        if name.startswith("values."):
            return f"indicator_{name.split('.', 1)[1]}"
        return name


class EvidenceForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    file = forms.FileField(help_text="PDF, Word, Excel, OpenDocument, CSV, text or an image.")


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Contract, title or provider")
    only = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[
            ("", "Every live contract"),
            ("missing_returns", "With missing returns"),
            ("no_indicators", "Without indicators"),
        ],
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Returns file (CSV or XLSX)")
