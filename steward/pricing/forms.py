"""Pricing forms (the services validate again)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from steward.core.concurrency import VersionField
from steward.pricing.calc import ATTACHMENTS
from steward.pricing.models import FeeBasis, FeeKind


def in_currency(form: forms.Form, currency: str) -> forms.Form:
    """Name the contract's currency in the form's money labels ("Amount paid (GBP)"): a pack
    in pounds never shows dollars (issue 17, seed 003). Returns the form."""
    for field in form.fields.values():
        if field.label and "(dollars)" in str(field.label):
            field.label = str(field.label).replace("(dollars)", f"({currency})")
    kind = form.fields.get("kind")
    if isinstance(kind, forms.ChoiceField):
        kind.choices = [
            (key, "Amount" if key == FeeKind.AMOUNT else label) for key, label in FeeKind.choices
        ]
    return form


class RateForm(forms.Form):
    program_cost = forms.DecimalField(
        label="Program cost (dollars)", max_digits=14, decimal_places=2, min_value=0
    )
    capacity = forms.DecimalField(
        label="Capacity", help_text="Slots, beds or places", max_digits=10, decimal_places=2
    )
    units_per_period = forms.DecimalField(
        label="Units per period",
        help_text="For example 365 days a year",
        max_digits=10,
        decimal_places=2,
    )
    utilization_percent = forms.DecimalField(
        label="Utilization factor (percent)",
        help_text="85 to 100 is reasonable; below 85 needs an exceptional-circumstances reason",
        max_digits=7,
        decimal_places=2,
    )
    exceptional_reason = forms.CharField(
        label="Exceptional circumstances", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def error_field(self, name: str, message: str) -> str:
        return "utilization_percent" if name == "utilization_factor" else name

    def factor(self) -> Decimal:
        return self.cleaned_data["utilization_percent"] / Decimal(100)


class FeeForm(forms.Form):
    kind = forms.ChoiceField(label="Commercial fee", choices=FeeKind.choices)
    value = forms.DecimalField(
        label="Percentage or amount", required=False, max_digits=14, decimal_places=2, min_value=0
    )
    basis = forms.ChoiceField(label="Basis", choices=FeeBasis.choices)
    year_revenue = forms.DecimalField(
        label="Year-end revenue (dollars)", required=False, max_digits=14, decimal_places=2
    )
    year_expenses = forms.DecimalField(
        label="Year-end expenses (dollars)", required=False, max_digits=14, decimal_places=2
    )
    #: the version of the fee the person started from (docs/security.md §6)
    version = VersionField()


class PaymentForm(forms.Form):
    period_start = forms.DateField(
        label="Period start", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label="Period end", widget=forms.DateInput(attrs={"type": "date"}))
    invoice_number = forms.CharField(label="Invoice number", required=False, max_length=60)
    units = forms.DecimalField(label="Units billed", max_digits=12, decimal_places=2, min_value=0)
    amount = forms.DecimalField(
        label="Amount paid (dollars)", max_digits=14, decimal_places=2, min_value=0
    )


class AttachmentForm(forms.Form):
    number = forms.TypedChoiceField(
        label="Attachment", coerce=int, choices=[(n, f"{n}: {t}") for n, t in ATTACHMENTS.items()]
    )
    required = forms.BooleanField(label="Required", required=False)
    due_with = forms.ChoiceField(
        label="Due",
        choices=[("execution", "At contract execution"), ("response", "With the bid")],
        initial="execution",
    )
    completed = forms.BooleanField(label="Completed", required=False)
    document = forms.TypedChoiceField(
        label="Uploaded document", required=False, coerce=int, empty_value=None
    )


class LimitsForm(forms.Form):
    authorised_rate = forms.DecimalField(
        label="Authorised rate-set price (dollars)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text="Only for a rate-set contract",
    )
    lowest_price_to_others = forms.DecimalField(
        label="Provider's lowest price to other purchasers (dollars)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    lowest_price_purchaser = forms.CharField(
        label="Purchaser paying that price", required=False, max_length=200
    )
    client_resources = forms.DecimalField(
        label="Client resources (dollars)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    third_party_payments = forms.DecimalField(
        label="Third-party payments (dollars)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    non_reimbursable_offset = forms.DecimalField(
        label="Non-reimbursable cost offset (dollars)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    #: the version of the limits the person started from (docs/security.md §6)
    version = VersionField()


class ConsultationForm(forms.Form):
    consulted_on = forms.DateField(
        label="Consulted on", widget=forms.DateInput(attrs={"type": "date"})
    )
    consulted_with = forms.CharField(label="Consulted with", max_length=200)
    waiver_needed = forms.BooleanField(label="808 CMR 1.00 waiver needed", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
