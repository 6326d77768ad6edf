"""Forms of the procurement pages. They only parse input: the services validate and write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from steward.core.concurrency import VersionField
from steward.core.errors import ValidationFailed
from steward.parties.models import Provider, Role, User
from steward.procurement.calc import APPEAL_GROUND_LABELS
from steward.procurement.models import (
    OutcomeProgress,
    PlanKind,
    PromotionRisk,
    ProviderResponsibility,
)

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
    #: the solicitation's version the person started from (docs/security.md §6)
    version = VersionField()


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


def _staff(agency: Any, role: str) -> Any:
    return User.objects.filter(agency=agency, role=role, is_active=True).order_by(
        "last_name", "first_name"
    )


class PlacementForm(forms.Form):
    """seed 003 categories A and B (C starts with a referral to the group)."""

    case_reference = forms.CharField(max_length=40, label="Case reference")
    category = forms.ChoiceField(
        choices=[("A", "A: criteria met"), ("B", "B: Community Resource Group and budget holder")],
        label="Authorisation category (the contract's)",
    )
    crg_decided_on = forms.DateField(
        widget=DATE, required=False, label="Community Resource Group decision date (category B)"
    )
    crg_decision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Community Resource Group decision (category B)",
    )
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, label="Cost of the purchase"
    )
    key_worker = forms.ModelChoiceField(queryset=User.objects.none(), label="Key worker")
    reviewing_officer = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Reviewing officer"
    )
    needs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="The child's needs"
    )
    start_date = forms.DateField(widget=DATE, label="Start")
    anticipated_end = forms.DateField(widget=DATE, label="Anticipated end")
    over_capacity_reason = forms.CharField(
        required=False, label="Why beyond the contract's places (only when all are taken)"
    )

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].queryset = _staff(agency, Role.KEY_WORKER)  # type: ignore[attr-defined]
        self.fields["reviewing_officer"].queryset = _staff(agency, Role.REVIEWING_OFFICER)  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    """seed 003: the lead professional's referral to the Resource Allocation Group."""

    case_reference = forms.CharField(max_length=40, label="Case reference")
    service_type = forms.CharField(max_length=120, label="Service needed")
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.order_by("legal_name"), required=False, label="Provider proposed"
    )
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Cost")
    start_date = forms.DateField(widget=DATE, label="Intended start")
    anticipated_end = forms.DateField(widget=DATE, label="Anticipated end")
    key_worker = forms.ModelChoiceField(queryset=User.objects.none(), label="Key worker")
    reviewing_officer = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Reviewing officer"
    )
    lead_information = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Information for the group's decision (feeds Schedule C)",
    )

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].queryset = _staff(agency, Role.KEY_WORKER)  # type: ignore[attr-defined]
        self.fields["reviewing_officer"].queryset = _staff(agency, Role.REVIEWING_OFFICER)  # type: ignore[attr-defined]


class RagDecisionForm(forms.Form):
    place = forms.TypedChoiceField(
        choices=[("yes", "Place the child"), ("no", "Do not place")],
        coerce=lambda v: v == "yes",
        label="The group's decision",
    )
    decided_on = forms.DateField(widget=DATE, label="Date of the decision")
    decision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="The decision as minuted"
    )


class SpecificationForm(forms.Form):
    """seed 003 Schedule C: needs, outcomes (one here; more can be added), support, reviews."""

    needs = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="The child's needs")
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Outcome agreed for the child"
    )
    plan_kind = forms.ChoiceField(choices=PlanKind.choices, label="The child's plan")
    plan_reference = forms.CharField(max_length=60, label="Plan reference")
    responsibility = forms.ChoiceField(
        choices=ProviderResponsibility.choices, label="The provider's responsibility"
    )
    milestones = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Milestones (when the provider is responsible for milestones)",
    )
    support = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Support to be provided"
    )
    review_dates = forms.CharField(
        label="Review dates",
        help_text="One or more dates, as YYYY-MM-DD, separated by commas",
    )

    def clean_review_dates(self) -> list[date]:
        days = []
        for part in self.cleaned_data["review_dates"].replace(";", ",").split(","):
            if part.strip():
                try:
                    days.append(date.fromisoformat(part.strip()))
                except ValueError as exc:
                    raise forms.ValidationError(f"{part.strip()} is not a date.") from exc
        return days


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Outcome agreed for the child"
    )
    plan_kind = forms.ChoiceField(choices=PlanKind.choices, label="The child's plan")
    plan_reference = forms.CharField(max_length=60, label="Plan reference")
    responsibility = forms.ChoiceField(
        choices=ProviderResponsibility.choices, label="The provider's responsibility"
    )
    milestones = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Milestones"
    )


