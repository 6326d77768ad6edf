"""Forms of the commissioning pages."""

from __future__ import annotations

from django import forms

from steward.commissioning.models import Decision, IntelligenceKind
from steward.parties.models import Provider


class NeedsImportForm(forms.Form):
    file = forms.FileField(label="Needs analysis (CSV or XLSX)")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices)
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = forms.DateField(label="Decided on", widget=forms.DateInput(attrs={"type": "date"}))


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label="What it is", choices=IntelligenceKind.choices)
    text = forms.CharField(label="What was found", widget=forms.Textarea(attrs={"rows": 4}))
    provider = forms.ModelChoiceField(
        label="Provider (optional)", queryset=Provider.objects.none(), required=False
    )
    service_type = forms.CharField(label="Service type (optional)", required=False, max_length=120)
    partner = forms.CharField(
        label="Council or organisation to commission with (joint commissioning only)",
        required=False,
        max_length=200,
    )
    recorded_on = forms.DateField(
        label="Recorded on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, providers: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if providers is not None:
            self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


class AreaForm(forms.Form):
    area = forms.CharField(
        label="Area its places serve (leave blank to clear)", required=False, max_length=120
    )
