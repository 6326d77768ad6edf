"""Forms of the sharing pages: reports in lieu of the evaluation form (seed 000) and renewal
overrides (seed 001). The services validate; these forms only shape the input and carry the
services' refusals back onto the fields."""

from __future__ import annotations

from django import forms

from steward.evaluations.models import InLieuKind, InLieuStatus


class InLieuFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Every status"), *InLieuStatus.choices],
    )


class InLieuForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of report",
        choices=[("", "- Select -"), *InLieuKind.choices],
        required=False,
    )
    title = forms.CharField(max_length=200, required=False, label="Title")
    summary = forms.CharField(
        required=False,
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the report covers and what it finds about the provider's performance.",
    )
    link = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=500,
        label="Link to the report",
        help_text="Where the report is published, for example https://example.gov/report.pdf",
    )
    file = forms.FileField(
        required=False,
        label="Report file",
        help_text="PDF, Word, Excel, OpenDocument, CSV, text or an image. Attach the report "
        "or give a link to it.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("", "- Select -"),
            ("accept", "Accept in lieu of the evaluation form"),
            ("reject", "Reject"),
        ],
    )
    reason = forms.CharField(
        required=False,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you reject the report; the agency reads it.",
    )


class OverrideForm(forms.Form):
    justification = forms.CharField(
        required=False,
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why the contract should be renewed despite its evaluation score "
        "(at least 20 characters). It is kept on the audit trail.",
    )
