"""Forms of the evaluation pages: the workflow, reports in lieu of the evaluation form (seed
000) and renewal overrides (seed 001). The services validate; these forms only shape the input
(and carry the services' refusals back onto the fields)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from steward.evaluations.models import Evaluation, InLieuKind, InLieuStatus, Rating
from steward.parties.models import Agency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DueFilterForm(forms.Form):
    """The agency filter of the due list (oversight officers and administrators only)."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), required=False, empty_label="Every agency"
    )


class ComplianceFilterForm(forms.Form):
    since = forms.DateField(
        required=False, label="Due on or after", widget=DATE, help_text="For example 2026-01-01"
    )
    until = forms.DateField(
        required=False, label="Due on or before", widget=DATE, help_text="For example 2026-12-31"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since: date | None = data.get("since")
        until: date | None = data.get("until")
        if since and until and since > until:
            self.add_error("until", "This date is before the first date.")
        return data


def _rating_name(key: str) -> str:
    return f"rating__{key}"


def _narrative_name(key: str) -> str:
    return f"narrative__{key}"


class EvaluationForm(forms.Form):
    """One rating (the pack's scale, as radio buttons) and one narrative per criterion, and the
    overall summary. Every field is optional here: the service decides what a draft may hold,
    and release checks that every criterion is rated."""

    summary = forms.CharField(
        required=False,
        label="Overall summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The overall narrative the provider reads with the score.",
    )

    def __init__(
        self, *args: Any, evaluation: Evaluation, ratings: list[Rating], **kwargs: Any
    ) -> None:
        self.evaluation = evaluation
        by_key = {r.criterion_key: r for r in ratings}
        initial: dict[str, Any] = {"summary": evaluation.summary}
        for criterion in evaluation.criteria:
            row = by_key.get(criterion["key"])
            initial[_rating_name(criterion["key"])] = None if row is None else row.rating
            initial[_narrative_name(criterion["key"])] = "" if row is None else row.narrative
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        choices = [(int(p["value"]), f"{p['value']}: {p['label']}") for p in evaluation.scale]
        for criterion in evaluation.criteria:
            key, label = criterion["key"], criterion["label"]
            self.fields[_rating_name(key)] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                label=f"{label}: rating",
                widget=forms.RadioSelect,
            )
            self.fields[_narrative_name(key)] = forms.CharField(
                required=False,
                label=f"{label}: narrative",
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="What the rating rests on: the evidence, what went well, what did not.",
            )
        self.order_fields([n for n in self.fields if n != "summary"] + ["summary"])

    def criterion_groups(self) -> list[dict[str, Any]]:
        """Each criterion with its two bound fields and the scale's options, for one fieldset
        (legend: the criterion) per criterion."""
        groups = []
        for criterion in self.evaluation.criteria:
            rating = self[_rating_name(criterion["key"])]
            current = rating.value()
            current = "" if current in (None, "") else str(current)
            options = [
                {
                    "id": f"{rating.auto_id}_{i}",
                    "value": str(p["value"]),
                    "label": p["label"],
                    "definition": p.get("definition", ""),
                    "checked": str(p["value"]) == current,
                }
                for i, p in enumerate(self.evaluation.scale)
            ]
            groups.append(
                {
                    "criterion": criterion,
                    "rating": rating,
                    "options": options,
                    "unrated": current == "",
                    "narrative": self[_narrative_name(criterion["key"])],
                }
            )
        return groups

    def values(self) -> dict[str, Any]:
        """The service's arguments: ratings, narratives (criterion key → value) and summary."""
        data = self.cleaned_data
        keys = [c["key"] for c in self.evaluation.criteria]
        return {
            "ratings": {k: data.get(_rating_name(k)) for k in keys},
            "narratives": {k: data.get(_narrative_name(k)) or "" for k in keys},
            "summary": data.get("summary") or "",
        }

    def error_field(self, name: str, message: str) -> str:
        """A service error on a criterion key lands on that criterion's rating."""
        if name in self.fields:
            return name
        if _rating_name(name) in self.fields:
            return _rating_name(name)
        return name


class CommentForm(forms.Form):
    comments = forms.CharField(
        required=False,
        label="Your comments",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Kept with the evaluation and shown with it, including to other agencies once "
        "it is finalised.",
    )
    acknowledge = forms.BooleanField(required=False, label="I acknowledge this evaluation")


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the new version. The finalised version stays as it is.",
    )


# ---------------------------------------------------------------- reports in lieu (seed 000)


class InLieuFilterForm(forms.Form):
    """The status filter of the reports in lieu."""

    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Every status"), *InLieuStatus.choices],
    )


class InLieuForm(forms.Form):
    """A report card or quality-assurance report submitted in lieu of the evaluation form
    (seed 000): a file or a link."""

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
    period_start = forms.DateField(
        required=False,
        label="Report card period: first day",
        widget=DATE,
        help_text="For a report card on all the provider's contracts with the agency: the "
        "period it covers. Leave both days blank for this contract only.",
    )
    period_end = forms.DateField(required=False, label="Report card period: last day", widget=DATE)


class InLieuDecisionForm(forms.Form):
    """The oversight officer accepts or rejects a report in lieu (seed 000)."""

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


# ---------------------------------------------------------------- renewal eligibility (seed 001)


class RenewalOverrideForm(forms.Form):
    """A senior manager's override of renewal eligibility (seed 001)."""

    justification = forms.CharField(
        required=False,
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why the contract should be renewed despite its evaluation score "
        "(at least 20 characters). It is kept on the audit trail.",
    )


class CharterReviewForm(forms.Form):
    """The Charter School Contract Review Team's review (seed 001): one met / not met choice and
    its evidence per performance requirement of the school's contract, then the outcome."""

    reviewed_on = forms.DateField(label="Date of the review", widget=DATE)
    reviewers = forms.CharField(
        required=False,
        label="Reviewers",
        help_text="The members of the team who reviewed the school",
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            ("renew", "Renew"),
            ("renew_with_conditions", "Renew with conditions"),
            ("do_not_renew", "Do not renew"),
        ],
        widget=forms.RadioSelect,
    )
    conditions = forms.CharField(
        required=False,
        label="Conditions of the renewal",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the outcome is to renew with conditions",
    )
    summary = forms.CharField(
        required=False, label="Summary", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, requirements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        for indicator in requirements:
            self.fields[f"met_{indicator.pk}"] = forms.ChoiceField(
                label=f"{indicator.name}: met?",
                choices=[("yes", "Met"), ("no", "Not met")],
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{indicator.pk}"] = forms.CharField(
                required=False,
                label=f"{indicator.name}: evidence",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="The school's data the team looked at",
            )

    def findings(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "indicator": i.pk,
                "met": data.get(f"met_{i.pk}") == "yes",
                "evidence": data.get(f"evidence_{i.pk}", ""),
            }
            for i in self.requirements
        ]

    def error_field(self, name: str, message: str) -> str:
        return name


class ReopenForm(forms.Form):
    """The reason for taking a released evaluation back to draft (kept in the history)."""

    reason = forms.CharField(
        label="Why it is reopened",
        help_text="For example: released with the wrong period's ratings.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
