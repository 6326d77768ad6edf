"""Forms of the provider pages. They only parse input: the services validate and write."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.forms.models import fields_for_model

from steward.core.models import PolicyPack
from steward.parties.models import Agency, AgencyKind, Provider
from steward.parties.services import PROVIDER_FIELDS

# The slug is made from the legal name by the service, so the form does not ask for it.
PROVIDER_FORM_FIELDS = [f for f in PROVIDER_FIELDS if f != "slug"]


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


class AgencyForm(forms.Form):
    """An agency's fields. `pack_only` leaves just the policy pack, for an oversight officer
    (who may assign packs but not edit agencies)."""

    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=80, help_text="Short name used in links and imports, e.g. dcf."
    )
    kind = forms.ChoiceField(choices=AgencyKind.choices)
    pack = forms.ChoiceField(label="Policy pack", help_text="The rules this agency follows.")
    jurisdiction = forms.CharField(max_length=120, required=False)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    contact_email = forms.EmailField(required=False)
    closure_days = forms.CharField(
        label="Closure days",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Days the agency is closed on top of public holidays: one date a line, "
        "as YYYY-MM-DD.",
    )
    ocid_prefix = forms.RegexField(
        label="Open contracting id prefix",
        regex=r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$",
        max_length=60,
        required=False,
        help_text="For the open data download of the register: the prefix the agency "
        "registered with the Open Contracting Partnership, e.g. ocds-abc123. Leave it empty "
        "until you have one.",
        error_messages={"invalid": "Use letters, digits and single hyphens, e.g. ocds-abc123."},
    )

    def __init__(self, *args: Any, pack_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        packs = PolicyPack.objects.order_by("name").values_list("slug", "name")
        cast(forms.ChoiceField, self.fields["pack"]).choices = list(packs)
        if pack_only:
            for name in list(self.fields):
                if name != "pack":
                    del self.fields[name]

    def clean_closure_days(self) -> list[str]:
        days = []
        for number, line in enumerate(self.cleaned_data["closure_days"].splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                days.append(date.fromisoformat(text))
            except ValueError as exc:
                raise forms.ValidationError(
                    f"Line {number}: {text!r} is not a date written as YYYY-MM-DD."
                ) from exc
        return [d.isoformat() for d in sorted(set(days))]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def agency_initial(agency: Agency) -> dict[str, Any]:
    return {
        "name": agency.name,
        "slug": agency.slug,
        "kind": agency.kind,
        "pack": agency.pack.slug,
        "jurisdiction": agency.jurisdiction,
        "address": agency.address,
        "contact_email": agency.contact_email,
        "closure_days": "\n".join(agency.closure_days or []),
        "ocid_prefix": agency.ocid_prefix,
    }
