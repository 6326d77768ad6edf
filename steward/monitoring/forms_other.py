"""Forms of the calendar, action follow-up, review meeting and report pages. Field names are
the services' keyword names, so a service's refusal lands on the field it is about."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthForm(forms.Form):
    """?month=YYYY-MM on the calendar page."""

    month = forms.CharField(
        label="Month",
        required=False,
        max_length=7,
        help_text="Written YYYY-MM, for example 2027-03.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{4}-\d{2}"}),
    )

    def clean_month(self) -> date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError("Write the month as YYYY-MM, for example 2027-03.")
        return date(int(match.group(1)), int(match.group(2)), 1)


class ActionDoneForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=2000)


class ReviewForm(forms.Form):
    """Record a review meeting as held (seed 003)."""

    held_on = forms.DateField(
        label="Held on",
        widget=DATE,
        error_messages={"required": "Say when the review was held."},
    )
    chair = forms.CharField(
        label="Chaired by",
        max_length=200,
        help_text="Seed 003: an operational manager chairs review meetings.",
        error_messages={"required": "Say who chaired the review."},
    )
    attendees = forms.CharField(
        label="Attendees",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who attended, one a line.",
    )
    contract_manager_attended = forms.BooleanField(
        label="The contract manager attended",
        required=False,
        help_text="Seed 003: the contract manager attends the annual review.",
    )
    minutes = forms.CharField(
        label="Minutes",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Record the minutes."},
    )


class ExceptionFilterForm(forms.Form):
    since = forms.DateField(
        label="Appeals lodged since",
        required=False,
        widget=DATE,
        help_text="Defaults to six months ago.",
    )
    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        if agencies is None:
            del self.fields["agency"]
        else:
            field = self.fields["agency"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Every agency"), *agencies]


class ServicesReportForm(forms.Form):
    """Stage 10: the half-year and the contract manager's recommendations."""

    period_start = forms.TypedChoiceField(
        label="Half-year",
        coerce=date.fromisoformat,
        help_text="The reporting half-years follow your agency's fiscal year.",
    )
    recommendations = forms.CharField(
        label="Recommendations to the commissioning body",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write the recommendations."},
    )

    def __init__(self, *args: Any, periods: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        field = self.fields["period_start"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = periods
        self.fields["period_start"].widget = forms.RadioSelect(choices=periods)
