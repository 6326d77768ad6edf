"""Forms of the procurement pages. They only parse input: the services validate and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from steward.core.errors import ValidationFailed
from steward.parties.models import Provider, User
from steward.procurement.calc import APPEAL_GROUND_LABELS
from steward.procurement.models import Authoriser

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parsed(form: forms.Form) -> dict[str, Any]:
    """Return the cleaned data, or raise ValidationFailed naming each bad field."""
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        summary = "; ".join(
            f"{form.fields[n].label if n in form.fields else ''}: {' '.join(m)}"
            for n, m in errors.items()
        )
        raise ValidationFailed(summary, errors=errors)
    return dict(form.cleaned_data)


class SolicitationForm(forms.Form):
    reference = forms.CharField(max_length=60)
    title = forms.CharField(max_length=250)
    service_type = forms.CharField(max_length=120, required=False)
    estimated_value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    best_value_exemption = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Best Value exemption",
        help_text="Above the threshold and not tendered: the Best Value analysis.",
    )
    debriefing_contact = forms.CharField(
        max_length=250,
        required=False,
        label="Debriefing requests go to",
        help_text="The person the RFR names, with how to reach them.",
    )
    appeal_contact = forms.CharField(
        max_length=250,
        required=False,
        label="Appeals go to",
        help_text="The person the RFR names, with how to reach them.",
    )
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Evaluation criteria and weights",
        help_text="One a line, as name: weight (for example Quality: 60).",
    )

    def clean_criteria(self) -> list[tuple[str, Decimal]]:
        rows = []
        for line in self.cleaned_data["criteria"].splitlines():
            if not line.strip():
                continue
            name, sep, weight = line.rpartition(":")
            try:
                value = Decimal(weight.strip())
            except Exception:
                value = Decimal(0)
            if not sep or not name.strip() or value <= 0:
                raise forms.ValidationError(
                    f"Write “{line.strip()}” as name: weight (a positive number)."
                )
            rows.append((name.strip(), value))
        if not rows:
            raise forms.ValidationError("Give at least one criterion.")
        return rows


class BidForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), label="Provider")
    price = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    received_on = forms.DateField(widget=DATE, label="Received on")

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    bid = forms.TypedChoiceField(coerce=int, label="Bid")
    criterion = forms.TypedChoiceField(coerce=int, label="Criterion")
    score = forms.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, label="Score (0–100)"
    )

    def __init__(self, *args: Any, bids: Any, criteria: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [(b.pk, f"{b.pk}: {b.provider}") for b in bids]  # type: ignore[attr-defined]
        self.fields["criterion"].choices = [(c.pk, str(c)) for c in criteria]  # type: ignore[attr-defined]


class AwardForm(forms.Form):
    bid = forms.TypedChoiceField(coerce=int, label="Winning bid")
    number = forms.CharField(max_length=60, label="Contract number")
    start_date = forms.DateField(widget=DATE, label="Contract starts")
    end_date = forms.DateField(widget=DATE, label="Contract ends")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason for the award",
        help_text="Needed when the winning bid is not the top-ranked one.",
    )

    def __init__(self, *args: Any, bids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [(b.pk, f"{b.pk}: {b.provider}") for b in bids]  # type: ignore[attr-defined]


class ReceivedForm(forms.Form):
    """The day a letter or email from a bidder was received (staff record it)."""

    on = forms.DateField(widget=DATE, label="Received on")


class ScheduleForm(forms.Form):
    meeting_on = forms.DateField(widget=DATE, label="Meeting set for")
    scheduled_on = forms.DateField(widget=DATE, label="Scheduled on")


class DateForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Date")


class WindowsForm(forms.Form):
    request_days = forms.IntegerField(
        min_value=0, required=False, label="Days to request a debriefing"
    )
    meeting_days = forms.IntegerField(min_value=0, required=False, label="Days to hold the meeting")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the change"
    )


class MeetingForm(forms.Form):
    held_on = forms.DateField(widget=DATE, label="Held on")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Who attended")
    discussion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What was discussed"
    )


class AppealForm(forms.Form):
    ground = forms.ChoiceField(
        choices=[(g.value, label) for g, label in APPEAL_GROUND_LABELS.items()]
        + [("other", "Another ground")],
        widget=forms.RadioSelect,
        label="Ground of appeal",
        help_text="Appeals are considered only on the first two grounds.",
    )
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Your appeal")


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("upheld", "Upheld"), ("dismissed", "Dismissed")], label="Decision"
    )
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reasons")
    decided_on = forms.DateField(widget=DATE, label="Decided on")


class PlacementForm(forms.Form):
    case_reference = forms.CharField(max_length=40, label="Case reference")
    category = forms.ChoiceField(
        choices=[("A", "A"), ("B", "B"), ("C", "C")], label="Authorisation category"
    )
    authoriser = forms.ChoiceField(choices=Authoriser.choices, label="Authorised by")
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, label="Cost of the purchase"
    )
    specification_of_need = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Individual specification of need (Schedule C)",
    )
    start_date = forms.DateField(widget=DATE, label="Start")
    anticipated_end = forms.DateField(widget=DATE, label="Anticipated end")


class PlacementEndForm(forms.Form):
    ended_on = forms.DateField(widget=DATE, label="Ended on")
    reason = forms.CharField(max_length=500, label="Reason")


class CapacityForm(forms.Form):
    places = forms.IntegerField(min_value=0, label="Capacity (places)")


class TerminationForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why terminate early")
    alternative_providers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Alternative providers (supply repercussions)",
    )
    notice_period_days = forms.IntegerField(min_value=0, label="Contractual notice period (days)")
    notice_on = forms.DateField(widget=DATE, label="Date of the written notice")


class LimitForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, label="Delegated limit (up to and including)"
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff  # type: ignore[attr-defined]
