"""Forms of the monitoring pages: the cycle's stages, the action plan's follow-up, review
meetings, the calendar and the reports. Field names are the services' keyword names (and the
keys of their errors), so a service's refusal lands on the field it is about. The services
validate what is required; the forms only parse (dates, numbers)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from steward.monitoring import calc
from steward.monitoring.models import (
    AppealOutcome,
    CycleStatus,
    DiscussionMethod,
    QafLevel,
    ReportAudience,
    Route,
)
from steward.parties.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATING_CHOICES = list(calc.JUDGEMENT_RATINGS)
ACTION_ROWS = 5


class _ServiceChecks:
    """A field the service requires: shown as required, but left empty it is the service
    that says what is missing (its message, on this field)."""

    empty_values: Any

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            return
        super().validate(value)  # type: ignore[misc]


class NeededChar(_ServiceChecks, forms.CharField):
    pass


class NeededChoice(_ServiceChecks, forms.ChoiceField):
    pass


class NeededInteger(_ServiceChecks, forms.IntegerField):
    pass


def _text(label: str, *, rows: int = 4, help_text: str = "", required: bool = False) -> Any:
    return (NeededChar if required else forms.CharField)(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CycleFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *CycleStatus.choices]
    )
    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None)
    year = forms.IntegerField(label="Year", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        if agencies is None:
            del self.fields["agency"]
        else:
            field = self.fields["agency"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Every agency"), *agencies]


class AreasForm(forms.Form):
    """The six areas of seed 002, each with a rating (radios) and the evidence; the judgement
    also has comments. `areas()` gives the services' {area: {rating, evidence, ...}}."""

    with_comments = False
    evidence_label = "Evidence"

    def __init__(self, *args: Any, hints: dict[str, str] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.hints = hints or {}
        for key, _ in calc.JUDGEMENT_AREAS:
            self.fields[f"{key}_rating"] = NeededChoice(
                label="Rating", choices=RATING_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"{key}_evidence"] = _text(self.evidence_label, rows=3, required=True)
            if self.with_comments:
                self.fields[f"{key}_comments"] = _text("Comments", rows=2)

    def groups(self) -> list[dict[str, Any]]:
        """Each area with its bound fields, for one fieldset (with its legend) per area."""
        return [
            {
                "key": key,
                "label": label,
                "hint": self.hints.get(key, ""),
                "rating": self[f"{key}_rating"],
                "evidence": self[f"{key}_evidence"],
                "comments": self[f"{key}_comments"] if self.with_comments else None,
            }
            for key, label in calc.JUDGEMENT_AREAS
        ]

    def areas(self) -> dict[str, dict[str, str]]:
        d = self.cleaned_data
        out = {}
        for key, _ in calc.JUDGEMENT_AREAS:
            answer = {
                "rating": d.get(f"{key}_rating") or "",
                "evidence": d.get(f"{key}_evidence") or "",
            }
            if self.with_comments:
                answer["comments"] = d.get(f"{key}_comments") or ""
            out[key] = answer
        return out

    def error_field(self, name: str, message: str) -> str:
        # the area itself ("'x' is not one of the six areas") has no field: top of the form
        return name if name in self.fields else "__all__"


class SelfAssessmentForm(AreasForm):
    evidence_label = "Your evidence"
    qaf_level = NeededChoice(
        label="Quality assessment framework (QAF) level",
        choices=list(QafLevel.choices),
        widget=forms.RadioSelect,
    )
    qaf_upgrades = _text(
        "QAF upgrades since last year",
        rows=3,
        help_text="Which objectives moved up a level, and the evidence for it.",
    )

    on = forms.DateField(
        label="Received on",
        required=False,
        widget=DATE,
        help_text="The day the provider's form was received, if not today.",
    )

    def __init__(self, *args: Any, on_behalf: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        self.order_fields([*list(self.fields)[2:], "qaf_level", "qaf_upgrades"])
        if not on_behalf:
            # the provider submits it online, today; staff enter a paper form as received
            del self.fields["on"]


class JudgementForm(AreasForm):
    with_comments = True


class AssessForm(forms.Form):
    notes = _text(
        "Assessment of the self-assessment, the QAF and the risk",
        rows=5,
        help_text="Internal: the provider does not see these notes.",
        required=True,
    )
    route = NeededChoice(
        label="Route",
        choices=[
            (Route.LIGHT.value, "Light: no visit (“CM lite”), straight to the judgement"),
            (Route.FULL.value, "Full: arrange a monitoring visit"),
        ],
        widget=forms.RadioSelect,
    )
    visit_planned_for = forms.DateField(
        label="Date of the visit", required=False, widget=DATE, help_text="Full route only."
    )
    visit_agenda = _text("Schedule for the day", rows=3, help_text="Full route only.")
    user_consultation = _text(
        "How service users will be consulted", rows=3, help_text="Full route only."
    )
    evidence_requested = _text("Evidence to have ready for the visit", rows=3)
    light_route_justification = _text(
        "Why no visit is needed",
        rows=3,
        help_text="Required to take the light route for a contract rated red or under enhanced "
        "monitoring.",
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label="Date of the visit",
        widget=DATE,
        error_messages={"required": "Give the date of the visit."},
    )
    staff_met = _text("Staff met", rows=2, required=True)
    self_assessment_review = _text("Review of the self-assessment and QAF upgrades", required=True)
    action_plan_review = _text("Review of the current action plan", rows=3)
    service_users_met = _text("Service users met", rows=3, required=True)
    qaf_spot_check = _text("QAF objectives spot-checked", rows=3)
    dq_sampled = NeededInteger(
        label="Reported values sampled",
        min_value=0,
        help_text="Data quality audit: how many reported indicator values were checked against "
        "the evidence.",
    )
    dq_matched = NeededInteger(label="Values matching the evidence", min_value=0)
    dq_notes = _text("Data quality notes", rows=2)


class VisitDateForm(forms.Form):
    visit_planned_for = forms.DateField(
        label="New date of the visit",
        widget=DATE,
        help_text="Today or later.",
        error_messages={"required": "Give the new date of the visit."},
    )


class DiscussionForm(forms.Form):
    discussed_on = forms.DateField(
        label="Date of the discussion",
        widget=DATE,
        error_messages={"required": "Give the date of the discussion."},
    )
    method = forms.ChoiceField(
        label="How",
        required=False,
        choices=list(DiscussionMethod.choices),
        widget=forms.RadioSelect,
    )
    notes = _text("What was discussed and agreed", rows=5)


class LetterForm(forms.Form):
    """The results letter and report, with an action plan of up to five rows (blank rows are
    left out)."""

    results_summary = _text("Results of the contract monitoring", rows=6, required=True)
    future_funding = _text("Confirmation of future funding", rows=3, required=True)
    future_specification = _text(
        "Confirmation of future specification terms", rows=3, required=True
    )
    on = forms.DateField(
        label="Date of the letter",
        required=False,
        widget=DATE,
        help_text="Leave blank for today; give the day it was sent if it went out earlier.",
    )

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_description"] = _text("Action", rows=2)
            self.fields[f"action_{n}_owner"] = forms.CharField(
                label="Owner", required=False, max_length=200, help_text="A name or a role."
            )
            self.fields[f"action_{n}_horizon_months"] = forms.TypedChoiceField(
                label="Due in",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Choose"), *((m, f"{m} months") for m in calc.ACTION_HORIZONS)],
            )
        self._rows: list[int] = []

    def action_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "description": self[f"action_{n}_description"],
                "owner": self[f"action_{n}_owner"],
                "horizon_months": self[f"action_{n}_horizon_months"],
            }
            for n in range(1, ACTION_ROWS + 1)
        ]

    def actions(self) -> list[dict[str, Any]]:
        """The filled rows, in order, as the service takes them."""
        d = self.cleaned_data
        out = []
        self._rows = []
        for n in range(1, ACTION_ROWS + 1):
            row = {
                "description": (d.get(f"action_{n}_description") or "").strip(),
                "owner": (d.get(f"action_{n}_owner") or "").strip(),
                "horizon_months": d.get(f"action_{n}_horizon_months"),
            }
            if row["description"] or row["owner"] or row["horizon_months"]:
                out.append(row)
                self._rows.append(n)
        return out

    def error_field(self, name: str, message: str) -> str:
        """The service numbers the filled rows 1, 2, …; put its error on the row on the page."""
        parts = name.split("_", 2)
        if len(parts) == 3 and parts[0] == "action" and parts[1].isdigit():
            index = int(parts[1]) - 1
            if 0 <= index < len(self._rows):
                return f"action_{self._rows[index]}_{parts[2]}"
        return name


