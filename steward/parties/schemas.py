"""API schemas for agencies and providers."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema

from steward.parties.models import Agency, AgencyKind

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
OCID_PREFIX = r"^(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)?$"  # e.g. ocds-abc123; empty: the default


class AgencyOut(Schema):
    slug: str
    name: str
    kind: AgencyKind
    pack: str = Field(description="Slug of the agency's policy pack")
    jurisdiction: str
    address: str
    contact_email: str
    closure_days: list[date] = Field(description="Closure days on top of the pack's holidays")
    ocid_prefix: str = Field(
        "", description="The OCDS ocid prefix of the open-data export (empty: the default)"
    )
    signatory_name: str = Field("", description="Who signs the agency's letters and notices")
    signatory_title: str = Field("", description="The signatory's job title")
    has_logo: bool = Field(False, description="Whether its letters carry a logo (set on the page)")

    @staticmethod
    def resolve_pack(obj: Agency) -> str:
        return obj.pack.slug

    @staticmethod
    def resolve_has_logo(obj: Agency) -> bool:
        return bool(obj.logo)


class AgencyIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=SLUG, max_length=80)
    kind: AgencyKind
    pack: str = Field(description="Slug of the policy pack the agency follows")
    jurisdiction: str = Field("", max_length=120)
    address: str = ""
    contact_email: str = Field("", max_length=254)
    closure_days: list[date] = Field(default_factory=list)
    ocid_prefix: str = Field("", pattern=OCID_PREFIX, max_length=60)
    signatory_name: str = Field("", max_length=200)
    signatory_title: str = Field("", max_length=200)


class AgencyPatch(Schema):
    """Only the fields sent change. `pack` needs agencies.assign_pack; the rest
    agencies.change_agency."""

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: AgencyKind | None = None
    pack: str | None = None
    jurisdiction: str | None = Field(None, max_length=120)
    address: str | None = None
    contact_email: str | None = Field(None, max_length=254)
    closure_days: list[date] | None = None
    ocid_prefix: str | None = Field(None, pattern=OCID_PREFIX, max_length=60)
    signatory_name: str | None = Field(None, max_length=200)
    signatory_title: str | None = Field(None, max_length=200)


class ProviderOut(Schema):
    slug: str
    legal_name: str
    trading_name: str
    tax_id: str
    company_number: str
    charity_number: str
    for_profit: bool | None
    address_line1: str
    address_line2: str
    city: str
    region: str
    postcode: str
    country: str
    email: str
    phone: str
    website: str


class ProviderIn(Schema):
    legal_name: str = Field(min_length=1, max_length=250)
    slug: str | None = Field(
        None, pattern=SLUG, max_length=120, description="Made from the legal name when absent"
    )
    trading_name: str = Field("", max_length=250)
    tax_id: str = Field("", max_length=20)
    company_number: str = Field("", max_length=20)
    charity_number: str = Field("", max_length=20)
    for_profit: bool = False
    address_line1: str = Field("", max_length=200)
    address_line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20)
    country: str = Field("US", pattern=r"^[A-Z]{2}$")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)


class ProviderPatch(Schema):
    legal_name: str | None = Field(None, min_length=1, max_length=250)
    slug: str | None = Field(None, pattern=SLUG, max_length=120)
    trading_name: str | None = Field(None, max_length=250)
    tax_id: str | None = Field(None, max_length=20)
    company_number: str | None = Field(None, max_length=20)
    charity_number: str | None = Field(None, max_length=20)
    for_profit: bool | None = None
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=20)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)


class ProviderFilters(Schema):
    q: str = Field("", description="Search legal name, trading name and tax id")
    for_profit: bool | None = None


# ---------------------------------------------------------------- people


class PersonOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: str = Field(description="One of the roles (see docs/roles-and-permissions.md)")
    role_label: str
    agency: str | None = Field(description="Slug of the person's agency, if any")
    provider: str | None = Field(description="Slug of the person's provider, if any")
    job_title: str
    jurisdiction: str = Field(description="Oversight officers: the jurisdiction they see")
    is_active: bool = Field(description="False once deactivated (accounts are never deleted)")
    has_password: bool = Field(description="False until an invited person chooses a password")

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_agency(obj: Any) -> str | None:
        return obj.agency.slug if obj.agency_id else None

    @staticmethod
    def resolve_provider(obj: Any) -> str | None:
        return obj.provider.slug if obj.provider_id else None

    @staticmethod
    def resolve_has_password(obj: Any) -> bool:
        return bool(obj.has_usable_password())


class PersonInviteIn(Schema):
    email: str = Field(min_length=3, max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    role: str = Field(description="The role to give (an agency administrator: agency roles)")
    agency: str | None = Field(None, description="Agency slug; default the caller's agency")
    provider: str | None = Field(None, description="Provider slug, for a provider's user")
    job_title: str = Field("", max_length=120)
    jurisdiction: str = Field("", max_length=120)
    username: str | None = Field(None, max_length=150, description="Default: from the email")


class PersonPatchIn(Schema):
    email: str | None = Field(None, min_length=3, max_length=254)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    role: str | None = None
    job_title: str | None = Field(None, max_length=120)
    jurisdiction: str | None = Field(None, max_length=120)


class PersonDeactivateIn(Schema):
    reason: str = Field(min_length=1, max_length=90)


class PeopleFilters(Schema):
    q: str = Field("", max_length=100, description="Name, email or user name contains")
    active: bool | None = Field(None, description="Only active (true) or deactivated (false)")
