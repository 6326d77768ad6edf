"""Forms of the contract pages. They only parse input: the services validate and write."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.forms.models import fields_for_model

from steward.contracts.models import (
    Contract,
    ContractStatus,
    ContractType,
    DocumentKind,
)
from steward.contracts.services import EDITABLE_FIELDS
from steward.core.formatting import fmt_date, fmt_money
from steward.parties.models import Agency, Provider, User

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

CONTRACT_FIELDS = EDITABLE_FIELDS


class ContractForm(forms.Form):
    """Every editable field of a contract, built from the model's fields. `agency` is asked
    for only when the person belongs to no agency (an administrator)."""

    def __init__(
        self, *args: Any, agency: Agency | None, choose_agency: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if choose_agency:
            self.fields["agency"] = forms.ModelChoiceField(
                queryset=Agency.objects.order_by("name"), label="Agency"
            )
        self.fields.update(
            fields_for_model(
                Contract,
                fields=CONTRACT_FIELDS,
                widgets={
                    "start_date": DATE_WIDGET,
                    "end_date": DATE_WIDGET,
                    "description": forms.Textarea(attrs={"rows": 4}),
                    "notes": forms.Textarea(attrs={"rows": 4}),
                },
            )
        )
        provider_field = cast(forms.ModelChoiceField, self.fields["provider"])
        provider_field.queryset = Provider.objects.order_by("legal_name")
        staff = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        manager_field = cast(forms.ModelChoiceField, self.fields["contract_manager"])
        manager_field.queryset = (
            staff.filter(agency=agency)
            if agency is not None
            else staff.filter(agency__isnull=False)
        )
        manager_field.label_from_instance = lambda u: (  # type: ignore[method-assign,assignment]
            u.get_full_name() or u.username
        )
        self.fields["start_date"].help_text = "For example 2026-07-01."
        self.fields["end_date"].help_text = "On or after the start date."
        self.fields[
            "maximum_obligation"
        ].help_text = "The most the agency will pay, e.g. 250000.00."

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """The cleaned values for contract_create/contract_update (no agency)."""
        return {name: self.cleaned_data[name] for name in CONTRACT_FIELDS}


def contract_initial(contract: Contract) -> dict[str, Any]:
    return {name: getattr(contract, name) for name in CONTRACT_FIELDS}


class ContractFilterForm(forms.Form):
    """The register's filters (a GET form). Bad dates are reported and ignored."""

    q = forms.CharField(label="Search", required=False, help_text="Number, title or provider.")
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ContractStatus.choices]
    )
    agency = forms.ChoiceField(label="Agency", required=False)
    # A text box, not a list: an agency can have thousands of providers (bench/register.py).
    provider = forms.CharField(
        label="Provider", required=False, help_text="Name or part of it, or the provider's id."
    )
    contract_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *ContractType.choices]
    )
    ends_after = forms.DateField(label="Ends on or after", required=False, widget=DATE_WIDGET)
    ends_before = forms.DateField(label="Ends on or before", required=False, widget=DATE_WIDGET)

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [("", "Any agency"), *agencies]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        after, before = cleaned.get("ends_after"), cleaned.get("ends_before")
        if after and before and before < after:
            self.add_error(
                "ends_before", "This date must be on or after the 'ends on or after' date."
            )
        return cleaned

    def value(self, name: str) -> Any:
        """The cleaned value of `name`, or empty when it did not validate."""
        if not hasattr(self, "cleaned_data"):
            return None
        return self.cleaned_data.get(name) or None


class TransitionForm(forms.Form):
    """A status change: the date it happened (when it has one) and, for a termination or a
    reopening, the reason. Fields the change does not need are left out."""

    on = forms.DateField(label="Date", widget=DATE_WIDGET)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        needs_date: bool = True,
        needs_reason: bool = False,
        hint: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not needs_date:
            del self.fields["on"]
        elif hint:
            self.fields["on"].help_text = hint + " For example 2026-07-01."
        if not needs_reason:
            del self.fields["reason"]

    def error_field(self, name: str, message: str) -> str:
        """The service's field names (completed_on, terminated_on, ...) are this form's date."""
        return "on" if name.endswith("_on") else name


class AmendmentForm(forms.Form):
    effective_on = forms.DateField(
        label="Effective date", widget=DATE_WIDGET, help_text="For example 2026-07-01."
    )
    new_end_date = forms.DateField(
        label="New end date",
        required=False,
        widget=DATE_WIDGET,
        help_text="Leave empty to keep the current end date.",
    )
    new_maximum_obligation = forms.DecimalField(
        label="New maximum obligation",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Leave empty to keep the current amount.",
    )
    reason = forms.CharField(
        label="Reason for the amendment", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "new_end_date"
        ].help_text = f"Now {fmt_date(contract.end_date)}. Leave empty to keep it."
        self.fields["new_maximum_obligation"].help_text = (
            f"Now {fmt_money(contract.maximum_obligation, contract.currency)}. "
            "Leave empty to keep it."
        )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of document", choices=DocumentKind.choices)
    title = forms.CharField(
        label="Title", max_length=200, required=False, help_text="Leave empty to use the file name."
    )
    file = forms.FileField(
        label="File",
        help_text="PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text.",
    )
    released_to_provider = forms.BooleanField(
        label="The provider may see this document", required=False, initial=True
    )


def today_initial() -> dict[str, date]:
    from django.utils import timezone

    return {"on": timezone.localdate()}


class RenewalForm(forms.Form):
    effective_on = forms.DateField(
        label="Effective date", widget=DATE_WIDGET, help_text="For example 2026-07-01."
    )
    new_end_date = forms.DateField(label="New end date", widget=DATE_WIDGET)
    new_maximum_obligation = forms.DecimalField(
        label="New maximum obligation",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Leave empty when the renewal adds no money.",
    )
    reason = forms.CharField(label="Reason for renewing", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "new_end_date"
        ].help_text = (
            f"Now {contract.end_date:%-d %B %Y}; {contract.renewal_terms or 'see the contract'}."
        )


IMPORT_FORMAT_CHOICES = [
    ("native", "Steward's template (every contract field)"),
    ("uk-transparency", "UK Local Government Transparency Code register"),
    ("us-open-data", "US state or city open-data contract list"),
]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Register file",
        help_text="CSV or XLSX, up to 20 MB. The first row names the columns.",
    )
    format = forms.ChoiceField(label="Format", choices=IMPORT_FORMAT_CHOICES, initial="native")
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            field = cast(forms.ChoiceField, self.fields["agency"])
            field.choices = [("", "Choose an agency"), *agencies]
            field.required = True


class ExpiringReportForm(forms.Form):
    within = forms.IntegerField(
        label="Ending within (days)", min_value=0, max_value=3660, required=False
    )
    as_of = forms.DateField(label="As of", widget=DATE_WIDGET, required=False)
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            cast(forms.ChoiceField, self.fields["agency"]).choices = [
                ("", "All agencies"),
                *agencies,
            ]


class AnnualReportForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label="Fiscal year",
        min_value=2000,
        max_value=2100,
        help_text="Named by the year it ends in: FY2027 is July 2026 to June 2027 in CT and "
        "MA, April 2026 to March 2027 in the UK.",
    )
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            cast(forms.ChoiceField, self.fields["agency"]).choices = [
                ("", "All agencies"),
                *agencies,
            ]


class DueDateReasonForm(forms.Form):
    """Why a due date is not needed (or needed again): kept in its history."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Kept with the due date's history, with your name and the date.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason.")
        return reason