class AppealForm(forms.Form):
    grounds = _text(
        "Grounds of the appeal",
        rows=6,
        help_text="Which decision of the letter you appeal, and why.",
        required=True,
    )
    on = forms.DateField(
        label="Date of the appeal",
        required=False,
        widget=DATE,
        help_text="Leave blank for today; give the day you sent it if you appealed in writing.",
    )


class RecordAppealForm(forms.Form):
    """The contract manager records an appeal the provider sent in writing."""

    received_via = forms.ChoiceField(
        label="How the appeal came",
        choices=[("letter", "By letter"), ("email", "By email")],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(
        label="Day it was received",
        widget=DATE,
        help_text="Not in the future, and not before the results letter.",
    )
    grounds = _text(
        "The provider's grounds",
        rows=6,
        help_text="Which decision of the letter the provider appeals, and why, as written.",
        required=True,
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=list(AppealOutcome.choices),
        widget=forms.RadioSelect,
    )
    decision = _text("Decision and its reasons", rows=6, help_text="Sent to the provider.")


# ---------------------------------------------------------------- the action plan's follow-up


class ActionDoneForm(forms.Form):
    """Record an action of the action plan as done, with an optional note."""

    note = forms.CharField(label="Note", required=False, max_length=2000)


# ---------------------------------------------------------------- review meetings (seed 003)


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
        help_text="An operational manager chairs review meetings.",
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
        help_text="The contract manager attends the annual review.",
    )
    minutes = forms.CharField(
        label="Minutes",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Record the minutes."},
    )


# ---------------------------------------------------------------- the calendar


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


# ---------------------------------------------------------------- reports (stages 9 and 10)


class ExceptionFilterForm(forms.Form):
    """Stage 9: since when appeals are listed and, for oversight officers and administrators,
    which agency."""

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


class RecipientForm(forms.Form):
    """A named recipient of the stage 9 or stage 10 report: a person of the agency, or someone
    outside it by name, organisation and email address."""

    audience = forms.ChoiceField(label="Report", choices=ReportAudience.choices)
    person = forms.ModelChoiceField(
        label="A person of the agency (or leave blank and give the details below)",
        queryset=User.objects.none(),
        required=False,
    )
    name = forms.CharField(label="Name", required=False, max_length=200)
    organisation = forms.CharField(
        label="Organisation (e.g. PCT, Probation, the commissioning body)",
        required=False,
        max_length=200,
    )
    email = forms.EmailField(label="Email address", required=False)

    def __init__(self, *args: Any, agency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            agency=agency, is_active=True
        ).order_by("last_name", "first_name")
