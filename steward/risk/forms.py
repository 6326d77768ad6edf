"""Forms of the concerns and risk pages. They only parse input: the services validate."""

from __future__ import annotations

from typing import Any

from django import forms

from steward.contracts.models import Contract
from steward.parties.models import Agency, Provider, User
from steward.risk.models import (
    ConcernCategory,
    ConcernChannel,
    ConcernKind,
    ConcernSource,
    ConcernStatus,
    ReferralParty,
    RiskRating,
    Severity,
)
from steward.risk.selectors import ANALYSIS_DIMENSIONS, categories_for

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any, label: str = "Any") -> list[tuple[str, str]]:
    return [("", label), *choices]


class ConcernForm(forms.Form):
    """Log or change a concern (seed 003)."""

    provider = forms.ModelChoiceField(queryset=Provider.objects.order_by("legal_name"))
    contract = forms.ModelChoiceField(
        queryset=Contract.objects.none(),
        required=False,
        help_text="Leave empty when the concern is about the provider as a whole.",
    )
    kind = forms.ChoiceField(choices=ConcernKind.choices, label="Type")
    received_on = forms.DateField(widget=DATE_WIDGET, label="Date received")
    source = forms.ChoiceField(choices=ConcernSource.choices, label="Raised by (kind of person)")
    channel = forms.ChoiceField(choices=ConcernChannel.choices, label="How it was received")
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=ConcernCategory.objects.none()
    )
    severity = forms.ChoiceField(choices=Severity.choices)
    summary = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea)
    wants_action = forms.BooleanField(
        required=False, initial=True, label="The person wants action (untick: information only)"
    )
    complainant_reference = forms.CharField(
        max_length=60,
        required=False,
        label="Complainant case reference",
        help_text="A case reference, not a name. Never shown to the provider.",
    )
    status = forms.ChoiceField(choices=ConcernStatus.choices, initial=ConcernStatus.OPEN)
    responsible = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Responsible officer"
    )
    provider_procedure_started_on = forms.DateField(
        widget=DATE_WIDGET, required=False, label="Provider's own complaints procedure started"
    )
    provider_procedure_due_on = forms.DateField(
        widget=DATE_WIDGET, required=False, label="Provider's procedure to conclude by"
    )
    provider_procedure_outcome = forms.CharField(
        widget=forms.Textarea, required=False, label="Outcome of the provider's procedure"
    )
    provider_procedure_resolved_on = forms.DateField(
        widget=DATE_WIDGET, required=False, label="Provider's procedure concluded on"
    )
    resolved_on = forms.DateField(widget=DATE_WIDGET, required=False, label="Resolved on")
    resolution = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_for(agency)  # type: ignore[attr-defined]
        self.fields["contract"].queryset = (  # type: ignore[attr-defined]
            Contract.objects.filter(agency=agency).exclude(status="draft").order_by("number")
        )
        self.fields["responsible"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            agency=agency, is_active=True
        ).order_by("username")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("provider", None)
        return data


class ReferralForm(forms.Form):
    party = forms.ChoiceField(choices=ReferralParty.choices, label="Referred to")
    referred_on = forms.DateField(widget=DATE_WIDGET, label="Referred on")
    outcome = forms.CharField(widget=forms.Textarea, required=False)
    outcome_on = forms.DateField(widget=DATE_WIDGET, required=False, label="Outcome on")


class ConcernFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=_blank(ConcernKind.choices), required=False, label="Type")
    severity = forms.ChoiceField(choices=_blank(Severity.choices), required=False)
    status = forms.ChoiceField(choices=_blank(ConcernStatus.choices), required=False)
    source = forms.ChoiceField(choices=_blank(ConcernSource.choices), required=False)
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.order_by("legal_name"), required=False, empty_label="Any"
    )
    received_from = forms.DateField(widget=DATE_WIDGET, required=False, label="Received from")
    received_to = forms.DateField(widget=DATE_WIDGET, required=False, label="Received to")


class AnalysisForm(ConcernFilterForm):
    by = forms.ChoiceField(
        choices=[(k, v[1]) for k, v in ANALYSIS_DIMENSIONS.items()],
        required=False,
        label="Count by",
    )


class PortfolioFilterForm(forms.Form):
    rating = forms.ChoiceField(choices=_blank(RiskRating.choices), required=False)
    level = forms.ChoiceField(
        choices=_blank(
            [("light", "Light (desk only)"), ("standard", "Standard"), ("enhanced", "Enhanced")]
        ),
        required=False,
        label="Monitoring level",
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), required=False, empty_label="Any"
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.order_by("legal_name"), required=False, empty_label="Any"
    )


class OverrideForm(forms.Form):
    rating = forms.ChoiceField(choices=RiskRating.choices, label="Rating to apply")
    reason = forms.CharField(widget=forms.Textarea, label="Why the computed rating is overridden")
