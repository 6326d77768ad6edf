"""The only code that writes agencies and providers."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from steward.core.errors import ValidationFailed
from steward.core.models import PolicyPack
from steward.core.services import require_perm, save_audited
from steward.parties.models import Agency, Provider

AGENCY_FIELDS = frozenset(
    {"name", "slug", "kind", "pack", "jurisdiction", "address", "contact_email", "closure_days"}
)
# The provider fields a person edits, in the order the provider form shows them.
PROVIDER_FIELDS: tuple[str, ...] = (
    "legal_name",
    "trading_name",
    "slug",
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
)


def _check_fields(data: dict[str, Any], allowed: Collection[str], what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationFailed(
            f"Unknown {what} field(s): {', '.join(sorted(unknown))}.",
            errors={name: ["Unknown field."] for name in sorted(unknown)},
        )


def _pack_by_slug(slug: str) -> PolicyPack:
    pack = PolicyPack.objects.filter(slug=slug).first()
    if pack is None:
        raise ValidationFailed(
            f"There is no policy pack {slug!r}.", errors={"pack": ["No policy pack by that slug."]}
        )
    return pack


def _agency_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "pack" in values and not isinstance(values["pack"], PolicyPack):
        values["pack"] = _pack_by_slug(str(values["pack"]))
    if "closure_days" in values:
        values["closure_days"] = sorted({str(day) for day in values["closure_days"] or []})
    return values


@transaction.atomic
def agency_create(*, actor: Any, data: dict[str, Any]) -> Agency:
    """Create an agency from `data` (`pack` is a pack slug or a PolicyPack). Returns it.

    Raises PermissionDeniedError unless the actor is an administrator; ValidationFailed naming
    the field for an unknown pack, a slug or name already used, or other bad values."""
    require_perm(actor, "agencies.add_agency", action="create agencies")
    _check_fields(data, AGENCY_FIELDS, "agency")
    if "pack" not in data:
        raise ValidationFailed(
            "Choose the agency's policy pack.", errors={"pack": ["A policy pack is required."]}
        )
    agency = Agency(**_agency_values(data))
    save_audited(agency, actor=actor, reason="Created")
    return agency


@transaction.atomic
def agency_update(*, actor: Any, agency: Agency, data: dict[str, Any]) -> Agency:
    """Change the fields in `data` on `agency`. Returns the agency.

    Changing the pack needs `agencies.assign_pack` (administrators and oversight officers); any
    other field needs `agencies.change_agency` (administrators)."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _check_fields(data, AGENCY_FIELDS, "agency")
    values = _agency_values(data)
    changed = {k for k, v in values.items() if getattr(agency, k) != v}
    if "pack" in changed:
        require_perm(actor, "agencies.assign_pack", agency, action="assign policy packs")
    if changed - {"pack"}:
        require_perm(actor, "agencies.change_agency", agency, action="change this agency")
    if not changed:
        return agency
    for name, value in values.items():
        setattr(agency, name, value)
    reason = f"Policy pack set to {agency.pack.slug}" if changed == {"pack"} else "Edited"
    save_audited(agency, actor=actor, reason=reason)
    return agency


IDENTIFIERS = {
    "tax_id": "tax id",
    "company_number": "company number",
    "charity_number": "charity number",
}


def _check_identifiers_free(provider: Provider) -> None:
    """Raise ValidationFailed naming each identifier another provider already has (the database
    constraint would otherwise report only the constraint's name)."""
    errors: dict[str, list[str]] = {}
    for field, label in IDENTIFIERS.items():
        value = getattr(provider, field)
        if not value:
            continue
        holder = Provider.objects.filter(**{field: value}).exclude(pk=provider.pk).first()
        if holder is not None:
            errors[field] = [f"{holder.legal_name} already has {label} {value}."]
    if errors:
        raise ValidationFailed(
            "; ".join(m for msgs in errors.values() for m in msgs), errors=errors
        )


def provider_slug_for(legal_name: str, *, exclude_pk: int | None = None) -> str:
    """Return a slug made from `legal_name` that no other provider uses (adding -2, -3, ...)."""
    base = slugify(legal_name)[:100].strip("-") or "provider"
    others = Provider.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def provider_create(*, actor: Any, data: dict[str, Any]) -> Provider:
    """Create a provider from `data`. Returns it. Without a slug, one is made from the legal
    name (unique). Raises PermissionDeniedError unless the actor may add providers,
    ValidationFailed naming the field (e.g. a tax id another provider already has)."""
    require_perm(actor, "providers.add_provider", action="add providers")
    _check_fields(data, PROVIDER_FIELDS, "provider")
    values = dict(data)
    legal_name = str(values.get("legal_name") or "").strip()
    if not legal_name:
        raise ValidationFailed(
            "Give the provider's legal name.", errors={"legal_name": ["This field is required."]}
        )
    values["legal_name"] = legal_name
    if not values.get("slug"):
        values["slug"] = provider_slug_for(legal_name)
    provider = Provider(**values)
    provider.created_by_agency_id = getattr(actor, "agency_id", None)
    _check_identifiers_free(provider)
    save_audited(provider, actor=actor, reason="Created")
    return provider


@transaction.atomic
def provider_update(*, actor: Any, provider: Provider, data: dict[str, Any]) -> Provider:
    """Change the fields in `data` on `provider`. Returns the provider."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    require_perm(actor, "providers.change_provider", provider, action="change this provider")
    _check_fields(data, PROVIDER_FIELDS, "provider")
    if "legal_name" in data and not str(data["legal_name"] or "").strip():
        raise ValidationFailed(
            "The legal name cannot be blank.", errors={"legal_name": ["This field is required."]}
        )
    if "slug" in data and not data["slug"]:
        raise ValidationFailed("The slug cannot be blank.", errors={"slug": ["Required."]})
    for name, value in data.items():
        setattr(provider, name, value.strip() if name == "legal_name" else value)
    _check_identifiers_free(provider)
    save_audited(provider, actor=actor, reason="Edited")
    return provider