class IssueForm(forms.Form):
    contract: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label="Contract (model terms)",
    )
    over_capacity_reason = forms.CharField(
        required=False, label="Why beyond the contract's places (only when all are taken)"
    )

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


class SignedForm(forms.Form):
    signed_on = forms.DateField(widget=DATE, label="Signed on")


class MoveForm(forms.Form):
    to_contract: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label="Move to contract",
    )
    moved_on = forms.DateField(widget=DATE, label="Moved on")
    reason = forms.CharField(max_length=500, label="Reason")

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_contract"].queryset = contracts  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    """A placement review: one progress field per outcome (added in __init__), the actions."""

    held_on = forms.DateField(widget=DATE, label="Held on")
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Actions for the child"
    )

    def __init__(self, *args: Any, outcomes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_ids = []
        for outcome in outcomes:
            self.outcome_ids.append(outcome.pk)
            self.fields[f"progress_{outcome.pk}"] = forms.ChoiceField(
                choices=OutcomeProgress.choices, label=f"Progress: {outcome.outcome[:80]}"
            )
            self.fields[f"note_{outcome.pk}"] = forms.CharField(
                required=False, label=f"Note on: {outcome.outcome[:80]}"
            )

    def progress(self) -> dict[int, tuple[str, str]]:
        return {
            pk: (self.cleaned_data[f"progress_{pk}"], self.cleaned_data.get(f"note_{pk}", ""))
            for pk in self.outcome_ids
        }


class TerminationRequestForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why the contract should end early"
    )


class DeclineForm(forms.Form):
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why the contract continues"
    )


class PlacementEndForm(forms.Form):
    ended_on = forms.DateField(widget=DATE, label="Ended on")
    reason = forms.CharField(max_length=500, label="Reason")


class CapacityForm(forms.Form):
    places = forms.IntegerField(min_value=0, label="Capacity (places)")
    #: the capacity's version the person started from (docs/security.md §6)
    version = VersionField()


class TerminationForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why terminate early")
    alternative_providers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Alternative providers (supply repercussions)",
    )
    notice_period_days = forms.IntegerField(min_value=0, label="Contractual notice period (days)")
    capacity_clause = forms.CharField(
        required=False, label="Contract terms that allow the termination (contractual capacity)"
    )
    notice_on = forms.DateField(widget=DATE, label="Date of the written notice")


class LimitForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, label="Delegated limit (up to and including)"
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff  # type: ignore[attr-defined]


class ProcurementRecordForm(forms.Form):
    """seed 003: how a contract was procured (the Best Value analysis, the advertisement, the
    risk assessment of an opportunity under the threshold)."""

    best_value_analysis = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Best Value analysis",
        help_text="Not tendered above the threshold: why the contract did not require tendering.",
    )
    best_value_document = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Or the Best Value analysis as a document held with the contract",
    )
    advertised_on_council_website = forms.BooleanField(
        required=False, label="Advertised on the Council's website"
    )
    advertised_on_pcs = forms.BooleanField(
        required=False, label="Advertised on Public Contracts Scotland"
    )
    advertised_on = forms.DateField(required=False, widget=DATE, label="Advertised on")
    advertisement_reference = forms.CharField(
        required=False, max_length=120, label="Advertisement reference"
    )
    promotion_risk = forms.ChoiceField(
        required=False,
        choices=[("", "Not assessed"), *PromotionRisk.choices],
        label="Risk of the opportunity (under the threshold)",
    )
    risk_assessment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Risk assessment",
        help_text="How far the opportunity was promoted, and why.",
    )

    def __init__(self, *args: Any, documents: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["best_value_document"].choices = [  # type: ignore[attr-defined]
            ("", "No document"),
            *((d.pk, d.title) for d in documents),
        ]
