"""Forms of the provider pages. They only parse input: the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model

from steward.parties.models import Provider

PROVIDER_FORM_FIELDS = [
    "legal_name",
    "trading_name",
    "tax_id",
    "company_number",
    "charity_number",
    "for_profit",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
    "email",
    "phone",
    "website",
]


def _formfield(model_field: Any, **kwargs: Any) -> forms.Field:
    if model_field.name == "website":
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class ProviderForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Provider,
                fields=PROVIDER_FORM_FIELDS,
                field_classes={"website": forms.URLField},
                formfield_callback=_formfield,
            )
        )
        self.fields["for_profit"].label = "Run for profit"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"
        self.fields["country"].help_text = "Two letters (ISO 3166), e.g. US or GB."

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROVIDER_FORM_FIELDS}


def provider_initial(provider: Provider) -> dict[str, Any]:
    return {name: getattr(provider, name) for name in PROVIDER_FORM_FIELDS}


class ProviderSearchForm(forms.Form):
    q = forms.CharField(
        label="Search providers",
        required=False,
        help_text="Legal or trading name, tax id, company or charity number.",
    )
