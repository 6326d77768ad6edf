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
    signatory_name = forms.CharField(
        label="Who signs letters",
        max_length=200,
        required=False,
        help_text="The name under the agency's letters and notices. Leave it empty for the "
        "contract's manager to sign.",
    )
    signatory_title = forms.CharField(
        label="Their job title", max_length=200, required=False, help_text="e.g. Commissioner"
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="Shown at the top of every letter: a PNG or JPEG image of at most 512 KB.",
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
    )
    remove_logo = forms.BooleanField(label="Take the logo off the letters", required=False)
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
        """The agency's fields for `agency_create`/`agency_update` (the logo apart: see
        `logo_change`)."""
        data = dict(self.cleaned_data)
        data.pop("logo", None)
        data.pop("remove_logo", None)
        return data

    def logo_change(self) -> tuple[bool, Any]:
        """(whether the logo changes, the new file or None to take it off)."""
        value = self.cleaned_data.get("logo")
        if value:
            return True, value
        return bool(self.cleaned_data.get("remove_logo")), None


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
        "signatory_name": agency.signatory_name,
        "signatory_title": agency.signatory_title,
    }


# ---------------------------------------------------------------- people


def grantable_roles(actor: Any) -> list[tuple[str, str]]:
    """The roles `actor` may give, as form choices (an agency administrator: agency roles)."""
    from steward.parties.models import AGENCY_ROLES, Role

    if actor.role == Role.ADMINISTRATOR:
        return [(r.value, r.label) for r in Role]
    return [(r.value, r.label) for r in Role if r in AGENCY_ROLES]


class PersonInviteForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(
        max_length=254, help_text="The invitation, with a link to choose a password, goes here."
    )
    role = forms.ChoiceField()
    job_title = forms.CharField(max_length=120, required=False)
    agency = forms.ChoiceField(required=False, help_text="For agency staff.")
    provider = forms.ChoiceField(required=False, help_text="For a provider's user.")
    jurisdiction = forms.CharField(
        max_length=120,
        required=False,
        help_text="Oversight officers only: limit what they see to the agencies of this "
        "jurisdiction (e.g. Connecticut). Leave blank for every agency.",
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from steward.parties.models import Role

        cast(forms.ChoiceField, self.fields["role"]).choices = [
            ("", "Choose a role"),
            *grantable_roles(actor),
        ]
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        if actor.role == Role.ADMINISTRATOR:
            agencies = Agency.objects.order_by("name").values_list("slug", "name")
            providers = Provider.objects.order_by("legal_name").values_list("slug", "legal_name")
            cast(forms.ChoiceField, self.fields["agency"]).choices = [("", "None"), *agencies]
            cast(forms.ChoiceField, self.fields["provider"]).choices = [("", "None"), *providers]
        else:
            del self.fields["agency"]
            del self.fields["provider"]

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class PersonEditForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField()
    job_title = forms.CharField(max_length=120, required=False)
    jurisdiction = forms.CharField(
        max_length=120,
        required=False,
        help_text="Oversight officers only: limit what they see to the agencies of this "
        "jurisdiction. Leave blank for every agency.",
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = grantable_roles(actor)


def person_initial(person: Any) -> dict[str, Any]:
    return {
        name: getattr(person, name)
        for name in ("first_name", "last_name", "email", "role", "job_title", "jurisdiction")
    }


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        max_length=90,
        label="Why is this account deactivated?",
        help_text="For example: left the agency. Kept in the account's history.",
    )
