"""Forms of the core pages (sign in, policy packs) and the helper that puts a service's
ValidationFailed errors onto a form's fields."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from steward.core.deadlines import DayKind
from steward.core.errors import ApplicationError
from steward.core.models import PolicyPack


def apply_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Add the field errors of `exc` to `form`: each on its field when the form has one
    (after `form.error_field(name, message)` if the form maps names), else at the top.
    After a stale save the form's hidden `version` moves on to the record's current one."""
    from steward.core.concurrency import StaleEdit, refresh_version

    if isinstance(exc, StaleEdit):
        refresh_version(form, exc)
    if not exc.errors:
        form.add_error(None, exc.message)
        return
    mapper = getattr(form, "error_field", None)
    for name, messages in exc.errors.items():
        for message in messages:
            target = mapper(name, message) if mapper else name
            if target in form.fields:
                if target in form.errors and message in form.errors[target]:
                    continue
                form.add_error(target, message)
            elif name in ("__all__", None):
                form.add_error(None, message)
            else:
                form.add_error(None, f"{name.replace('_', ' ').capitalize()}: {message}")


class SignInForm(AuthenticationForm):
    """The sign-in form, with the autocomplete hints password managers need."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PackCopyForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name of the copy")
    slug = forms.SlugField(
        max_length=80,
        label="Short name (slug)",
        help_text="Lower-case letters, numbers and hyphens, e.g. dcf-2027.",
    )

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            raise forms.ValidationError("Use lower-case words joined by single hyphens.")
        return slug


KIND_CHOICES = [(DayKind.CALENDAR.value, "Calendar days"), (DayKind.WORKING.value, "Working days")]


class PackEditForm(forms.Form):
    """The editable figures of a policy pack. `rules()` returns the pack's rules with the
    posted figures in place (validated again, as a whole, by policy_pack_update)."""

    renewal_score_threshold = forms.IntegerField(
        label="Renewal score threshold",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Score (0–100) a provider needs for renewal. Leave empty for no threshold.",
    )
    tender_threshold = forms.DecimalField(
        label="Tender threshold",
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text="Contracts above this amount are tendered. Leave empty for none.",
    )
    utilization_reasonable_min = forms.DecimalField(
        label="Lowest reasonable utilization factor",
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        decimal_places=4,
        help_text="A fraction, e.g. 0.85 for 85%.",
    )
    utilization_maximum = forms.DecimalField(
        label="Highest utilization factor",
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        decimal_places=4,
        help_text="A fraction, at most 1.",
    )
    expiring_window_days = forms.IntegerField(
        label="Expiring contracts window (days)",
        min_value=1,
        help_text="Contracts ending within this many days are listed as expiring.",
    )
    closure_days = forms.CharField(
        label="Closure days",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Days the agency is closed on top of public holidays: one date a line, "
        "written YYYY-MM-DD.",
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the pack's history.",
    )

    def __init__(self, *args: Any, pack: PolicyPack, **kwargs: Any) -> None:
        self.pack = pack
        parsed = pack.parsed
        initial = {
            "renewal_score_threshold": parsed.renewal.score_threshold,
            "tender_threshold": parsed.tender.threshold,
            "utilization_reasonable_min": parsed.utilization.reasonable_min,
            "utilization_maximum": parsed.utilization.maximum,
            "expiring_window_days": parsed.expiring_window_days,
            "closure_days": "\n".join(
                d.isoformat() for d in sorted(parsed.working_calendar.closure_days)
            ),
        }
        for rule in parsed.deadlines:
            initial[f"deadline__{rule.key}__days"] = rule.days
            initial[f"deadline__{rule.key}__kind"] = rule.kind.value
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.deadline_rules = parsed.deadlines
        for rule in parsed.deadlines:
            self.fields[f"deadline__{rule.key}__days"] = forms.IntegerField(
                label="Number of days", min_value=0, max_value=3650
            )
            self.fields[f"deadline__{rule.key}__kind"] = forms.ChoiceField(
                label="Counted in", choices=KIND_CHOICES
            )
        self.order_fields(["reason"])

    def deadline_groups(self) -> list[dict[str, Any]]:
        """Each deadline with its two bound fields, for one fieldset per deadline."""
        return [
            {
                "rule": rule,
                "days": self[f"deadline__{rule.key}__days"],
                "kind": self[f"deadline__{rule.key}__kind"],
            }
            for rule in self.deadline_rules
        ]

    def figure_fields(self) -> list[forms.BoundField]:
        names = [
            "renewal_score_threshold",
            "tender_threshold",
            "utilization_reasonable_min",
            "utilization_maximum",
            "expiring_window_days",
            "closure_days",
        ]
        return [self[name] for name in names]

    def clean_closure_days(self) -> list[str]:
        days = []
        for number, line in enumerate(self.cleaned_data["closure_days"].splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number} ({text!r}) is not a date written YYYY-MM-DD."
                ) from None
            days.append(day)
        return [d.isoformat() for d in sorted(set(days))]

    def rules(self) -> dict[str, Any]:
        data = copy.deepcopy(self.pack.rules)
        cleaned = self.cleaned_data
        for rule in self.deadline_rules:
            data["deadlines"][rule.key]["days"] = cleaned[f"deadline__{rule.key}__days"]
            data["deadlines"][rule.key]["kind"] = cleaned[f"deadline__{rule.key}__kind"]
        data["renewal"]["score_threshold"] = cleaned["renewal_score_threshold"]
        threshold = cleaned["tender_threshold"]
        data["tender"]["threshold"] = None if threshold is None else f"{threshold:.2f}"
        data["utilization"]["reasonable_min"] = _fraction(cleaned["utilization_reasonable_min"])
        data["utilization"]["maximum"] = _fraction(cleaned["utilization_maximum"])
        data["expiring_window_days"] = cleaned["expiring_window_days"]
        data["calendar"]["closure_days"] = cleaned["closure_days"]
        return data

    _PATHS = {
        "renewal.score_threshold": "renewal_score_threshold",
        "tender.threshold": "tender_threshold",
        "utilization.reasonable_min": "utilization_reasonable_min",
        "utilization.maximum": "utilization_maximum",
        "expiring_window_days": "expiring_window_days",
        "calendar.closure_days": "closure_days",
    }

    def error_field(self, name: str, message: str) -> str:
        """Map a pack error ("rules": "utilization.maximum: must be …") to the form field."""
        if name != "rules":
            return name
        path = message.split(":", 1)[0].strip()
        path = re.sub(r"\[\d+\]$", "", path)
        match = re.fullmatch(r"deadlines\.([a-z0-9_]+)\.(days|kind)", path)
        if match:
            return f"deadline__{match.group(1)}__{match.group(2)}"
        return self._PATHS.get(path, "__all__")


def _fraction(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".00"
    return text
